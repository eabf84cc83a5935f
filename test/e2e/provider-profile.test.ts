import { spawn } from 'node:child_process';
import { Client } from 'pg';
import { ProfileRequests, ProviderProfileJob, profileSql, riskScore } from '@bo/sharing';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser } from '../support/fixtures';
import { TestProvider, createAction, createProvider } from '../support/registry-fixtures';
import { bearer, completedCheck } from '../support/sharing-fixtures';

/**
 * The provider-control-profile job: set-based, idempotent (two runs give the same rows),
 * incremental past its watermark, and its score is the documented formula (risk-score.ts).
 */
describe('provider control profile job', () => {
  let t: TestApp;
  let job: ProviderProfileJob;
  let officer: TestUser;
  let manager: TestUser;
  let p: TestProvider;
  let q: TestProvider;
  const context = { jobId: 'test', attempt: 1, progress: async () => undefined };
  const rows = () =>
    t.db.superQuery<Record<string, unknown>>(
      `SELECT provider_siret, funders_funding, amount_12m, uncertified_amount_12m, shared_checks, shared_nc_findings, shared_major_findings,
              shared_check_ids, last_shared_check_id, last_shared_completed_at, last_shared_outcome, exposure_points, certification_points,
              recency_points, outcome_points, score_base, score
         FROM provider_control_profiles ORDER BY provider_siret`,
    );

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    job = t.worker!.get(ProviderProfileJob);
    officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    manager = await createUser(t.db, 'OPCO-ATLAS', ['manager']);
    p = await createProvider(t.db);
    q = await createProvider(t.db);
    for (const code of ['OPCO-ATLAS', 'CDC', 'AGEFIPH']) await createAction(t.db, code, p);
    await createAction(t.db, 'CDC', q);
    const id = await completedCheck(t.http, officer, manager, p.siret, { nonConformity: true });
    await t.http.put(`/api/v1/checks/${id}/sharing`).set(await bearer(t.http, manager)).send({ mode: 'POOL' }).expect(200);
    await t.drain();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('computes the documented score, and gives the same rows when run again (incremental and full)', async () => {
    const first = await job.handle({ organisationId: null, requestedBy: null, full: true }, context);
    expect(first).toMatchObject({ mode: 'full' });
    const before = await rows();
    expect(before).toHaveLength(2);
    const profile = before.find((r) => r.provider_siret === p.siret)!;
    const expected = riskScore({
      fundersFunding: 3,
      amount12m: 3000,
      uncertifiedAmount12m: 3000, // the test actions are never evaluated: coverage UNKNOWN
      monthsSinceLastSharedCheck: 0,
      lastSharedOutcome: 'COMPLIANT_WITH_RESERVATIONS',
    });
    expect(profile).toMatchObject({ funders_funding: 3, shared_checks: 1, shared_nc_findings: 1, last_shared_outcome: 'COMPLIANT_WITH_RESERVATIONS' });
    expect(Number(profile.score)).toBeCloseTo(expected.score, 1);
    expect(Number(profile.score_base)).toBe(Number(profile.exposure_points) + Number(profile.certification_points) + 40);
    expect(await job.handle({ organisationId: null, requestedBy: null }, context)).toMatchObject({ mode: 'incremental' });
    expect(await rows()).toEqual(before);
    const again = await job.handle({ organisationId: null, requestedBy: null, full: true }, context);
    expect(await rows()).toEqual(before);
    // Nothing changed: the full run rewrote no profile, and the dossier shows the profile as of it.
    expect(again).toMatchObject({ mode: 'full', written: 0 });
    const dossier = await t.http.get(`/api/v1/providers/${p.siret}/dossier`).set(await bearer(t.http, manager)).expect(200);
    expect(dossier.body.profile.asOf).toBe((again as { asOf: string }).asOf);
  });

  it('never lets a full recompute request join a waiting incremental one (which would drop the full)', async () => {
    const requests = t.app.get(ProfileRequests);
    const incremental = await requests.recomputeNow(null, false);
    const full = await requests.recomputeNow(null, true);
    expect(full).not.toBe(incremental);
    const rows = await t.db.superQuery<{ coalesce_key: string; full: boolean }>(
      `SELECT coalesce_key, (payload->>'full')::boolean AS full FROM job_outbox WHERE job_name = 'sharing.provider-control-profile' AND payload->>'full' = 'true'`,
    );
    // Full requests coalesce among themselves only.
    expect(rows.map((r) => r.coalesce_key)).toEqual(rows.map(() => 'sharing.provider-control-profile:full'));
    expect(rows.length).toBeGreaterThan(0);
    await t.drain();
  });

  it('recomputes only the providers touched since the watermark', async () => {
    await job.handle({ organisationId: null, requestedBy: null, full: true }, context);
    // Move the watermark past the margin so that only the next change counts as new.
    await t.db.superQuery(`UPDATE job_watermarks SET watermark = now() WHERE job = 'sharing.provider-control-profile'`);
    await createAction(t.db, 'OPCO-AKTO', q);
    const result = await job.handle({ organisationId: null, requestedBy: null }, context);
    expect(result).toMatchObject({ mode: 'incremental', written: 1 });
    const [row] = await t.db.superQuery<{ funders_funding: number }>(`SELECT funders_funding FROM provider_control_profiles WHERE provider_siret = $1`, [q.siret]);
    expect(row.funders_funding).toBe(2);
  });

  it('a full run over stored profiles rewrites a changed one, writes a missing one and deletes one with nothing left, as a run into an empty table does', async () => {
    await t.db.superQuery(`TRUNCATE provider_control_profiles, job_watermarks`);
    // Into an empty table: every profile is a plain insert.
    expect(await job.handle({ organisationId: null, requestedBy: null }, context)).toMatchObject({ mode: 'full', written: 2, removed: 0 });
    const expected = await rows();
    await t.db.superQuery(`UPDATE provider_control_profiles SET score = score + 1, shared_check_ids = '{}' WHERE provider_siret = $1`, [p.siret]);
    await t.db.superQuery(`DELETE FROM provider_control_profiles WHERE provider_siret = $1`, [q.siret]);
    await t.db.superQuery(
      `INSERT INTO provider_control_profiles SELECT '99999999999999', funders_funding, amount_12m, uncertified_amount_12m, shared_checks, shared_nc_findings,
              shared_major_findings, shared_check_ids, last_shared_check_id, last_shared_completed_at, last_shared_outcome, exposure_points,
              certification_points, recency_points, outcome_points, score_base, score, as_of, computed_at
         FROM provider_control_profiles WHERE provider_siret = $1`,
      [p.siret],
    );
    expect(await job.handle({ organisationId: null, requestedBy: null, full: true }, context)).toMatchObject({ mode: 'full', written: 2, removed: 1 });
    expect(await rows()).toEqual(expected);
  });

  it('killed with SIGKILL in the middle of a run leaves nothing, and the next run ends with the rows of an uninterrupted one', async () => {
    await job.handle({ organisationId: null, requestedBy: null, full: true }, context);
    const uninterrupted = await rows();
    await t.db.superQuery(`TRUNCATE provider_control_profiles, job_watermarks`);
    // A worker process running the job's statement as the system role, under the job's lock. The
    // test holds a lock on the profiles table, so the process stops in the middle of the
    // statement (read done, write waiting), and is killed there with SIGKILL.
    const blocker = new Client({ connectionString: t.db.urls.DATABASE_SUPER_URL });
    await blocker.connect();
    await blocker.query(`BEGIN; LOCK TABLE provider_control_profiles IN SHARE ROW EXCLUSIVE MODE`);
    const script = `
      const { Client } = require('pg');
      (async () => {
        const c = new Client({ connectionString: process.env.SYSTEM_URL });
        await c.connect();
        await c.query('BEGIN');
        await c.query("SELECT pg_advisory_xact_lock(hashtextextended('sharing.provider-control-profile', 0))");
        await c.query("SELECT set_config('application_name', 'profile-kill-test', true)");
        process.stdout.write('started\\n');
        await c.query(process.env.PROFILE_SQL, [new Date()]);
        await c.query('COMMIT');
      })();`;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: process.cwd(),
      env: { ...process.env, SYSTEM_URL: t.db.urls.DATABASE_SYSTEM_URL, PROFILE_SQL: profileSql('full') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('started') && resolve()));
    // Wait until its statement is blocked on the table lock, mid-run.
    let blocked = false;
    for (let i = 0; i < 100 && !blocked; i++) {
      const [w] = await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'profile-kill-test' AND wait_event_type = 'Lock'`);
      blocked = w.n > 0;
      if (!blocked) await new Promise((r) => setTimeout(r, 100));
    }
    expect(blocked).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await blocker.query('COMMIT');
    await blocker.end();
    // PostgreSQL rolls the orphaned transaction back; nothing of the run is left.
    for (let i = 0; i < 100; i++) {
      const [left] = await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'profile-kill-test'`);
      if (left.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await rows()).toEqual([]);
    expect(await t.db.superQuery(`SELECT * FROM job_watermarks`)).toEqual([]);
    // The next run (the retry) is a full one again, and ends with the uninterrupted rows.
    expect(await job.handle({ organisationId: null, requestedBy: null }, context)).toMatchObject({ mode: 'full' });
    expect(await rows()).toEqual(uninterrupted);
  });
});
