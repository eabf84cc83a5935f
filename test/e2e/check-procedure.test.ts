import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { JobOutbox } from '@bo/queue';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';
import { TestProvider, createAction, createProvider } from '../support/registry-fixtures';
import { parisToday } from '../support/dates';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const DAY = 24 * 3600 * 1000;
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry === name) return path;
  }
  return undefined;
}

const today = parisToday;

describe('contradictory procedure, evidence, corrective actions, amendments', () => {
  let t: TestApp;
  let officer: TestUser;
  let manager: TestUser;
  let manager2: TestUser;
  let officerB: TestUser;
  const tokens: Record<string, string> = {};
  let provider: TestProvider;
  const as = (u: TestUser) => bearer(tokens[u.id]);

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    manager2 = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    officerB = await createUser(t.db, 'CDC', ['officer']);
    for (const u of [officer, manager, manager2, officerB]) tokens[u.id] = await login(t.http, u);
    provider = await createProvider(t.db, 'Bilans & Compétences SARL');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function newCheck(body: object = {}) {
    const res = await t.http
      .post('/api/v1/checks')
      .set(as(officer))
      .send({ method: 'DOCUMENTARY', providerSiret: provider.siret, scopeContext: { categories: ['SKILLS_ASSESSMENT'] }, contact: { name: 'Mme Durand', email: 'qualite@bilans.test' }, ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; scope: { points: Record<string, { applicable: boolean }> }; framework: { code: string } };
  }

  async function upload(checkId: string, bytes: Buffer, name: string, fields: Record<string, string> = {}) {
    const req = t.http.post(`/api/v1/checks/${checkId}/evidence`).set(as(officer));
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    return req.attach('file', bytes, name);
  }

  /** Grades every applicable point compliant, except `nc` points graded as given (with evidence). */
  async function grade(check: { id: string; scope: { points: Record<string, { applicable: boolean }> } }, nc: Record<string, 'MINOR_NC' | 'MAJOR_NC'>, by: TestUser = officer) {
    const evidence = await upload(check.id, PDF, 'emargement.pdf');
    expect(evidence.status).toBe(201);
    for (const [code, scope] of Object.entries(check.scope.points)) {
      if (!scope.applicable) continue;
      const body = nc[code] ? { grade: nc[code], comment: 'Pièce absente du dossier', evidenceRefs: [evidence.body.id] } : { grade: 'COMPLIANT' };
      const res = await t.http.put(`/api/v1/checks/${check.id}/findings/${code}`).set(as(by)).send(body);
      expect({ code, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({ code, status: 200, body: undefined });
    }
    return evidence.body.id as string;
  }

  it('notifies, waits for the answer or the window, then completes with maker-checker and a fixed outcome', async () => {
    const check = await newCheck();
    await grade(check, { '1': 'MAJOR_NC' }, manager);
    const early = await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager2));
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('CHECK.INVALID_TRANSITION');

    const future = await t.http.post(`/api/v1/checks/${check.id}/notify`).set(as(officer)).send({ receivedOn: '2999-01-01' });
    expect(future.status).toBe(400);
    expect(future.body.errors[0].field).toBe('receivedOn');
    const notified = await t.http.post(`/api/v1/checks/${check.id}/notify`).set(as(officer)).send({ receivedOn: today() });
    expect(notified.status).toBe(200);
    expect(notified.body.state).toBe('NOTIFIED');
    const due = new Date(notified.body.procedure.responseDueAt).getTime();
    expect(due - Date.now()).toBeGreaterThan(14 * DAY); // RESPONSE_WINDOW_DAYS = 15, never under 7
    const letter = await t.http.get(`/api/v1/checks/${check.id}/notification-letter`).set(as(officer)).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(letter.status).toBe(200);
    expect(letter.headers['content-type']).toBe('application/pdf');
    expect((letter.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

    const edit = await t.http.put(`/api/v1/checks/${check.id}/findings/2`).set(as(officer)).send({ grade: 'COMPLIANT' });
    expect(edit.status).toBe(409);
    expect(edit.body.code).toBe('CHECK.NOT_EDITABLE');
    const windowOpen = await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager2));
    expect(windowOpen.status).toBe(409);
    expect(windowOpen.body.code).toBe('CHECK.RESPONSE_WINDOW_OPEN');

    const answer = await upload(check.id, PDF, 'reponse.pdf', { purpose: 'PROVIDER_RESPONSE', personalData: 'false' });
    const responded = await t.http
      .post(`/api/v1/checks/${check.id}/provider-response`)
      .set(as(officer))
      .send({ text: 'Nous transmettons les feuilles manquantes.', evidenceIds: [answer.body.id] });
    expect(responded.status).toBe(200);
    expect(responded.body.state).toBe('RESPONDED');

    const maker = await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager));
    expect(maker.status).toBe(422);
    expect(maker.body.code).toBe('CHECK.MAKER_CHECKER');
    const done = await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager2));
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'COMPLETED', outcome: 'NON_COMPLIANT', revision: 1 });

    const actions = await t.http.get(`/api/v1/checks/${check.id}/corrective-actions`).set(as(officer));
    expect(actions.body).toHaveLength(1);
    expect(actions.body[0]).toMatchObject({ pointCode: '1', grade: 'MAJOR_NC', status: 'OPEN', overdue: false });
    const dueIn = new Date(actions.body[0].dueAt).getTime() - Date.now();
    expect(dueIn).toBeGreaterThan(88 * DAY);
    expect(dueIn).toBeLessThan(93 * DAY); // 3 months for a major non-conformity

    // Amendment: version 2 starts as a draft from version 1's findings; version 1 stays readable.
    const amended = await t.http.post(`/api/v1/checks/${check.id}/amendments`).set(as(manager)).send({ reason: 'Pièces reçues après clôture' });
    expect(amended.status).toBe(201);
    expect(amended.body).toMatchObject({ state: 'DRAFT', revision: 2, outcome: null, amendmentReason: 'Pièces reçues après clôture' });
    const fixed = await t.http.put(`/api/v1/checks/${check.id}/findings/1`).set(as(officer)).send({ grade: 'COMPLIANT' });
    expect(fixed.status).toBe(200);
    // Nothing added or worsened: no new notification needed.
    const v2 = await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager2));
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ state: 'COMPLETED', outcome: 'COMPLIANT', revision: 2 });
    const v1 = await t.http.get(`/api/v1/checks/${check.id}/versions/1`).set(as(officer));
    expect(v1.body).toMatchObject({ frozen: true, outcome: 'NON_COMPLIANT', revision: 1 });
    expect(v1.body.snapshot.check.findings.find((f: { pointCode: string }) => f.pointCode === '1').grade).toBe('MAJOR_NC');
    expect(v1.body.snapshot.responses).toHaveLength(1);
    expect((await t.http.get(`/api/v1/checks/${check.id}/versions`).set(as(officer))).body.map((v: { revision: number }) => v.revision)).toEqual([1, 2]);
    expect((await t.http.get(`/api/v1/checks/${check.id}/versions/3`).set(as(officer))).status).toBe(404);
    const superseded = await t.http.get(`/api/v1/checks/${check.id}/corrective-actions`).set(as(officer));
    expect(superseded.body[0]).toMatchObject({ revision: 1, status: 'CLOSED' });

    // A frozen version cannot be rewritten, even by the application role.
    const app = new Client({ connectionString: t.db.urls.DATABASE_URL });
    await app.connect();
    await expect(app.query(`UPDATE check_versions SET outcome = 'COMPLIANT'`)).rejects.toThrow(/permission denied/);
    await app.end();

    const json = await t.http.get(`/api/v1/checks/${check.id}/export`).query({ format: 'json', version: 1 }).set(as(officer));
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ revision: 1, frozen: true });
    const pdf = await t.http.get(`/api/v1/checks/${check.id}/export`).query({ format: 'pdf' }).set(as(officer));
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((await t.http.get(`/api/v1/checks/${check.id}/export`).query({ format: 'doc' }).set(as(officer))).status).toBe(400);
    expect((await t.http.get(`/api/v1/checks/${check.id}/export`).query({ format: 'json' }).set(as(officerB))).status).toBe(404);
  });

  it('loads a funder grid written in YAML, validated like JSON', async () => {
    const yaml = ['code: GRILLE-YAML', 'title: Grille qualité (YAML)', 'points:', '  - code: Q1', '    title: Information du public', '  - code: Q2', '    title: Moyens pédagogiques', '    majorOnly: true', ''].join('\n');
    const created = await t.http.post('/api/v1/frameworks').set(as(officer)).set('content-type', 'application/yaml').send(yaml);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'GRILLE-YAML', version: 1, points: [{ code: 'Q1' }, { code: 'Q2', rules: { majorOnly: true } }] });
    const broken = await t.http.post('/api/v1/frameworks').set(as(officer)).set('content-type', 'application/yaml').send('code: [unclosed');
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('REQUEST.MALFORMED');
    const unknown = await t.http.post('/api/v1/frameworks').set(as(officer)).set('content-type', 'text/yaml').send(yaml + 'owner: CDC\n');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'owner', message: 'property owner should not exist', constraint: 'whitelistValidation' }]);
  });

  it("proposes the scope's categories from the provider's certifications when neither actions nor a choice give any", async () => {
    const certified = await createProvider(t.db, 'Centre VAE Lyon');
    await t.db.superQuery(
      `INSERT INTO certification_observations (nda, category, certified, observed_on, source) VALUES ($1, 'VAE', true, '2024-01-01', 'MANUAL')`,
      [certified.nda],
    );
    const res = await t.http.post('/api/v1/checks').set(as(officer)).send({ method: 'REMOTE', providerSiret: certified.siret });
    expect(res.status).toBe(201);
    expect(res.body.scope).toMatchObject({ categories: ['VAE'], categorySource: 'CERTIFIED_PROPOSAL', categoriesProposed: true, counts: { applicable: 24 } });
  });

  it('requires a contact to notify, and re-notification of an amendment that worsens a non-conformity', async () => {
    const noContact = await newCheck({ contact: undefined });
    await grade(noContact, {});
    const refused = await t.http.post(`/api/v1/checks/${noContact.id}/notify`).set(as(officer)).send({});
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('CHECK.CONTACT_REQUIRED');

    const check = await newCheck();
    await grade(check, {});
    const clean = await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager));
    expect(clean.body).toMatchObject({ state: 'COMPLETED', outcome: 'COMPLIANT' });
    await t.http.post(`/api/v1/checks/${check.id}/amendments`).set(as(manager)).send({ reason: 'Signalement reçu' }).expect(201);
    const evidence = await upload(check.id, PDF, 'preuve.pdf');
    await t.http.put(`/api/v1/checks/${check.id}/findings/2`).set(as(officer)).send({ grade: 'MINOR_NC', comment: 'Indicateurs non publiés', evidenceRefs: [evidence.body.id] }).expect(200);
    const direct = await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager));
    expect(direct.status).toBe(409);
    expect(direct.body.detail).toMatch(/notify the provider again/);
    const unknown = await t.http.put(`/api/v1/checks/${check.id}/findings/2`).set(as(officer)).send({ grade: 'MINOR_NC', comment: 'x', evidenceRefs: ['00000000-0000-4000-8000-000000000000'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('EVIDENCE.UNKNOWN_REFERENCE');
  });

  it('moves a check past its response window to RESPONSE_OVERDUE with a notification, then lets it complete', async () => {
    const check = await newCheck();
    await grade(check, { '9': 'MINOR_NC' }, manager);
    await t.http.post(`/api/v1/checks/${check.id}/notify`).set(as(officer)).send({ receivedOn: today() }).expect(200);
    const outbox = t.app.get(JobOutbox);
    await outbox.addNow('controls.deadline-scan', { organisationId: null });
    await t.drain();
    expect((await t.http.get(`/api/v1/checks/${check.id}`).set(as(officer))).body.state).toBe('NOTIFIED');
    await t.setClockOffset(17 * DAY);
    // Access tokens live 15 minutes: log in again in the moved time.
    for (const u of [officer, manager, manager2]) tokens[u.id] = await login(t.http, u);
    try {
      await outbox.addNow('controls.deadline-scan', { organisationId: null });
      await t.drain();
      const overdue = await t.http.get(`/api/v1/checks/${check.id}`).set(as(officer));
      expect(overdue.body.state).toBe('RESPONSE_OVERDUE');
      const notices = await t.db.superQuery<{ kind: string; user_id: string }>(`SELECT kind, user_id FROM notifications WHERE entity_id = $1`, [check.id]);
      expect(notices).toEqual([{ kind: 'CHECK_RESPONSE_OVERDUE', user_id: officer.id }]);
      // Idempotent: a second scan finds nothing new.
      await outbox.addNow('controls.deadline-scan', { organisationId: null });
      await t.drain();
      expect(await t.db.superQuery(`SELECT 1 FROM notifications WHERE entity_id = $1`, [check.id])).toHaveLength(1);
      const done = await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager2));
      expect(done.body).toMatchObject({ state: 'COMPLETED', outcome: 'COMPLIANT_WITH_RESERVATIONS' });
      const [action] = (await t.http.get(`/api/v1/checks/${check.id}/corrective-actions`).set(as(officer))).body;
      const months = (new Date(action.dueAt).getTime() - (Date.now() + 17 * DAY)) / DAY;
      expect(months).toBeGreaterThan(179); // 6 months for a minor non-conformity
      const follow = await t.http.post(`/api/v1/checks/${check.id}/corrective-actions/${action.id}/follow-ups`).set(as(officer)).send({ note: 'Plan reçu' });
      expect(follow.status).toBe(201);
      // The answer is the follow-up created, not the whole list.
      expect(follow.body).toMatchObject({ id: expect.any(String), correctiveActionId: action.id, note: 'Plan reçu', evidenceIds: [] });
      const listed = await t.http.get(`/api/v1/checks/${check.id}/corrective-actions`).set(as(officer));
      expect(listed.body.find((a: { id: string }) => a.id === action.id).followUps).toEqual([expect.objectContaining({ id: follow.body.id, note: 'Plan reçu' })]);
      const closed = await t.http.post(`/api/v1/checks/${check.id}/corrective-actions/${action.id}/close`).set(as(manager)).send({ note: 'Levée constatée' });
      expect(closed.body[0]).toMatchObject({ status: 'CLOSED', overdue: false });
      expect((await t.http.post(`/api/v1/checks/${check.id}/corrective-actions/${action.id}/close`).set(as(manager)).send({ note: 'x' })).status).toBe(409);
    } finally {
      await t.setClockOffset(0);
      for (const u of [officer, manager, manager2]) tokens[u.id] = await login(t.http, u);
    }
  });

  it('sniffs evidence types from the bytes, keeps them immutable, and reports altered bytes as corrupt', async () => {
    const check = await newCheck();
    const exe = await upload(check.id, Buffer.from('4d5a90000300000004000000ffff0000b800000000000000400000000000000000', 'hex'), 'facture.pdf');
    expect(exe.status).toBe(415);
    expect(exe.body.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
    const empty = await upload(check.id, Buffer.alloc(0), 'vide.pdf');
    expect(empty.status).toBe(422);
    const bytes = Buffer.from(`%PDF-1.4\n% facture ${Date.now()}\n%%EOF\n`);
    const ok = await upload(check.id, bytes, 'facture.txt', { personalData: 'true', description: 'Facture 2026-041' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ kind: 'FILE', mediaType: 'application/pdf', personalData: true, fileName: 'facture.txt', size: bytes.length });
    expect(ok.body.sha256).toMatch(/^[a-f0-9]{64}$/);
    const download = await t.http.get(ok.body.download).set(as(officer));
    expect(download.status).toBe(200);
    expect(download.headers['x-content-sha256']).toBe(ok.body.sha256);
    expect(Buffer.from(download.text ?? download.body)).toEqual(bytes);
    expect((await t.http.get(ok.body.download).set(as(officerB))).status).toBe(404);
    const badField = await upload(check.id, bytes, 'x.pdf', { personalData: 'maybe' });
    expect(badField.status).toBe(400);
    expect(badField.body.errors[0].field).toBe('personalData');

    const app = new Client({ connectionString: t.db.urls.DATABASE_URL });
    await app.connect();
    await expect(app.query(`DELETE FROM check_evidence`)).rejects.toThrow(/permission denied/);
    await app.end();

    writeFileSync(findFile(process.env.BLOB_DIR!, ok.body.sha256)!, `%PDF-1.4\n% facture altérée\n%%EOF\n`);
    const corrupt = await t.http.get(ok.body.download).set(as(officer));
    expect(corrupt.status).toBe(500);
    expect(corrupt.body).toMatchObject({ code: 'EVIDENCE.CORRUPT', sha256: ok.body.sha256 });
  });

  it('blocks payment of linked actions on missing service-fait proof, and lifts it on a later compliant control', async () => {
    const action = await createAction(t.db, 'OPCO-ATLAS', provider, { category: 'TRAINING' });
    const sf = await t.http
      .post('/api/v1/checks')
      .set(as(officer))
      .send({ method: 'DOCUMENTARY', providerSiret: provider.siret, actionIds: [action], framework: { code: 'SERVICE-FAIT', version: 1 }, contact: { name: 'Comptabilité' } });
    expect(sf.status).toBe(201);
    await grade(sf.body, { 'SF-07': 'MAJOR_NC' }, officer);
    await t.http.post(`/api/v1/checks/${sf.body.id}/notify`).set(as(officer)).send({ receivedOn: today() }).expect(200);
    await t.http.post(`/api/v1/checks/${sf.body.id}/provider-response`).set(as(officer)).send({ text: 'Facture rectificative à venir' }).expect(200);
    await t.http.post(`/api/v1/checks/${sf.body.id}/complete`).set(as(manager)).expect(200);
    const [blocked] = await t.db.superQuery<{ payment_blocked: boolean; payment_block_reason: string }>(`SELECT payment_blocked, payment_block_reason FROM funded_actions WHERE id = $1`, [action]);
    expect(blocked.payment_blocked).toBe(true);
    expect(blocked.payment_block_reason).toMatch(/SF-07/);
    // The action shows its block, the reason and the check behind it; lists filter and count them.
    const shown = await t.http.get(`/api/v1/actions/${action}`).set(as(officer));
    expect(shown.body).toMatchObject({ paymentBlocked: true, paymentBlock: { checkId: sf.body.id, reason: expect.stringMatching(/SF-07/) } });
    const filtered = await t.http.get('/api/v1/actions').query({ paymentBlocked: 'true' }).set(as(officer));
    expect(filtered.status).toBe(200);
    expect(filtered.body.items.map((a: { id: string }) => a.id)).toEqual([action]);
    const unblocked = await t.http.get('/api/v1/actions').query({ paymentBlocked: 'false', providerSiret: provider.siret }).set(as(officer));
    expect(unblocked.body.items.map((a: { id: string }) => a.id)).not.toContain(action);
    expect((await t.http.get('/api/v1/actions').query({ paymentBlocked: 'maybe' }).set(as(officer))).status).toBe(400);
    const count = await t.http.get('/api/v1/actions/payment-blocks').set(as(officer));
    expect(count.body).toEqual({ blockedActions: 1, amountFunded: 1000 });
    expect((await t.http.get('/api/v1/actions/payment-blocks').set(as(officerB))).body).toEqual({ blockedActions: 0, amountFunded: 0 });
    // The funding check shows it to the funder, and only to it.
    const own = await t.http.get(`/api/v1/providers/${provider.siret}/funding-check`).query({ category: 'TRAINING' }).set(as(officer));
    expect(own.status).toBe(200);
    expect(own.body.controls.blockedPayments).toEqual({ actions: 1, amountFunded: 1000 });
    expect(own.body.controls.openMajorNonConformities.map((m: { pointCode: string }) => m.pointCode)).toContain('SF-07');
    const other = await t.http.get(`/api/v1/providers/${provider.siret}/funding-check`).query({ category: 'TRAINING' }).set(as(officerB));
    expect(other.body.controls).toEqual({ openMajorNonConformities: [], blockedPayments: { actions: 0, amountFunded: 0 }, priceAnomalies: { open: 0, confirmed: 0 }, acrossFunders: { checks: 0, nonCompliant: 0, openMajorNonConformities: 0, lastCompletedAt: null }, openReportsExist: false });

    // A later joint control grades the service-fait points compliant: the block is lifted.
    const joint = await t.http
      .post('/api/v1/checks')
      .set(as(officer))
      .send({ method: 'ON_SITE', providerSiret: provider.siret, actionIds: [action], jointServiceFait: true, contact: { name: 'Direction' } });
    expect(joint.body.jointServiceFait).toBe(true);
    const points = { ...joint.body.scope.points, ...Object.fromEntries(['SF-01', 'SF-02', 'SF-03', 'SF-04', 'SF-05', 'SF-06', 'SF-07', 'SF-08', 'SF-09'].map((c) => [c, { applicable: true }])) };
    await grade({ id: joint.body.id, scope: { points } }, {}, officer);
    await t.http.post(`/api/v1/checks/${joint.body.id}/complete`).set(as(manager)).expect(200);
    const [lifted] = await t.db.superQuery<{ payment_blocked: boolean }>(`SELECT payment_blocked FROM funded_actions WHERE id = $1`, [action]);
    expect(lifted.payment_blocked).toBe(false);
    expect((await t.http.get(`/api/v1/actions/${action}`).set(as(officer))).body).toMatchObject({ paymentBlocked: false, paymentBlock: null });
  });
});
