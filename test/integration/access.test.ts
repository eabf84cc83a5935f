import { Test } from '@nestjs/testing';
import { Actor, AccessModule, AccessService } from '@bo/access';
import { ConfigModule } from '@bo/core';
import { DatabaseModule } from '@bo/database';
import { TestDatabase, createTestDatabase, testServices } from '@bo/testing';
import { TestingModule } from '@nestjs/testing';
import { createUser } from '../support/fixtures';

describe('access service', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let access: AccessService;

  beforeAll(async () => {
    db = await createTestDatabase();
    const services = testServices();
    Object.assign(process.env, { ...db.urls, REDIS_URL: services.redisUrl, JWT_SECRET: services.secrets.jwtSecret, SIGNING_KEYS: services.secrets.signingKey, CLOCK_MODE: 'offset' });
    moduleRef = await Test.createTestingModule({ imports: [ConfigModule, DatabaseModule, AccessModule] }).compile();
    access = moduleRef.get(AccessService);
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  const actorOf = (u: { id: string; organisationId: string }): Actor => ({
    kind: 'user',
    id: u.id,
    organisationId: u.organisationId,
    organisationKind: 'FUNDER',
    roles: ['admin'],
    scopes: [],
    label: 'test',
  });

  it('answers a batch of ids with the subset the actor may see, in one call', async () => {
    const a1 = await createUser(db, 'OPCO-ATLAS', ['admin']);
    const a2 = await createUser(db, 'OPCO-ATLAS', ['officer']);
    const b1 = await createUser(db, 'CDC', ['officer']);
    const visible = await access.visible(actorOf(a1), 'user', [a1.id, a2.id, b1.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']);
    expect(visible).toEqual(new Set([a1.id, a2.id]));
    expect(await access.visible(actorOf(b1), 'user', [a1.id, a2.id, b1.id])).toEqual(new Set([b1.id]));
  });

  it("answers 404, not 403, for another organisation's row", async () => {
    const a = await createUser(db, 'OPCO-ATLAS', ['admin']);
    const b = await createUser(db, 'CDC', ['officer']);
    await expect(access.assertVisible(actorOf(a), 'user', b.id)).rejects.toMatchObject({ code: 'USER.NOT_FOUND', status: 404 });
    await expect(access.assertVisible(actorOf(b), 'user', b.id)).resolves.toBeUndefined();
  });
});
