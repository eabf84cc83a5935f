import { JobDispatcher } from '@bo/queue';

/**
 * Waits until every queue is empty (nothing waiting, active, delayed or prioritized), checking
 * every 50 ms, and fails after `timeoutMs` with the counts it saw: bounded, never hangs a test.
 */
export async function drainQueues(dispatcher: JobDispatcher, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, Record<string, number>> = {};
  while (Date.now() < deadline) {
    last = {};
    let pending = 0;
    for (const queue of dispatcher.allQueues()) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      last[queue.name] = counts;
      pending += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    if (pending === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Queues not drained after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}
