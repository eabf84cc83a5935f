import { Client } from 'pg';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createOrganisation, createUser, login } from '../support/fixtures';
import { insertProvider, newSiren, observe, siretOf } from '../support/actions-fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Issue 8, item 1 (probe: a funder's manager records `certified: true, source: CERTIFIER_DECISION`
 * and every other funder's funding check and coverage flip). Shared certification facts are
 * written only by those with authority over them; a funder's hand entry is its own note.
 */
describe('security: authority over shared certification facts', () => {
  let t: TestApp;
  let managerA: TestUser;
  let officerB: TestUser;
  let platform: TestUser;
  let certifier: TestUser;
  let otherCertifier: TestUser;
  let siret: string;
  let nda: string;

  const fundingCheck = async (user: TestUser, date = '2026-06-01') => {
    const res = await t.http.get(`/api/v1/providers/${siret}/funding-check?category=TRAINING&date=${date}`).set(bearer(await login(t.http, user)));
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    managerA = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    officerB = await createUser(t.db, 'CDC', ['officer']);
    platform = await createUser(t.db, 'PLATFORM', ['platform_admin']);
    await createOrganisation(t.db, 'CERT-SEC', 'CERTIFIER');
    await createOrganisation(t.db, 'CERT-OTHER', 'CERTIFIER');
    certifier = await createUser(t.db, 'CERT-SEC', ['certifier']);
    otherCertifier = await createUser(t.db, 'CERT-OTHER', ['certifier']);
    siret = siretOf(newSiren());
    nda = await insertProvider(t.db, { siret, name: 'Organisme sous contrôle' });
    await observe(t.db, { nda, certified: false, observedOn: '2026-01-01' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("a funder's manager cannot flip other funders' answer: its entry is its own note, shown only to it", async () => {
    // The probe of the issue, as sent: a body `source` is refused (the server decides it).
    const probe = await t.http
      .put(`/api/v1/providers/${siret}/certifications/TRAINING`)
      .set(bearer(await login(t.http, managerA)))
      .send({ certified: true, source: 'CERTIFIER_DECISION', certifier: 'AFNOR', observedOn: '2026-02-01' });
    expect(probe.status).toBe(400);
    expect(probe.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'source' })]));

    const note = await t.http
      .put(`/api/v1/providers/${siret}/certifications/TRAINING`)
      .set(bearer(await login(t.http, managerA)))
      .send({ certified: true, certifier: 'AFNOR', observedOn: '2026-02-01' });
    expect(note.status).toBe(200);
    expect(note.body.observation).toMatchObject({ source: 'OWN_NOTE', ownNote: true });
    await t.drain();

    // Funder B: the shared state, no note, the same as before.
    const b = await fundingCheck(officerB);
    expect(b.certification).toMatchObject({ status: 'NOT_CERTIFIED', ownNote: null, observation: { source: 'MANUAL', ownNote: false } });
    // Funder A: the same shared state, and its own note beside it.
    const a = await fundingCheck(managerA);
    expect(a.certification).toMatchObject({ status: 'NOT_CERTIFIED', ownNote: { status: 'CERTIFIED', note: { ownNote: true, source: 'OWN_NOTE' } } });
    // Nothing was added to the shared history; the note sits in A's own table under row-level security.
    expect(await t.db.superQuery(`SELECT source FROM certification_observations WHERE nda = $1`, [nda])).toEqual([{ source: 'MANUAL' }]);
    const [{ organisation_id }] = await t.db.superQuery<{ organisation_id: string }>(`SELECT organisation_id FROM certification_notes WHERE nda = $1`, [nda]);
    expect(organisation_id).toBe(managerA.organisationId);
  });

  it('a certifier records shared observations only for the providers recorded as its own; the source and certifier are its', async () => {
    const body = { certified: true, observedOn: '2026-03-01', certifier: 'Quelqu’un d’autre' };
    const before = await t.http.put(`/api/v1/providers/${siret}/certifications/TRAINING`).set(bearer(await login(t.http, certifier))).send(body);
    expect(before.status).toBe(403);
    expect(before.body.code).toBe('PROVIDER.NOT_CERTIFIER');

    // The platform records who certifies the organisation (by SIREN), with its source.
    const certifierId = (await t.db.superQuery<{ id: string }>(`SELECT id FROM organisations WHERE code = 'CERT-SEC'`))[0].id;
    const set = await t.http
      .put(`/api/v1/providers/${siret}/certifier`)
      .set(bearer(await login(t.http, platform)))
      .send({ certifierId, source: 'certificat n° 2026-001' });
    expect(set.status).toBe(200);
    expect((await t.http.put(`/api/v1/providers/${siret}/certifier`).set(bearer(await login(t.http, managerA))).send({ certifierId, source: 'x' })).status).toBe(403);

    const other = await t.http.put(`/api/v1/providers/${siret}/certifications/TRAINING`).set(bearer(await login(t.http, otherCertifier))).send(body);
    expect(other.status).toBe(403);
    const ok = await t.http.put(`/api/v1/providers/${siret}/certifications/TRAINING`).set(bearer(await login(t.http, certifier))).send(body);
    expect(ok.status).toBe(200);
    expect(ok.body.observation).toMatchObject({ source: 'CERTIFIER_DECISION', certifier: 'CERT-SEC', ownNote: false });
    expect((await fundingCheck(officerB)).certification).toMatchObject({ status: 'CERTIFIED', observation: { source: 'CERTIFIER_DECISION' } });
  });

  it('a platform administrator records a shared observation only on a document kept in the blob store', async () => {
    const token = await login(t.http, platform);
    const body = { certified: false, observedOn: '2026-04-01', certifier: 'CERT-SEC', reference: 'retrait 2026-04' };
    const without = await t.http.put(`/api/v1/providers/${siret}/certifications/TRAINING`).set(bearer(token)).send(body);
    expect(without.status).toBe(422);
    expect(without.body.code).toBe('PROVIDER.DOCUMENT_REQUIRED');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const upload = await t.http.post('/api/v1/providers/documents').set(bearer(token)).attach('file', pdf, 'retrait.pdf');
    expect(upload.status).toBe(201);
    expect(upload.body).toMatchObject({ mediaType: 'application/pdf', size: pdf.length });
    const ok = await t.http
      .put(`/api/v1/providers/${siret}/certifications/TRAINING`)
      .set(bearer(token))
      .send({ ...body, documentSha256: upload.body.sha256 });
    expect(ok.status).toBe(200);
    expect(ok.body.observation).toMatchObject({ source: 'MANUAL', evidenceSha256: upload.body.sha256 });
    // A funder may not upload registry documents, nor point its note at one.
    expect((await t.http.post('/api/v1/providers/documents').set(bearer(await login(t.http, managerA))).attach('file', pdf, 'x.pdf')).status).toBe(403);
    const pointed = await t.http
      .put(`/api/v1/providers/${siret}/certifications/TRAINING`)
      .set(bearer(await login(t.http, managerA)))
      .send({ certified: true, documentSha256: upload.body.sha256 });
    expect(pointed.status).toBe(400);
  });

  it('the application role itself cannot write shared tables, nor record a shared observation for a funder', async () => {
    const client = new Client({ connectionString: t.db.urls.DATABASE_URL });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.org_id', $1, true)`, [managerA.organisationId]);
      const refused = async (sql: string, params: unknown[] = []) => {
        await client.query('SAVEPOINT s');
        const error = await client.query(sql, params).then(
          () => undefined,
          (e: { code?: string }) => e,
        );
        await client.query('ROLLBACK TO SAVEPOINT s');
        return error?.code;
      };
      expect(await refused(`INSERT INTO certification_observations (nda, category, certified, observed_on, source) VALUES ($1, 'TRAINING', true, '2026-05-01', 'CERTIFIER_DECISION')`, [nda])).toBe('42501');
      expect(await refused(`UPDATE providers SET name = 'x' WHERE nda = $1`, [nda])).toBe('42501');
      expect(await refused(`INSERT INTO exemptions (kind, siren, categories, valid_from, legal_source) VALUES ('HIGHER_EDUCATION', $1, '{TRAINING}', '2026-01-01', 'x')`, [siret.slice(0, 9)])).toBe('42501');
      expect(await refused(`UPDATE organisations SET kind = 'PLATFORM' WHERE id = $1`, [managerA.organisationId])).toBe('42501');
      expect(await refused(`SELECT registry_record_observation($1, 'TRAINING', true, '2026-05-01', NULL, 'x', NULL, NULL)`, [nda])).toBe('42501');
      expect(await refused(`SELECT platform_create_organisation('EVIL', 'CERTIFIER', NULL, 'Evil', NULL)`)).toBe('42501');
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });
});
