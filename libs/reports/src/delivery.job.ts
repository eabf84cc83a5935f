import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, Clock } from '@bo/core';
import { SystemDb } from '@bo/database';
import { AuditService } from '@bo/audit';
import { BlobStore } from '@bo/storage';
import { HandlesJob, JobContext, JobDispatcher, JobHandler, JobPayloads } from '@bo/queue';
import { DELIVERY_HEADERS, PACKAGE_MEDIA_TYPE, deliveryKey, recipientSecret, signDelivery } from './delivery-signature';
import { MAX_DELIVERY_ATTEMPTS, retryDelayMs } from './reports.types';

export interface DeliveryScanResult {
  due: number;
  delivered: number;
  failed: number;
  deadLettered: number;
}

interface DueCase {
  id: string;
  report_id: string;
  recipient_organisation_id: string;
  attempts: number;
  package_sha256: string;
  owner_id: string;
  reference: string;
  endpoint: string | null;
}

/** A delivery attempt may take this long before it counts as failed. */
const ATTEMPT_TIMEOUT_MS = 15_000;

/**
 * `reports.delivery-scan`: POSTs the sealed package of every case whose next attempt is due (by
 * the clock), signed with HMAC-SHA256 under the recipient's secret, a timestamp and an
 * Idempotency-Key from the report and its seal. Each attempt is a row; a failure schedules the
 * next one (1 min, 3, 9, 27... capped at 6 h: ten attempts over about 24 h), the tenth failure
 * dead-letters the case and tells the sender. Cases are claimed with SKIP LOCKED and a lease, so
 * two scans never send the same case at once; the recipient deduplicates by the key anyway.
 */
@Injectable()
@HandlesJob('reports.delivery-scan')
export class DeliveryScanJob implements JobHandler<'reports.delivery-scan'> {
  private readonly logger = new Logger('DeliveryScanJob');

  constructor(
    private readonly systemDb: SystemDb,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly blobs: BlobStore,
    private readonly config: AppConfig,
  ) {}

  async handle(_payload: JobPayloads['reports.delivery-scan'], context?: JobContext): Promise<DeliveryScanResult> {
    const now = await this.clock.now();
    const due = await this.systemDb.tx((tx) =>
      tx.query<DueCase>(
        `WITH due AS (
           SELECT id FROM report_cases
            WHERE delivery_status = 'PENDING' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
            ORDER BY next_attempt_at LIMIT 100 FOR UPDATE SKIP LOCKED)
         UPDATE report_cases k SET claimed_until = $1::timestamptz + interval '5 minutes'
           FROM due, reports r
          WHERE k.id = due.id AND r.id = k.report_id
         RETURNING k.id, k.report_id, k.recipient_organisation_id, k.attempts, r.package_sha256, r.organisation_id AS owner_id, r.reference,
                   (SELECT url FROM delivery_endpoints d WHERE d.organisation_id = k.recipient_organisation_id) AS endpoint`,
        [now],
      ),
    );
    const result: DeliveryScanResult = { due: due.length, delivered: 0, failed: 0, deadLettered: 0 };
    // One request per due case: network I/O, not a row loop over data.
    for (const kase of due) {
      const outcome = await this.attempt(kase);
      if (outcome === 'DELIVERED') result.delivered++;
      else if (outcome === 'DEAD_LETTER') result.deadLettered++;
      else result.failed++;
    }
    await context?.progress(100);
    return result;
  }

  private endpointOf(kase: DueCase): string {
    return kase.endpoint ?? this.config.INBOX_URL ?? `http://127.0.0.1:${this.config.PORT}/api/v1/inbox/deliveries`;
  }

  private async attempt(kase: DueCase): Promise<'DELIVERED' | 'FAILED' | 'DEAD_LETTER'> {
    const body = await this.read(kase.package_sha256);
    const at = await this.clock.now();
    const timestamp = Math.floor(at.getTime() / 1000);
    let httpStatus: number | null = null;
    let error: string | null = null;
    let acknowledgementId: string | null = null;
    try {
      if (!body) throw new Error('the sealed package is missing from the blob store');
      const response = await fetch(this.endpointOf(kase), {
        method: 'POST',
        headers: {
          'content-type': PACKAGE_MEDIA_TYPE,
          [DELIVERY_HEADERS.timestamp]: String(timestamp),
          [DELIVERY_HEADERS.signature]: signDelivery(recipientSecret(this.config.JWT_SECRET, kase.recipient_organisation_id), timestamp, body),
          [DELIVERY_HEADERS.recipient]: kase.recipient_organisation_id,
          [DELIVERY_HEADERS.caseId]: kase.id,
          [DELIVERY_HEADERS.idempotencyKey]: deliveryKey(kase.report_id, kase.package_sha256, kase.recipient_organisation_id),
        },
        body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      httpStatus = response.status;
      const text = await response.text();
      if (response.ok) {
        acknowledgementId = (JSON.parse(text) as { acknowledgementId?: string }).acknowledgementId ?? null;
        if (!acknowledgementId) throw new Error('the recipient answered without an acknowledgementId');
      } else {
        error = `HTTP ${response.status}: ${text.slice(0, 300)}`;
      }
    } catch (e) {
      error = (e as Error).message.slice(0, 300);
      acknowledgementId = null;
    }
    const attempt = kase.attempts + 1;
    return this.systemDb.tx(async (tx) => {
      if (acknowledgementId) {
        await tx.query(`INSERT INTO report_delivery_attempts (case_id, attempt, attempted_at, http_status, succeeded) VALUES ($1, $2, $3, $4, true)`, [kase.id, attempt, at, httpStatus]);
        await tx.query(
          `UPDATE report_cases SET delivery_status = 'DELIVERED', attempts = $2, acknowledgement_id = $3, delivered_at = $4, next_attempt_at = NULL, claimed_until = NULL, last_error = NULL WHERE id = $1`,
          [kase.id, attempt, acknowledgementId, at],
        );
        await this.audit.record(tx, { kind: 'system', id: null, organisationId: kase.owner_id, label: 'reports.delivery-scan' }, {
          action: 'report.case.delivered', entityType: 'report_case', entityId: kase.id, details: { reportId: kase.report_id, attempt, acknowledgementId },
        });
        return 'DELIVERED';
      }
      const dead = attempt >= MAX_DELIVERY_ATTEMPTS;
      const next = dead ? null : new Date(at.getTime() + retryDelayMs(attempt));
      await tx.query(`INSERT INTO report_delivery_attempts (case_id, attempt, attempted_at, http_status, error, succeeded, next_attempt_at) VALUES ($1, $2, $3, $4, $5, false, $6)`, [
        kase.id, attempt, at, httpStatus, error, next,
      ]);
      await tx.query(`UPDATE report_cases SET delivery_status = $2, attempts = $3, next_attempt_at = $4, last_error = $5, claimed_until = NULL WHERE id = $1`, [
        kase.id, dead ? 'DEAD_LETTER' : 'PENDING', attempt, next, error,
      ]);
      if (dead) {
        this.logger.warn(`report ${kase.reference}: case ${kase.id} dead-lettered after ${attempt} attempts (${error})`);
        await tx.query(
          `INSERT INTO notifications (organisation_id, user_id, kind, entity_type, entity_id, payload) VALUES ($1, NULL, 'REPORT_DELIVERY_DEAD_LETTER', 'report_case', $2, $3)`,
          [kase.owner_id, kase.id, JSON.stringify({ reportId: kase.report_id, reference: kase.reference, attempts: attempt, lastError: error })],
        );
        await this.audit.record(tx, { kind: 'system', id: null, organisationId: kase.owner_id, label: 'reports.delivery-scan' }, {
          action: 'report.case.dead_letter', entityType: 'report_case', entityId: kase.id, details: { reportId: kase.report_id, attempts: attempt, lastError: error },
        });
        return 'DEAD_LETTER';
      }
      return 'FAILED';
    });
  }

  private async read(sha256: string): Promise<Buffer | undefined> {
    const stream = await this.blobs.open(sha256);
    if (!stream) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

/** Runs the delivery scan every minute (a BullMQ job scheduler, registered at worker start). */
@Injectable()
export class DeliveryScanScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('DeliveryScanScheduler');

  constructor(private readonly dispatcher: JobDispatcher) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.dispatcher.queue('default').upsertJobScheduler('reports.delivery-scan', { every: 60 * 1000 }, { name: 'reports.delivery-scan', data: { organisationId: null } });
    this.logger.log('report delivery scan scheduled every minute');
  }
}
