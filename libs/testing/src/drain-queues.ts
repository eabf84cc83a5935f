import { JobDispatcher, JobOutbox } from '@bo/queue';
import { OutboxStore } from '@bo/database';

/** Jobs a job scheduler keeps waiting for its next run: never "pending work" for a test. */
function isSchedulerJob(id: string | undefined): boolean {
  return id?.startsWith('repeat:') ?? false;
}

/**
 * Waits until the job outbox has no due row left and every queue has nothing waiting, active, prioritized or delayed (except the next
 * run of a recurring job), checking every 50 ms, and fails after `timeoutMs` with the counts it
 * saw: bounded, never hangs a test.
 */
export async function drainQueues(deps: { dispatcher: JobDispatcher; outbox: JobOutbox; store: OutboxStore }, timeoutMs = 15_000): Promise<void> {
  const { dispatcher } = deps;
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, Record<string, number>> = {};
  while (Date.now() < deadline) {
    await deps.outbox.flush();
    const outboxPending = await deps.store.pendingCount();
    last = { outbox: { pending: outboxPending } };
    let pending = outboxPending;
    for (const queue of dispatcher.allQueues()) {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children', 'delayed');
      if (counts.delayed > 0) {
        const delayed = await queue.getJobs(['delayed'], 0, 1000);
        counts.delayed = delayed.filter((job) => !isSchedulerJob(job.id)).length;
      }
      last[queue.name] = counts;
      pending += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    if (pending === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Queues not drained after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}
