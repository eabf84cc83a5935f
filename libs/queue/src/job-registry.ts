import { SetMetadata } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';

/** Queues: imports are long and I/O-heavy, so they never hold up short jobs. */
export const QUEUE_NAMES = ['default', 'imports'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * Every job's payload, declared once. Payloads carry the organisation they work for (`null` for
 * platform-wide work) so that job status can be shown only to that organisation.
 */
export interface JobPayloads {
  /** Reloads the project's reference data files (funders, RNQ) into PostgreSQL. */
  'reference.reload': { organisationId: null; requestedBy: string | null; force?: boolean };
  /** Imports a funder's funded-actions CSV (stored blob) under that funder's RLS context. */
  'actions.import': { organisationId: string; importId: string; actor: { kind: 'user' | 'api_key'; id: string; label: string } };
  /** Re-evaluates the certification coverage of every funded action (after a registry change). */
  'registry.coverage-recompute': { organisationId: null; requestedBy: string | null; reason?: string };
  /** Imports an uploaded public list (owned by the PLATFORM organisation) from the blob store. */
  'registry.public-list-import': { organisationId: string; importId: string; requestedBy: string | null };
  /** Fetches PUBLIC_LIST_SOURCE and imports it in FULL mode (the recurring job scheduler). */
  'registry.public-list-refresh': { organisationId: null; requestedBy: string | null };
  /** Moves checks past their response window to RESPONSE_OVERDUE; flags overdue corrective actions. */
  'controls.deadline-scan': { organisationId: null };
  /** Signs a checkpoint of every audit chain whose head moved (libs/audit, scheduled). */
  'audit.checkpoint': { organisationId: null };
  /**
   * Recomputes the cross-funder price references and the price anomalies of every funder. The
   * organisation is the one that asked (its managers follow the run), null for the nightly run.
   */
  /** `incremental`: only the groups of the scopes changed since the last run (after imports and edits). */
  'pricing.recompute': { organisationId: string | null; requestedBy: string | null; incremental?: boolean };
  /**
   * Recomputes the cross-funder provider control profiles (libs/sharing): the providers touched
   * since the watermark, or every one with \`full\` (and on the first run).
   */
  'sharing.provider-control-profile': { organisationId: null; requestedBy: string | null; full?: boolean };
  /** Delivers the sealed packages of report cases whose next attempt is due (libs/reports, scheduled). */
  'reports.delivery-scan': { organisationId: null };
}

export type JobName = keyof JobPayloads;

export interface JobDefinition {
  queue: QueueName;
  description: string;
  /** Overrides of the defaults below, where a job needs them. */
  options?: JobsOptions;
  /**
   * Requests made while one is still waiting (in the outbox or on the queue, not yet running)
   * join it instead of adding a run: for jobs that recompute everything from the current state.
   */
  coalesce?: boolean;
}

export const JOB_DEFINITIONS = {
  'reference.reload': { queue: 'default', description: 'Reload funders and the RNQ from the project data files' },
  // The handler records a bad file as FAILED and returns; it throws only when PostgreSQL failed
  // under it (the import is one transaction, rolled back), and then a retry finishes the import.
  'actions.import': { queue: 'imports', description: "Import a funder's funded-actions CSV", options: { attempts: 3 } },
  'registry.coverage-recompute': {
    queue: 'default',
    description: 'Re-evaluate the certification coverage of all funded actions',
    // A burst of registry changes coalesces into one waiting run (and one more if one is running).
    coalesce: true,
  },
  'registry.public-list-import': { queue: 'imports', description: 'Import an uploaded public list of training providers', options: { attempts: 3 } },
  'registry.public-list-refresh': { queue: 'imports', description: 'Fetch and import the public list from PUBLIC_LIST_SOURCE', options: { attempts: 3 } },
  'controls.deadline-scan': { queue: 'default', description: 'Scan check response windows and corrective-action due dates', coalesce: true },
  'audit.checkpoint': { queue: 'default', description: 'Sign a checkpoint of every audit chain head that moved' },
  'pricing.recompute': {
    queue: 'default',
    description: 'Recompute cross-funder price references and price anomalies',
    // Requests of one kind while one waits join it (a run takes every change so far); one more during a run.
    coalesce: true,
  },
  'sharing.provider-control-profile': {
    queue: 'default',
    description: 'Recompute the cross-funder provider control profiles (risk score)',
    // A run recomputes from the current state (past the watermark): requests while one waits join it.
    coalesce: true,
  },
  'reports.delivery-scan': {
    queue: 'default',
    description: 'Deliver sealed reports whose next attempt is due (signed POST, backoff, dead letter)',
    // A scan delivers every due case: requests while one waits join it (a failed attempt is a row, not a job retry).
    coalesce: true,
    options: { attempts: 1 },
  },
} as const satisfies Record<JobName, JobDefinition>;

/** Retry, backoff and retention for every job, in one place. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export interface JobContext {
  jobId: string;
  attempt: number;
  /** Reports progress (0-100 or an object) to the job's status. */
  progress(value: number | object): Promise<void>;
}

/** What a domain lib implements for one job name; the worker finds it by its metadata. */
export interface JobHandler<N extends JobName = JobName> {
  handle(payload: JobPayloads[N], context: JobContext): Promise<unknown>;
}

export const JOB_HANDLER_METADATA = 'bo:job-handler';

/** Declares the class as the handler of `name`. Exactly one handler per job, checked at boot. */
export const HandlesJob = (name: JobName) => SetMetadata(JOB_HANDLER_METADATA, name);

/** Public job ids carry their queue: `<queue>.<id>` (BullMQ forbids ':' in ids). */
export function publicJobId(queue: QueueName, id: string): string {
  return `${queue}.${id}`;
}

export function parsePublicJobId(publicId: string): { queue: QueueName; id: string } | undefined {
  const dot = publicId.indexOf('.');
  if (dot < 0) return undefined;
  const queue = publicId.slice(0, dot) as QueueName;
  const id = publicId.slice(dot + 1);
  if (!QUEUE_NAMES.includes(queue) || id.length === 0 || id.length > 200) return undefined;
  return { queue, id };
}

/** Returns the problems of a handler map: missing handlers and duplicates. Empty = bootable. */
export function registryProblems(found: { name: string; owner: string }[]): string[] {
  const problems: string[] = [];
  const byName = new Map<string, string[]>();
  for (const { name, owner } of found) byName.set(name, [...(byName.get(name) ?? []), owner]);
  for (const name of Object.keys(JOB_DEFINITIONS)) {
    const owners = byName.get(name) ?? [];
    if (owners.length === 0) problems.push(`job "${name}" has no handler`);
    if (owners.length > 1) problems.push(`job "${name}" has ${owners.length} handlers: ${owners.join(', ')}`);
  }
  for (const name of byName.keys()) {
    if (!(name in JOB_DEFINITIONS)) problems.push(`handler for unknown job "${name}"`);
  }
  return problems;
}
