import { Client } from 'pg';
import { DB_ROLES } from './data-sources';

export interface ProvisionOptions {
  /** A superuser URL on the cluster (any database). */
  adminUrl: string;
  database: string;
  passwords: { owner: string; app: string; system: string };
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function quoteIdent(value: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(value)) throw new Error(`Refusing unusual identifier ${value}`);
  return `"${value}"`;
}

/**
 * Creates (or updates the passwords of) the three roles of the design and the database owned by
 * the owner role. Idempotent: every start and the compose `migrate` service run it.
 */
export async function provisionDatabase(options: ProvisionOptions): Promise<void> {
  const client = new Client({ connectionString: options.adminUrl });
  await client.connect();
  try {
    const roles: [string, string, string][] = [
      [DB_ROLES.owner, options.passwords.owner, 'LOGIN CREATEDB NOBYPASSRLS'],
      [DB_ROLES.app, options.passwords.app, 'LOGIN NOBYPASSRLS NOCREATEDB NOCREATEROLE'],
      [DB_ROLES.system, options.passwords.system, 'LOGIN BYPASSRLS NOCREATEDB NOCREATEROLE'],
    ];
    for (const [role, password, attributes] of roles) {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const verb = exists.rowCount ? 'ALTER' : 'CREATE';
      await client.query(`${verb} ROLE ${quoteIdent(role)} WITH ${attributes} PASSWORD ${quoteLiteral(password)}`);
    }
    const db = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (!db.rowCount) {
      await client.query(`CREATE DATABASE ${quoteIdent(options.database)} OWNER ${quoteIdent(DB_ROLES.owner)} ENCODING 'UTF8' TEMPLATE template0`);
    }
  } finally {
    await client.end();
  }
}

/** Replaces user, password and database of a postgres URL. */
export function withCredentials(url: string, user: string, password: string, database?: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  if (database) parsed.pathname = `/${database}`;
  return parsed.toString();
}
