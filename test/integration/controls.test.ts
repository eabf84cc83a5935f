import { Readable } from 'node:stream';
import { Actor } from '@bo/access';
import { CHECK_LIST_TABLE_COLUMNS, CheckProcedureService, ChecksService, EvidenceService, FindingsService } from '@bo/controls';
import { TestApp, createTestApp } from '../support/test-app';
import { ControlsServices, actorOf, createCertifiedProvider, createCheck, gradeCheck } from '../support/controls-factories';
import { createUser } from '../support/fixtures';
import { parisToday } from '../support/dates';

const DAY = 24 * 3600 * 1000;

/**
 * The controls services called directly (no HTTP), on a real PostgreSQL, with factories; time
 * moves with the test clock (CLOCK_MODE=offset), never with Date.now() deltas.
 */
describe('controls services', () => {
  let t: TestApp;
  let s: ControlsServices;
  let officer: Actor;
  let manager: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    s = { checks: t.app.get(ChecksService), findings: t.app.get(FindingsService), procedure: t.app.get(CheckProcedureService), evidence: t.app.get(EvidenceService) };
    officer = actorOf(await createUser(t.db, 'OPCO-ATLAS', ['officer']));
    manager = actorOf(await createUser(t.db, 'OPCO-ATLAS', ['manager']));
  });
  afterEach(async () => {
    await t.setClockOffset(0);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("the check list reads every column of checks but the full scope, and answers the scope's counts", async () => {
    const columns = await t.db.superQuery<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'checks' ORDER BY column_name`,
    );
    expect([...CHECK_LIST_TABLE_COLUMNS, 'scope'].sort()).toEqual(columns.map((c) => c.name).sort());
    const provider = await createCertifiedProvider(t.db, ['TRAINING']);
    const check = await createCheck(s, officer, provider, { scopeContext: { categories: ['TRAINING'], flags: { TRAINING: { subcontracting: false } } } });
    const page = await s.checks.list(officer, { limit: 100, providerSiret: provider.siret });
    expect(page.items.map((c) => ({ id: c.id, scopeCounts: c.scopeCounts }))).toEqual([{ id: check.id, scopeCounts: check.scope.counts }]);
  });

  it('derives the scope from the officer choice over the certified categories, which are only proposed', async () => {
    const provider = await createCertifiedProvider(t.db, ['TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'APPRENTICESHIP']);
    const chosen = await createCheck(s, officer, provider, { scopeContext: { categories: ['TRAINING'], flags: { TRAINING: { subcontracting: false } } } });
    expect(chosen.scope).toMatchObject({ categories: ['TRAINING'], categorySource: 'CHOSEN', counts: { applicable: 22 } });
    const proposed = await createCheck(s, officer, provider, { scopeContext: {} });
    expect(proposed.scope).toMatchObject({ categorySource: 'CERTIFIED_PROPOSAL', categoriesProposed: true });
    // Choosing later replaces the proposal.
    const updated = await s.checks.update(officer, proposed.id, { scopeContext: { categories: ['VAE'] } }, () => undefined);
    expect(updated.scope).toMatchObject({ categories: ['VAE'], categorySource: 'CHOSEN', categoriesProposed: false });
  });

  it('accepts UTF-8 text evidence whose sniffing window ends inside a multi-byte character', async () => {
    const stored = await s.evidence.store(Readable.from([Buffer.from('Rapport validé.\n')]));
    expect(stored.mediaType).toBe('text/plain');
  });

  it('opens the window at the receipt, refuses an earlier receipt, and completes once the test clock has run past it', async () => {
    const provider = await createCertifiedProvider(t.db, ['SKILLS_ASSESSMENT']);
    const check = await createCheck(s, officer, provider);
    await gradeCheck(s, officer, check, { '1': 'MINOR_NC' });
    const notified = await s.procedure.notify(officer, check.id, {});
    expect(notified.procedure.responseDueAt).toBeNull();
    await expect(s.procedure.recordReceipt(officer, check.id, '2020-01-01')).rejects.toMatchObject({ code: 'REQUEST.VALIDATION' });
    await t.setClockOffset(1 * DAY);
    const received = await s.procedure.recordReceipt(officer, check.id, new Date(Date.now() + DAY).toISOString().slice(0, 10));
    expect(received.procedure.receiptChanges).toHaveLength(1);
    await expect(s.procedure.recordReceipt(officer, check.id, received.procedure.providerReceivedOn!)).rejects.toMatchObject({ code: 'CHECK.RECEIPT_ALREADY_RECORDED' });
    await expect(s.checks.complete(manager, check.id)).rejects.toMatchObject({ code: 'CHECK.RESPONSE_WINDOW_OPEN' });
    await t.setClockOffset(18 * DAY); // 15 days after the day of receipt, plus a margin for time zones
    const done = await s.checks.complete(manager, check.id);
    expect(done).toMatchObject({ state: 'COMPLETED', outcome: 'COMPLIANT_WITH_RESERVATIONS' });
  });

  it('revises a finding after the response, keeps its history, and completes on the revised grades', async () => {
    const provider = await createCertifiedProvider(t.db, ['SKILLS_ASSESSMENT']);
    const check = await createCheck(s, officer, provider);
    await gradeCheck(s, officer, check, { '1': 'MAJOR_NC', '2': 'MINOR_NC' });
    await s.procedure.notify(officer, check.id, { receivedOn: parisToday() });
    await s.procedure.recordResponse(officer, check.id, { text: 'Le programme est en ligne.' });
    const [response] = await s.procedure.responses(officer, check.id);
    const revision = await s.findings.revise(officer, check.id, '1', { grade: 'MINOR_NC', comment: 'Programme en ligne, daté', evidenceRefs: ['REPONSE-1'], reason: 'Pièce transmise en réponse', responseId: response.id });
    expect(revision).toMatchObject({ before: { grade: 'MAJOR_NC' }, after: { grade: 'MINOR_NC' }, responseId: response.id });
    await s.findings.revise(officer, check.id, '2', { grade: 'COMPLIANT', reason: 'Écart levé', responseId: response.id });
    expect(await s.findings.revisions(officer, check.id)).toHaveLength(2);
    const done = await s.checks.complete(manager, check.id);
    expect(done.outcome).toBe('COMPLIANT_WITH_RESERVATIONS');
    expect(done.findingRevisions.map((r) => r.pointCode)).toEqual(['1', '2']);
  });
});
