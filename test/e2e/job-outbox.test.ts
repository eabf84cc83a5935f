import { Job } from 'bullmq';
import { Db, OutboxStore } from '@bo/database';
import { JobDispatcher, JobOutbox, parsePublicJobId } from '@bo/queue';
import { TestApp, createTestApp } from '../support/test-app';
import { createUser, login, orgId } from '../support/fixtures';

/**
 * The job outbox against real PostgreSQL and Redis (no worker here, so jobs stay queued): a job
 * exists exactly when the transaction that asked for it commits, reaches BullMQ with its row's id,
 * coalesces where declared, and respects tenancy. The fault suite (npm run test:faults) covers
 * Redis and PostgreSQL outages and killed workers.
 */
describe('job outbox', () => {
  let t: TestApp;
  let atlas: string;
  let cdc: string;

  beforeAll(async () => {
    t = await createTestApp();
    atlas = await orgId(t.db, 'OPCO-ATLAS');
    cdc = await orgId(t.db, 'CDC');
  });
  afterAll(async () => {
    await t?.close();
  });

  const outbox = () => t.app.get(JobOutbox);
  const rowOf = async (publicId: string) =>
    (await t.db.superQuery<{ state: string; job_name: string; organisation_id: string | null; relay_attempts: number }>(
      `SELECT state, job_name, organisation_id, relay_attempts FROM job_outbox WHERE id = $1`,
      [parsePublicJobId(publicId)!.id],
    ))[0];

  it('writes the job with the transaction that needs it, then hands it to BullMQ under the row id', async () => {
    const db = t.app.get(Db);
    const jobId = await db.tx({ organisationId: atlas, userId: null }, (tx) =>
      outbox().add(tx, 'reference.reload', { organisationId: null, requestedBy: null, force: false }),
    );
    await outbox().flush();
    expect(await rowOf(jobId)).toMatchObject({ state: 'DISPATCHED', job_name: 'reference.reload' });
    const { queue, id } = parsePublicJobId(jobId)!;
    const job = await Job.fromId(t.app.get(JobDispatcher).queue(queue), id);
    expect(job?.name).toBe('reference.reload');
    // Relaying the same row again adds nothing: BullMQ keeps one job per id.
    await t.app.get(JobDispatcher).enqueue(queue, 'reference.reload', { organisationId: null, requestedBy: null }, id);
    expect(await t.app.get(JobDispatcher).queue(queue).getJobCounts('waiting')).toMatchObject({ waiting: 1 });
  });

  it("answers a job's status from its outbox row until the queue has it (the id a request returns is readable at once)", async () => {
    const admin = await createUser(t.db, 'PLATFORM', ['platform_admin']);
    const token = await login(t.http, admin);
    const later = await outbox().addNow('reference.reload', { organisationId: null, requestedBy: null, force: false }, { runAt: new Date(Date.now() + 3_600_000) });
    const waiting = await t.http.get(`/api/v1/jobs/${later}`).set('authorization', `Bearer ${token}`);
    expect(waiting.status).toBe(200);
    expect(waiting.body).toMatchObject({ id: later, name: 'reference.reload', state: 'delayed', organisationId: null });
    expect(await t.app.get(JobDispatcher).status(later)).toBeUndefined();
    // A funder's user still gets 404 for a platform job, pending or not.
    const officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    expect((await t.http.get(`/api/v1/jobs/${later}`).set('authorization', `Bearer ${await login(t.http, officer)}`)).status).toBe(404);
  });

  it('leaves no job when the transaction rolls back', async () => {
    const before = await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM job_outbox`);
    await expect(
      t.app.get(Db).tx({ organisationId: atlas, userId: null }, async (tx) => {
        await outbox().add(tx, 'reference.reload', { organisationId: null, requestedBy: null });
        throw new Error('the state could not be written');
      }),
    ).rejects.toThrow('the state could not be written');
    await outbox().flush();
    expect(await t.db.superQuery<{ n: number }>(`SELECT count(*)::int AS n FROM job_outbox`)).toEqual(before);
  });

  it('coalesces requests of a coalescing job while one waits', async () => {
    const store = t.app.get(OutboxStore);
    const inAnHour = new Date(Date.now() + 3_600_000);
    const ask = (runAt: Date) =>
      store.transaction((tx) => outbox().add(tx, 'registry.coverage-recompute', { organisationId: null, requestedBy: null, reason: 'test' }, { runAt }));
    const [first, second] = [await ask(inAnHour), await ask(inAnHour)];
    expect(second).toBe(first);
    // Another due time is another run.
    expect(await ask(new Date(inAnHour.getTime() + 60_000))).not.toBe(first);
    expect(await rowOf(first)).toMatchObject({ state: 'PENDING' });
    // Not due yet: the relay leaves it alone.
    await outbox().flush();
    expect(await rowOf(first)).toMatchObject({ state: 'PENDING', relay_attempts: 0 });
  });

  it("lets a funder's transaction ask only for its own or platform-wide jobs, and read only its own", async () => {
    const db = t.app.get(Db);
    await expect(
      db.tx({ organisationId: atlas, userId: null }, (tx) =>
        outbox().add(tx, 'actions.import', { organisationId: cdc, importId: '00000000-0000-0000-0000-000000000000', actor: { kind: 'user', id: 'x', label: 'x' } }),
      ),
    ).rejects.toThrow(/not the caller's/);
    const own = await db.tx({ organisationId: atlas, userId: null }, (tx) =>
      outbox().add(tx, 'actions.import', { organisationId: atlas, importId: '00000000-0000-0000-0000-000000000000', actor: { kind: 'user', id: 'x', label: 'x' } }),
    );
    const seenByCdc = await db.tx({ organisationId: cdc, userId: null }, (tx) => tx.query(`SELECT id FROM job_outbox`));
    expect(seenByCdc.map((r) => (r as { id: string }).id)).not.toContain(parsePublicJobId(own)!.id);
    const seenByAtlas = await db.tx({ organisationId: atlas, userId: null }, (tx) => tx.query<{ id: string; organisation_id: string }>(`SELECT id, organisation_id FROM job_outbox`));
    expect(seenByAtlas.map((r) => r.id)).toContain(parsePublicJobId(own)!.id);
    expect(seenByAtlas.every((r) => r.organisation_id === atlas)).toBe(true);
    await expect(db.tx({ organisationId: atlas, userId: null }, (tx) => tx.query(`UPDATE job_outbox SET state = 'COMPLETED'`))).rejects.toThrow(/permission denied/);
  });
});
