import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PUBLIC_LIST_COLUMNS, luhnCheckDigit } from '@bo/registry';
import { PublicListGenerator } from '@bo/testing';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const dir = mkdtempSync(join(tmpdir(), 'bo-public-list-'));

function siren(base8: string): string {
  return base8 + luhnCheckDigit(base8);
}
function siret(sirenValue: string, nic4: string): string {
  const base = sirenValue + nic4;
  return base + luhnCheckDigit(base);
}

interface Row {
  nda: string;
  siren: string;
  siret: string;
  name: string;
  region?: string;
  flags?: [string, string, string, string];
  lastDeclaration?: string;
}

/** A multipart/form-data body (built by hand: the test client's form encoder is not needed). */
function multipart(fields: Record<string, string>, file?: { path: string; name?: string }): { type: string; body: Buffer } {
  const boundary = `----bo${Date.now().toString(16)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name ?? 'list.csv'}"\r\nContent-Type: text/csv\r\n\r\n`));
    parts.push(readFileSync(file.path), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}

/** A small public list in the official layout (BOM, quoted text, trailing `;`). */
function writeList(name: string, rows: Row[], columns: readonly string[] = PUBLIC_LIST_COLUMNS): string {
  const q = (v: string) => (v === '' ? '' : `"${v}"`);
  const lines = rows.map((r) => {
    const cells: Record<string, string> = {
      numeroDeclarationActivite: q(r.nda),
      denomination: q(r.name),
      siren: q(r.siren),
      siretEtablissementDeclarant: q(r.siret),
      'adressePhysiqueOrganismeFormation.voie': q('1 RUE DE LA PAIX'),
      'adressePhysiqueOrganismeFormation.codePostal': q('75002'),
      'adressePhysiqueOrganismeFormation.ville': q('PARIS'),
      'adressePhysiqueOrganismeFormation.codeRegion': q(r.region ?? '11'),
      'certifications.actionsDeFormation': r.flags?.[0] ?? 'true',
      'certifications.bilansDeCompetences': r.flags?.[1] ?? 'false',
      'certifications.VAE': r.flags?.[2] ?? '',
      'certifications.actionsDeFormationParApprentissage': r.flags?.[3] ?? 'false',
      'informationsDeclarees.dateDerniereDeclaration': r.lastDeclaration ?? '15/03/2025',
    };
    return columns.map((c) => cells[c] ?? '').join(';') + ';';
  });
  const path = join(dir, name);
  writeFileSync(path, '\uFEFF' + [columns.join(';') + ';', ...lines].join('\r\n') + '\r\n');
  return path;
}

const ROWS = Number(process.env.PROV_ROWS ?? 100_000);


describe('provider registry and public-list import', () => {
  let t: TestApp;
  let platformAdmin: TestUser;
  let manager: TestUser;
  let officer: TestUser;
  let adminToken: string;
  let managerToken: string;
  let officerToken: string;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    platformAdmin = await createUser(t.db, 'PLATFORM', ['platform_admin']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    adminToken = await login(t.http, platformAdmin);
    managerToken = await login(t.http, manager);
    officerToken = await login(t.http, officer);
  });
  afterAll(async () => {
    await t?.close();
  });

  function post(token: string, fields: Record<string, string>, path?: string) {
    const { type, body } = multipart(fields, path ? { path } : undefined);
    return t.http.post('/api/v1/providers/imports').set(bearer(token)).set('content-type', type).send(body);
  }

  async function upload(path: string, mode: 'FULL' | 'DELTA', timeoutMs = 30_000) {
    const res = await post(adminToken, { mode }, path);
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/api/v1/imports/${res.body.id}`);
    const drained = await t.drain(timeoutMs).catch((e: Error) => e);
    const done = await t.http.get(res.headers.location).set(bearer(adminToken));
    expect(done.status).toBe(200);
    if (drained instanceof Error || done.body.status !== 'SUCCEEDED') {
      const job = await t.http.get(`/api/v1/jobs/${done.body.jobId}`).set(bearer(adminToken));
      throw new Error(`${drained?.message ?? ''} ${JSON.stringify(done.body)} ${JSON.stringify(job.body)}`);
    }
    expect(done.body).toMatchObject({ status: 'SUCCEEDED', kind: 'PUBLIC_LIST', mode });
    return done.body as { id: string; counts: Record<string, number>; rejectedLineCount: number; fieldErrorCount: number };
  }

  it('imports a 100,000-row list with bad rows reported by line, and a second import changes nothing', async () => {
    const generator = new PublicListGenerator({
      seed: 'providers-e2e',
      rows: ROWS,
      bom: true,
      badRows: { BAD_SIRET: 3, BAD_NDA: 3, DUPLICATE_NDA: 3, BAD_DATE: 3, BAD_REGION: 3 },
    });
    const path = join(dir, 'big.csv');
    await pipeline(generator.stream(), createWriteStream(path));

    const [{ now: before }] = await t.db.superQuery<{ now: Date }>(`SELECT now()`);
    const first = await upload(path, 'FULL', 150_000);
    expect(first.counts).toMatchObject({ lines: ROWS, accepted: ROWS - 15, rejected: 15, inserted: ROWS - 15, updated: 0, delisted: 0 });
    expect(first.counts.observations).toBeGreaterThan(ROWS);
    // The import left the registry's statistics behind it (an explicit ANALYZE, not autovacuum's):
    // the next funded-actions import plans its per-provider look-ups on them.
    const analyzed = await t.db.superQuery<{ relname: string; last_analyze: Date | null }>(
      `SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname IN ('providers', 'certification_observations') ORDER BY relname`,
    );
    expect(analyzed.map((r) => [r.relname, r.last_analyze !== null && r.last_analyze >= before])).toEqual([
      ['certification_observations', true],
      ['providers', true],
    ]);

    const csv = await t.http.get(`/api/v1/imports/${first.id}/errors?format=csv`).set(bearer(adminToken));
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const errorLines = new Set(csv.text.trim().split('\n').slice(1).map((l) => Number(l.split(';')[0])));
    expect([...errorLines].sort((a, b) => a - b)).toEqual(generator.badRows.map((b) => b.line).sort((a, b) => a - b));
    const duplicate = generator.badRows.find((b) => b.kind === 'DUPLICATE_NDA')!;
    expect(csv.text).toMatch(new RegExp(`^${duplicate.line};numeroDeclarationActivite;NDA \\d{11} repeats the one on line \\d+`, 'm'));
    const viaFormat = await t.http.get(`/api/v1/imports/${first.id}?format=csv`).set(bearer(adminToken));
    expect(viaFormat.text).toBe(csv.text);

    const again = await upload(path, 'FULL', 150_000);
    expect(again.counts).toMatchObject({ accepted: ROWS - 15, inserted: 0, updated: 0, delisted: 0, observations: 0, changes: 0, unchanged: ROWS - 15 });

    const [audit] = await t.db.superQuery<{ details: { counts: { changes: number }; fileSha256: string } }>(
      `SELECT details FROM audit_events WHERE action = 'providers.import' AND entity_id = $1`,
      [again.id],
    );
    expect(audit.details.counts.changes).toBe(0);
  }, 330_000);

  it('refuses a file whose header misses a column, before importing anything', async () => {
    const [before] = await t.db.superQuery<{ n: string }>(`SELECT count(*) AS n FROM imports`);
    const columns = PUBLIC_LIST_COLUMNS.filter((c) => c !== 'siren');
    const path = writeList('no-siren.csv', [{ nda: '11111111111', siren: siren('90000001'), siret: siret(siren('90000001'), '0001'), name: 'X' }], columns);
    const res = await post(adminToken, { mode: 'DELTA' }, path);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IMPORT.HEADER_INVALID');
    expect(res.body.errors ?? res.body.detail).toBeDefined();
    const [after] = await t.db.superQuery<{ n: string }>(`SELECT count(*) AS n FROM imports`);
    expect(after.n).toBe(before.n);
    expect(await t.db.superQuery(`SELECT 1 FROM providers WHERE nda = '11111111111'`)).toHaveLength(0);
  });

  it('refuses an upload from a non-platform role and without a file', async () => {
    const path = writeList('tiny.csv', []);
    expect((await post(managerToken, {}, path)).status).toBe(403);
    const none = await post(adminToken, { mode: 'DELTA' });
    expect(none.status).toBe(400);
    expect(none.body.code).toBe('IMPORT.FILE_REQUIRED');
  });

  describe('observations, delisting and the funding check', () => {
    const sirenA = siren('90000010');
    const siretA = siret(sirenA, '0001');
    const siretAOther = siret(sirenA, '0002');
    const sirenB = siren('90000020');
    const siretB = siret(sirenB, '0001');
    const sirenC = siren('90000030');
    const siretC = siret(sirenC, '0001');
    const sirenUnknown = siren('90000040');
    const rowsV1: Row[] = [
      { nda: '11990000001', siren: sirenA, siret: siretA, name: 'ALPHA FORMATION', flags: ['true', 'false', '', 'false'] },
      { nda: '11990000002', siren: sirenA, siret: siretA, name: 'ALPHA FORMATION', flags: ['false', 'false', '', 'false'] },
      { nda: '11990000003', siren: sirenB, siret: siretB, name: 'BETA CONSEIL', flags: ['true', 'true', '', 'false'] },
      { nda: '11990000004', siren: sirenC, siret: siretC, name: 'GAMMA UNIVERSITE', flags: ['false', 'false', 'false', 'false'] },
    ];
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const check = async (s: string, category: string, date = today) => {
      const res = await t.http.get(`/api/v1/providers/${s}/funding-check?category=${category}&date=${date}`).set(bearer(officerToken));
      expect(res.status).toBe(200);
      return res.body;
    };

    beforeAll(async () => {
      const counts = (await upload(writeList('v1.csv', rowsV1), 'DELTA')).counts;
      expect(counts).toMatchObject({ accepted: 4, inserted: 4 });
    });

    it('finds providers by SIRET, SIREN, NDA and name', async () => {
      for (const [q, n] of [[siretA, 2], [sirenA, 2], ['11990000003', 1], ['gamma univ', 1]] as const) {
        const res = await t.http.get(`/api/v1/providers?q=${encodeURIComponent(q)}`).set(bearer(officerToken));
        expect(res.status).toBe(200);
        expect(res.body.items).toHaveLength(n);
      }
      const page = await t.http.get(`/api/v1/providers?q=${sirenA}&limit=1`).set(bearer(officerToken));
      expect(page.body.nextCursor).toBeDefined();
      const next = await t.http.get(`/api/v1/providers?q=${sirenA}&limit=1&cursor=${page.body.nextCursor}`).set(bearer(officerToken));
      expect(next.body.items[0].nda).toBe('11990000002');
    });

    it('shows an establishment with its NDAs and states; an empty flag stays UNKNOWN', async () => {
      const res = await t.http.get(`/api/v1/providers/${siretA}`).set(bearer(officerToken));
      expect(res.status).toBe(200);
      expect(res.body.ndas.map((n: { nda: string }) => n.nda)).toEqual(['11990000001', '11990000002']);
      expect(res.body.ndas[0].certifications.TRAINING).toMatchObject({ status: 'CERTIFIED', observation: { certified: true, source: 'PUBLIC_LIST' } });
      expect(res.body.ndas[0].certifications.VAE).toMatchObject({ status: 'UNKNOWN', observation: null });
      expect(res.body.ndas[1].certifications.TRAINING.status).toBe('NOT_CERTIFIED');
      expect((await t.http.get(`/api/v1/providers/${siretAOther}`).set(bearer(officerToken))).status).toBe(404);
    });

    it('answers the funding check: certified, not certified, unknown before any observation, other site, unknown SIREN', async () => {
      expect(await check(siretA, 'TRAINING')).toMatchObject({ certification: { status: 'CERTIFIED', nda: '11990000001', flags: [] }, activity: { listed: true, lastDeclarationDate: '2025-03-15' } });
      expect((await check(siretA, 'TRAINING')).certification.observation).toMatchObject({ certified: true, observedOn: today });
      expect(await check(siretB, 'APPRENTICESHIP')).toMatchObject({ certification: { status: 'NOT_CERTIFIED', nda: '11990000003' } });
      expect(await check(siretB, 'TRAINING', yesterday)).toMatchObject({ certification: { status: 'UNKNOWN', observation: null } });
      expect(await check(siretAOther, 'TRAINING')).toMatchObject({ certification: { status: 'CERTIFIED', flags: ['OTHER_SITE'] } });
      expect(await check(siret(sirenUnknown, '0001'), 'TRAINING')).toMatchObject({ certification: { status: 'UNKNOWN', nda: null, flags: ['NOT_IN_REGISTRY'] }, activity: { inRegistry: false } });
    });

    it('records an exemption (platform admin, audited) that beats "not certified"', async () => {
      const body = { kind: 'HIGHER_EDUCATION', categories: ['TRAINING', 'VAE'], validFrom: '2024-01-01' };
      expect((await t.http.post(`/api/v1/providers/${siretC}/exemptions`).set(bearer(managerToken)).send(body)).status).toBe(403);
      const res = await t.http.post(`/api/v1/providers/${siretC}/exemptions`).set(bearer(adminToken)).send(body);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ siren: sirenC, legalSource: 'Code du travail L.6316-4 II' });
      const answer = await check(siretC, 'TRAINING');
      expect(answer).toMatchObject({ certification: { status: 'EXEMPT', exemptionId: res.body.id } });
      expect(answer.exemptions).toHaveLength(1);
      expect(await check(siretC, 'APPRENTICESHIP')).toMatchObject({ certification: { status: 'NOT_CERTIFIED' } });
      const grace = await t.http
        .post(`/api/v1/providers/${siretC}/exemptions`)
        .set(bearer(adminToken))
        .send({ kind: 'NEW_CFA_GRACE', categories: ['APPRENTICESHIP'], validFrom: '2025-01-15' });
      expect(grace.body).toMatchObject({ validUntil: '2025-07-14', legalSource: 'Code du travail R.6316-9' });
      expect(await check(siretC, 'APPRENTICESHIP', '2025-03-01')).toMatchObject({ certification: { status: 'EXEMPT' } });
      const [audit] = await t.db.superQuery(`SELECT 1 FROM audit_events WHERE action = 'providers.exemption.create' AND entity_id = $1`, [res.body.id]);
      expect(audit).toBeDefined();
    });

    it("records a manager's hand entry as its own note: the NDA is required when the SIRET holds several; validUntil expires it", async () => {
      const body = { certified: true, certifier: 'AFNOR Certification', validUntil: '2099-12-31' };
      expect((await t.http.put(`/api/v1/providers/${siretA}/certifications/VAE`).set(bearer(officerToken)).send(body)).status).toBe(403);
      const ambiguous = await t.http.put(`/api/v1/providers/${siretA}/certifications/VAE`).set(bearer(managerToken)).send(body);
      expect(ambiguous.status).toBe(422);
      expect(ambiguous.body.code).toBe('PROVIDER.NDA_REQUIRED');
      const before = await check(siretA, 'VAE');
      const ok = await t.http.put(`/api/v1/providers/${siretA}/certifications/VAE`).set(bearer(managerToken)).send({ ...body, nda: '11990000002' });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ observation: { nda: '11990000002', source: 'OWN_NOTE', ownNote: true, certifier: 'AFNOR Certification' }, ownNote: { status: 'CERTIFIED' } });
      // The shared state is unchanged; the funder's own views show its note beside it.
      const after = await check(siretA, 'VAE');
      expect(after.certification.status).toBe(before.certification.status);
      expect(after.certification.ownNote).toMatchObject({ status: 'CERTIFIED', note: { nda: '11990000002', ownNote: true } });
      const expiring = await t.http
        .put(`/api/v1/providers/${siretB}/certifications/VAE`)
        .set(bearer(managerToken))
        .send({ certified: true, certifier: 'Bureau Veritas', observedOn: '2024-01-01', validUntil: '2024-12-31' });
      expect(expiring.status).toBe(200);
      expect((await check(siretB, 'VAE', '2024-06-01')).certification.ownNote).toMatchObject({ status: 'CERTIFIED' });
      expect((await check(siretB, 'VAE', '2025-06-01')).certification.ownNote).toMatchObject({ status: 'NOT_CERTIFIED', flags: ['EXPIRED'] });
    });

    it('FULL mode delists providers absent from the file, and a flag turning false records an observation', async () => {
      const rowsV2 = rowsV1
        .filter((r) => r.nda !== '11990000004')
        .map((r) => (r.nda === '11990000003' ? { ...r, flags: ['false', 'true', '', 'false'] as Row['flags'] } : r));
      const counts = (await upload(writeList('v2.csv', rowsV2), 'FULL')).counts;
      expect(counts).toMatchObject({ accepted: 3, inserted: 0, updated: 0, observations: 1 });
      expect(counts.delisted).toBeGreaterThanOrEqual(1);
      const c = await t.http.get(`/api/v1/providers/${siretC}`).set(bearer(officerToken));
      expect(c.body.ndas[0]).toMatchObject({ listed: false });
      expect(c.body.ndas[0].delistedAt).not.toBeNull();
      const b = await check(siretB, 'TRAINING');
      expect(b).toMatchObject({ certification: { status: 'NOT_CERTIFIED', observation: { certified: false, source: 'PUBLIC_LIST' } } });
      const observations = await t.db.superQuery(`SELECT certified FROM certification_observations WHERE nda = '11990000003' AND category = 'TRAINING' ORDER BY id`);
      expect(observations).toEqual([{ certified: true }, { certified: false }]);
      expect(await check(siretC, 'TRAINING')).toMatchObject({ activity: { listed: false } });
      // DELTA: the same provider back in a file is listed again.
      const back = (await upload(writeList('v3.csv', rowsV1.filter((r) => r.nda === '11990000004')), 'DELTA')).counts;
      expect(back).toMatchObject({ updated: 1, delisted: 0 });
    });
  });
});
