import { randomBytes } from 'node:crypto';
import { luhnCheckDigit } from '@bo/registry';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';
import { TestProvider, createAction } from '../support/registry-fixtures';

const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
const withKey = (body: string) => body + luhnCheckDigit(body);
const newSiren = () => withKey(digits(8));
const siteOf = (siren: string) => withKey(siren + digits(4));
const today = new Date().toISOString().slice(0, 10);

type Item = { siret: string; nda?: string; category: string; date?: string };

/**
 * The bulk funding check answers each question exactly as the single funding check does (same
 * statement), in the order asked, with the caller's visibility: an auditor sees only the checks
 * assigned to it, a certifier's API key only the registry's facts.
 */
describe('bulk funding check', () => {
  let t: TestApp;
  let officer: TestUser;
  let auditor: TestUser;
  let officerToken: string;
  let auditorToken: string;
  let funderKey: string;
  let certifierKey: string;

  // The registry: an organisation certified at its head office with a second site; a SIRET holding
  // two NDAs (one certified); an exempt university; an expired certification; an unknown SIRET.
  const certifiedSiren = newSiren();
  const headOffice = siteOf(certifiedSiren);
  const otherSite = siteOf(certifiedSiren);
  const twoNdaSiret = siteOf(newSiren());
  const university = siteOf(newSiren());
  const expired = siteOf(newSiren());
  const unknown = siteOf(newSiren());
  const nda = { head: digits(11), twoA: digits(11), twoB: digits(11), university: digits(11), expired: digits(11) };

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const apiKey = (key: string) => ({ 'x-api-key': key });

  async function single(headers: Record<string, string>, item: Item) {
    const query = new URLSearchParams({ category: item.category, ...(item.nda ? { nda: item.nda } : {}), ...(item.date ? { date: item.date } : {}) });
    const res = await t.http.get(`/api/v1/providers/${item.siret}/funding-check?${query}`).set(headers);
    return res;
  }

  async function bulk(headers: Record<string, string>, items: unknown[]) {
    return t.http.post('/api/v1/funding-checks').set(headers).send({ items });
  }

  async function createKey(user: TestUser, scopes: string[]) {
    const res = await t.http.post('/api/v1/api-keys').set(bearer(await login(t.http, user))).send({ label: `fc-${digits(4)}`, scopes });
    expect(res.status).toBe(201);
    return res.body.key as string;
  }

  async function createCheck(siret: string, assigneeId?: string) {
    const res = await t.http
      .post('/api/v1/checks')
      .set(bearer(officerToken))
      .send({ method: 'DOCUMENTARY', providerSiret: siret, scopeContext: { categories: ['TRAINING'] }, ...(assigneeId ? { assigneeId } : {}) });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function openMajor(checkId: string, pointCode: string, dueAt: string) {
    await t.db.superQuery(
      `INSERT INTO corrective_actions (check_id, organisation_id, revision, point_code, grade, description, due_at)
       SELECT id, organisation_id, 1, $2, 'MAJOR_NC', 'Non-conformité majeure ' || $2, $3 FROM checks WHERE id = $1`,
      [checkId, pointCode, dueAt],
    );
  }

  const questions = (): Item[] => [
    { siret: headOffice, category: 'TRAINING' },
    { siret: otherSite, category: 'TRAINING' },
    { siret: headOffice, category: 'VAE' },
    { siret: twoNdaSiret, category: 'TRAINING' },
    { siret: twoNdaSiret, nda: nda.twoA, category: 'TRAINING' },
    { siret: twoNdaSiret, nda: nda.twoB, category: 'TRAINING' },
    { siret: twoNdaSiret, nda: digits(11), category: 'TRAINING' },
    { siret: university, category: 'TRAINING' },
    { siret: university, category: 'TRAINING', date: '2020-01-01' },
    { siret: expired, category: 'TRAINING' },
    { siret: expired, category: 'TRAINING', date: '2024-06-01' },
    { siret: unknown, category: 'APPRENTICESHIP' },
    { siret: headOffice, category: 'TRAINING', date: '2023-01-01' },
  ];

  beforeAll(async () => {
    t = await createTestApp();
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    auditor = await createUser(t.db, 'OPCO-ATLAS', ['auditor']);
    const admin = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    await t.db.superQuery(`INSERT INTO organisations (code, kind, name) VALUES ('CERT-FC', 'CERTIFIER', 'Certificateur FC')`);
    const certifierAdmin = await createUser(t.db, 'CERT-FC', ['certifier', 'admin']);
    officerToken = await login(t.http, officer);
    auditorToken = await login(t.http, auditor);
    funderKey = await createKey(admin, ['providers:read']);
    certifierKey = await createKey(certifierAdmin, ['providers:read']);

    const providers: [string, string, string][] = [
      [nda.head, headOffice, 'SIEGE FORMATION'],
      [nda.twoA, twoNdaSiret, 'DEUX NDA A'],
      [nda.twoB, twoNdaSiret, 'DEUX NDA B'],
      [nda.university, university, 'UNIVERSITE TEST'],
      [nda.expired, expired, 'EXPIREE FORMATION'],
    ];
    for (const [n, s, name] of providers) {
      await t.db.superQuery(`INSERT INTO providers (nda, siren, siret, name, region, last_declaration_date) VALUES ($1, $2, $3, $4, '84', '2025-03-15')`, [n, s.slice(0, 9), s, name]);
    }
    const observe = (n: string, category: string, certified: boolean, observedOn: string, validUntil: string | null = null) =>
      t.db.superQuery(`INSERT INTO certification_observations (nda, category, certified, observed_on, valid_until, source, certifier) VALUES ($1, $2, $3, $4, $5, 'MANUAL', 'AFNOR')`, [
        n,
        category,
        certified,
        observedOn,
        validUntil,
      ]);
    await observe(nda.head, 'TRAINING', true, '2024-01-10');
    await observe(nda.head, 'VAE', false, '2024-01-10');
    await observe(nda.twoA, 'TRAINING', false, '2024-02-01');
    await observe(nda.twoB, 'TRAINING', true, '2024-02-01');
    await observe(nda.university, 'TRAINING', false, '2024-02-01');
    await observe(nda.expired, 'TRAINING', true, '2022-01-01', '2024-12-31');
    await t.db.superQuery(
      `INSERT INTO exemptions (kind, siren, categories, valid_from, legal_source) VALUES ('HIGHER_EDUCATION', $1, '{TRAINING,VAE}', '2021-01-01', 'Code du travail L.6316-4 II')`,
      [university.slice(0, 9)],
    );

    // Control facts of OPCO-ATLAS on the certified organisation: one check assigned to the
    // auditor, one not, each with an open major non-conformity; and a blocked payment.
    await openMajor(await createCheck(otherSite, auditor.id), 'AUD-1', '2020-01-01T00:00:00Z');
    await openMajor(await createCheck(headOffice), 'OFF-1', '2099-01-01T00:00:00Z');
    const action = await createAction(t.db, 'OPCO-ATLAS', { siret: headOffice, nda: nda.head } as TestProvider);
    await t.db.superQuery(`UPDATE funded_actions SET payment_blocked = true, payment_block_reason = 'SF-07' WHERE id = $1`, [action]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['an officer', () => bearer(officerToken)],
    ['a funder API key', () => apiKey(funderKey)],
    ['an auditor', () => bearer(auditorToken)],
    ['a certifier API key', () => apiKey(certifierKey)],
  ])('answers each item as the single funding check does, for %s', async (_who, headers) => {
    const items = questions();
    const res = await bulk(headers(), items);
    expect(res.status).toBe(200);
    // The answers' JSON text goes out as the statement built it: still well-formed JSON, typed as such.
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.text)).toEqual(res.body);
    expect(res.body.items).toHaveLength(items.length);
    for (const [i, item] of items.entries()) {
      const one = await single(headers(), item);
      expect(one.status).toBe(200);
      expect({ i, ...res.body.items[i] }).toEqual({ i, index: i, answer: one.body });
    }
  });

  it('tells each case of the registry', async () => {
    const res = await bulk(bearer(officerToken), questions());
    const status = (i: number) => res.body.items[i].answer.certification;
    expect(status(0)).toMatchObject({ status: 'CERTIFIED', nda: nda.head, flags: [] });
    expect(status(1)).toMatchObject({ status: 'CERTIFIED', nda: nda.head, flags: ['OTHER_SITE'] });
    expect(res.body.items[1].answer.activity.ndas.map((n: { siret: string }) => n.siret)).toEqual([headOffice]);
    expect(status(2)).toMatchObject({ status: 'NOT_CERTIFIED' });
    expect(status(3)).toMatchObject({ status: 'CERTIFIED', nda: nda.twoB });
    expect(status(4)).toMatchObject({ status: 'NOT_CERTIFIED', nda: nda.twoA });
    expect(status(5)).toMatchObject({ status: 'CERTIFIED', nda: nda.twoB });
    expect(status(6)).toMatchObject({ status: 'CERTIFIED', flags: ['NDA_NOT_IN_REGISTRY'] });
    expect(status(7)).toMatchObject({ status: 'EXEMPT', exemptionId: res.body.items[7].answer.exemptions[0].id });
    expect(res.body.items[7].answer.exemptions[0]).toMatchObject({ kind: 'HIGHER_EDUCATION', categories: ['TRAINING', 'VAE'] });
    expect(status(8)).toMatchObject({ status: 'UNKNOWN' });
    expect(res.body.items[8].answer.exemptions).toEqual([]);
    expect(status(9)).toMatchObject({ status: 'NOT_CERTIFIED', flags: ['EXPIRED'] });
    expect(status(10)).toMatchObject({ status: 'CERTIFIED', observation: { validUntil: '2024-12-31', certifier: 'AFNOR' } });
    expect(status(11)).toMatchObject({ status: 'UNKNOWN', nda: null, flags: ['NOT_IN_REGISTRY'] });
    expect(res.body.items[11].answer.activity).toEqual({ inRegistry: false, listed: false, lastDeclarationDate: null, ndas: [] });
    expect(status(12)).toMatchObject({ status: 'UNKNOWN', observation: null });
    expect(res.body.items[0].answer.date).toBe(today);
  });

  it('shows control facts by visibility: the funder all its checks, an auditor its assigned ones, a certifier none', async () => {
    const item = [{ siret: otherSite, category: 'TRAINING' }];
    const points = (body: { items: { answer: { controls: { openMajorNonConformities: { pointCode: string; overdue: boolean }[] } } }[] }) =>
      body.items[0].answer.controls.openMajorNonConformities.map((m) => `${m.pointCode}:${m.overdue}`);
    const officerView = await bulk(bearer(officerToken), item);
    expect(points(officerView.body)).toEqual(['AUD-1:true', 'OFF-1:false']);
    expect(officerView.body.items[0].answer.controls.blockedPayments).toEqual({ actions: 1, amountFunded: 1000 });
    expect(points((await bulk(apiKey(funderKey), item)).body)).toEqual(['AUD-1:true', 'OFF-1:false']);
    expect(points((await bulk(bearer(auditorToken), item)).body)).toEqual(['AUD-1:true']);
    const certifier = await bulk(apiKey(certifierKey), item);
    expect(certifier.body.items[0].answer.controls).toEqual({ openMajorNonConformities: [], blockedPayments: { actions: 0, amountFunded: 0 }, priceAnomalies: { open: 0, confirmed: 0 }, acrossFunders: { checks: 0, nonCompliant: 0, openMajorNonConformities: 0, lastCompletedAt: null }, openReportsExist: false });
    expect(certifier.body.items[0].answer.certification.status).toBe('CERTIFIED');
    const otherFunder = await createUser(t.db, 'CDC', ['officer']);
    const cdc = await bulk(bearer(await login(t.http, otherFunder)), item);
    expect(cdc.body.items[0].answer.controls).toEqual({ openMajorNonConformities: [], blockedPayments: { actions: 0, amountFunded: 0 }, priceAnomalies: { open: 0, confirmed: 0 }, acrossFunders: { checks: 0, nonCompliant: 0, openMajorNonConformities: 0, lastCompletedAt: null }, openReportsExist: false });
  });

  it('answers a bad item with its error in its place, with the code the single route gives', async () => {
    const res = await bulk(bearer(officerToken), [
      { siret: headOffice, category: 'TRAINING' },
      { siret: '12345678901235', category: 'TRAINING' },
      { siret: headOffice, category: 'PLUMBING', date: '2026-02-30', nda: '12' },
      { siret: headOffice, category: 'TRAINING', colour: 'blue' },
      'not an object',
    ]);
    expect(res.status).toBe(200);
    expect(res.body.items[0].answer.certification.status).toBe('CERTIFIED');
    expect(res.body.items[1]).toMatchObject({ index: 1, error: { code: 'REQUEST.VALIDATION', errors: [{ field: 'items[1].siret' }] } });
    expect(res.body.items[2].error.errors.map((e: { field: string }) => e.field).sort()).toEqual(['items[2].category', 'items[2].date', 'items[2].nda']);
    expect(res.body.items[3].error.errors).toEqual([{ field: 'items[3].colour', message: 'unknown field' }]);
    expect(res.body.items[4].error.errors[0].field).toBe('items[4]');
    const one = await single(bearer(officerToken), { siret: '12345678901235', category: 'TRAINING' });
    expect(one.status).toBe(400);
    expect(one.body).toMatchObject({ code: 'REQUEST.VALIDATION', errors: [{ field: 'siret' }] });
  });

  it('refuses an empty list and more than 1,000 items as a whole', async () => {
    for (const items of [[], Array.from({ length: 1001 }, () => ({ siret: headOffice, category: 'TRAINING' }))]) {
      const res = await bulk(bearer(officerToken), items);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'REQUEST.VALIDATION', errors: [expect.objectContaining({ field: 'items' })] });
    }
    expect((await t.http.post('/api/v1/funding-checks').set(bearer(officerToken)).send({})).status).toBe(400);
  });

  it('answers 1,000 items in order', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => questions()[i % 13]);
    const res = await bulk(apiKey(funderKey), items);
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: { index: number }) => r.index)).toEqual(items.map((_, i) => i));
    expect(res.body.items[999].answer.siret).toBe(items[999].siret);
  });

  it('answers as CSV (one line per item, errors in their place) with Accept: text/csv', async () => {
    const res = await t.http
      .post('/api/v1/funding-checks')
      .set({ ...apiKey(funderKey), accept: 'text/csv' })
      .send({ items: [{ siret: otherSite, category: 'TRAINING' }, { siret: university, category: 'TRAINING' }, { siret: 'x', category: 'TRAINING' }] });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    const header = lines[0].split(';');
    expect(header.slice(0, 8)).toEqual(['index', 'siret', 'nda_demande', 'category', 'date', 'status', 'nda', 'flags']);
    const row = (i: number) => Object.fromEntries(lines[i + 1].split(';').map((v, k) => [header[k], v]));
    expect(row(0)).toMatchObject({ index: '0', siret: otherSite, status: 'CERTIFIED', nda: nda.head, flags: 'OTHER_SITE', open_major_nc: '2', overdue_major_nc: '1', blocked_actions: '1', blocked_amount_funded: '1000', error_code: '' });
    expect(row(1)).toMatchObject({ status: 'EXEMPT', exemption_kind: 'HIGHER_EDUCATION', in_registry: 'true' });
    expect(row(2)).toMatchObject({ index: '2', siret: 'x', status: '', error_code: 'REQUEST.VALIDATION' });
    expect(row(2).error_detail).toMatch(/^"items\[2\]\.siret: SIRET must contain digits only/);
  });

  it('limits each API key to 60 requests a minute (429 with Retry-After), other keys unaffected', async () => {
    const admin = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    const key = await createKey(admin, ['providers:read']);
    const item = [{ siret: unknown, category: 'TRAINING' }];
    for (let i = 0; i < 60; i++) expect((await bulk(apiKey(key), item)).status).toBe(200);
    const refused = await bulk(apiKey(key), item);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('REQUEST.RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await bulk(apiKey(funderKey), item)).status).toBe(200);
    // The single funding check is not counted against the bulk limit.
    expect((await single(apiKey(key), item[0])).status).toBe(200);
  });

  it('needs the providers:read scope', async () => {
    // An officer's admin: a key never exceeds its creator's rights (actions:read needs officer or manager).
    const admin = await createUser(t.db, 'OPCO-ATLAS', ['admin', 'officer']);
    const key = await createKey(admin, ['actions:read']);
    const res = await bulk(apiKey(key), [{ siret: headOffice, category: 'TRAINING' }]);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ACCESS.SCOPE_MISSING');
  });
});
