import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';
import { TestProvider, createAction, createProvider } from '../support/registry-fixtures';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('frameworks and quality checks', () => {
  let t: TestApp;
  let officer: TestUser;
  let manager: TestUser;
  let auditor: TestUser;
  let officerB: TestUser;
  const tokens: Record<string, string> = {};
  let provider: TestProvider;

  const as = (user: TestUser) => bearer(tokens[user.id]);
  const newCheck = async (body: object, user: TestUser = officer) => {
    const res = await t.http.post('/api/v1/checks').set(as(user)).send({ method: 'DOCUMENTARY', providerSiret: provider.siret, ...body });
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    t = await createTestApp();
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    auditor = await createUser(t.db, 'OPCO-ATLAS', ['auditor']);
    officerB = await createUser(t.db, 'CDC', ['officer']);
    for (const u of [officer, manager, auditor, officerB]) tokens[u.id] = await login(t.http, u);
    provider = await createProvider(t.db);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('frameworks', () => {
    it('lists the built-in frameworks and versions a funder grid, invisible to other funders', async () => {
      const list = await t.http.get('/api/v1/frameworks').set(as(officer));
      expect(list.status).toBe(200);
      const codes = list.body.map((f: { code: string }) => f.code);
      expect(codes).toEqual(expect.arrayContaining(['RNQ', 'SERVICE-FAIT', 'ILLUSTRATIVE-GRID']));
      expect(list.body.find((f: { code: string }) => f.code === 'ILLUSTRATIVE-GRID').title).toMatch(/ILLUSTRATIVE/);

      const rnq = await t.http.get('/api/v1/frameworks/RNQ/versions/1').set(as(officer));
      expect(rnq.body.points).toHaveLength(32);
      expect(rnq.body.points.find((p: { code: string }) => p.code === '27').rules).toHaveProperty('appliesTo');

      const grid = { code: 'GRILLE-T', title: 'Grille test', points: [{ code: 'A1', title: 'Information' }, { code: 'A2', title: 'Moyens', majorOnly: true }] };
      const v1 = await t.http.post('/api/v1/frameworks').set(as(officer)).send(grid);
      expect(v1.status).toBe(201);
      expect(v1.body).toMatchObject({ code: 'GRILLE-T', version: 1, kind: 'FUNDER_GRID', owned: true });
      const v2 = await t.http.post('/api/v1/frameworks').set(as(officer)).send(grid);
      expect(v2.body.version).toBe(2);
      // Another funder may use the same code without seeing the first funder's grid.
      expect((await t.http.get('/api/v1/frameworks/GRILLE-T/versions/1').set(as(officerB))).status).toBe(404);
      const other = await t.http.post('/api/v1/frameworks').set(as(officerB)).send(grid);
      expect(other.body.version).toBe(1);
      const reserved = await t.http.post('/api/v1/frameworks').set(as(officer)).send({ ...grid, code: 'RNQ' });
      expect(reserved.body.code).toBe('FRAMEWORK.INVALID');
    });
  });

  describe('scope', () => {
    it('derives the RNQ scope from the categories and flags, with the reasons', async () => {
      const counts: Record<string, number> = { SKILLS_ASSESSMENT: 22, VAE: 24, APPRENTICESHIP: 32, TRAINING: 23 };
      for (const [category, applicable] of Object.entries(counts)) {
        const check = await newCheck({ scopeContext: { categories: [category] } });
        expect({ category, applicable: check.scope.counts.applicable }).toEqual({ category, applicable });
        expect(check.scope.categorySource).toBe('CHOSEN');
      }
      const noSub = await newCheck({ scopeContext: { categories: ['TRAINING'], flags: { TRAINING: { subcontracting: false } } } });
      expect(noSub.scope.counts.applicable).toBe(22);
      expect(noSub.scope.points['27']).toMatchObject({ applicable: false, reason: expect.stringContaining('sous-traitance') });
    });

    it('takes the categories of the linked actions, which must be the caller\'s and of the provider', async () => {
      const action = await createAction(t.db, 'OPCO-ATLAS', provider, { category: 'TRAINING', certificationCode: 'RNCP12345' });
      const check = await newCheck({ actionIds: [action], scopeContext: { categories: ['VAE'] } });
      expect(check.scope).toMatchObject({ categories: ['TRAINING'], categorySource: 'LINKED_ACTIONS', counts: { applicable: 26 } });

      const elsewhere = await createAction(t.db, 'OPCO-ATLAS', await createProvider(t.db));
      const foreign = await createAction(t.db, 'CDC', provider);
      for (const id of [elsewhere, foreign]) {
        const res = await t.http.post('/api/v1/checks').set(as(officer)).send({ method: 'ON_SITE', providerSiret: provider.siret, actionIds: [id] });
        expect(res.body.code).toBe('CHECK.ACTION_NOT_OF_PROVIDER');
      }
    });
  });

  describe('sampling', () => {
    it('draws the same sample with the same seed and records it', async () => {
      const sampled = await createProvider(t.db);
      for (let i = 0; i < 12; i++) await createAction(t.db, 'OPCO-ATLAS', sampled, { category: i % 3 === 0 ? 'VAE' : 'TRAINING' });
      await createAction(t.db, 'CDC', sampled);
      const draw = async (seed: number) => {
        const check = await newCheck({ providerSiret: sampled.siret, scopeContext: { categories: ['TRAINING'] } });
        const res = await t.http.post(`/api/v1/checks/${check.id}/sample`).set(as(officer)).send({ size: 4, seed, stratifyBy: 'category' });
        expect(res.status).toBe(200);
        return res.body;
      };
      const a = await draw(42);
      const b = await draw(42);
      expect(a.sample).toMatchObject({ seed: 42, population: 12, requested: 4 });
      expect(a.sample.actionIds).toHaveLength(4);
      expect(b.sample.actionIds).toEqual(a.sample.actionIds);
      expect(a.actions.map((x: { source: string }) => x.source)).toEqual(['SAMPLE', 'SAMPLE', 'SAMPLE', 'SAMPLE']);
      expect(a.scope.categorySource).toBe('LINKED_ACTIONS');
      expect(a.scope.categories).toEqual(['TRAINING', 'VAE']);
    });
  });

  describe('findings and completion', () => {
    it('answers the specific code for every illegal finding and move', async () => {
      const check = await newCheck({ scopeContext: { categories: ['SKILLS_ASSESSMENT'], flags: { SKILLS_ASSESSMENT: { subcontracting: false } } } });
      const put = (code: string, body: object, user: TestUser = officer) => t.http.put(`/api/v1/checks/${check.id}/findings/${code}`).set(as(user)).send(body);
      const major = (await t.http.get('/api/v1/frameworks/RNQ/versions/1').set(as(officer))).body.points.find((p: { rules: { majorOnly: boolean } }) => p.rules.majorOnly);

      expect((await put('99', { grade: 'COMPLIANT' })).body.code).toBe('CHECK.POINT_NOT_IN_FRAMEWORK');
      expect((await put('27', { grade: 'COMPLIANT' })).body.code).toBe('CHECK.POINT_NOT_APPLICABLE');
      expect((await put(major.code, { grade: 'MINOR_NC', comment: 'x', evidenceRefs: ['doc-1'] })).body.code).toBe('CHECK.MINOR_ON_MAJOR_ONLY');
      expect((await put('1', { grade: 'MINOR_NC', evidenceRefs: ['doc-1'] })).body.code).toBe('CHECK.NC_NEEDS_COMMENT');
      expect((await put('1', { grade: 'MINOR_NC', comment: 'Prix absents' })).body.code).toBe('CHECK.NC_NEEDS_EVIDENCE');
      const complete = () => t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(manager)).send({});
      expect((await complete()).body.code).toBe('CHECK.FINDINGS_MISSING');

      const nc = await put('1', { grade: 'MINOR_NC', comment: 'Prix absents', evidenceRefs: ['site-web-2026-03-01'] });
      expect(nc.status).toBe(200);
      expect(nc.body).toMatchObject({ pointCode: '1', grade: 'MINOR_NC', recordedBy: officer.id });
      const applicable = Object.entries(check.scope.points as Record<string, { applicable: boolean }>).filter(([, p]) => p.applicable).map(([code]) => code);
      for (const code of applicable.filter((c) => c !== '1')) expect((await put(code, { grade: 'COMPLIANT' })).status).toBe(200);
      // With a non-conformity the provider must be notified first (a later part).
      expect((await complete()).status).toBe(409);
      expect((await complete()).body.code).toBe('CHECK.INVALID_TRANSITION');

      expect((await put('1', { grade: 'COMPLIANT' }, manager)).status).toBe(200);
      expect((await complete()).body.code).toBe('CHECK.MAKER_CHECKER');
      expect((await put('1', { grade: 'COMPLIANT' })).status).toBe(200);
      expect((await t.http.post(`/api/v1/checks/${check.id}/complete`).set(as(officer)).send({})).status).toBe(403);
      const done = await complete();
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ state: 'COMPLETED', outcome: 'COMPLIANT', completedBy: manager.id });

      expect((await put('1', { grade: 'COMPLIANT' })).body.code).toBe('CHECK.NOT_EDITABLE');
      expect((await t.http.patch(`/api/v1/checks/${check.id}`).set(as(officer)).send({ method: 'ON_SITE' })).body.code).toBe('CHECK.NOT_EDITABLE');
      expect((await t.http.post(`/api/v1/checks/${check.id}/sample`).set(as(officer)).send({ size: 1 })).body.code).toBe('CHECK.NOT_EDITABLE');
      expect((await complete()).body.code).toBe('CHECK.INVALID_TRANSITION');
    });

    it('honours If-Match on PATCH and re-derives the scope', async () => {
      const check = await newCheck({ scopeContext: { categories: ['VAE'] } });
      const got = await t.http.get(`/api/v1/checks/${check.id}`).set(as(officer));
      const etag = got.headers.etag as string;
      const patched = await t.http.patch(`/api/v1/checks/${check.id}`).set(as(officer)).set('if-match', etag).send({ scopeContext: { categories: ['APPRENTICESHIP'] }, contact: { name: 'Mme Dupont', email: 'contact@of.test' } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ scope: { counts: { applicable: 32 } }, contact: { name: 'Mme Dupont' } });
      const stale = await t.http.patch(`/api/v1/checks/${check.id}`).set(as(officer)).set('if-match', etag).send({ method: 'REMOTE' });
      expect(stale.status).toBe(412);
    });

    it('shows an RNQ finding on the mapped point of a funder grid', async () => {
      const grid = await t.http
        .post('/api/v1/frameworks')
        .set(as(officer))
        .send({ code: 'GRILLE-MAP', title: 'Grille', points: [{ code: 'G1', title: 'Information' }, { code: 'G2', title: 'Sous-traitance' }, { code: 'G3', title: 'Autre' }] });
      const mapping = await t.http
        .post('/api/v1/frameworks/mappings')
        .set(as(officer))
        .send({ source: { code: 'RNQ', version: 1 }, target: { code: 'GRILLE-MAP', version: grid.body.version }, pairs: [
          { sourceCode: '1', targetCode: 'G1' },
          { sourceCode: '2', targetCode: 'G1' },
          { sourceCode: '27', targetCode: 'G2' },
        ] });
      expect(mapping.status).toBe(201);
      const bad = await t.http.post('/api/v1/frameworks/mappings').set(as(officer)).send({ source: { code: 'RNQ', version: 1 }, target: { code: 'GRILLE-MAP', version: 1 }, pairs: [{ sourceCode: '77', targetCode: 'G1' }] });
      expect(bad.body.code).toBe('FRAMEWORK.INVALID');

      const check = await newCheck({ scopeContext: { categories: ['TRAINING'], flags: { TRAINING: { subcontracting: false } } } });
      await t.http.put(`/api/v1/checks/${check.id}/findings/1`).set(as(officer)).send({ grade: 'COMPLIANT' }).expect(200);
      await t.http.put(`/api/v1/checks/${check.id}/findings/2`).set(as(officer)).send({ grade: 'MAJOR_NC', comment: 'Aucun indicateur de résultat', evidenceRefs: ['rapport-1'] }).expect(200);
      const mapped = await t.http.get(`/api/v1/checks/${check.id}/mapped/${mapping.body.id}`).set(as(officer));
      expect(mapped.status).toBe(200);
      const byCode = Object.fromEntries(mapped.body.points.map((p: { code: string; grade: string | null }) => [p.code, p.grade]));
      expect(byCode).toEqual({ G1: 'MAJOR_NC', G2: 'NOT_APPLICABLE', G3: null });
      // Another funder cannot read the mapping set.
      const checkB = await newCheck({ scopeContext: { categories: ['TRAINING'] } }, officerB);
      expect((await t.http.get(`/api/v1/checks/${checkB.id}/mapped/${mapping.body.id}`).set(as(officerB))).status).toBe(404);
    });
  });

  describe('visibility', () => {
    it("hides another funder's check and, from an auditor, the checks not assigned to it", async () => {
      const check = await newCheck({ scopeContext: { categories: ['TRAINING'] } });
      expect((await t.http.get(`/api/v1/checks/${check.id}`).set(as(officerB))).status).toBe(404);
      expect((await t.http.put(`/api/v1/checks/${check.id}/findings/1`).set(as(officerB)).send({ grade: 'COMPLIANT' })).status).toBe(404);
      expect((await t.http.get('/api/v1/checks').set(as(officerB))).body.items.map((c: { id: string }) => c.id)).not.toContain(check.id);

      expect((await t.http.get(`/api/v1/checks/${check.id}`).set(as(auditor))).status).toBe(404);
      const assigned = await newCheck({ scopeContext: { categories: ['TRAINING'] }, assigneeId: auditor.id });
      expect((await t.http.get(`/api/v1/checks/${assigned.id}`).set(as(auditor))).status).toBe(200);
      expect((await t.http.put(`/api/v1/checks/${assigned.id}/findings/1`).set(as(auditor)).send({ grade: 'COMPLIANT' })).status).toBe(200);
      const list = await t.http.get('/api/v1/checks').set(as(auditor));
      expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([assigned.id]);

      const wrongAssignee = await t.http.post('/api/v1/checks').set(as(officer)).send({ method: 'REMOTE', providerSiret: provider.siret, assigneeId: officerB.id });
      expect(wrongAssignee.body.code).toBe('CHECK.ASSIGNEE_INVALID');
    });

    it('filters the list on response due date, overdue and owner, keyset paging kept', async () => {
      const own = await createProvider(t.db);
      const make = async (assigneeId: string | undefined, dueAt: string | null, state: string) => {
        const c = await newCheck({ providerSiret: own.siret, scopeContext: { categories: ['TRAINING'] }, ...(assigneeId ? { assigneeId } : {}) });
        await t.db.superQuery(`UPDATE checks SET state = $2, response_due_at = $3, notified_at = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE now() END WHERE id = $1`, [c.id, state, dueAt]);
        return c.id as string;
      };
      const late = await make(officer.id, '2026-01-10T22:59:59Z', 'NOTIFIED'); // 10/01 23:59 in Paris
      const later = await make(undefined, '2099-06-15T10:00:00Z', 'NOTIFIED');
      const answered = await make(auditor.id, '2026-01-11T10:00:00Z', 'RESPONDED');
      const draft = await make(undefined, null, 'DRAFT');
      const ids = async (query: string, user: TestUser = officer) => {
        const res = await t.http.get(`/api/v1/checks?providerSiret=${own.siret}&${query}`).set(as(user));
        expect(res.status).toBe(200);
        return res.body.items.map((c: { id: string }) => c.id);
      };
      expect(await ids('')).toEqual([draft, answered, later, late]);
      expect(await ids('responseDueBefore=2026-01-10')).toEqual([late]);
      expect(await ids('responseDueAfter=2026-01-11')).toEqual([answered, later]);
      expect(await ids('responseDueAfter=2026-01-01&responseDueBefore=2026-12-31')).toEqual([answered, late]);
      expect(await ids('overdue=true')).toEqual([late]);
      expect(await ids('overdue=false')).toEqual([draft, answered, later]);
      expect(await ids('assignee=me')).toEqual([late]);
      expect(await ids(`assignee=${auditor.id}`)).toEqual([answered]);
      expect(await ids('assignee=none')).toEqual([draft, later]);
      expect(await ids('assignee=none&responseDueAfter=2026-01-01')).toEqual([later]);
      // An auditor still sees only its own checks, whatever the filter.
      expect(await ids('assignee=none', auditor)).toEqual([]);
      expect(await ids('responseDueAfter=2026-01-01', auditor)).toEqual([answered]);
      // Keyset paging under a filter: one row per page, the cursor keeps the filter's order.
      const first = await t.http.get(`/api/v1/checks?providerSiret=${own.siret}&overdue=false&limit=2`).set(as(officer));
      expect(first.body.items.map((c: { id: string }) => c.id)).toEqual([draft, answered]);
      const second = await t.http.get(`/api/v1/checks?providerSiret=${own.siret}&overdue=false&limit=2&cursor=${first.body.nextCursor}`).set(as(officer));
      expect(second.body.items.map((c: { id: string }) => c.id)).toEqual([later]);
      expect(second.body.nextCursor).toBeUndefined();
      // Bad input: problem+json naming the field.
      const bad = await t.http.get('/api/v1/checks?responseDueBefore=31/12/2026&assignee=someone').set(as(officer));
      expect(bad.status).toBe(400);
      expect([...new Set(bad.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(['assignee', 'responseDueBefore']);
    });

    it('audits check writes', async () => {
      const check = await newCheck({ scopeContext: { categories: ['TRAINING'] } });
      const [row] = await t.db.superQuery<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE entity_id = $1 AND action = 'check.created'`, [check.id]);
      expect(Number(row.n)).toBe(1);
    });
  });
});
