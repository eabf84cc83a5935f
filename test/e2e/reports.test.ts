import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, Clock } from '@bo/core';
import { SystemDb } from '@bo/database';
import { AuditService } from '@bo/audit';
import { BlobStore } from '@bo/storage';
import { DeliveryScanJob, PACKAGE_MEDIA_TYPE, recipientSecret, signDelivery } from '@bo/reports';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createOrganisation, createUser, login, orgId } from '../support/fixtures';
import { TestProvider, createProvider } from '../support/registry-fixtures';
import { FlakyRecipient, NARRATIVE, completedCheck, listenInbox } from '../support/reports-fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Reports (issue 16): substantiation, routing, co-signing, the seal and its verification, signed
 * delivery with retries through the clock, the inbox's checks (signature, replay, duplicates) and
 * the recipients' handling. The delivery scan is called directly here, so that each attempt is
 * the test's; reports-path.test.ts walks the whole path with the worker.
 */
describe('reports', () => {
  let t: TestApp;
  let job: DeliveryScanJob;
  let recipient: FlakyRecipient;
  let offset = 0;
  const tokens: Record<string, string> = {};
  const as = (u: TestUser) => bearer(tokens[u.id]);
  let officer: TestUser, manager: TestUser, cdcOfficer: TestUser, cdcManager: TestUser, araOfficer: TestUser, agent: TestUser, otherAgent: TestUser, certifier: TestUser;
  let provider: TestProvider;
  let certifierOrg: string, srcOrg: string;
  let rnqCheck: { id: string; revision: number };
  let sfCheck: { id: string; revision: number };
  let cdcCheck: { id: string; revision: number };

  let users: TestUser[] = [];
  // Tokens expire with moved time: log in again at the new time.
  const moveClock = async (ms: number) => {
    offset += ms;
    await t.setClockOffset(offset);
    for (const u of users) tokens[u.id] = await login(t.http, u);
  };
  const draft = async (claims: object[], body: object = {}) =>
    (await t.http.post('/api/v1/reports').set(as(officer)).send({ providerSiret: provider.siret, title: 'Manquements constatés', claims, narrative: NARRATIVE, ...body }).expect(201)).body;
  const addGround = (user: TestUser, id: string, ground: object) => t.http.post(`/api/v1/reports/${id}/grounds`).set(as(user)).send(ground);

  beforeAll(async () => {
    t = await createTestApp();
    const inboxUrl = await listenInbox(t);
    recipient = new FlakyRecipient(inboxUrl);
    await recipient.start();
    job = new DeliveryScanJob(t.app.get(SystemDb), t.app.get(Clock), t.app.get(AuditService), t.app.get(BlobStore), t.app.get(AppConfig));
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    cdcOfficer = await createUser(t.db, 'CDC', ['officer']);
    cdcManager = await createUser(t.db, 'CDC', ['manager']);
    araOfficer = await createUser(t.db, 'AGEFIPH', ['officer']);
    agent = await createUser(t.db, 'SRC-84', ['ministry']);
    otherAgent = await createUser(t.db, 'SRC-11', ['ministry']);
    certifierOrg = await createOrganisation(t.db, 'CERT-REPORTS', 'CERTIFIER');
    certifier = await createUser(t.db, 'CERT-REPORTS', ['certifier']);
    srcOrg = await orgId(t.db, 'SRC-84');
    users = [officer, manager, cdcOfficer, cdcManager, araOfficer, agent, otherAgent, certifier];
    for (const u of users) tokens[u.id] = await login(t.http, u);
    provider = await createProvider(t.db, 'Formations Exemple');
    await t.db.superQuery(`INSERT INTO certification_observations (nda, category, certified, observed_on, source) VALUES ($1, 'TRAINING', true, '2024-01-01', 'MANUAL')`, [provider.nda]);
    await t.db.superQuery(`INSERT INTO provider_certifiers (siren, certifier_id, source) VALUES ($1, $2, 'certificat Qualiopi')`, [provider.siret.slice(0, 9), certifierOrg]);
    for (const org of [srcOrg, certifierOrg]) await t.db.superQuery(`INSERT INTO delivery_endpoints (organisation_id, url) VALUES ($1, $2)`, [org, recipient.url]);
    rnqCheck = await completedCheck(t, tokens[officer.id], tokens[manager.id], provider.siret, { '1': 'MAJOR_NC' });
    sfCheck = await completedCheck(t, tokens[officer.id], tokens[manager.id], provider.siret, { 'SF-01': 'MINOR_NC' }, { code: 'SERVICE-FAIT', version: 1 });
    cdcCheck = await completedCheck(t, tokens[cdcOfficer.id], tokens[cdcManager.id], provider.siret, { '1': 'MINOR_NC' });
  });
  afterAll(async () => {
    await recipient?.stop();
    await t?.close();
  });

  it('refuses a claim with no non-conformity behind it, naming the indicator', async () => {
    const report = await draft([{ kind: 'INDICATOR', code: '1' }, { kind: 'INDICATOR', code: '2' }]);
    await addGround(officer, report.id, { kind: 'CHECK_VERSION', checkId: rnqCheck.id, revision: rnqCheck.revision }).expect(200);
    const view = await t.http.get(`/api/v1/reports/${report.id}`).set(as(officer)).expect(200);
    expect(view.body.problems).toEqual([expect.objectContaining({ code: 'REPORT.NOT_SUBSTANTIATED', field: 'claims[1]', claim: { kind: 'INDICATOR', code: '2' } })]);
    const refused = await t.http.post(`/api/v1/reports/${report.id}/submit`).set(as(manager)).expect(422);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.body.code).toBe('REPORT.NOT_SUBSTANTIATED');
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'claims[1]', constraint: 'REPORT.NOT_SUBSTANTIATED' })]);
    expect(refused.body.detail ?? refused.body.message ?? JSON.stringify(refused.body)).toContain('Indicator 2');
    // Nothing was sealed, nothing queued.
    expect((await t.db.superQuery(`SELECT status FROM reports WHERE id = $1`, [report.id]))[0]).toEqual({ status: 'DRAFT' });
    expect(await t.db.superQuery(`SELECT 1 FROM report_cases WHERE report_id = $1`, [report.id])).toEqual([]);
  });

  it('refuses a report without grounds, a short narrative, an unconfirmed ground and an officer submitting', async () => {
    const report = await draft([{ kind: 'INDICATOR', code: '1' }], { narrative: 'Trop court.' });
    const refused = await t.http.post(`/api/v1/reports/${report.id}/submit`).set(as(manager)).expect(422);
    expect(refused.body.errors.map((e: { constraint: string }) => e.constraint).sort()).toEqual(['REPORT.NARRATIVE_LENGTH', 'REPORT.NOT_SUBSTANTIATED', 'REPORT.NO_GROUNDS']);
    await t.http.post(`/api/v1/reports/${report.id}/submit`).set(as(officer)).expect(403);
    const draftCheck = await t.http.post('/api/v1/checks').set(as(officer)).send({ method: 'DOCUMENTARY', providerSiret: provider.siret, scopeContext: { categories: ['TRAINING'] } }).expect(201);
    const notCompleted = await addGround(officer, report.id, { kind: 'CHECK_VERSION', checkId: draftCheck.body.id, revision: 1 }).expect(422);
    expect(notCompleted.body.code).toBe('REPORT.GROUND_INVALID');
    // Another funder's check is not visible to this funder: 404, as if absent.
    await addGround(officer, report.id, { kind: 'CHECK_VERSION', checkId: cdcCheck.id, revision: cdcCheck.revision }).expect(404);
    // A draft previews as PDF (marked, not stored); its package exists only once sealed.
    const preview = await t.http.get(`/api/v1/reports/${report.id}/export?format=pdf`).set(as(officer)).expect(200);
    expect(preview.headers['content-disposition']).toContain('projet-signalement-');
    expect((await t.http.get(`/api/v1/reports/${report.id}/export?format=json`).set(as(officer)).expect(409)).body.code).toBe('REPORT.NOT_SUBMITTED');
    expect(await t.db.superQuery(`SELECT 1 FROM reports WHERE id = $1 AND pdf_sha256 IS NOT NULL`, [report.id])).toEqual([]);
    const bad = await t.http.post('/api/v1/reports').set(as(officer)).send({ providerSiret: '123', title: '' }).expect(400);
    expect(bad.body.code).toBe('REQUEST.VALIDATION');
  });

  it('lists personal-data evidence by hash only, unless the owning funder\'s manager includes it with a legal ground', async () => {
    const withPersonal = await completedCheck(t, tokens[officer.id], tokens[manager.id], provider.siret, { 'SF-02': 'MAJOR_NC' }, { code: 'SERVICE-FAIT', version: 1 }, { personalEvidence: true });
    const report = await draft([{ kind: 'SERVICE_FAIT', code: 'SF-02' }]);
    const ground = { kind: 'CHECK_VERSION', checkId: withPersonal.id, revision: withPersonal.revision };
    const refused = await addGround(officer, report.id, { ...ground, personalDataLegalGround: 'Article R.6332-26 du code du travail' }).expect(422);
    expect(refused.body.code).toBe('REPORT.PERSONAL_DATA_GROUND');
    await addGround(officer, report.id, ground).expect(200);
    const [hashed] = await t.db.superQuery<{ content: { evidence: Record<string, unknown>[] } }>(`SELECT content FROM report_grounds WHERE report_id = $1`, [report.id]);
    expect(hashed.content.evidence).toEqual([{ id: expect.any(String), kind: 'FILE', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), personalData: true, included: false }]);
    const other = await draft([{ kind: 'SERVICE_FAIT', code: 'SF-02' }]);
    await addGround(manager, other.id, { ...ground, personalDataLegalGround: 'Article R.6332-26 du code du travail : pièces nécessaires au contrôle' }).expect(200);
    const [included] = await t.db.superQuery<{ content: { evidence: Record<string, unknown>[]; personalDataLegalGround: string } }>(`SELECT content FROM report_grounds WHERE report_id = $1`, [other.id]);
    expect(included.content.evidence).toEqual([expect.objectContaining({ fileName: 'emargement-martin.pdf', personalData: true, included: true })]);
    expect(included.content.personalDataLegalGround).toContain('R.6332-26');
  });

  it('routes quality to the certifier and execution to the regional control service, each with its reason', async () => {
    const report = await draft([{ kind: 'INDICATOR', code: '1' }, { kind: 'SERVICE_FAIT', code: 'SF-01' }]);
    expect(report.recipients).toEqual([
      expect.objectContaining({ kind: 'CERTIFIER', organisationId: certifierOrg, rules: ['QUALITY_TO_CERTIFIER'], missing: null, legalSources: [expect.stringContaining('R.6316-7-1')] }),
      expect.objectContaining({ kind: 'REGIONAL_CONTROL_SERVICE', organisationId: srcOrg, organisationCode: 'SRC-84', region: '84', rules: ['EXECUTION_TO_CONTROL_SERVICE'], legalSources: [expect.stringContaining('R.6332-26')] }),
    ]);
    expect(report.recipients[0].reason).toMatch(/certificateur/);
  });

  it('co-signing: the owner invites a funder of the provider, which accepts and adds grounds from its own checks; others may not', async () => {
    const report = await draft([{ kind: 'INDICATOR', code: '1' }]);
    const cdc = await orgId(t.db, 'CDC');
    const agefiph = await orgId(t.db, 'AGEFIPH');
    expect((await t.http.post(`/api/v1/reports/${report.id}/cosigners`).set(as(officer)).send({ organisationId: agefiph }).expect(422)).body.code).toBe('REPORT.COSIGNER_INVALID');
    await t.http.get(`/api/v1/reports/${report.id}`).set(as(cdcOfficer)).expect(404);
    await t.http.post(`/api/v1/reports/${report.id}/cosigners`).set(as(officer)).send({ organisationId: cdc }).expect(200);
    expect((await addGround(cdcOfficer, report.id, { kind: 'CHECK_VERSION', checkId: cdcCheck.id, revision: cdcCheck.revision }).expect(403)).body.code).toBe('REPORT.NOT_COSIGNER');
    await t.http.post(`/api/v1/reports/${report.id}/cosigners/${agefiph}/accept`).set(as(cdcOfficer)).expect(404);
    const accepted = await t.http.post(`/api/v1/reports/${report.id}/cosigners/${cdc}/accept`).set(as(cdcOfficer)).expect(200);
    expect(accepted.body.role).toBe('COSIGNER');
    await addGround(cdcOfficer, report.id, { kind: 'CHECK_VERSION', checkId: cdcCheck.id, revision: cdcCheck.revision }).expect(200);
    // A co-signer does not submit; an unrelated funder does not even see the report.
    expect((await t.http.post(`/api/v1/reports/${report.id}/submit`).set(as(cdcManager)).expect(403)).body.code).toBe('REPORT.OWNER_ONLY');
    await t.http.get(`/api/v1/reports/${report.id}`).set(as(araOfficer)).expect(404);
    const view = await t.http.get(`/api/v1/reports/${report.id}`).set(as(officer)).expect(200);
    expect(view.body.grounds.map((g: { organisationId: string }) => g.organisationId)).toEqual([cdc]);
    expect(view.body.cosigners).toEqual([expect.objectContaining({ organisationId: cdc, status: 'ACCEPTED' })]);
  });

  describe('a submitted report', () => {
    let report: { id: string; seal: { packageSha256: string; pdfSha256: string } };

    beforeAll(async () => {
      const r = await draft([{ kind: 'INDICATOR', code: '1' }, { kind: 'SERVICE_FAIT', code: 'SF-01' }]);
      await addGround(officer, r.id, { kind: 'CHECK_VERSION', checkId: rnqCheck.id, revision: rnqCheck.revision }).expect(200);
      await addGround(officer, r.id, { kind: 'CHECK_VERSION', checkId: sfCheck.id, revision: sfCheck.revision }).expect(200);
      await t.http.post(`/api/v1/reports/${r.id}/attachments`).set(as(officer)).field('description', 'Capture du site').attach('file', Buffer.from('%PDF-1.4\n% capture\n%%EOF\n'), 'capture.pdf').expect(200);
      const withPersonal = await t.http.post(`/api/v1/reports/${r.id}/attachments`).set(as(officer)).field('personalData', 'true').attach('file', Buffer.from('%PDF-1.4\n% Jean Dupont, stagiaire\n%%EOF\n'), 'emargement-dupont.pdf').expect(200);
      expect(withPersonal.body.attachments).toHaveLength(2);
      report = (await t.http.post(`/api/v1/reports/${r.id}/submit`).set(as(manager)).expect(200)).body;
    });

    it('seals attachments by their hash, personal data without its name', async () => {
      const pkg = JSON.parse((await t.http.get(`/api/v1/reports/${report.id}/export?format=json`).set(as(officer)).expect(200)).text);
      const byName = pkg.attachments.map((a: { fileName?: string; personalData: boolean; sha256: string }) => [a.fileName ?? null, a.personalData, a.sha256.length]);
      expect(byName.sort()).toEqual([['capture.pdf', false, 64], [null, true, 64]].sort());
      expect(JSON.stringify(pkg)).not.toContain('dupont');
    });

    it('shows in every funder\'s funding check that an open report exists, as a yes or no only', async () => {
      const other = await t.http.get(`/api/v1/providers/${provider.siret}/funding-check?category=TRAINING`).set(as(araOfficer)).expect(200);
      expect(other.body.controls.openReportsExist).toBe(true);
      expect(JSON.stringify(other.body)).not.toContain(report.id);
      const elsewhere = await createProvider(t.db);
      expect((await t.http.get(`/api/v1/providers/${elsewhere.siret}/funding-check?category=TRAINING`).set(as(araOfficer)).expect(200)).body.controls.openReportsExist).toBe(false);
      // The provider dossier says the same, to any funder.
      expect((await t.http.get(`/api/v1/providers/${provider.siret}/dossier`).set(as(araOfficer)).expect(200)).body.openReportsExist).toBe(true);
    });

    it('is sealed: canonical package signed with the platform key, PDF dossier, verification passes', async () => {
      expect(report).toMatchObject({ status: 'SUBMITTED', seal: { packageSha256: expect.stringMatching(/^[0-9a-f]{64}$/), pdfSha256: expect.stringMatching(/^[0-9a-f]{64}$/), auditHead: { seq: expect.any(Number) } } });
      const keys = await t.http.get('/api/v1/signing-keys').expect(200);
      expect(keys.body.keys.map((k: { keyId: string }) => k.keyId)).toContain((report.seal as unknown as { keyId: string }).keyId);
      const verified = await t.http.get(`/api/v1/reports/${report.id}/seal/verify`).set(as(officer)).expect(200);
      expect(verified.body).toMatchObject({ valid: true, checks: { storedPackageIntact: true, packageMatchesRecords: true, signatureValid: true, pdfIntact: true, groundsIntact: true, attachmentsIntact: true } });
      const pdf = await t.http.get(`/api/v1/reports/${report.id}/export?format=pdf`).set(as(officer)).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      }).expect(200);
      expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
      const pkg = await t.http.get(`/api/v1/reports/${report.id}/export?format=json`).set(as(officer)).expect(200);
      const parsed = JSON.parse(pkg.text);
      expect(parsed.format).toBe('bo.report-package/1');
      expect(parsed.grounds).toHaveLength(2);
      expect(parsed.grounds[0].content.findings[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    });

    it('never changes: the draft routes refuse, the database refuses, an amended check leaves the pinned version', async () => {
      expect((await t.http.patch(`/api/v1/reports/${report.id}`).set(as(officer)).send({ title: 'Autre' }).expect(409)).body.code).toBe('REPORT.NOT_DRAFT');
      expect((await addGround(officer, report.id, { kind: 'CHECK_VERSION', checkId: rnqCheck.id, revision: rnqCheck.revision }).expect(409)).body.code).toBe('REPORT.NOT_DRAFT');
      await expect(t.db.superQuery(`UPDATE reports SET narrative = 'falsifié' WHERE id = $1`, [report.id])).rejects.toThrow(/sealed/);
      await expect(t.db.superQuery(`DELETE FROM report_grounds WHERE report_id = $1`, [report.id])).rejects.toThrow(/sealed/);
      await t.http.post(`/api/v1/checks/${rnqCheck.id}/amendments`).set(as(manager)).send({ reason: 'Nouvelle pièce reçue' }).expect(201);
      const view = await t.http.get(`/api/v1/reports/${report.id}`).set(as(officer)).expect(200);
      expect(view.body.grounds.find((g: { checkId: string }) => g.checkId === rnqCheck.id).checkRevision).toBe(rnqCheck.revision);
      expect((await t.http.get(`/api/v1/reports/${report.id}/seal/verify`).set(as(officer)).expect(200)).body.valid).toBe(true);
    });

    it('fails verification when a byte of the stored package changes', async () => {
      const sha = report.seal.packageSha256;
      const path = join(process.env.BLOB_DIR!, sha.slice(0, 2), sha.slice(2, 4), sha);
      const original = readFileSync(path);
      const changed = Buffer.from(original);
      changed[changed.length - 10] ^= 0x01;
      writeFileSync(path, changed);
      try {
        const verified = await t.http.get(`/api/v1/reports/${report.id}/seal/verify`).set(as(officer)).expect(200);
        expect(verified.body.valid).toBe(false);
        expect(verified.body.checks.storedPackageIntact).toBe(false);
      } finally {
        writeFileSync(path, original);
      }
      expect((await t.http.get(`/api/v1/reports/${report.id}/seal/verify`).set(as(officer)).expect(200)).body.valid).toBe(true);
    });

    it('a recipient that fails twice then succeeds ends with exactly one case, delivered once', async () => {
      recipient.failNext = 4; // two cases, two failures each
      expect(await job.handle({ organisationId: null })).toMatchObject({ due: 2, failed: 2 });
      await moveClock(2 * MINUTE);
      expect(await job.handle({ organisationId: null })).toMatchObject({ due: 2, failed: 2 });
      // Not yet due: the second wait is 3 minutes.
      expect(await job.handle({ organisationId: null })).toMatchObject({ due: 0 });
      await moveClock(4 * MINUTE);
      expect(await job.handle({ organisationId: null })).toMatchObject({ due: 2, delivered: 2 });
      const cases = (await t.http.get(`/api/v1/reports/${report.id}/cases`).set(as(officer)).expect(200)).body;
      expect(cases.map((c: { recipient: { code: string } }) => c.recipient.code).sort()).toEqual(['CERT-REPORTS', 'SRC-84']);
      for (const c of cases) expect(c.delivery).toMatchObject({ status: 'DELIVERED', attempts: 3, acknowledgementId: expect.stringMatching(/^ACK-/) });
      const receipts = await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM inbox_receipts WHERE case_id = ANY($1::uuid[])`, [cases.map((c: { id: string }) => c.id)]);
      expect(receipts[0].n).toBe(2);
      expect((await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM report_delivery_attempts WHERE case_id = ANY($1::uuid[])`, [cases.map((c: { id: string }) => c.id)]))[0].n).toBe(6);
    });

    it('the inbox refuses a replayed delivery and a wrong signature, and answers a repeat with the same acknowledgement', async () => {
      const [kase] = await t.db.superQuery<{ id: string; acknowledgement_id: string }>(`SELECT id, acknowledgement_id FROM report_cases WHERE report_id = $1 AND recipient_organisation_id = $2`, [report.id, srcOrg]);
      const [row] = await t.db.superQuery<{ package_sha256: string }>(`SELECT package_sha256 FROM reports WHERE id = $1`, [report.id]);
      const body = Buffer.from((await t.http.get(`/api/v1/reports/${report.id}/export?format=json`).set(as(officer))).text);
      const key = (await t.db.superQuery<{ idempotency_key: string }>(`SELECT idempotency_key FROM inbox_receipts WHERE case_id = $1`, [kase.id]))[0].idempotency_key;
      const secret = recipientSecret(process.env.JWT_SECRET!, srcOrg);
      const send = (timestamp: number, signature = signDelivery(secret, timestamp, body)) =>
        t.http
          .post('/api/v1/inbox/deliveries')
          .set({ 'content-type': PACKAGE_MEDIA_TYPE, 'x-bo-timestamp': String(timestamp), 'x-bo-signature': signature, 'x-bo-recipient': srcOrg, 'x-bo-case': kase.id, 'idempotency-key': key })
          // A string: superagent would JSON-encode a Buffer sent with a +json type.
          .send(body.toString('utf8'));
      const now = Math.floor((Date.now() + offset) / 1000);
      const replayed = await send(now - 3600).expect(401);
      expect(replayed.body.code).toBe('INBOX.TIMESTAMP_INVALID');
      const forged = await send(now, signDelivery(recipientSecret(process.env.JWT_SECRET!, certifierOrg), now, body)).expect(401);
      expect(forged.body.code).toBe('INBOX.SIGNATURE_INVALID');
      const again = await send(now).expect(200);
      expect(again.body).toEqual({ acknowledgementId: kase.acknowledgement_id, duplicate: true });
      expect(row.package_sha256).toHaveLength(64);
    });

    it('agents handle their own cases: the package with its seal, acknowledge, request information, the funder answers', async () => {
      const list = await t.http.get('/api/v1/inbox/cases').set(as(agent)).expect(200);
      const kase = list.body.items.find((c: { reportId: string }) => c.reportId === report.id);
      expect(kase).toMatchObject({ handlingStatus: 'RECEIVED', report: { providerSiret: provider.siret } });
      expect((await t.http.get('/api/v1/inbox/cases').set(as(otherAgent)).expect(200)).body.items).toEqual([]);
      await t.http.get(`/api/v1/inbox/cases/${kase.id}`).set(as(otherAgent)).expect(404);
      await t.http.get(`/api/v1/inbox/cases/${kase.id}`).set(as(certifier)).expect(404);
      const detail = await t.http.get(`/api/v1/inbox/cases/${kase.id}`).set(as(agent)).expect(200);
      expect(detail.body.seal.valid).toBe(true);
      expect(detail.body.package.report.id).toBe(report.id);
      expect((await t.http.post(`/api/v1/inbox/cases/${kase.id}/request-info`).set(as(agent)).send({ text: 'Précisez.' }).expect(409)).body.code).toBe('CASE.INVALID_TRANSITION');
      await t.http.post(`/api/v1/inbox/cases/${kase.id}/acknowledge`).set(as(agent)).expect(200);
      const asked = await t.http.post(`/api/v1/inbox/cases/${kase.id}/request-info`).set(as(agent)).send({ text: 'Transmettez les feuilles d’émargement.' }).expect(200);
      expect(asked.body.openRequest).toMatchObject({ text: 'Transmettez les feuilles d’émargement.', dueAt: expect.any(String) });
      const notified = await t.db.superQuery(`SELECT organisation_id FROM notifications WHERE kind = 'REPORT_INFO_REQUESTED' AND payload->>'reportId' = $1`, [report.id]);
      expect(notified).toEqual([{ organisation_id: officer.organisationId }]);
      const funderView = (await t.http.get(`/api/v1/reports/${report.id}/cases`).set(as(officer)).expect(200)).body.find((c: { id: string }) => c.id === kase.id);
      expect(funderView.openRequest.text).toBe('Transmettez les feuilles d’émargement.');
      await t.http.post(`/api/v1/reports/${report.id}/cases/${kase.id}/answer`).set(as(araOfficer)).send({ text: 'x' }).expect(404);
      const answered = await t.http.post(`/api/v1/reports/${report.id}/cases/${kase.id}/answer`).set(as(officer)).send({ text: 'Ci-joint les feuilles.' }).expect(200);
      expect(answered.body).toMatchObject({ handlingStatus: 'ANSWERED', openRequest: null });
      expect((await t.http.post(`/api/v1/inbox/cases/${kase.id}/close`).set(as(agent)).send({ outcome: 'SUSPENSION' }).expect(422)).body.code).toBe('CASE.OUTCOME_NOT_ALLOWED');
      // The lists as CSV: French headers and labels.
      const csv = await t.http.get('/api/v1/inbox/cases?format=csv').set(as(agent)).expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.text).toContain('Signalement;Objet;SIRET');
      expect(csv.text).toContain('Réponse apportée');
      const reports = await t.http.get('/api/v1/reports?format=csv&status=SUBMITTED').set(as(officer)).expect(200);
      expect(reports.text.split('\r\n').filter(Boolean)).toHaveLength(2);
      expect(reports.text).toContain(kase.reportReference);
      await t.http.post(`/api/v1/inbox/cases/${kase.id}/close`).set(as(agent)).send({ outcome: 'ACTION_TAKEN', note: 'Contrôle sur place programmé' }).expect(200);
    });

    it("a certifier's suspension is recorded on the provider's certification history, and the report closes", async () => {
      const list = await t.http.get('/api/v1/inbox/cases').set(as(certifier)).expect(200);
      const kase = list.body.items.find((c: { reportId: string }) => c.reportId === report.id);
      await t.http.post(`/api/v1/inbox/cases/${kase.id}/acknowledge`).set(as(certifier)).expect(200);
      await t.http.post(`/api/v1/inbox/cases/${kase.id}/close`).set(as(certifier)).send({ outcome: 'SUSPENSION', note: 'Suspension prononcée' }).expect(200);
      const establishment = await t.http.get(`/api/v1/providers/${provider.siret}`).set(as(officer)).expect(200);
      const history = establishment.body.ndas[0].history as { source: string; certified: boolean; reference: string | null }[];
      expect(history[0]).toMatchObject({ source: 'CERTIFIER_DECISION', certified: false, reference: expect.stringContaining('SUSPENSION') });
      const view = await t.http.get(`/api/v1/reports/${report.id}`).set(as(officer)).expect(200);
      expect(view.body.status).toBe('CLOSED');
      expect((await t.http.get(`/api/v1/reports/${report.id}/seal/verify`).set(as(officer)).expect(200)).body.valid).toBe(true);
      const stats = await t.http.get('/api/v1/inbox/statistics').set(as(agent)).expect(200);
      expect(stats.body).toMatchObject({ scope: 'REGION', total: 1, byIndicator: [{ indicator: '1', count: 1 }], byOutcome: [{ outcome: 'ACTION_TAKEN', count: 1 }] });
      expect(stats.body.timeToAcknowledgeHours.acknowledged).toBe(1);
      // The DGEFP sees every region's counts; another regional service none of these.
      const dgefp = await createUser(t.db, 'DGEFP', ['ministry']);
      const all = await t.http.get('/api/v1/inbox/statistics').set(bearer(await login(t.http, dgefp))).expect(200);
      expect(all.body).toMatchObject({ scope: 'ALL_REGIONS', total: 1, byRegion: [{ region: '84', count: 1 }], byFunder: [{ funder: 'OPCO-ATLAS', count: 1 }] });
      expect((await t.http.get('/api/v1/inbox/statistics').set(as(otherAgent)).expect(200)).body).toMatchObject({ scope: 'REGION', total: 0 });
      // The certifier's statistics are its own cases.
      expect((await t.http.get('/api/v1/inbox/statistics').set(as(certifier)).expect(200)).body).toMatchObject({ scope: 'CERTIFIER', total: 1, byOutcome: [{ outcome: 'SUSPENSION', count: 1 }] });
    });
  });

  it('with the clock moved an hour while the recipient is down, the report is delivered once when it returns', async () => {
    const r = await draft([{ kind: 'SERVICE_FAIT', code: 'SF-01' }]);
    await addGround(officer, r.id, { kind: 'CHECK_VERSION', checkId: sfCheck.id, revision: sfCheck.revision }).expect(200);
    await t.http.post(`/api/v1/reports/${r.id}/submit`).set(as(manager)).expect(200);
    recipient.down = true;
    expect(await job.handle({ organisationId: null })).toMatchObject({ due: 1, failed: 1 });
    await moveClock(HOUR);
    // An hour late: one attempt, not one per missed slot.
    expect(await job.handle({ organisationId: null })).toMatchObject({ due: 1, failed: 1 });
    recipient.down = false;
    await moveClock(HOUR);
    expect(await job.handle({ organisationId: null })).toMatchObject({ due: 1, delivered: 1 });
    expect(await job.handle({ organisationId: null })).toMatchObject({ due: 0 });
    const [kase] = (await t.http.get(`/api/v1/reports/${r.id}/cases`).set(as(officer)).expect(200)).body;
    expect(kase.delivery).toMatchObject({ status: 'DELIVERED', attempts: 3 });
    expect((await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM inbox_receipts WHERE case_id = $1`, [kase.id]))[0].n).toBe(1);
  });

  it('dead-letters after ten attempts over about a day; a manager redelivers', async () => {
    const r = await draft([{ kind: 'SERVICE_FAIT', code: 'SF-01' }]);
    await addGround(officer, r.id, { kind: 'CHECK_VERSION', checkId: sfCheck.id, revision: sfCheck.revision }).expect(200);
    await t.http.post(`/api/v1/reports/${r.id}/submit`).set(as(manager)).expect(200);
    recipient.down = true;
    const start = offset;
    for (let i = 0; i < 10; i++) {
      expect(await job.handle({ organisationId: null })).toMatchObject({ due: 1 });
      const [{ next }] = await t.db.superQuery<{ next: Date | null }>(`SELECT next_attempt_at AS next FROM report_cases WHERE report_id = $1`, [r.id]);
      if (next) await moveClock(next.getTime() - (Date.now() + offset) + 1000);
    }
    const hours = (offset - start) / HOUR;
    expect(hours).toBeGreaterThan(22);
    expect(hours).toBeLessThan(26);
    const [kase] = (await t.http.get(`/api/v1/reports/${r.id}/cases`).set(as(officer)).expect(200)).body;
    expect(kase.delivery).toMatchObject({ status: 'DEAD_LETTER', attempts: 10 });
    expect(await t.db.superQuery(`SELECT organisation_id FROM notifications WHERE kind = 'REPORT_DELIVERY_DEAD_LETTER' AND entity_id = $1`, [kase.id])).toEqual([{ organisation_id: officer.organisationId }]);
    await t.http.post(`/api/v1/reports/${r.id}/cases/${kase.id}/redeliver`).set(as(officer)).expect(403);
    recipient.down = false;
    const again = await t.http.post(`/api/v1/reports/${r.id}/cases/${kase.id}/redeliver`).set(as(manager)).expect(200);
    expect(again.body.delivery).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(await job.handle({ organisationId: null })).toMatchObject({ delivered: 1 });
  });
});
