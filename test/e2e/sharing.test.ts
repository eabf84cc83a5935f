import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createOrganisation, createUser, orgId } from '../support/fixtures';
import { TestProvider, createAction, createProvider } from '../support/registry-fixtures';
import { bearer, completedCheck } from '../support/sharing-fixtures';

/**
 * Sharing checks across funders (issue 14): the matrix of who sees what (owner, pool member,
 * named funder, funder not named, need-to-know excluded, mandating funder, mandated body, control
 * service, auditor, after revocation) over checks, findings, evidence with and without personal
 * data, the dossier, the plan and every count; reliance and its staleness; duplicates; lead funder.
 */
describe('sharing checks across funders', () => {
  let t: TestApp;
  const u = {} as Record<'aOfficer' | 'aManager' | 'aAdmin' | 'aAuditor' | 'bManager' | 'cManager' | 'cOfficer' | 'dManager' | 'eManager' | 'fManager' | 'mOfficer' | 'mManager' | 'src' | 'platform', TestUser>;
  let p: TestProvider;
  let pooled: string; // A's check shared with the pool (need-to-know on), minor NC, evidence with and without personal data
  let named: string; // A's check named to C
  let bodyCheck: string; // the mandated body's check (draft)
  let privateCheck: string; // A's private check

  const get = async (user: TestUser, path: string) => t.http.get(path).set(await bearer(t.http, user));
  const dossierIds = async (user: TestUser) => {
    const res = await get(user, `/api/v1/providers/${p.siret}/dossier`);
    if (res.status !== 200) throw new Error(`dossier: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body.timeline as { id: string }[]).map((c) => c.id);
  };

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    await createOrganisation(t.db, 'MB-TEST', 'MANDATED_BODY');
    u.aOfficer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    u.aManager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    u.aAdmin = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    u.aAuditor = await createUser(t.db, 'OPCO-ATLAS', ['auditor']);
    u.bManager = await createUser(t.db, 'CDC', ['manager']);
    u.cManager = await createUser(t.db, 'OPCO-AKTO', ['manager']);
    u.cOfficer = await createUser(t.db, 'OPCO-AKTO', ['officer']);
    u.dManager = await createUser(t.db, 'AGEFIPH', ['manager']);
    u.eManager = await createUser(t.db, 'FRANCE-TRAVAIL', ['manager']);
    u.fManager = await createUser(t.db, 'OPCO-AFDAS', ['manager']);
    u.mOfficer = await createUser(t.db, 'MB-TEST', ['officer']);
    u.mManager = await createUser(t.db, 'MB-TEST', ['manager']);
    u.src = await createUser(t.db, 'SRC-84', ['ministry']);
    u.platform = await createUser(t.db, 'PLATFORM', ['platform_admin']);
    p = await createProvider(t.db, 'Organisme mutualisé');
    // Every funder but E funds the provider (need-to-know): E is excluded from need-to-know pool shares.
    for (const code of ['OPCO-ATLAS', 'CDC', 'OPCO-AKTO', 'AGEFIPH', 'OPCO-AFDAS']) await createAction(t.db, code, p);

    await t.http.put('/api/v1/sharing/settings').set(await bearer(t.http, u.aAdmin)).send({ needToKnow: true, needToKnowYears: 3 }).expect(200);
    pooled = await completedCheck(t.http, u.aOfficer, u.aManager, p.siret, {
      nonConformity: true,
      evidence: [
        { reference: 'FEUILLE-EMARGEMENT-NOMINATIVE', personalData: true },
        { reference: 'PROGRAMME-2026', personalData: false },
      ],
    });
    await t.http.put(`/api/v1/checks/${pooled}/sharing`).set(await bearer(t.http, u.aManager)).send({ mode: 'POOL' }).expect(200);
    named = await completedCheck(t.http, u.aOfficer, u.aManager, p.siret);
    await t.http.put(`/api/v1/checks/${named}/sharing`).set(await bearer(t.http, u.aManager)).send({ mode: 'NAMED', funderIds: [await orgId(t.db, 'OPCO-AKTO')] }).expect(200);
    privateCheck = await completedCheck(t.http, u.aOfficer, u.aManager, p.siret);
    // F mandates the body from the start of the year; the body drafts a check.
    await t.http
      .post('/api/v1/mandates')
      .set(await bearer(t.http, u.fManager))
      .send({ bodyId: await orgId(t.db, 'MB-TEST'), validFrom: '2026-01-01', reference: 'Convention de mandat 2026-01' })
      .expect(201);
    bodyCheck = await completedCheck(t.http, u.mOfficer, u.mManager, p.siret, { draft: true });
    await t.drain();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows each viewer exactly the checks the rules grant, in the dossier and one by one', async () => {
    const expected: [keyof typeof u, string[]][] = [
      ['aOfficer', [pooled, named, privateCheck]], // owner
      ['bManager', [pooled]], // pool member (funds the provider)
      ['cManager', [pooled, named]], // named funder
      ['dManager', [pooled]], // not named
      ['eManager', []], // need-to-know excluded
      ['fManager', [pooled, bodyCheck]], // mandating funder (also a pool member: it funds the provider)
      ['mOfficer', [bodyCheck]], // mandated body: its own, not the pool (not a funder)
    ];
    for (const [who, ids] of expected) {
      expect({ who, ids: (await dossierIds(u[who])).sort() }).toEqual({ who, ids: [...ids].sort() });
      for (const id of [pooled, named, privateCheck, bodyCheck]) {
        const res = await get(u[who], `/api/v1/shared-checks/${id}`);
        expect({ who, id, status: res.status }).toEqual({ who, id, status: ids.includes(id) ? 200 : 404 });
      }
    }
    // Control service and auditor: refused by role; the auditor does not see unassigned checks either.
    expect((await get(u.src, `/api/v1/providers/${p.siret}/dossier`)).status).toBe(403);
    expect((await get(u.src, `/api/v1/shared-checks/${pooled}`)).status).toBe(403);
    expect((await get(u.aAuditor, `/api/v1/providers/${p.siret}/dossier`)).status).toBe(403);
    expect((await get(u.aAuditor, `/api/v1/checks/${pooled}`)).status).toBe(404);
  });

  it("keeps the owner's workflows to the owner: another funder cannot read or change a shared check through /checks", async () => {
    expect((await get(u.bManager, `/api/v1/checks/${pooled}`)).status).toBe(404);
    expect((await get(u.bManager, `/api/v1/checks/${pooled}/evidence`)).status).toBe(404);
    const list = await get(u.bManager, '/api/v1/checks');
    expect((list.body.items as { id: string }[]).map((c) => c.id)).not.toContain(pooled);
    const amend = await t.http.post(`/api/v1/checks/${pooled}/amendments`).set(await bearer(t.http, u.bManager)).send({ reason: 'tentative' });
    expect(amend.status).toBe(404);
    expect((await get(u.bManager, `/api/v1/checks/${pooled}/sharing`)).status).toBe(404);
  });

  it('shows findings and non-personal evidence whole, and of personal-data evidence only existence and hash', async () => {
    const shared = (await get(u.bManager, `/api/v1/shared-checks/${pooled}`)).body;
    expect(shared.access).toBe('SHARED');
    expect(shared.findings).toEqual([{ pointCode: 'P1', grade: 'MINOR_NC', comment: 'Écart constaté' }]);
    const personal = shared.evidence.find((e: { personalData: boolean }) => e.personalData);
    const plain = shared.evidence.find((e: { personalData: boolean }) => !e.personalData);
    expect(personal).toMatchObject({ disclosure: 'EXISTENCE_AND_HASH', recordReference: null, description: null, fileName: null });
    expect(JSON.stringify(shared)).not.toContain('FEUILLE-EMARGEMENT-NOMINATIVE');
    expect(plain).toMatchObject({ disclosure: 'FULL', recordReference: 'PROGRAMME-2026' });
    const own = (await get(u.aOfficer, `/api/v1/shared-checks/${pooled}`)).body;
    expect(own.evidence.find((e: { personalData: boolean }) => e.personalData)).toMatchObject({ disclosure: 'FULL', recordReference: 'FEUILLE-EMARGEMENT-NOMINATIVE' });
    // The mandating funder sees the body's draft through its mandate.
    expect((await get(u.fManager, `/api/v1/shared-checks/${bodyCheck}`)).body).toMatchObject({ access: 'MANDATE', state: 'DRAFT' });
  });

  it('counts non-conformities over visible checks only', async () => {
    const b = (await get(u.bManager, `/api/v1/providers/${p.siret}/dossier`)).body;
    expect(b.nonConformitiesByIndicator).toEqual([expect.objectContaining({ pointCode: 'P1', minor: 1, major: 0, checks: 1 })]);
    const e = (await get(u.eManager, `/api/v1/providers/${p.siret}/dossier`)).body;
    expect(e.nonConformitiesByIndicator).toEqual([]);
    expect(e.openCorrectiveActions).toEqual([]);
    expect(b.openCorrectiveActions).toHaveLength(1);
  });

  it("never shares a funder's own certification notes: the dossier shows each funder only its own", async () => {
    const note = await t.http
      .put(`/api/v1/providers/${p.siret}/certifications/VAE`)
      .set(await bearer(t.http, u.aManager))
      .send({ certified: true, certifier: 'Note interne Atlas', validUntil: '2099-12-31' });
    expect(note.status).toBe(200);
    const own = (await get(u.aOfficer, `/api/v1/providers/${p.siret}/dossier`)).body;
    expect(own.registry.ndas[0].certifications.VAE.ownNote).toMatchObject({ certified: true, ownNote: true, certifier: 'Note interne Atlas' });
    const other = (await get(u.bManager, `/api/v1/providers/${p.siret}/dossier`)).body;
    expect(other.registry.ndas[0].certifications.VAE.ownNote).toBeNull();
    expect(JSON.stringify(other)).not.toContain('Note interne Atlas');
  });

  it('tells the owner who sees its check', async () => {
    const audience = (await get(u.aOfficer, `/api/v1/checks/${pooled}/sharing`)).body;
    expect(audience).toMatchObject({ mode: 'POOL', needToKnowYears: 3, effective: true, funders: [] });
    const namedAudience = (await get(u.aOfficer, `/api/v1/checks/${named}/sharing`)).body;
    expect(namedAudience.funders.map((f: { code: string }) => f.code)).toEqual(['OPCO-AKTO']);
  });

  it('asks for a decision before a duplicate control, and records it on the new check', async () => {
    const first = await t.http
      .post('/api/v1/checks')
      .set(await bearer(t.http, u.cOfficer))
      .send({ method: 'DOCUMENTARY', providerSiret: p.siret, scopeContext: { categories: ['TRAINING'] } });
    expect(first.status).toBe(409);
    expect(first.body.code).toBe('CHECK.DUPLICATE_CONTROL');
    expect((first.body.checks as { id: string }[]).map((c) => c.id).sort()).toEqual([pooled, named].sort());
    const second = await t.http
      .post('/api/v1/checks')
      .set(await bearer(t.http, u.cOfficer))
      .send({ method: 'DOCUMENTARY', providerSiret: p.siret, scopeContext: { categories: ['TRAINING'] }, duplicateDecision: { decision: 'COMPLEMENT', reason: 'Contrôle sur place des sites non vus' } });
    expect(second.status).toBe(201);
    expect(second.body.duplicateDecision).toEqual({ decision: 'COMPLEMENT', reason: 'Contrôle sur place des sites non vus', checkIds: expect.arrayContaining([pooled, named]) });
    // E sees no check of the provider: no 409 (and nothing betrays that checks exist).
    const e = await t.http.post('/api/v1/checks').set(await bearer(t.http, await createUser(t.db, 'FRANCE-TRAVAIL', ['officer']))).send({ method: 'DOCUMENTARY', providerSiret: p.siret, scopeContext: { categories: ['TRAINING'] } });
    expect(e.status).toBe(201);
  });

  it('relies, counts the reliance as coverage, and after revocation hides the check from the very next request', async () => {
    const relied = await t.http.post('/api/v1/reliances').set(await bearer(t.http, u.bManager)).send({ checkId: pooled, reason: 'Contrôle récent et complet' });
    expect(relied.status).toBe(201);
    expect((await t.http.post('/api/v1/reliances').set(await bearer(t.http, u.bManager)).send({ checkId: pooled, reason: 'encore' })).body.code).toBe('RELIANCE.ALREADY_RELIED');
    expect((await t.http.post('/api/v1/reliances').set(await bearer(t.http, u.eManager)).send({ checkId: pooled, reason: 'x' })).status).toBe(404);
    expect((await get(u.aOfficer, `/api/v1/checks/${pooled}/sharing`)).body.reliances).toBe(1);
    // An action of B starting today: the check, completed before its start, covers it.
    await t.db.superQuery(
      `INSERT INTO funded_actions (organisation_id, external_ref, provider_siret, category, formacode, modality, region, start_date, amount_funded)
       SELECT id, 'B-TODAY', $1, 'TRAINING', '22252', 'ON_SITE', '84', current_date, 1000 FROM organisations WHERE code = 'CDC'`,
      [p.siret],
    );
    await t.drain();
    const before = {
      coverage: (await get(u.bManager, '/api/v1/coverage')).body,
      plan: (await get(u.bManager, '/api/v1/control-plan')).body,
    };
    expect(before.coverage.coveredAmount).toBe(1000);
    // The funding check counts results across funders: B sees the pooled check (and not A's private or named ones).
    const fundingBefore = (await get(u.bManager, `/api/v1/providers/${p.siret}/funding-check?category=TRAINING`)).body;
    expect(fundingBefore.controls.acrossFunders).toMatchObject({ checks: 1, nonCompliant: 0, openMajorNonConformities: 0 });
    expect(fundingBefore.controls.openMajorNonConformities).toEqual([]);
    expect(before.plan.rows.map((r: { providerSiret: string }) => r.providerSiret)).not.toContain(p.siret);

    await t.http.delete(`/api/v1/checks/${pooled}/sharing`).set(await bearer(t.http, u.aManager)).expect(200);
    // The very next request, before any recomputation: nothing of the check remains.
    expect(await dossierIds(u.bManager)).toEqual([]);
    expect((await get(u.bManager, `/api/v1/shared-checks/${pooled}`)).status).toBe(404);
    const dossier = (await get(u.bManager, `/api/v1/providers/${p.siret}/dossier`)).body;
    expect(dossier.nonConformitiesByIndicator).toEqual([]);
    expect(dossier.openCorrectiveActions).toEqual([]);
    const coverage = (await get(u.bManager, '/api/v1/coverage')).body;
    expect(coverage.coveredAmount).toBe(0);
    expect((await get(u.bManager, `/api/v1/providers/${p.siret}/funding-check?category=TRAINING`)).body.controls.acrossFunders).toMatchObject({ checks: 0, lastCompletedAt: null });
    const plan = (await get(u.bManager, '/api/v1/control-plan')).body;
    const row = plan.rows.find((r: { providerSiret: string }) => r.providerSiret === p.siret);
    expect(row).toBeDefined();
    expect(row.profile).toMatchObject({ sharedChecks: 0, sharedNonConformities: 0, lastSharedCheck: null });
    expect(row.riskScore).toBe(eProfileScore((await get(u.eManager, `/api/v1/providers/${p.siret}/dossier`)).body));
    // The reliance turned stale, with a notification row for the relying manager.
    const reliances = (await get(u.bManager, '/api/v1/reliances')).body;
    expect(reliances[0]).toMatchObject({ stale: true, staleReason: 'REVOKED', check: null });
    const notes = await t.db.superQuery<{ kind: string; user_id: string }>(`SELECT kind, user_id FROM notifications WHERE entity_type = 'reliance'`);
    expect(notes).toEqual([{ kind: 'RELIANCE_STALE', user_id: u.bManager.id }]);
    // The revocation is in the owner's audit trail.
    const [event] = await t.db.superQuery<{ action: string }>(`SELECT action FROM audit_events WHERE entity_id = $1 AND action = 'check.share_revoked'`, [pooled]);
    expect(event).toEqual({ action: 'check.share_revoked' });
    // After the recomputation the stored profile has no trace of it either.
    await t.drain();
    const [stored] = await t.db.superQuery<{ shared_check_ids: string[] }>(`SELECT shared_check_ids FROM provider_control_profiles WHERE provider_siret = $1`, [p.siret]);
    expect(stored.shared_check_ids).toEqual([]);
  });

  it('settles the lead funder: a free claim is granted, a disputed one waits for the platform', async () => {
    const first = await t.http.post(`/api/v1/providers/${p.siret}/lead-funder/claims`).set(await bearer(t.http, u.cManager)).send({ reason: 'Premier financeur' });
    expect(first.status).toBe(201);
    expect(first.body.lead.funder.code).toBe('OPCO-AKTO');
    const disputed = await t.http.post(`/api/v1/providers/${p.siret}/lead-funder/claims`).set(await bearer(t.http, u.bManager)).send({ reason: 'Montants les plus élevés' });
    expect(disputed.body).toMatchObject({ lead: { funder: { code: 'OPCO-AKTO' } }, myPendingClaim: { status: 'PENDING' } });
    const claims = (await get(u.platform, '/api/v1/lead-funder-claims?status=PENDING')).body;
    expect(claims).toHaveLength(1);
    const settled = await t.http.post(`/api/v1/lead-funder-claims/${claims[0].id}/settle`).set(await bearer(t.http, u.platform)).send({ grant: true, note: 'Financeur principal' });
    expect(settled.body).toMatchObject({ status: 'GRANTED', currentLead: { code: 'CDC' } });
    expect((await get(u.dManager, `/api/v1/providers/${p.siret}/lead-funder`)).body.lead).toMatchObject({ funder: { code: 'CDC' }, decidedHow: 'SETTLEMENT' });
    expect((await t.http.post(`/api/v1/lead-funder-claims/${claims[0].id}/settle`).set(await bearer(t.http, u.platform)).send({ grant: false, note: 'x' })).body.code).toBe('LEAD_FUNDER.CLAIM_SETTLED');
  });

  it("applies the owner's default share at completion, and makes reliances stale when the check is amended", async () => {
    await t.http.put('/api/v1/sharing/settings').set(await bearer(t.http, u.aAdmin)).send({ defaultMode: 'POOL' }).expect(200);
    const id = await completedCheck(t.http, u.aOfficer, u.aManager, p.siret);
    expect((await get(u.aOfficer, `/api/v1/checks/${id}/sharing`)).body).toMatchObject({ mode: 'POOL', effective: true });
    const relied = await t.http.post('/api/v1/reliances').set(await bearer(t.http, u.dManager)).send({ checkId: id, reason: 'Contrôle complet' });
    expect(relied.status).toBe(201);
    await t.http.post(`/api/v1/checks/${id}/amendments`).set(await bearer(t.http, u.aManager)).send({ reason: 'Correction d’un constat' }).expect(201);
    const reliance = ((await get(u.dManager, '/api/v1/reliances')).body as { id: string; stale: boolean; staleReason: string }[]).find((r) => r.id === relied.body.id);
    expect(reliance).toMatchObject({ stale: true, staleReason: 'AMENDED' });
    // Being amended (a draft again), the check is no longer shared until completed again.
    expect(await dossierIds(u.dManager)).not.toContain(id);
    const notes = await t.db.superQuery<{ payload: { reason: string } }>(`SELECT payload FROM notifications WHERE entity_id = $1`, [relied.body.id]);
    expect(notes.map((n) => n.payload.reason)).toEqual(['AMENDED']);
  });

  it("ends a mandate: checks the body creates afterwards are no longer the funder's", async () => {
    const [mandate] = (await get(u.fManager, '/api/v1/mandates')).body as { id: string }[];
    expect((await get(u.mOfficer, '/api/v1/mandates')).body).toHaveLength(1); // the body sees the mandate it holds
    await t.db.superQuery(`UPDATE checks SET created_at = now() - interval '400 days' WHERE id = $1`, [bodyCheck]);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const ended = await t.http.post(`/api/v1/mandates/${mandate.id}/end`).set(await bearer(t.http, u.fManager)).send({ validUntil: yesterday });
    expect(ended.status).toBe(200);
    const later = await completedCheck(t.http, u.mOfficer, u.mManager, p.siret, { draft: true });
    const ids = await dossierIds(u.fManager);
    expect(ids).not.toContain(later);
    expect(ids).not.toContain(bodyCheck); // created before the mandate began (moved back above)
  });

  it('a reliance recorded while its check is being revoked waits for the revocation and then finds no check', async () => {
    // Hold the check's audience lock as a revocation in progress would (migration 0031).
    const key = `hashtextextended('check-audience:' || '${named}', 0)`;
    await t.db.superQuery(`SELECT pg_advisory_lock(${key})`);
    let settled = false;
    const pending = t.http
      .post('/api/v1/reliances')
      .set(await bearer(t.http, u.cManager))
      .send({ checkId: named, reason: 'Contrôle récent' })
      .then((res) => ((settled = true), res));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(settled).toBe(false); // it waits for the lock instead of reading the check now
    // The revocation commits (made here directly), then releases the lock.
    await t.db.superQuery(`UPDATE check_shares SET mode = 'PRIVATE', funder_ids = '{}' WHERE check_id = $1`, [named]);
    await t.db.superQuery(`SELECT pg_advisory_unlock(${key})`);
    const res = await pending;
    expect(res.status).toBe(404);
    expect(await t.db.superQuery(`SELECT 1 FROM reliances WHERE check_id = $1`, [named])).toEqual([]);
    // Shared again as before for the tests that follow.
    await t.http.put(`/api/v1/checks/${named}/sharing`).set(await bearer(t.http, u.aManager)).send({ mode: 'NAMED', funderIds: [await orgId(t.db, 'OPCO-AKTO')] }).expect(200);
  });

  it('refuses bad input with the field at fault', async () => {
    const bad = await t.http.put(`/api/v1/checks/${named}/sharing`).set(await bearer(t.http, u.aManager)).send({ mode: 'NAMED', funderIds: [await orgId(t.db, 'SRC-84')] });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ code: 'SHARING.FUNDER_INVALID', errors: [{ field: 'funderIds[0]' }] });
    const draft = await t.http.put(`/api/v1/checks/${bodyCheck}/sharing`).set(await bearer(t.http, u.mManager)).send({ mode: 'POOL' });
    expect(draft.body.code).toBe('SHARING.CHECK_NOT_COMPLETED');
    const body = await t.http.post('/api/v1/mandates').set(await bearer(t.http, u.fManager)).send({ bodyId: await orgId(t.db, 'CDC'), validFrom: '2026-01-01', reference: 'x' });
    expect(body.body).toMatchObject({ code: 'MANDATE.BODY_INVALID', errors: [{ field: 'bodyId' }] });
    expect((await get(u.bManager, '/api/v1/providers/123/dossier')).status).toBe(400);
  });
});

function eProfileScore(dossier: { profile: { riskScore: number } | null }): number | undefined {
  return dossier.profile?.riskScore;
}
