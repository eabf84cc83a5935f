import { Workbook } from 'exceljs';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login, orgId } from '../support/fixtures';
import { newSiren, siretOf } from '../support/actions-fixtures';

/**
 * Price references and group anomalies on hand-computed fixtures (docs/pricing.md). Every action
 * is TRAINING with 10 hours and 1 trainee, so its unit price is price / 10 EUR per hour.
 */
describe('price adequacy: references, anomalies, review', () => {
  let t: TestApp;
  let atlas: string, cdc: string, ft: string;
  let manager: TestUser, otherManager: TestUser;
  let managerToken: string, otherToken: string;
  let seq = 0;

  async function action(funder: string, provider: string, unit: number, o: { code?: string; modality?: string; year?: number; trainees?: number | null } = {}): Promise<string> {
    const [row] = await t.db.superQuery<{ id: string }>(
      `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, category, certification_code, modality, region,
              start_date, end_date, hours_per_trainee, trainees, price_excl_vat, amount_funded)
       VALUES ($1, $2, $3, 'TRAINING', $4, $5, '84', $6, $6, 10, $7, $8, $8) RETURNING id`,
      [funder, `P-${seq++}`, provider, o.code ?? 'RNCP111', o.modality ?? 'ON_SITE', `${o.year ?? 2025}-03-01`, o.trainees === undefined ? 1 : o.trainees, unit * 10],
    );
    return row.id;
  }
  const providers = Array.from({ length: 5 }, () => siretOf(newSiren()));

  async function recompute(): Promise<Record<string, number>> {
    const res = await t.http.post('/api/v1/price-references/recompute').set('authorization', `Bearer ${managerToken}`);
    expect(res.status).toBe(202);
    await t.drain(60_000);
    const job = await t.http.get(`/api/v1/jobs/${res.body.jobId}`).set('authorization', `Bearer ${managerToken}`);
    expect(job.body.state).toBe('completed');
    return job.body.result;
  }
  const get = (path: string, token = managerToken) => t.http.get(`/api/v1${path}`).set('authorization', `Bearer ${token}`);

  let outlier: string;
  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    [atlas, cdc, ft] = await Promise.all([orgId(t.db, 'OPCO-ATLAS'), orgId(t.db, 'CDC'), orgId(t.db, 'FRANCE-TRAVAIL')]);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    otherManager = await createUser(t.db, 'CDC', ['manager']);
    managerToken = await login(t.http, manager);
    otherToken = await login(t.http, otherManager);
    // RNCP111: 8 actions, 3 funders, 4 providers (the largest holds 3 of 8), units 20..26 and 100.
    const funders = [atlas, cdc, ft, atlas, cdc, ft, atlas, cdc];
    const byProvider = [0, 0, 0, 1, 1, 2, 2, 3];
    const units = [20, 21, 22, 23, 24, 25, 26];
    for (let i = 0; i < 7; i++) await action(funders[i], providers[byProvider[i]], units[i]);
    outlier = await action(atlas, providers[3], 100);
    // RNCP222: only 7 actions (3 funders, 4 providers): never usable.
    for (let i = 0; i < 7; i++) await action(funders[i], providers[byProvider[i]], 20 + i, { code: 'RNCP222' });
    // RNCP333: 8 actions but only 2 funders.
    for (let i = 0; i < 8; i++) await action(i % 2 ? atlas : cdc, providers[byProvider[i]], 20 + i, { code: 'RNCP333' });
    // RNCP444: 8 actions, 3 funders, 3 providers, but one provider holds 5 of 8 (62.5%).
    for (let i = 0; i < 8; i++) await action(funders[i], providers[i < 5 ? 0 : i - 4], 20 + i, { code: 'RNCP444' });
    // RNCP555: all-equal prices (8 at 20 EUR) and one at 21 EUR: the IQR floor keeps 21 unflagged.
    for (let i = 0; i < 8; i++) await action(funders[i], providers[byProvider[i]], 20, { code: 'RNCP555' });
    await action(ft, providers[4], 21, { code: 'RNCP555' });
    // Not computable: no trainees.
    await action(atlas, providers[0], 20, { code: 'RNCP111', modality: 'REMOTE', trainees: null });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('publishes only usable groups, with statistics computed as by hand', async () => {
    const result = await recompute();
    expect(result).toMatchObject({ flagged: 1, reopened: 0 });
    const res = await get('/price-references?level=1&limit=500');
    expect(res.status).toBe(200);
    const codes = res.body.items.map((r: { certificationCode: string }) => r.certificationCode).sort();
    expect(codes).toEqual(['RNCP111', 'RNCP555']);
    const ref = res.body.items.find((r: { certificationCode: string }) => r.certificationCode === 'RNCP111');
    expect(ref).toMatchObject({ level: 1, category: 'TRAINING', modality: 'ON_SITE', region: '84', year: 2025, n: 8, providers: 4, funders: 3 });
    // percentile_cont over 20..26, 100: Q1 at position 1.75 = 21.75, median 23.5, Q3 at 5.25 = 25.25.
    expect(ref.unit).toMatchObject({ q1: 21.75, median: 23.5, q3: 25.25 });
    // Level 2 (certification + modality + year) holds the same 8 usable; 222, 333, 444 never appear anywhere.
    const all = await get('/price-references?limit=500');
    const everyCode = new Set(all.body.items.map((r: { certificationCode: string | null }) => r.certificationCode));
    for (const hidden of ['RNCP222', 'RNCP333', 'RNCP444']) expect(everyCode.has(hidden)).toBe(false);
  });

  it('flags the extreme price for its own funder only, with frozen evidence from the narrowest usable group', async () => {
    const mine = await get('/anomalies');
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(1);
    const anomaly = mine.body.items[0];
    expect(anomaly).toMatchObject({ kind: 'PRICE_EXTREME', status: 'OPEN', actionId: outlier, certificationCode: 'RNCP111', year: 2025 });
    // ln Q1 = 3.0794, ln Q3 = 3.2287, IQR 0.1493: high fence exp(3.4527) = 31.59, extreme exp(3.6766) = 39.52.
    expect(anomaly.evidence).toMatchObject({ level: 1, n: 8, providers: 4, funders: 3, value: 100, percentRank: 1 });
    expect(anomaly.evidence.fences.high).toBeCloseTo(31.59, 1);
    expect(anomaly.evidence.fences.extreme).toBeCloseTo(39.52, 1);
    expect(anomaly.evidence.snapshot.runId).toEqual(expect.any(String));
    // The other funder has no anomaly and cannot read this one.
    expect((await get('/anomalies', otherToken)).body.items).toHaveLength(0);
    expect((await get(`/anomalies/${anomaly.id}`, otherToken)).status).toBe(404);
  });

  it("counts the caller's own active anomalies in the funding check, single and bulk, never another funder's", async () => {
    const single = await get(`/providers/${providers[3]}/funding-check?category=TRAINING`);
    expect(single.status).toBe(200);
    expect(single.body.controls.priceAnomalies).toEqual({ open: 1, confirmed: 0 });
    // CDC funds the same provider but has no anomaly there; Atlas's does not leak into its answer.
    const theirs = await get(`/providers/${providers[3]}/funding-check?category=TRAINING`, otherToken);
    expect(theirs.body.controls.priceAnomalies).toEqual({ open: 0, confirmed: 0 });
    const csv = await t.http
      .post('/api/v1/funding-checks')
      .set({ authorization: `Bearer ${managerToken}`, accept: 'text/csv' })
      .send({ items: [{ siret: providers[3], category: 'TRAINING' }] });
    const [header, line] = csv.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n').map((l) => l.split(';'));
    expect(line[header.indexOf('open_price_anomalies')]).toBe('1');
    expect(line[header.indexOf('confirmed_price_anomalies')]).toBe('0');
  });

  it("places the caller's own actions with a provider in their narrowest usable group, and only its own", async () => {
    const mine = await get(`/providers/${providers[3]}/price-position`);
    expect(mine.status).toBe(200);
    const byCode = Object.fromEntries(mine.body.items.map((i: { certificationCode: string }) => [i.certificationCode, i]));
    expect(Object.keys(byCode).sort()).toEqual(['RNCP111', 'RNCP333']);
    expect(byCode.RNCP111).toMatchObject({ actionId: outlier, unitPrice: 100, position: 'ABOVE_EXTREME_FENCE', group: { level: 1, n: 8, q1: 21.75, median: 23.5, q3: 25.25 } });
    expect(byCode.RNCP111.group.fences.extreme).toBeCloseTo(39.52, 1);
    expect(byCode.RNCP333).toMatchObject({ position: 'NO_USABLE_GROUP', group: null });
    // CDC sees its own two actions there, never Atlas's.
    const theirs = await get(`/providers/${providers[3]}/price-position`, otherToken);
    const positions = Object.fromEntries(theirs.body.items.map((i: { certificationCode: string; position: string }) => [i.certificationCode, i.position]));
    expect(positions).toEqual({ RNCP444: 'NO_USABLE_GROUP', RNCP555: 'MEDIAN_TO_Q3' });
  });

  it('exports the list as CSV and XLSX with French headers and labels', async () => {
    const csv = await get('/anomalies?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/anomalies-de-prix\.csv/);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^Identifiant;Type;Statut;Toujours signalée;Action financée;SIRET/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(';Prix très élevé;Ouverte;oui;');
    const xlsx = await get('/anomalies?format=xlsx').buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(xlsx.status).toBe(200);
    const workbook = new Workbook();
    await workbook.xlsx.load(new Uint8Array(xlsx.body as Buffer).buffer as ArrayBuffer);
    const sheet = workbook.getWorksheet('Anomalies de prix')!;
    expect(sheet.getRow(1).getCell(2).value).toBe('Type');
    expect(sheet.getRow(2).getCell(2).value).toBe('Prix très élevé');
    expect(sheet.rowCount).toBe(2);
  });

  it('reports the test coverage of the run: tested, flagged, not computable, without a usable group', async () => {
    const res = await get('/anomalies/coverage');
    expect(res.status).toBe(200);
    const extreme = res.body.kinds.find((k: { kind: string }) => k.kind === 'PRICE_EXTREME');
    // Tested: RNCP111 (8) and RNCP555 (9); without a usable group: 222 (7), 333 (8), 444 (8).
    expect(extreme).toMatchObject({ tested: 17, flagged: 1, notComputable: 1, withoutUsableGroup: 23, suspect: false });
  });

  it('takes a justification on one of the four grounds; a second run does not reopen it, a material change does', async () => {
    const [anomaly] = (await get('/anomalies')).body.items;
    const review = (body: object, token = managerToken) =>
      t.http.post(`/api/v1/anomalies/${anomaly.id}/review`).set('authorization', `Bearer ${token}`).send(body);
    expect((await review({ status: 'JUSTIFIED', ground: 'INNOVATION', comment: 'x' })).body.code).toBe('ANOMALY.INVALID_TRANSITION');
    expect((await review({ status: 'UNDER_REVIEW' })).status).toBe(200);
    const missing = await review({ status: 'JUSTIFIED', comment: 'Plateau technique unique en région.' });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ code: 'ANOMALY.GROUND_REQUIRED', errors: [{ field: 'ground' }] });
    const justified = await review({ status: 'JUSTIFIED', ground: 'INNOVATION', comment: 'Plateau technique unique en région.' });
    expect(justified.status).toBe(200);
    expect(justified.body).toMatchObject({ status: 'JUSTIFIED', review: { ground: 'INNOVATION' } });

    const again = await recompute();
    expect(again).toMatchObject({ flagged: 1, reopened: 0 });
    const kept = await get(`/anomalies/${anomaly.id}`);
    expect(kept.body).toMatchObject({ status: 'JUSTIFIED', evidence: anomaly.evidence });
    expect(kept.body.history.map((e: { event: string }) => e.event)).toEqual(['FLAGGED', 'REVIEWED', 'REVIEWED']);

    await t.db.superQuery(`UPDATE funded_actions SET price_excl_vat = 2000, updated_at = now() WHERE id = $1`, [outlier]);
    const changed = await recompute();
    expect(changed).toMatchObject({ reopened: 1 });
    const reopened = await get(`/anomalies/${anomaly.id}`);
    expect(reopened.body).toMatchObject({ status: 'OPEN', changeNote: expect.stringContaining('ACTION_DATA') });
    expect(reopened.body.evidence.value).toBe(200);
    expect(reopened.body.history.map((e: { event: string }) => e.event)).toEqual(['FLAGGED', 'REVIEWED', 'REVIEWED', 'REOPENED']);
  });

  it('keeps the anomalies untouched when a run changes nothing (idempotent)', async () => {
    const before = await t.db.superQuery(`SELECT id, status, evidence, updated_at FROM price_anomalies ORDER BY id`);
    const events = await t.db.superQuery(`SELECT count(*)::int AS n FROM price_anomaly_events`);
    await recompute();
    expect(await t.db.superQuery(`SELECT id, status, evidence, updated_at FROM price_anomalies ORDER BY id`)).toEqual(before);
    expect(await t.db.superQuery(`SELECT count(*)::int AS n FROM price_anomaly_events`)).toEqual(events);
  });

  it('refuses review and recompute to officers, and everything to callers without a role here', async () => {
    const officer = await login(t.http, await createUser(t.db, 'OPCO-ATLAS', ['officer']));
    expect((await t.http.post('/api/v1/price-references/recompute').set('authorization', `Bearer ${officer}`)).status).toBe(403);
    expect((await get('/price-references', officer)).status).toBe(200);
    expect((await t.http.get('/api/v1/anomalies')).status).toBe(401);
  });
});
