import { ACTION_CSV_COLUMNS } from '@bo/registry';
import { ActionsCsvGenerator } from '@bo/testing';
import { JobOutbox } from '@bo/queue';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';
import { actionBody, insertExemption, insertProvider, newSiren, observe, siretOf } from '../support/actions-fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('funded actions', () => {
  let t: TestApp;
  let officer: TestUser;
  let manager: TestUser;
  let cdcOfficer: TestUser;
  let ministry: TestUser;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    cdcOfficer = await createUser(t.db, 'CDC', ['officer']);
    ministry = await createUser(t.db, 'SRC-84', ['ministry']);
    token = await login(t.http, officer);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function upload(csv: string | Buffer, auth: Record<string, string> = bearer(token)) {
    return t.http.post('/api/v1/actions/imports').set(auth).attach('file', Buffer.from(csv), 'actions.csv');
  }

  async function importAndWait(csv: string | Buffer, auth: Record<string, string> = bearer(token)) {
    const res = await upload(csv, auth);
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/api/v1/imports/${res.body.id}`);
    await t.drain(60_000);
    const status = await t.http.get(res.headers.location).set(auth);
    expect(status.status).toBe(200);
    return status.body as {
      status: string;
      counts: Record<string, number>;
      errors: { line: number; field: string; reason: string }[];
      error: string | null;
      rejectedLineCount: number;
      fieldErrorCount: number;
    };
  }

  describe('import', () => {
    const generator = new ActionsCsvGenerator({
      rows: 300,
      seed: 'actions-e2e',
      badRows: { INVALID_SIRET: 3, NEGATIVE_HOURS: 2, UNKNOWN_CATEGORY: 2, DUPLICATE_EXTERNAL_REF: 2, WRONG_DATE_FORMAT: 3 },
    });
    const csv = [...generator.lines()].join('');

    it('imports the good rows and reports each bad row with its line and reason', async () => {
      const result = await importAndWait(csv);
      expect(result.error).toBeNull();
      expect(result.status).toBe('SUCCEEDED');
      const badLines = generator.badRows.map((b) => b.line).sort((a, b) => a - b);
      expect([...new Set(result.errors.map((e) => e.line))]).toEqual(badLines);
      expect(result.counts).toMatchObject({ rows: 300, rejected: badLines.length, accepted: 300 - badLines.length, inserted: 300 - badLines.length });
      // Rejected lines and field errors, both given and named so (a line may have several bad fields).
      expect(result.rejectedLineCount).toBe(badLines.length);
      expect(result.fieldErrorCount).toBe(result.errors.length);
      expect(result.fieldErrorCount).toBeGreaterThanOrEqual(result.rejectedLineCount);
      for (const bad of generator.badRows) {
        const reasons = result.errors.filter((e) => e.line === bad.line).map((e) => e.reason).join(' | ');
        const expected = {
          INVALID_SIRET: /providerSiret/,
          NEGATIVE_HOURS: /hoursPerTrainee must be >= 0/,
          UNKNOWN_CATEGORY: /category ".*" is not one of/,
          DUPLICATE_EXTERNAL_REF: /repeats the one on line \d+/,
          WRONG_DATE_FORMAT: /must be YYYY-MM-DD/,
          MISSING_REQUIRED_VALUE: /is empty/,
        }[bad.kind];
        expect({ line: bad.line, reasons }).toEqual({ line: bad.line, reasons: expect.stringMatching(expected) });
      }
      const [{ n }] = await t.db.superQuery<{ n: string }>(`SELECT count(*) AS n FROM funded_actions`);
      expect(Number(n)).toBe(300 - badLines.length);
      const audit = await t.db.superQuery<{ details: { counts: Record<string, number>; fileSha256: string } }>(
        `SELECT details FROM audit_events WHERE action = 'actions.imported'`,
      );
      expect(audit).toHaveLength(1);
      expect(audit[0].details.counts.inserted).toBe(300 - badLines.length);
      // Prices changed: one price recompute waits for the end of the 15-minute debounce window.
      const recomputes = await t.db.superQuery<{ available_at: Date }>(
        `SELECT available_at FROM job_outbox WHERE job_name = 'pricing.recompute' AND state = 'PENDING' AND available_at > now()`,
      );
      expect(recomputes).toHaveLength(1);
      expect(recomputes[0].available_at.getTime() % (15 * 60_000)).toBe(0);
      expect(recomputes[0].available_at.getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    });

    it('changes nothing when the same file is imported again', async () => {
      const before = await t.db.superQuery(`SELECT id, version, updated_at FROM funded_actions ORDER BY id`);
      const result = await importAndWait(csv);
      expect(result.status).toBe('SUCCEEDED');
      expect(result.counts).toMatchObject({ inserted: 0, updated: 0, unchanged: result.counts.accepted });
      const after = await t.db.superQuery(`SELECT id, version, updated_at FROM funded_actions ORDER BY id`);
      expect(after).toEqual(before);
      // Nothing changed: no further recompute asked for (at most the first import's, coalesced).
      const [{ n }] = await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM job_outbox WHERE job_name = 'pricing.recompute' AND available_at > now()`);
      expect(n).toBeLessThanOrEqual(1);
    });

    it('refuses a file whose header misses a column, whole and at once', async () => {
      const columns = ACTION_CSV_COLUMNS.filter((c) => c !== 'modality');
      const [{ n: importsBefore }] = await t.db.superQuery<{ n: string }>(`SELECT count(*) AS n FROM imports`);
      const res = await upload(`${columns.join(',')}\nX-1,${'1,'.repeat(columns.length - 2)}1\n`);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('IMPORT.HEADER_INVALID');
      expect(res.body.detail).toMatch(/missing column: modality/);
      const [{ n: importsAfter }] = await t.db.superQuery<{ n: string }>(`SELECT count(*) AS n FROM imports`);
      expect(importsAfter).toBe(importsBefore);
    });

    it('recognises the unchanged lines of a re-sent file, updates the changed one, and still reports a repeated line', async () => {
      const small = new ActionsCsvGenerator({ rows: 4, seed: 'resent', refPrefix: 'RESENT' });
      const [header, ...lines] = [...small.lines()];
      const columns = header.trim().split(',');
      const cellsOf = (line: string) => line.replace(/\r?\n$/, '').split(',');
      const first = await importAndWait([header, ...lines].join(''));
      expect(first.counts).toMatchObject({ accepted: 4, inserted: 4 });
      const stored = async () =>
        t.db.superQuery<{ external_ref: string; version: number; updated_at: Date; import_id: string; source_line_digest: string; amount_funded: string }>(
          `SELECT external_ref, version, updated_at, import_id, source_line_digest, amount_funded::text FROM funded_actions WHERE external_ref LIKE 'RESENT%' ORDER BY external_ref`,
        );
      const before = await stored();

      // Line 1: the same values written with spaces around the SIRET; line 2: a new amount;
      // lines 3 and 4 unchanged, and line 4 sent twice (its copy must be reported, never skipped).
      const spaced = cellsOf(lines[0]);
      spaced[columns.indexOf('providerSiret')] = ` ${spaced[columns.indexOf('providerSiret')]} `;
      const changed = cellsOf(lines[1]);
      changed[columns.indexOf('amountFunded')] = '1234.56';
      const again = await importAndWait([header, `${spaced.join(',')}\n`, `${changed.join(',')}\n`, lines[2], lines[3], lines[3]].join(''));
      expect(again.counts).toMatchObject({ rows: 5, accepted: 4, rejected: 1, inserted: 0, updated: 1, unchanged: 3 });
      expect(again.errors).toEqual([expect.objectContaining({ line: 6, field: 'externalRef', reason: expect.stringMatching(/repeats the one on line 5/) })]);
      const after = await stored();
      const ref = (rows: typeof before, i: number) => rows.find((r) => r.external_ref === cellsOf(lines[i])[columns.indexOf('externalRef')])!;
      // Same values, written differently: same version, date and import; its new line digest kept.
      expect(ref(after, 0)).toMatchObject({ version: ref(before, 0).version, updated_at: ref(before, 0).updated_at, import_id: ref(before, 0).import_id });
      expect(ref(after, 0).source_line_digest).not.toBe(ref(before, 0).source_line_digest);
      // Changed: one more version, the new amount.
      expect(ref(after, 1)).toMatchObject({ version: ref(before, 1).version + 1, amount_funded: '1234.56' });
      expect([ref(after, 2), ref(after, 3)]).toEqual([ref(before, 2), ref(before, 3)]);

      // The same file a third time: every line recognised, nothing written.
      const third = await importAndWait([header, `${spaced.join(',')}\n`, `${changed.join(',')}\n`, lines[2], lines[3]].join(''));
      expect(third.counts).toMatchObject({ rows: 4, accepted: 4, inserted: 0, updated: 0, unchanged: 4, coverageChanged: 0 });
      // ...and recognised before any parsing (the second import: only line 3, as line 4 was repeated).
      expect([again, third].map((i) => (i as unknown as { progress: { recognisedLines: number } }).progress.recognisedLines)).toEqual([1, 4]);
      expect(await stored()).toEqual(after);
    });

    it('marks, once per import, exactly the price scopes the triggers of migration 0034 would mark', async () => {
      type Scope = { scope: string; category: string; year: number; code: string };
      const org = officer.organisationId;
      const marks = () => t.db.superQuery<Scope>(`SELECT DISTINCT scope, category, year, code FROM price_dirty_scopes ORDER BY 1, 2, 3, 4`);
      const snapshot = async (table: string) => {
        await t.db.superQuery(`DROP TABLE IF EXISTS ${table}`);
        await t.db.superQuery(`CREATE TABLE ${table} AS SELECT * FROM funded_actions WHERE organisation_id = $1`, [org]);
      };
      /**
       * What the statement triggers mark for the change from \`before\` to the funder's actions now:
       * the state before restored without firing any trigger, then the same change written through
       * them as a plain UPDATE of the rows that existed and an INSERT of the new ones (rolled back).
       */
      async function triggerMarks(before: string): Promise<Scope[]> {
        const [{ columns }] = await t.db.superQuery<{ columns: string[] }>(
          `SELECT array_agg(quote_ident(column_name::text) ORDER BY ordinal_position) AS columns FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = 'funded_actions' AND column_name <> 'id'`,
        );
        await t.db.superQuery('BEGIN');
        try {
          await t.db.superQuery(`CREATE TEMP TABLE after_import ON COMMIT DROP AS SELECT * FROM funded_actions WHERE organisation_id = $1`, [org]);
          await t.db.superQuery(`SET LOCAL session_replication_role = replica`);
          await t.db.superQuery(`DELETE FROM funded_actions WHERE organisation_id = $1`, [org]);
          await t.db.superQuery(`INSERT INTO funded_actions SELECT * FROM ${before}`);
          await t.db.superQuery(`DELETE FROM price_dirty_scopes`);
          await t.db.superQuery(`SET LOCAL session_replication_role = origin`);
          await t.db.superQuery(
            `UPDATE funded_actions f SET (${columns.join(', ')}) = ROW(${columns.map((c) => `a.${c}`).join(', ')}) FROM after_import a WHERE a.id = f.id`,
          );
          await t.db.superQuery(`INSERT INTO funded_actions SELECT * FROM after_import a WHERE a.id NOT IN (SELECT id FROM ${before})`);
          return await marks();
        } finally {
          await t.db.superQuery('ROLLBACK');
        }
      }
      async function importMarks(csv: string, before: string) {
        await t.db.superQuery(`DELETE FROM price_dirty_scopes`);
        await snapshot(before);
        const result = await importAndWait(csv);
        return { result, marked: await marks(), expected: await triggerMarks(before) };
      }

      const file = new ActionsCsvGenerator({ rows: 12, seed: 'price-scopes', refPrefix: 'SCOPES' });
      const [header, ...lines] = [...file.lines()];
      const columns = header.trim().split(',');
      const at = (name: string) => columns.indexOf(name);
      const cells = lines.map((line) => line.replace(/\r?\n$/, '').split(','));
      const first = await importMarks([header, ...lines].join(''), 'scopes_before_first');
      expect(first.result.counts).toMatchObject({ inserted: 12 });
      expect(first.marked.length).toBeGreaterThan(0);
      expect(first.marked).toEqual(first.expected);

      // One action moves to another certification (the scope it left must be marked), one changes
      // price, one only its amount (no price depends on it), one is written with spaces around its
      // SIRET (same values); two are new and the others unchanged.
      const moved = cells.findIndex((c) => c[at('certificationCode')] !== '');
      const repriced = cells.findIndex((c, i) => i !== moved && c[at('priceExclVat')] !== '');
      const [amountOnly, spaced] = cells.map((_, i) => i).filter((i) => i !== moved && i !== repriced);
      const second = cells.map((c) => [...c]);
      second[moved][at('certificationCode')] = 'RNCP99901';
      second[repriced][at('priceExclVat')] = '777.77';
      second[amountOnly][at('amountFunded')] = '4321.09';
      second[spaced][at('providerSiret')] = ` ${second[spaced][at('providerSiret')]} `;
      const added = [...new ActionsCsvGenerator({ rows: 2, seed: 'price-scopes-new', refPrefix: 'SCOPES-NEW' }).lines()].slice(1);
      const again = await importMarks([header, ...second.map((c) => `${c.join(',')}\n`), ...added].join(''), 'scopes_before_second');
      expect(again.result.counts).toMatchObject({ inserted: 2, updated: 3 });
      expect(again.marked).toEqual(again.expected);
      const year = (c: string[]) => Number(c[at('startDate')].slice(0, 4));
      expect(again.marked).toContainEqual({ scope: 'CERTIFICATION', category: cells[moved][at('category')], year: year(cells[moved]), code: cells[moved][at('certificationCode')] });
      expect(again.marked).toContainEqual({ scope: 'CERTIFICATION', category: cells[moved][at('category')], year: year(cells[moved]), code: 'RNCP99901' });

      // The same file again changes nothing and marks nothing.
      const third = await importMarks([header, ...second.map((c) => `${c.join(',')}\n`), ...added].join(''), 'scopes_before_third');
      expect(third.result.counts).toMatchObject({ inserted: 0, updated: 0 });
      expect(third.marked).toEqual([]);
      expect(third.expected).toEqual([]);
      await t.db.superQuery(`DROP TABLE scopes_before_first, scopes_before_second, scopes_before_third`);
    });

    it('reads identifiers written the way a French spreadsheet shows them (no-break spaces, dots, tabs)', async () => {
      const plain = new ActionsCsvGenerator({ rows: 2, seed: 'spaced', refPrefix: 'SPACED' });
      const [header, ...rows] = [...plain.lines()];
      const columns = header.trim().split(',');
      const at = (name: string) => columns.indexOf(name);
      const spaced = rows.map((line) => {
        const cells = line.replace(/\r?\n$/, '').split(',');
        const siret = cells[at('providerSiret')];
        // 123 456 789 00012 with a narrow no-break space (U+202F), a no-break space (U+00A0) and a tab.
        cells[at('providerSiret')] = `${siret.slice(0, 3)}\u202f${siret.slice(3, 6)}\u00a0${siret.slice(6, 9)}.${siret.slice(9)}\t`;
        if (cells[at('formacode')]) cells[at('formacode')] = `${cells[at('formacode')].slice(0, 2)}\u00a0${cells[at('formacode')].slice(2)}`;
        return { siret, cells };
      });
      const result = await importAndWait([header, ...spaced.map((r) => `${r.cells.join(',')}\n`)].join(''));
      expect(result).toMatchObject({ status: 'SUCCEEDED', counts: { accepted: 2, rejected: 0 } });
      const stored = await t.db.superQuery<{ provider_siret: string }>(
        `SELECT provider_siret FROM funded_actions WHERE external_ref LIKE 'SPACED%' ORDER BY external_ref`,
      );
      expect(stored.map((r) => r.provider_siret).sort()).toEqual(spaced.map((r) => r.siret).sort());
    });

    it('leaves no work table behind, whether the import succeeds or fails', async () => {
      const workTables = async () =>
        (await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'import_work'`))[0].n;
      const small = new ActionsCsvGenerator({ rows: 3, seed: 'work', refPrefix: 'WORK' });
      const [header, ...lines] = [...small.lines()];
      expect(await importAndWait([header, ...lines].join(''))).toMatchObject({ status: 'SUCCEEDED', counts: { accepted: 3 } });
      expect(await workTables()).toBe(0);
      // Bytes that are not UTF-8: COPY fails once the work tables exist, and the import fails whole.
      const broken = Buffer.concat([Buffer.from(header), Buffer.from('WORK-BROKEN-'), Buffer.from([0xff, 0xfe]), Buffer.from(lines[0].slice(lines[0].indexOf(',')))]);
      const failed = await importAndWait(broken);
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toMatch(/UTF8/);
      expect(await workTables()).toBe(0);
      const [{ n }] = await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM funded_actions WHERE external_ref LIKE 'WORK-BROKEN%'`);
      expect(n).toBe(0);
    });

    it('lets an API key with actions:write import', async () => {
      const admin = await createUser(t.db, 'OPCO-ATLAS', ['admin', 'manager']);
      const key = await t.http.post('/api/v1/api-keys').set(bearer(await login(t.http, admin))).send({ label: 'SI', scopes: ['actions:write'] });
      expect(key.status).toBe(201);
      const small = new ActionsCsvGenerator({ rows: 5, seed: 'api-key', refPrefix: 'KEY' });
      const result = await importAndWait([...small.lines()].join(''), { 'x-api-key': key.body.key });
      expect(result).toMatchObject({ status: 'SUCCEEDED', counts: { inserted: 5 } });
      const readOnly = await t.http.post('/api/v1/api-keys').set(bearer(await login(t.http, admin))).send({ label: 'RO', scopes: ['actions:read'] });
      const refused = await upload([...small.lines()].join(''), { 'x-api-key': readOnly.body.key });
      expect(refused.status).toBe(403);
    });
  });

  describe('crud and tenancy', () => {
    it('creates, upserts on externalRef, patches with If-Match, and hides it from another funder', async () => {
      const body = actionBody();
      const created = await t.http.post('/api/v1/actions').set(bearer(token)).send(body);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ externalRef: body.externalRef, amountFunded: 2000, coverage: 'UNKNOWN', version: 1 });
      const again = await t.http.post('/api/v1/actions').set(bearer(token)).send({ ...body, amountFunded: 1500 });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: created.body.id, amountFunded: 1500, version: 2 });

      const stale = await t.http.patch(`/api/v1/actions/${created.body.id}`).set(bearer(token)).set('if-match', created.headers.etag).send({ trainees: 3 });
      expect(stale.status).toBe(412);
      const patched = await t.http.patch(`/api/v1/actions/${created.body.id}`).set(bearer(token)).set('if-match', again.headers.etag).send({ trainees: 3 });
      expect(patched.status).toBe(200);
      expect(patched.body.trainees).toBe(3);

      const withOrg = await t.http.post('/api/v1/actions').set(bearer(token)).send({ ...actionBody(), organisationId: cdcOfficer.organisationId });
      expect(withOrg.status).toBe(400);

      const cdc = bearer(await login(t.http, cdcOfficer));
      expect((await t.http.get(`/api/v1/actions/${created.body.id}`).set(cdc)).status).toBe(404);
      expect((await t.http.patch(`/api/v1/actions/${created.body.id}`).set(cdc).send({ trainees: 1 })).status).toBe(404);
      const cdcList = await t.http.get('/api/v1/actions').set(cdc);
      expect(cdcList.body.items).toEqual([]);
    });

    it('refuses an invalid SIRET and filters and pages the list', async () => {
      const bad = await t.http.post('/api/v1/actions').set(bearer(token)).send(actionBody({ providerSiret: '12345678901234' }));
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe('ACTION.INVALID');
      const siret = siretOf(newSiren());
      for (let i = 0; i < 3; i++) await t.http.post('/api/v1/actions').set(bearer(token)).send(actionBody({ providerSiret: siret, externalRef: `PAGE-${i}` })).expect(201);
      const first = await t.http.get(`/api/v1/actions?providerSiret=${siret}&limit=2`).set(bearer(token));
      expect(first.body.items.map((a: { externalRef: string }) => a.externalRef)).toEqual(['PAGE-0', 'PAGE-1']);
      const second = await t.http.get(`/api/v1/actions?providerSiret=${siret}&limit=2&cursor=${first.body.nextCursor}`).set(bearer(token));
      expect(second.body.items.map((a: { externalRef: string }) => a.externalRef)).toEqual(['PAGE-2']);
      expect(second.body.nextCursor).toBeUndefined();
      const none = await t.http.get(`/api/v1/actions?providerSiret=${siret}&from=2026-01-01`).set(bearer(token));
      expect(none.body.items).toEqual([]);
    });

    it('sorts the list by amount or start date in both directions, pages in that order, and filters blocked payments', async () => {
      const siret = siretOf(newSiren());
      const rows = [
        { externalRef: 'SORT-A', amountFunded: 300, startDate: '2025-02-01' },
        { externalRef: 'SORT-B', amountFunded: 100, startDate: '2025-03-01' },
        { externalRef: 'SORT-C', amountFunded: 300, startDate: '2025-01-01' },
      ];
      for (const r of rows) await t.http.post('/api/v1/actions').set(bearer(token)).send(actionBody({ providerSiret: siret, ...r })).expect(201);
      const refs = (res: { body: { items: { externalRef: string }[] } }) => res.body.items.map((a) => a.externalRef);
      const desc1 = await t.http.get(`/api/v1/actions?providerSiret=${siret}&sort=-amountFunded&limit=2`).set(bearer(token));
      expect(refs(desc1)).toEqual(['SORT-C', 'SORT-A']);
      const desc2 = await t.http.get(`/api/v1/actions?providerSiret=${siret}&sort=-amountFunded&limit=2&cursor=${desc1.body.nextCursor}`).set(bearer(token));
      expect(refs(desc2)).toEqual(['SORT-B']);
      const byDate = await t.http.get(`/api/v1/actions?providerSiret=${siret}&sort=startDate`).set(bearer(token));
      expect(refs(byDate)).toEqual(['SORT-C', 'SORT-A', 'SORT-B']);
      expect(byDate.body.items[0].paymentBlocked).toBe(false);
      const blocked = await t.http.get(`/api/v1/actions?providerSiret=${siret}&paymentBlocked=true`).set(bearer(token));
      expect(blocked.body.items).toEqual([]);
      const unblocked = await t.http.get(`/api/v1/actions?providerSiret=${siret}&paymentBlocked=false`).set(bearer(token));
      expect(unblocked.body.items).toHaveLength(3);
      const bad = await t.http.get(`/api/v1/actions?sort=price`).set(bearer(token));
      expect(bad.status).toBe(400);
    });
  });

  describe('certification coverage', () => {
    const siren = newSiren();
    const siret = siretOf(siren, 1);
    let nda: string;

    beforeAll(async () => {
      nda = await insertProvider(t.db, { siret });
      await observe(t.db, { nda, certified: true, observedOn: '2024-01-10' });
      await observe(t.db, { nda, certified: false, observedOn: '2025-03-15' });
    });

    const create = async (overrides: Record<string, unknown>) => {
      const res = await t.http.post('/api/v1/actions').set(bearer(token)).send(actionBody(overrides));
      expect(res.status).toBe(201);
      return res.body as { id: string; coverage: string; coverageFlags: string[]; coverageNda: string | null };
    };

    it('flags an action funded after the provider lost its certification, not one funded before', async () => {
      expect(await create({ providerSiret: siret, fundingDecisionDate: '2025-04-01', startDate: '2025-04-10' })).toMatchObject({ coverage: 'NOT_CERTIFIED', coverageNda: nda });
      expect(await create({ providerSiret: siret, fundingDecisionDate: '2025-02-01', startDate: '2025-04-10' })).toMatchObject({ coverage: 'CERTIFIED', coverageNda: nda });
      // Without a decision date, the start date decides.
      expect(await create({ providerSiret: siret, fundingDecisionDate: null, startDate: '2025-03-01', endDate: null })).toMatchObject({
        coverage: 'CERTIFIED',
        coverageFlags: ['START_DATE_USED'],
      });
    });

    it('answers UNKNOWN before the first observation, and NOT_IN_REGISTRY for an unknown SIREN', async () => {
      expect(await create({ providerSiret: siret, fundingDecisionDate: '2023-06-01', startDate: '2023-07-01', endDate: null })).toMatchObject({ coverage: 'UNKNOWN', coverageFlags: [] });
      expect(await create({ providerSiret: siretOf(newSiren()) })).toMatchObject({ coverage: 'UNKNOWN', coverageFlags: ['NOT_IN_REGISTRY'] });
    });

    it('answers EXEMPT for a deemed-certified institution', async () => {
      const university = siretOf(newSiren());
      const uNda = await insertProvider(t.db, { siret: university });
      await observe(t.db, { nda: uNda, certified: false, observedOn: '2024-01-01' });
      await insertExemption(t.db, { siren: university.slice(0, 9), validFrom: '2022-01-01' });
      expect(await create({ providerSiret: university })).toMatchObject({ coverage: 'EXEMPT', coverageFlags: ['EXEMPTION_HIGHER_EDUCATION'] });
    });

    it('judges another site of a certified organisation through its SIREN', async () => {
      const otherSite = siretOf(siren, 42);
      expect(await create({ providerSiret: otherSite, fundingDecisionDate: '2025-01-15' })).toMatchObject({ coverage: 'CERTIFIED', coverageFlags: ['OTHER_SITE'] });
    });

    it('uses the NDA an action names', async () => {
      const second = await insertProvider(t.db, { siret });
      await observe(t.db, { nda: second, certified: true, observedOn: '2025-01-01' });
      // The SIRET holds a certified NDA now, but the action names the one that lost it.
      expect(await create({ providerSiret: siret, providerNda: nda, fundingDecisionDate: '2025-04-01' })).toMatchObject({ coverage: 'NOT_CERTIFIED' });
      expect(await create({ providerSiret: siret, fundingDecisionDate: '2025-04-01' })).toMatchObject({ coverage: 'CERTIFIED', coverageNda: second });
    });

    it('re-evaluates every action when asked after a registry change', async () => {
      const lapsed = await insertProvider(t.db, { siret: siretOf(newSiren()) });
      await observe(t.db, { nda: lapsed, certified: false, observedOn: '2024-01-01' });
      const [provider] = await t.db.superQuery<{ siret: string }>(`SELECT siret FROM providers WHERE nda = $1`, [lapsed]);
      const target = await create({ providerSiret: provider.siret, fundingDecisionDate: '2025-06-01' });
      expect(target.coverage).toBe('NOT_CERTIFIED');
      await observe(t.db, { nda: lapsed, certified: true, observedOn: '2025-05-01' });
      await t.app.get(JobOutbox).addNow('registry.coverage-recompute', { organisationId: null, requestedBy: null, reason: 'test' });
      await t.drain(30_000);
      const res = await t.http.get(`/api/v1/actions/${target.id}`).set(bearer(token));
      expect(res.body.coverage).toBe('CERTIFIED');
    });

    it('lists uncertified actions to the funder, and per-funder totals to control services', async () => {
      const uncertified = await create({ providerSiret: siret, providerNda: nda, fundingDecisionDate: '2025-04-01', amountFunded: 999 });
      const own = await t.http.get('/api/v1/coverage/uncertified').set(bearer(await login(t.http, manager)));
      expect(own.status).toBe(200);
      expect(own.body.scope).toBe('OWN_ACTIONS');
      expect(own.body.items.map((a: { id: string }) => a.id)).toContain(uncertified.id);
      expect(own.body.items.every((a: { coverage: string }) => a.coverage === 'NOT_CERTIFIED')).toBe(true);
      const cdc = await t.http.get('/api/v1/coverage/uncertified').set(bearer(await login(t.http, cdcOfficer)));
      expect(cdc.body.items).toEqual([]);
      const breakdown = await t.http.get('/api/v1/coverage/uncertified').set(bearer(await login(t.http, ministry)));
      expect(breakdown.status).toBe(200);
      expect(breakdown.body.scope).toBe('PER_FUNDER');
      expect(breakdown.body.funders).toEqual([
        expect.objectContaining({ organisationCode: 'OPCO-ATLAS', actions: own.body.items.length }),
      ]);
      expect(breakdown.body.funders[0]).not.toHaveProperty('items');
    });
  });
});
