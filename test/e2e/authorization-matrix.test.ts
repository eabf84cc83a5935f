import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Role } from '@bo/access';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';
import { parisToday } from '../support/dates';

/**
 * The authorization matrix: every route of the API, who may call it, and how "another
 * organisation's resource" is built. For each route: no credentials -> 401, a role outside the
 * list -> 403, another organisation's resource -> 404 (routes keyed by an id), own -> 2xx.
 * A route missing from this table fails the completeness test below: new routes must join it.
 */
interface Ctx {
  t: TestApp;
  /** Users of funder A (OPCO-ATLAS) by role, and funder B's admin (CDC). */
  a: Record<Role, TestUser>;
  b: Record<'admin' | 'officer' | 'manager', TestUser>;
  /** The extra columns: whole organisations of other kinds (their users hold every role their kind grants). */
  x: Record<ExtraColumn, TestUser>;
}

/**
 * Columns beyond one role each: a certifier organisation and a control service, whose users hold
 * every role their kind grants (certifier + admin, ministry + admin). For every route: 403 when
 * none of their roles is allowed; 404 on funder A's resource; otherwise served without a 401,
 * 403 or 5xx.
 */
const EXTRA_COLUMNS = { certifierOrganisation: { organisation: 'CERT-MATRIX', roles: ['certifier', 'admin'] }, controlService: { organisation: 'SRC-84', roles: ['ministry', 'admin'] } } as const;
type ExtraColumn = keyof typeof EXTRA_COLUMNS;

interface RouteCase {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** OpenAPI path, e.g. /api/v1/users/{id}. */
  path: string;
  allowed: Role[] | 'public';
  /** Path parameters for an own resource, and a body that succeeds. */
  own?: (c: Ctx) => Promise<{ params?: Record<string, string>; body?: object; query?: string }>;
  /** Path parameters of another organisation's resource (expects 404). */
  foreign?: (c: Ctx) => Promise<Record<string, string>>;
  /** The role used for the 2xx call; defaults to the first allowed role. */
  asRole?: Role;
  expected?: number;
}

const ALL_ROLES: Role[] = ['officer', 'manager', 'admin', 'auditor', 'ministry', 'certifier', 'platform_admin'];
let counter = 0;
const uniqueEmail = () => `new.user.${Date.now()}.${counter++}@atlas.test`;

async function createApiKey(c: Ctx, user: TestUser): Promise<string> {
  const res = await c.t.http
    .post('/api/v1/api-keys')
    .set('authorization', `Bearer ${await login(c.t.http, user)}`)
    .send({ label: 'k', scopes: ['providers:read'] });
  return res.body.id as string;
}

async function reloadJob(c: Ctx): Promise<string> {
  const res = await c.t.http
    .post('/api/v1/admin/reference/reload')
    .set('authorization', `Bearer ${await login(c.t.http, c.a.platform_admin)}`)
    .send({});
  return res.body.jobId as string;
}

/** A valid SIRET (Luhn) that no test puts in the registry. */
const PROVIDER_SIRET = '73282932000074';

const SSO_SETTINGS = { issuer: 'https://idp.example.test', clientId: 'bo-matrix', clientSecret: 'matrix-secret', redirectUris: ['https://bo.example.test/sso/callback'] };

async function configureSso(c: Ctx): Promise<void> {
  await c.t.http
    .put('/api/v1/organisations/me/sso')
    .set('authorization', `Bearer ${await login(c.t.http, c.a.admin)}`)
    .send(SSO_SETTINGS)
    .expect(200);
}

const MATRIX_SIRET = '12345678901234';
const bearerOf = async (c: Ctx, user: TestUser) => `Bearer ${await login(c.t.http, user)}`;

async function createCheck(c: Ctx, user: TestUser, body: object = {}): Promise<string> {
  const res = await c.t.http
    .post('/api/v1/checks')
    .set('authorization', await bearerOf(c, user))
    .send({ method: 'DOCUMENTARY', providerSiret: MATRIX_SIRET, scopeContext: { categories: ['TRAINING'] }, ...body });
  return res.body.id as string;
}

async function createGrid(c: Ctx, user: TestUser, code: string): Promise<number> {
  const res = await c.t.http
    .post('/api/v1/frameworks')
    .set('authorization', await bearerOf(c, user))
    .send({ code, title: 'Grille de la matrice', points: [{ code: 'P1', title: 'Point unique' }] });
  return res.body.version as number;
}

/** A one-point check graded by an officer, so that a manager may complete it. */
async function completableCheck(c: Ctx): Promise<string> {
  const version = await createGrid(c, c.a.officer, 'MATRIX-GRID');
  const id = await createCheck(c, c.a.officer, { framework: { code: 'MATRIX-GRID', version } });
  await c.t.http.put(`/api/v1/checks/${id}/findings/P1`).set('authorization', await bearerOf(c, c.a.officer)).send({ grade: 'COMPLIANT' });
  return id;
}

/** A one-point check with a contact, graded by an officer: ready to notify (or complete). */
async function notifiableCheck(c: Ctx, user: TestUser = c.a.officer, grade: object = { grade: 'COMPLIANT' }): Promise<string> {
  const version = await createGrid(c, user, `MATRIX-GRID-${user.organisationCode}`);
  const id = await createCheck(c, user, { framework: { code: `MATRIX-GRID-${user.organisationCode}`, version }, contact: { name: 'Contact OF' } });
  await c.t.http.put(`/api/v1/checks/${id}/findings/P1`).set('authorization', await bearerOf(c, user)).send(grade);
  return id;
}

async function notifiedCheck(c: Ctx, user: TestUser = c.a.officer, grade?: object): Promise<string> {
  const id = await notifiableCheck(c, user, grade);
  await c.t.http.post(`/api/v1/checks/${id}/notify`).set('authorization', await bearerOf(c, user)).send({});
  return id;
}

/** A completed check; with `nonConformity`, notified and answered first, so that it has a corrective action. */
async function completedCheck(c: Ctx, owner: 'a' | 'b' = 'a', nonConformity = false): Promise<string> {
  const recorder = owner === 'a' ? c.a.officer : c.b.officer;
  const finalizer = owner === 'a' ? c.a.manager : c.b.manager;
  const grade = nonConformity ? { grade: 'MINOR_NC', comment: 'Écart', evidenceRefs: ['REGISTRE-1'] } : { grade: 'COMPLIANT' };
  const id = nonConformity ? await notifiedCheck(c, recorder, grade) : await notifiableCheck(c, recorder, grade);
  if (nonConformity) await c.t.http.post(`/api/v1/checks/${id}/provider-response`).set('authorization', await bearerOf(c, recorder)).send({ text: 'Réponse' });
  await c.t.http.post(`/api/v1/checks/${id}/complete`).set('authorization', await bearerOf(c, finalizer));
  return id;
}

/** A check with a minor non-conformity, notified and answered: its findings may be revised. */
async function respondedCheck(c: Ctx, user: TestUser = c.a.officer): Promise<{ id: string; responseId: string }> {
  const id = await notifiedCheck(c, user, { grade: 'MINOR_NC', comment: 'Écart', evidenceRefs: ['REGISTRE-1'] });
  await c.t.http.post(`/api/v1/checks/${id}/provider-response`).set('authorization', await bearerOf(c, user)).send({ text: 'Réponse' });
  const responses = await c.t.http.get(`/api/v1/checks/${id}/provider-responses`).set('authorization', await bearerOf(c, user));
  return { id, responseId: responses.body[0].id as string };
}

/** A notified check whose receipt date is recorded (today). */
async function receivedCheck(c: Ctx, user: TestUser = c.a.officer): Promise<string> {
  const id = await notifiedCheck(c, user);
  await c.t.http.post(`/api/v1/checks/${id}/notification-receipt`).set('authorization', await bearerOf(c, user)).send({ receivedOn: parisToday() });
  return id;
}

async function correctiveActionOf(c: Ctx, owner: 'a' | 'b'): Promise<{ id: string; actionId: string }> {
  const id = await completedCheck(c, owner, true);
  const user = owner === 'a' ? c.a.officer : c.b.officer;
  const list = await c.t.http.get(`/api/v1/checks/${id}/corrective-actions`).set('authorization', await bearerOf(c, user));
  return { id, actionId: list.body[0].id as string };
}

async function evidenceOf(c: Ctx, user: TestUser): Promise<{ id: string; evidenceId: string }> {
  const id = await createCheck(c, user);
  const res = await c.t.http.post(`/api/v1/checks/${id}/evidence`).set('authorization', await bearerOf(c, user)).attach('file', Buffer.from('%PDF-1.4\n%%EOF\n'), 'preuve.pdf');
  return { id, evidenceId: res.body.id as string };
}

const MAPPING_BODY = { source: { code: 'RNQ', version: 1 }, target: { code: 'ILLUSTRATIVE-GRID', version: 1 }, pairs: [{ sourceCode: '1', targetCode: 'G1' }] };

async function createMapping(c: Ctx, user: TestUser): Promise<string> {
  const res = await c.t.http.post('/api/v1/frameworks/mappings').set('authorization', await bearerOf(c, user)).send(MAPPING_BODY);
  return res.body.id as string;
}

// Funded actions (test/e2e/actions.test.ts covers their behaviour; here: who may call).
const ACTIONS_SIRET = '73282932000074';
let actionCounter = 0;
const actionBody = () => ({
  externalRef: `MATRIX-${Date.now()}-${actionCounter++}`,
  providerSiret: ACTIONS_SIRET,
  category: 'TRAINING',
  formacode: '31054',
  modality: 'ON_SITE',
  region: '84',
  startDate: '2025-04-01',
  amountFunded: 100,
});

async function actionOf(c: Ctx, organisationCode: string): Promise<string> {
  const [row] = await c.t.db.superQuery<{ id: string }>(
    `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, category, formacode, modality, region, start_date, amount_funded)
     SELECT id, $2, $3, 'TRAINING', '31054', 'ON_SITE', '84', '2025-04-01', 100 FROM organisations WHERE code = $1 RETURNING id`,
    [organisationCode, `MX-${organisationCode}-${actionCounter++}`, ACTIONS_SIRET],
  );
  return row.id;
}

async function actionsImportOf(c: Ctx, organisationCode: string): Promise<string> {
  const [row] = await c.t.db.superQuery<{ id: string }>(
    `INSERT INTO imports (organisation_id, kind, status, file_sha256) SELECT id, 'ACTIONS', 'SUCCEEDED', repeat('0', 64) FROM organisations WHERE code = $1 RETURNING id`,
    [organisationCode],
  );
  return row.id;
}

/** A price anomaly of the organisation, written straight into the database with its run. */
async function anomalyOf(c: Ctx, organisationCode: string): Promise<string> {
  const [row] = await c.t.db.superQuery<{ id: string }>(
    `WITH run AS (INSERT INTO price_runs (method_version, finished_at) VALUES ('matrix', now()) RETURNING id)
     INSERT INTO price_anomalies (organisation_id, subject_key, kind, provider_siret, category, year, evidence, method_version, run_id)
     SELECT o.id, 'MATRIX:' || gen_random_uuid(), 'PRICE_HIGH', $2, 'TRAINING', 2025, '{}', 'matrix', run.id
       FROM organisations o, run WHERE o.code = $1 RETURNING price_anomalies.id`,
    [organisationCode, ACTIONS_SIRET],
  );
  return row.id;
}

export const ROUTES: RouteCase[] = [
  { method: 'get', path: '/health/live', allowed: 'public' },
  { method: 'get', path: '/health/ready', allowed: 'public' },
  { method: 'post', path: '/api/v1/auth/login', allowed: 'public', own: async (c) => ({ body: { email: c.a.officer.email, password: 'correct horse battery staple' } }) },
  { method: 'post', path: '/api/v1/auth/refresh', allowed: 'public', expected: 401, own: async () => ({ body: { refreshToken: 'x'.repeat(43) } }) },
  { method: 'post', path: '/api/v1/auth/logout', allowed: 'public', expected: 204, own: async () => ({ body: { refreshToken: 'x'.repeat(43) } }) },
  { method: 'post', path: '/api/v1/auth/session', allowed: ALL_ROLES, expected: 204 },
  { method: 'delete', path: '/api/v1/auth/session', allowed: 'public', expected: 204 },
  { method: 'get', path: '/api/v1/me', allowed: ALL_ROLES },
  { method: 'get', path: '/api/v1/users', allowed: ['admin'] },
  { method: 'post', path: '/api/v1/users', allowed: ['admin'], own: async () => ({ body: { email: uniqueEmail(), displayName: 'New', roles: ['officer'] } }) },
  {
    method: 'get',
    path: '/api/v1/users/{id}',
    allowed: ['admin'],
    own: async (c) => ({ params: { id: c.a.officer.id } }),
    foreign: async (c) => ({ id: c.b.officer.id }),
  },
  {
    method: 'patch',
    path: '/api/v1/users/{id}',
    allowed: ['admin'],
    own: async (c) => ({ params: { id: c.a.officer.id }, body: { displayName: 'Renamed' } }),
    foreign: async (c) => ({ id: c.b.officer.id }),
  },
  {
    method: 'post',
    path: '/api/v1/users/{id}/unlock',
    allowed: ['admin'],
    expected: 204,
    own: async (c) => ({ params: { id: c.a.officer.id } }),
    foreign: async (c) => ({ id: c.b.officer.id }),
  },
  { method: 'get', path: '/api/v1/api-keys', allowed: ['admin'] },
  // A funder's admin without officer rights gives its keys what it could do itself (issue 8 item 5).
  { method: 'post', path: '/api/v1/api-keys', allowed: ['admin'], own: async () => ({ body: { label: 'SI', scopes: ['providers:read'] } }) },
  {
    method: 'delete',
    path: '/api/v1/api-keys/{id}',
    allowed: ['admin'],
    own: async (c) => ({ params: { id: await createApiKey(c, c.a.admin) } }),
    foreign: async (c) => ({ id: await createApiKey(c, c.b.admin) }),
  },
  { method: 'get', path: '/api/v1/organisations', allowed: ALL_ROLES },
  { method: 'get', path: '/api/v1/organisations/{id}', allowed: ALL_ROLES, own: async (c) => ({ params: { id: c.a.officer.organisationId } }) },
  {
    method: 'post',
    path: '/api/v1/organisations',
    allowed: ['platform_admin'],
    own: async () => ({ body: { code: `CERT-T${counter++}`, kind: 'CERTIFIER', name: 'Certificateur test' } }),
  },
  {
    method: 'get',
    path: '/api/v1/auth/sso/{organisationCode}/start',
    allowed: 'public',
    // CDC has no single sign-on configured (the matrix configures OPCO-ATLAS's only).
    expected: 404,
    own: async () => ({ params: { organisationCode: 'CDC' }, query: `redirectUri=${encodeURIComponent('https://bo.example.test/sso/callback')}` }),
  },
  {
    method: 'post',
    path: '/api/v1/auth/sso/callback',
    allowed: 'public',
    expected: 401,
    own: async () => ({ body: { callbackUrl: 'https://bo.example.test/sso/callback?code=x&state=unknown' } }),
  },
  { method: 'put', path: '/api/v1/organisations/me/sso', allowed: ['admin'], own: async () => ({ body: SSO_SETTINGS }) },
  {
    method: 'get',
    path: '/api/v1/organisations/me/sso',
    allowed: ['admin'],
    own: async (c) => {
      await configureSso(c);
      return {};
    },
  },
  { method: 'get', path: '/api/v1/audit', allowed: ['admin'] },
  { method: 'get', path: '/api/v1/audit/verify', allowed: ['admin'] },
  { method: 'get', path: '/api/v1/audit/checkpoints', allowed: ['admin'] },
  // The admin's log-in is an event of its chain: there is a head to sign.
  { method: 'post', path: '/api/v1/audit/checkpoints', allowed: ['admin'], expected: 201 },
  { method: 'get', path: '/api/v1/signing-keys', allowed: 'public' },
  {
    method: 'get',
    path: '/api/v1/jobs/{id}',
    allowed: ALL_ROLES,
    asRole: 'platform_admin',
    own: async (c) => ({ params: { id: await reloadJob(c) } }),
    // A platform job is not visible to a funder's user: 404, not 403.
  },
  { method: 'post', path: '/api/v1/admin/reference/reload', allowed: ['platform_admin'], expected: 202, own: async () => ({ body: {} }) },
  // Provider registry (a valid SIRET absent from the registry: reads answer 404 or UNKNOWN).
  { method: 'get', path: '/api/v1/providers', allowed: ALL_ROLES },
  { method: 'post', path: '/api/v1/providers/imports', allowed: ['platform_admin'], expected: 415, own: async () => ({ body: {} }) },
  { method: 'get', path: '/api/v1/providers/{siret}', allowed: ALL_ROLES, expected: 404, own: async () => ({ params: { siret: PROVIDER_SIRET } }) },
  {
    method: 'get',
    path: '/api/v1/providers/{siret}/funding-check',
    allowed: ALL_ROLES,
    own: async () => ({ params: { siret: PROVIDER_SIRET }, query: 'category=TRAINING' }),
  },
  {
    method: 'post',
    path: '/api/v1/funding-checks',
    allowed: ALL_ROLES,
    expected: 200,
    own: async () => ({ body: { items: [{ siret: PROVIDER_SIRET, category: 'TRAINING' }] } }),
  },
  { method: 'get', path: '/api/v1/imports', allowed: ALL_ROLES },
  {
    method: 'put',
    path: '/api/v1/providers/{siret}/certifications/{category}',
    allowed: ['manager', 'certifier', 'platform_admin'],
    expected: 404,
    own: async () => ({ params: { siret: PROVIDER_SIRET, category: 'TRAINING' }, body: { certified: true, certifier: 'AFNOR' } }),
  },
  {
    method: 'put',
    path: '/api/v1/providers/{siret}/certifier',
    allowed: ['platform_admin'],
    expected: 404,
    own: async (c) => ({ params: { siret: PROVIDER_SIRET }, body: { certifierId: c.x.certifierOrganisation.organisationId, source: 'certificat' } }),
  },
  // Multipart only: a JSON body reaches the route and is refused as 415 (uploads: test/security/registry-authority.test.ts).
  { method: 'post', path: '/api/v1/providers/documents', allowed: ['platform_admin'], expected: 415, own: async () => ({ body: {} }) },
  {
    method: 'post',
    path: '/api/v1/providers/{siret}/exemptions',
    allowed: ['platform_admin'],
    own: async () => ({ params: { siret: PROVIDER_SIRET }, body: { kind: 'HIGHER_EDUCATION', categories: ['TRAINING'], validFrom: '2025-01-01' } }),
  },
  {
    method: 'get',
    path: '/api/v1/imports/{id}',
    allowed: ALL_ROLES,
    asRole: 'officer',
    own: async (c) => ({ params: { id: await actionsImportOf(c, 'OPCO-ATLAS') } }),
    foreign: async (c) => ({ id: await actionsImportOf(c, 'CDC') }),
  },
  {
    method: 'get',
    path: '/api/v1/imports/{id}/errors',
    allowed: ALL_ROLES,
    asRole: 'officer',
    own: async (c) => ({ params: { id: await actionsImportOf(c, 'OPCO-ATLAS') } }),
    foreign: async (c) => ({ id: await actionsImportOf(c, 'CDC') }),
  },
  { method: 'get', path: '/api/v1/frameworks', allowed: ['officer', 'manager', 'auditor'] },
  {
    method: 'get',
    path: '/api/v1/frameworks/{code}/versions/{version}',
    allowed: ['officer', 'manager', 'auditor'],
    own: async () => ({ params: { code: 'RNQ', version: '1' } }),
    foreign: async (c) => ({ code: 'MATRIX-B-GRID', version: String(await createGrid(c, c.b.officer, 'MATRIX-B-GRID')) }),
  },
  {
    method: 'post',
    path: '/api/v1/frameworks',
    allowed: ['officer', 'manager'],
    own: async () => ({ body: { code: 'MATRIX-NEW', title: 'Grille', points: [{ code: 'P1', title: 'Point' }] } }),
  },
  { method: 'post', path: '/api/v1/frameworks/mappings', allowed: ['officer', 'manager'], own: async () => ({ body: MAPPING_BODY }) },
  { method: 'post', path: '/api/v1/checks', allowed: ['officer', 'manager'], own: async () => ({ body: { method: 'REMOTE', providerSiret: MATRIX_SIRET } }) },
  { method: 'get', path: '/api/v1/checks', allowed: ['officer', 'manager', 'auditor'] },
  {
    method: 'get',
    path: '/api/v1/checks/{id}',
    allowed: ['officer', 'manager', 'auditor'],
    own: async (c) => ({ params: { id: await createCheck(c, c.a.officer) } }),
    foreign: async (c) => ({ id: await createCheck(c, c.b.officer) }),
  },
  {
    method: 'patch',
    path: '/api/v1/checks/{id}',
    allowed: ['officer', 'manager'],
    own: async (c) => ({ params: { id: await createCheck(c, c.a.officer) }, body: { method: 'ON_SITE' } }),
    foreign: async (c) => ({ id: await createCheck(c, c.b.officer) }),
  },
  {
    method: 'post',
    path: '/api/v1/checks/{id}/sample',
    allowed: ['officer', 'manager'],
    own: async (c) => ({ params: { id: await createCheck(c, c.a.officer) }, body: { size: 2, seed: 7 } }),
    foreign: async (c) => ({ id: await createCheck(c, c.b.officer) }),
  },
  {
    method: 'put',
    path: '/api/v1/checks/{id}/findings/{pointCode}',
    allowed: ['officer', 'manager', 'auditor'],
    own: async (c) => ({ params: { id: await createCheck(c, c.a.officer), pointCode: '1' }, body: { grade: 'COMPLIANT' } }),
    foreign: async (c) => ({ id: await createCheck(c, c.b.officer), pointCode: '1' }),
  },
  {
    method: 'post',
    path: '/api/v1/checks/{id}/complete',
    allowed: ['manager'],
    own: async (c) => ({ params: { id: await completableCheck(c) } }),
    foreign: async (c) => ({ id: await createCheck(c, c.b.officer) }),
  },
  {
    method: 'get',
    path: '/api/v1/checks/{id}/mapped/{mappingId}',
    allowed: ['officer', 'manager', 'auditor'],
    own: async (c) => ({ params: { id: await createCheck(c, c.a.officer), mappingId: await createMapping(c, c.a.officer) } }),
    foreign: async (c) => ({ id: await createCheck(c, c.b.officer), mappingId: await createMapping(c, c.b.officer) }),
  },
  {
    method: 'post',
    path: '/api/v1/checks/{id}/notify',
    allowed: ['officer', 'manager'],
    expected: 200,
    own: async (c) => ({ params: { id: await notifiableCheck(c) }, body: {} }),
    foreign: async (c) => ({ id: await notifiableCheck(c, c.b.officer) }),
  },
  {
    method: 'post',
    path: '/api/v1/checks/{id}/notification-receipt',
    allowed: ['officer', 'manager'],
    expected: 200,
    own: async (c) => ({ params: { id: await notifiedCheck(c) }, body: { receivedOn: parisToday() } }),
    foreign: async (c) => ({ id: await notifiedCheck(c, c.b.officer) }),
  },
  {
    method: 'get',
    path: '/api/v1/checks/{id}/notification-letter',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    own: async (c) => ({ params: { id: await notifiedCheck(c) } }),
    foreign: async (c) => ({ id: await notifiedCheck(c, c.b.officer) }),
  },
  {
    method: 'post',
    path: '/api/v1/checks/{id}/provider-response',
    allowed: ['officer', 'manager'],
    expected: 200,
    own: async (c) => ({ params: { id: await notifiedCheck(c) }, body: { text: 'Nos observations' } }),
    foreign: async (c) => ({ id: await notifiedCheck(c, c.b.officer) }),
  },
  {
    method: 'get',
    path: '/api/v1/checks/{id}/provider-responses',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    own: async (c) => ({ params: { id: await createCheck(c, c.a.officer) } }),
    foreign: async (c) => ({ id: await createCheck(c, c.b.officer) }),
  },
  {
    method: 'post',
    path: '/api/v1/checks/{id}/notification-receipt/corrections',
    allowed: ['officer', 'manager'],
    expected: 200,
    own: async (c) => ({ params: { id: await receivedCheck(c) }, body: { receivedOn: parisToday(), reason: 'Date relue sur l’accusé de réception' } }),
    foreign: async (c) => ({ id: await receivedCheck(c, c.b.officer) }),
  },
  {
    method: 'post',
    path: '/api/v1/checks/{id}/findings/{pointCode}/revisions',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    expected: 201,
    own: async (c) => {
      const { id, responseId } = await respondedCheck(c);
      return { params: { id, pointCode: 'P1' }, body: { grade: 'COMPLIANT', reason: 'Pièce fournie en réponse', responseId } };
    },
    foreign: async (c) => ({ id: (await respondedCheck(c, c.b.officer)).id, pointCode: 'P1' }),
  },
  {
    method: 'get',
    path: '/api/v1/checks/{id}/findings/{pointCode}/revisions',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    own: async (c) => ({ params: { id: await createCheck(c, c.a.officer), pointCode: '1' } }),
    foreign: async (c) => ({ id: await createCheck(c, c.b.officer), pointCode: '1' }),
  },
  // Multipart only: a JSON body reaches the route and is refused as 415 (uploads: check-procedure.test.ts).
  {
    method: 'post',
    path: '/api/v1/checks/{id}/evidence',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    expected: 415,
    own: async (c) => ({ params: { id: await createCheck(c, c.a.officer) } }),
    foreign: async (c) => ({ id: await createCheck(c, c.b.officer) }),
  },
  {
    method: 'post',
    path: '/api/v1/checks/{id}/evidence/records',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    own: async (c) => ({ params: { id: await createCheck(c, c.a.officer) }, body: { reference: 'EDOF-1', personalData: false } }),
    foreign: async (c) => ({ id: await createCheck(c, c.b.officer) }),
  },
  {
    method: 'get',
    path: '/api/v1/checks/{id}/evidence',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    own: async (c) => ({ params: { id: await createCheck(c, c.a.officer) } }),
    foreign: async (c) => ({ id: await createCheck(c, c.b.officer) }),
  },
  {
    method: 'get',
    path: '/api/v1/checks/{id}/evidence/{evidenceId}',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    own: async (c) => ({ params: await evidenceOf(c, c.a.officer) }),
    foreign: async (c) => evidenceOf(c, c.b.officer),
  },
  {
    method: 'post',
    path: '/api/v1/checks/{id}/amendments',
    allowed: ['manager'],
    own: async (c) => ({ params: { id: await completedCheck(c) }, body: { reason: 'Nouvelle pièce' } }),
    foreign: async (c) => ({ id: await completedCheck(c, 'b') }),
  },
  {
    method: 'get',
    path: '/api/v1/checks/{id}/versions',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    own: async (c) => ({ params: { id: await completedCheck(c) } }),
    foreign: async (c) => ({ id: await completedCheck(c, 'b') }),
  },
  {
    method: 'get',
    path: '/api/v1/checks/{id}/versions/{n}',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    own: async (c) => ({ params: { id: await completedCheck(c), n: '1' } }),
    foreign: async (c) => ({ id: await completedCheck(c, 'b'), n: '1' }),
  },
  {
    method: 'get',
    path: '/api/v1/checks/{id}/corrective-actions',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    own: async (c) => ({ params: { id: await completedCheck(c) } }),
    foreign: async (c) => ({ id: await completedCheck(c, 'b') }),
  },
  {
    method: 'post',
    path: '/api/v1/checks/{id}/corrective-actions/{actionId}/follow-ups',
    allowed: ['officer', 'manager'],
    own: async (c) => ({ params: await correctiveActionOf(c, 'a'), body: { note: 'Plan reçu' } }),
    foreign: async (c) => correctiveActionOf(c, 'b'),
  },
  {
    method: 'post',
    path: '/api/v1/checks/{id}/corrective-actions/{actionId}/close',
    allowed: ['manager'],
    expected: 200,
    own: async (c) => ({ params: await correctiveActionOf(c, 'a'), body: { note: 'Levée' } }),
    foreign: async (c) => correctiveActionOf(c, 'b'),
  },
  {
    method: 'get',
    path: '/api/v1/checks/{id}/export',
    allowed: ['officer', 'manager', 'auditor'],
    asRole: 'officer',
    own: async (c) => ({ params: { id: await completedCheck(c) }, query: 'format=json' }),
    foreign: async (c) => ({ id: await completedCheck(c, 'b') }),
  },
  { method: 'get', path: '/api/v1/actions', allowed: ['officer', 'manager'] },
  { method: 'get', path: '/api/v1/actions/payment-blocks', allowed: ['officer', 'manager'] },
  { method: 'post', path: '/api/v1/actions', allowed: ['officer', 'manager'], expected: 201, own: async () => ({ body: actionBody() }) },
  {
    method: 'get',
    path: '/api/v1/actions/{id}',
    allowed: ['officer', 'manager'],
    own: async (c) => ({ params: { id: await actionOf(c, 'OPCO-ATLAS') } }),
    foreign: async (c) => ({ id: await actionOf(c, 'CDC') }),
  },
  {
    method: 'patch',
    path: '/api/v1/actions/{id}',
    allowed: ['officer', 'manager'],
    own: async (c) => ({ params: { id: await actionOf(c, 'OPCO-ATLAS') }, body: { trainees: 2 } }),
    foreign: async (c) => ({ id: await actionOf(c, 'CDC') }),
  },
  // Multipart only: a JSON body reaches the route and is refused as 415 (the upload is tested in actions.test.ts).
  { method: 'post', path: '/api/v1/actions/imports', allowed: ['officer', 'manager'], expected: 415 },
  { method: 'get', path: '/api/v1/coverage/uncertified', allowed: ['officer', 'manager', 'ministry', 'platform_admin'] },
  { method: 'get', path: '/api/v1/dashboard', allowed: ['officer', 'manager'] },
  { method: 'get', path: '/api/v1/price-references', allowed: ['officer', 'manager'] },
  { method: 'post', path: '/api/v1/price-references/recompute', allowed: ['manager'], expected: 202 },
  { method: 'get', path: '/api/v1/anomalies', allowed: ['officer', 'manager'] },
  { method: 'get', path: '/api/v1/price-references/npec', allowed: ['officer', 'manager', 'platform_admin'] },
  {
    method: 'post',
    path: '/api/v1/price-references/npec',
    allowed: ['platform_admin'],
    expected: 415,
    own: async () => ({ body: {} }),
  },
  { method: 'get', path: '/api/v1/providers/{siret}/price-position', allowed: ['officer', 'manager'], own: async () => ({ params: { siret: ACTIONS_SIRET } }) },
  { method: 'get', path: '/api/v1/anomalies/coverage', allowed: ['officer', 'manager'] },
  {
    method: 'get',
    path: '/api/v1/anomalies/{id}',
    allowed: ['officer', 'manager'],
    own: async (c) => ({ params: { id: await anomalyOf(c, 'OPCO-ATLAS') } }),
    foreign: async (c) => ({ id: await anomalyOf(c, 'CDC') }),
  },
  {
    method: 'post',
    path: '/api/v1/anomalies/{id}/review',
    allowed: ['manager'],
    expected: 200,
    own: async (c) => ({ params: { id: await anomalyOf(c, 'OPCO-ATLAS') }, body: { status: 'UNDER_REVIEW' } }),
    foreign: async (c) => ({ id: await anomalyOf(c, 'CDC') }),
  },
];

function fill(path: string, params: Record<string, string> = {}, query?: string): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '00000000-0000-4000-8000-000000000000');
  return query ? `${filled}?${query}` : filled;
}

/** The organisation that can hold the role (users of a funder cannot be ministry agents...). */
const ORG_FOR_ROLE: Record<Role, string> = {
  officer: 'OPCO-ATLAS',
  manager: 'OPCO-ATLAS',
  admin: 'OPCO-ATLAS',
  auditor: 'OPCO-ATLAS',
  ministry: 'SRC-84',
  certifier: 'CERT-MATRIX',
  platform_admin: 'PLATFORM',
};

describe('authorization matrix', () => {
  const c = {} as Ctx;
  const tokens = new Map<string, string>();
  const tokenOf = async (user: TestUser) => {
    if (!tokens.has(user.id)) tokens.set(user.id, await login(c.t.http, user));
    return tokens.get(user.id)!;
  };

  beforeAll(async () => {
    c.t = await createTestApp({ withWorker: true });
    await c.t.db.superQuery(`INSERT INTO organisations (code, kind, name) VALUES ('CERT-MATRIX', 'CERTIFIER', 'Certificateur')`);
    c.a = {} as Ctx['a'];
    for (const role of ALL_ROLES) c.a[role] = await createUser(c.t.db, ORG_FOR_ROLE[role], [role]);
    c.b = { admin: await createUser(c.t.db, 'CDC', ['admin']), officer: await createUser(c.t.db, 'CDC', ['officer']), manager: await createUser(c.t.db, 'CDC', ['manager']) };
    c.x = {} as Ctx['x'];
    for (const [name, column] of Object.entries(EXTRA_COLUMNS)) c.x[name as ExtraColumn] = await createUser(c.t.db, column.organisation, [...column.roles]);
  });
  afterAll(async () => {
    await c.t?.close();
  });

  it('lists every route of the API', async () => {
    const doc = (await c.t.http.get('/api/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    const inMatrix = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(documented.filter((r) => !inMatrix.includes(r))).toEqual([]);
    expect(inMatrix.filter((r) => !documented.includes(r))).toEqual([]);
  });

  it('names every route in docs/security.md', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');
    const missing = ROUTES.filter((r) => !doc.includes(`${r.method.toUpperCase()} ${r.path}`)).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
  });

  describe.each(ROUTES.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s', (_name, route) => {
    it('answers 401 without credentials (or serves a public route)', async () => {
      // The guard answers before any lookup: a protected route needs no real resource here.
      const { params, body, query } = route.own && route.allowed === 'public' ? await route.own(c) : {};
      const res = await c.t.http[route.method](fill(route.path, params, query)).send(body);
      if (route.allowed === 'public') {
        expect(res.status).not.toBe(403);
        if (route.expected !== 401) expect(res.status).not.toBe(401);
      } else {
        expect(res.status).toBe(401);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }
    });

    if (route.allowed !== 'public') {
      const allowed = route.allowed;
      const denied = ALL_ROLES.filter((r) => !allowed.includes(r));
      if (denied.length) {
        it(`answers 403 to ${denied.join(', ')}`, async () => {
          for (const role of denied) {
            // Refused by the guard, before pipes and lookups: placeholder ids are enough.
            const res = await c.t.http[route.method](fill(route.path)).set('authorization', `Bearer ${await tokenOf(c.a[role])}`).send({});
            expect({ role, status: res.status, code: res.body.code }).toEqual({ role, status: 403, code: 'ACCESS.FORBIDDEN' });
          }
        });
      }
      if (route.foreign) {
        const foreign = route.foreign;
        it("answers 404 for another organisation's resource", async () => {
          const role = route.asRole ?? allowed[0];
          const own = route.own ? await route.own(c) : {};
          const res = await c.t.http[route.method](fill(route.path, await foreign(c), own.query)).set('authorization', `Bearer ${await tokenOf(c.a[role])}`).send(own.body);
          expect(res.status).toBe(404);
        });
      }
    }

    if (route.allowed !== 'public') {
      const allowed = route.allowed;
      // The auditor column: the organisation's own resource, not assigned to the auditor, is absent for it.
      if (allowed.includes('auditor') && route.foreign && route.own && /\/(checks|imports)\/\{id\}/.test(route.path)) {
        const own = route.own;
        it('answers 404 to an auditor for a resource of its organisation not assigned to it', async () => {
          const { params, body, query } = await own(c);
          const res = await c.t.http[route.method](fill(route.path, params, query)).set('authorization', `Bearer ${await tokenOf(c.a.auditor)}`).send(body);
          expect(res.status).toBe(404);
        });
      }
      for (const [name, column] of Object.entries(EXTRA_COLUMNS) as [ExtraColumn, (typeof EXTRA_COLUMNS)[ExtraColumn]][]) {
        const mayCall = column.roles.some((r) => allowed.includes(r));
        it(`${name} column: ${!mayCall ? '403' : route.foreign ? "404 on funder A's resource" : 'served'}`, async () => {
          const token = `Bearer ${await tokenOf(c.x[name])}`;
          if (!mayCall) {
            const res = await c.t.http[route.method](fill(route.path)).set('authorization', token).send({});
            expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'ACCESS.FORBIDDEN' });
            return;
          }
          const { params, body, query } = route.own ? await route.own(c) : {};
          const res = await c.t.http[route.method](fill(route.path, params, query)).set('authorization', token).send(body);
          if (route.foreign) expect(res.status).toBe(404);
          else expect({ status: res.status, denied: [401, 403].includes(res.status) || res.status >= 500 }).toEqual({ status: res.status, denied: false });
        });
      }
    }

    it('serves its own caller', async () => {
      const { params, body, query } = route.own ? await route.own(c) : {};
      const req = c.t.http[route.method](fill(route.path, params, query));
      if (route.allowed !== 'public') req.set('authorization', `Bearer ${await tokenOf(c.a[route.asRole ?? route.allowed[0]])}`);
      const res = await req.send(body);
      if (route.expected) expect(res.status).toBe(route.expected);
      else {
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(300);
      }
    });
  });

  it("hides a platform job from a funder's officer (404)", async () => {
    const id = await reloadJob(c);
    const res = await c.t.http.get(`/api/v1/jobs/${id}`).set('authorization', `Bearer ${await tokenOf(c.a.officer)}`);
    expect(res.status).toBe(404);
  });
});
