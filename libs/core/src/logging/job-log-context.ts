import { Injectable } from '@nestjs/common';
import { CLS_ID, ClsService } from 'nestjs-cls';
import { PinoLogger } from 'nestjs-pino';
import { CORRELATION_LOG_FIELD } from './logger';

/**
 * Runs a unit of background work (a job) in a context of its own, as a request has: the CLS id
 * is the job's correlation id and every log line written inside carries it.
 */
@Injectable()
export class JobLogContext {
  constructor(
    private readonly cls: ClsService,
    private readonly logger: PinoLogger,
  ) {}

  run<T>(correlationId: string, bindings: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    return this.cls.run(() => {
      this.cls.set(CLS_ID, correlationId);
      return this.logger.runInContext(work, { bindings: { [CORRELATION_LOG_FIELD]: correlationId, ...bindings } });
    });
  }

  /** The correlation id of the job being run, if any. */
  correlationId(): string | undefined {
    return this.cls.isActive() ? this.cls.getId() : undefined;
  }
}
