import { hash } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import TestAgent from 'supertest/lib/agent';
import { Role } from '@bo/access';
import { TestDatabase } from '@bo/testing';

export const TEST_PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

export interface TestUser {
  id: string;
  email: string;
  organisationId: string;
  organisationCode: string;
  roles: Role[];
}

export async function orgId(db: TestDatabase, code: string): Promise<string> {
  const [row] = await db.superQuery<{ id: string }>(`SELECT id FROM organisations WHERE code = $1`, [code]);
  if (!row) throw new Error(`no organisation ${code}`);
  return row.id;
}

/** A user written straight into the database (the factory bypasses the API on purpose). */
export async function createUser(db: TestDatabase, organisationCode: string, roles: Role[], options: { disabled?: boolean } = {}): Promise<TestUser> {
  passwordHash ??= hash(TEST_PASSWORD);
  const organisationId = await orgId(db, organisationCode);
  const email = `${roles.join('-')}.${randomBytes(4).toString('hex')}@${organisationCode.toLowerCase()}.test`;
  const [row] = await db.superQuery<{ id: string }>(
    `INSERT INTO users (organisation_id, email, display_name, password_hash, roles, disabled) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [organisationId, email, `Test ${roles.join(' ')}`, await passwordHash, roles, options.disabled ?? false],
  );
  return { id: row.id, email, organisationId, organisationCode, roles };
}

export async function createOrganisation(db: TestDatabase, code: string, kind: string, funderKind: string | null = null): Promise<string> {
  const [row] = await db.superQuery<{ id: string }>(
    `INSERT INTO organisations (code, kind, funder_kind, name) VALUES ($1, $2, $3, $1) RETURNING id`,
    [code, kind, funderKind],
  );
  return row.id;
}

export async function login(http: TestAgent, user: { email: string }, password = TEST_PASSWORD): Promise<string> {
  const res = await http.post('/api/v1/auth/login').send({ email: user.email, password });
  if (res.status !== 200) throw new Error(`login failed for ${user.email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken as string;
}
