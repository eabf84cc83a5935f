import { Injectable } from '@nestjs/common';
import { Tx } from '@bo/database';
import { JobOutbox } from '@bo/queue';

export const PROFILE_JOB = 'sharing.provider-control-profile' as const;

/**
 * Asks for the provider-control-profile job through the job outbox. Changes that move a profile
 * (a share changed or revoked, need-to-know changed) ask for an incremental run in their own
 * transaction: the establishment they touched is past the watermark, so that run recomputes it at
 * once; until then, read-time filtering already hides every input the caller may not see.
 * Requests coalesce (a run recomputes from the current state); a \`full\` request (a changed
 * formula, after a deploy) coalesces only with another full one, never into a waiting incremental
 * run that would drop it.
 */
@Injectable()
export class ProfileRequests {
  constructor(private readonly outbox: JobOutbox) {}

  recompute(tx: Tx, requestedBy: string | null): Promise<string> {
    return this.outbox.add(tx, PROFILE_JOB, { organisationId: null, requestedBy });
  }

  recomputeNow(requestedBy: string | null, full = false): Promise<string> {
    return this.outbox.addNow(PROFILE_JOB, { organisationId: null, requestedBy, full }, full ? { coalesceAs: 'full' } : {});
  }
}
