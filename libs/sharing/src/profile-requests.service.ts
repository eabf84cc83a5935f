import { Injectable } from '@nestjs/common';
import { JobDispatcher } from '@bo/queue';

export const PROFILE_JOB = 'sharing.provider-control-profile' as const;

/**
 * Asks for the provider-control-profile job. Changes that move a profile (a share changed or
 * revoked, a check amended) ask for an incremental run: the establishment they touched is past
 * the watermark, so that run recomputes it at once; until then, read-time filtering already
 * hides every input the caller may not see.
 */
@Injectable()
export class ProfileRequests {
  constructor(private readonly dispatcher: JobDispatcher) {}

  async recompute(requestedBy: string | null, full = false): Promise<string> {
    return this.dispatcher.dispatch(PROFILE_JOB, { organisationId: null, requestedBy, full });
  }
}
