import { createHash, randomBytes } from 'node:crypto';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createOrganisation, createUser, login } from '../support/fixtures';
import { actionBody } from '../support/actions-fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Issue 8, item 5 (probe: a certifier's admin created an `actions:write` key and posted funded
 * actions, which then counted as a funder's). A key's scopes are bounded by what its
 * organisation kind allows and by what its creator's own roles could do.
 */
describe('security: API key scopes follow the organisation kind and the creator', () => {
  let t: TestApp;
  let certifierAdmin: TestUser;
  const create = async (user: TestUser, scopes: string[]) =>
    t.http.post('/api/v1/api-keys').set(bearer(await login(t.http, user))).send({ label: 'SI', scopes });

  beforeAll(async () => {
    t = await createTestApp();
    await createOrganisation(t.db, 'CERT-KEYS', 'CERTIFIER');
    certifierAdmin = await createUser(t.db, 'CERT-KEYS', ['certifier', 'admin']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("refuses a certifier's admin an actions:write key, and gives it providers:read", async () => {
    const refused = await create(certifierAdmin, ['providers:read', 'actions:write']);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'API_KEY.SCOPE_NOT_ALLOWED', errors: [{ field: 'scopes[1]' }] });
    expect(await t.db.superQuery(`SELECT 1 FROM api_keys WHERE organisation_id = $1`, [certifierAdmin.organisationId])).toEqual([]);
    expect((await create(certifierAdmin, ['providers:read'])).status).toBe(201);
  });

  it("bounds a control service's keys and a funder admin's keys by their roles", async () => {
    const ministryAdmin = await createUser(t.db, 'SRC-84', ['ministry', 'admin']);
    expect((await create(ministryAdmin, ['actions:read'])).status).toBe(403);
    expect((await create(ministryAdmin, ['checks:read'])).status).toBe(403);
    const adminOnly = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    expect((await create(adminOnly, ['actions:write'])).status).toBe(403);
    expect((await create(adminOnly, ['providers:read'])).status).toBe(201);
    const adminManager = await createUser(t.db, 'OPCO-ATLAS', ['admin', 'manager']);
    expect((await create(adminManager, ['actions:write', 'checks:read'])).status).toBe(201);
    // An auditor sees only its assigned checks: a key cannot be narrowed so, it gets none.
    const adminAuditor = await createUser(t.db, 'OPCO-ATLAS', ['admin', 'auditor']);
    expect((await create(adminAuditor, ['providers:read'])).status).toBe(403);
  });

  it('a key created before the bound loses, at use, what its organisation kind never allows', async () => {
    const prefix = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await t.db.superQuery(
      `INSERT INTO api_keys (organisation_id, label, prefix, secret_hash, scopes) VALUES ($1, 'ancienne clé', $2, $3, '{actions:write,providers:read}')`,
      [certifierAdmin.organisationId, prefix, createHash('sha256').update(secret).digest('hex')],
    );
    const key = `bo_${prefix}_${secret}`;
    const post = await t.http.post('/api/v1/actions').set('x-api-key', key).send(actionBody());
    expect(post.status).toBe(403);
    expect(post.body.code).toBe('ACCESS.SCOPE_MISSING');
    expect((await t.http.get('/api/v1/providers').set('x-api-key', key)).status).toBe(200);
    expect(await t.db.superQuery(`SELECT 1 FROM funded_actions WHERE organisation_id = $1`, [certifierAdmin.organisationId])).toEqual([]);
  });
});
