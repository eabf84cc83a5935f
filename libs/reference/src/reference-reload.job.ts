import { Injectable } from '@nestjs/common';
import { SystemDb } from '@bo/database';
import { HandlesJob, JobContext, JobHandler, JobPayloads } from '@bo/queue';
import { ReferenceLoadResult, loadReferenceData } from './reference-loader';

/** `reference.reload`: idempotent, serialized by an advisory lock. */
@Injectable()
@HandlesJob('reference.reload')
export class ReferenceReloadJob implements JobHandler<'reference.reload'> {
  constructor(private readonly systemDb: SystemDb) {}

  async handle(payload: JobPayloads['reference.reload'], context: JobContext): Promise<ReferenceLoadResult> {
    const result = await this.systemDb.withLock('reference.reload', (tx) => loadReferenceData(tx, payload.force ?? false));
    await context.progress(100);
    return result!;
  }
}
