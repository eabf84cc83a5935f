import { Injectable } from '@nestjs/common';
import { Clock, Page, decodeCursor, toPage } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { CheckpointsService } from './checkpoints';
import { ChainedFields, GENESIS_HASH, canonicalJson, chainHash, digestOf, sha256 } from './canonical';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown>;
}

/** The actor of an audit event: a user, an API key, or a system job. */
export type AuditActor = Pick<Actor, 'kind' | 'id' | 'organisationId' | 'label'> | { kind: 'system'; id: string | null; organisationId: string; label: string };

export interface AuditEvent {
  id: string;
  seq: number;
  occurredAt: string;
  actorKind: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  beforeDigest: string | null;
  afterDigest: string | null;
  details: unknown;
  hash: string;
}

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  action?: string;
  actorId?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export interface ChainVerification {
  valid: boolean;
  events: number;
  /** The first event whose hash does not follow from its predecessor and its fields, or differs from a signed checkpoint. */
  firstBrokenLink?: { seq: number; id: string; reason: string };
  /** Events a signed checkpoint covers that are no longer in the chain (a cut tail). */
  missingTail?: { fromSeq: number; toSeq: number; reason: string };
  /** A checkpoint whose signature does not verify (a forged or altered checkpoint). */
  checkpointProblem?: string;
  /** The newest signed checkpoint (null: none yet). */
  latestCheckpoint: { seq: number; hash: string; signedAt: string; keyId: string } | null;
  /** Events after the latest checkpoint: the chain alone vouches for them until the next one. */
  uncheckpointedEvents?: number;
}

interface AuditRow {
  id: string;
  organisation_id: string;
  seq: string;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before_digest: string | null;
  after_digest: string | null;
  details: unknown;
  prev_hash: string;
  hash: string;
}

function fieldsOf(row: AuditRow): ChainedFields {
  return {
    organisationId: row.organisation_id,
    seq: Number(row.seq),
    occurredAt: row.occurred_at.toISOString(),
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    beforeDigest: row.before_digest,
    afterDigest: row.after_digest,
    details: row.details,
  };
}

/**
 * Appends events to the organisation's hash chain inside the caller's transaction, so an event
 * exists exactly when its change committed. Appends to one chain are serialized by an advisory
 * lock; the application role may insert and read, never update or delete.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly checkpoints: CheckpointsService,
  ) {}

  /** The head of an organisation's chain (its last event), or null before the first: sealed into reports. */
  async head(tx: Tx, organisationId: string): Promise<{ seq: number; hash: string } | null> {
    const last = await tx.one<{ seq: string; hash: string }>(`SELECT seq, hash FROM audit_events WHERE organisation_id = $1 ORDER BY seq DESC LIMIT 1`, [organisationId]);
    return last ? { seq: Number(last.seq), hash: last.hash } : null;
  }

  async record(tx: Tx, actor: AuditActor, entry: AuditEntry): Promise<void> {
    const organisationId = actor.organisationId;
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('audit:' || $1, 0))`, [organisationId]);
    const last = await tx.one<{ seq: string; hash: string }>(
      `SELECT seq, hash FROM audit_events WHERE organisation_id = $1 ORDER BY seq DESC LIMIT 1`,
      [organisationId],
    );
    const fields: ChainedFields = {
      organisationId,
      seq: last ? Number(last.seq) + 1 : 1,
      occurredAt: (await this.clock.now()).toISOString(),
      actorKind: actor.kind,
      actorId: actor.id,
      actorLabel: actor.label,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      beforeDigest: digestOf(entry.before),
      afterDigest: digestOf(entry.after),
      details: JSON.parse(canonicalJson(entry.details ?? {})),
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    await tx.query(
      `INSERT INTO audit_events (organisation_id, seq, occurred_at, actor_kind, actor_id, actor_label, action, entity_type,
                                 entity_id, before_digest, after_digest, details, prev_hash, hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12::jsonb,$13,$14)`,
      [
        fields.organisationId,
        fields.seq,
        fields.occurredAt,
        fields.actorKind,
        fields.actorId,
        fields.actorLabel,
        fields.action,
        fields.entityType,
        fields.entityId,
        fields.beforeDigest,
        fields.afterDigest,
        JSON.stringify(fields.details),
        prevHash,
        chainHash(prevHash, fields),
      ],
    );
  }

  /**
   * A bulk operation is one event: the file hash, the counts and a digest of the affected ids
   * (sorted, so the digest does not depend on processing order).
   */
  async recordBulk(
    tx: Tx,
    actor: AuditActor,
    entry: { action: string; entityType: string; entityId?: string; fileSha256?: string; counts: Record<string, number>; affectedIds: string[] },
  ): Promise<void> {
    const idsDigest = sha256([...entry.affectedIds].sort().join('\n'));
    await this.record(tx, actor, {
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      details: { bulk: true, fileSha256: entry.fileSha256, counts: entry.counts, affectedIdsDigest: idsDigest, affected: entry.affectedIds.length },
    });
  }

  async list(actor: Actor, filter: AuditFilter): Promise<Page<AuditEvent>> {
    const after = decodeCursor(filter.cursor, ['integer']);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const rows = await tx.query<AuditRow>(
        `SELECT * FROM audit_events
          WHERE ($1::text IS NULL OR entity_type = $1)
            AND ($2::text IS NULL OR entity_id = $2)
            AND ($3::text IS NULL OR action = $3)
            AND ($4::text IS NULL OR actor_id = $4)
            AND ($5::timestamptz IS NULL OR occurred_at >= $5)
            AND ($6::timestamptz IS NULL OR occurred_at < $6)
            AND ($7::bigint IS NULL OR seq < $7)
          ORDER BY seq DESC
          LIMIT $8`,
        [filter.entityType ?? null, filter.entityId ?? null, filter.action ?? null, filter.actorId ?? null, filter.from ?? null, filter.to ?? null, after?.[0] ?? null, filter.limit + 1],
      );
      return toPage(rows, filter.limit, (r) => [Number(r.seq)], (r) => ({
        id: String(r.id),
        seq: Number(r.seq),
        occurredAt: r.occurred_at.toISOString(),
        actorKind: r.actor_kind,
        actorId: r.actor_id,
        actorLabel: r.actor_label,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        beforeDigest: r.before_digest,
        afterDigest: r.after_digest,
        details: r.details,
        hash: r.hash,
      }));
    });
  }

  /**
   * Recomputes the caller's organisation chain in order, in batches, and names the first broken
   * link; then holds it against the signed checkpoints: every checkpoint's signature must verify,
   * the event at each checkpointed sequence must carry the checkpointed hash (a rewritten event,
   * even with its hash recomputed, is caught), and the chain must reach the latest checkpoint (a
   * deleted tail is named).
   */
  async verify(actor: Actor): Promise<ChainVerification> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      const checkpoints = await this.checkpoints.all(tx, actor.organisationId);
      const latest = checkpoints.at(-1);
      const summary = latest ? { seq: latest.seq, hash: latest.hash, signedAt: latest.signedAt, keyId: latest.keyId } : null;
      const forged = checkpoints.find((c) => !c.signatureValid);
      if (forged) {
        return { valid: false, events: 0, latestCheckpoint: summary, checkpointProblem: `the checkpoint of sequence ${forged.seq} does not carry a valid signature of a known key` };
      }
      const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
      let prevHash = GENESIS_HASH;
      let expectedSeq = 1;
      let count = 0;
      for (;;) {
        const rows = await tx.query<AuditRow>(
          `SELECT * FROM audit_events WHERE organisation_id = $1 AND seq >= $2 ORDER BY seq LIMIT 5000`,
          [actor.organisationId, expectedSeq],
        );
        for (const row of rows) {
          count++;
          const seq = Number(row.seq);
          const broken = (reason: string): ChainVerification => ({ valid: false, events: count, latestCheckpoint: summary, firstBrokenLink: { seq, id: String(row.id), reason } });
          if (seq !== expectedSeq) return broken(`sequence gap: expected ${expectedSeq}`);
          if (row.prev_hash !== prevHash) return broken('prev_hash does not match the previous event');
          if (chainHash(prevHash, fieldsOf(row)) !== row.hash) return broken('hash does not match the event fields');
          const checkpoint = bySeq.get(seq);
          if (checkpoint && checkpoint.hash !== row.hash) return broken(`hash differs from the signed checkpoint of ${checkpoint.signedAt}: the event or one before it was rewritten`);
          prevHash = row.hash;
          expectedSeq++;
        }
        if (rows.length < 5000) break;
      }
      const lastSeq = expectedSeq - 1;
      if (latest && latest.seq > lastSeq) {
        return {
          valid: false,
          events: count,
          latestCheckpoint: summary,
          missingTail: { fromSeq: lastSeq + 1, toSeq: latest.seq, reason: `events ${lastSeq + 1} to ${latest.seq} were signed in the checkpoint of ${latest.signedAt} and are gone` },
        };
      }
      return { valid: true, events: count, latestCheckpoint: summary, uncheckpointedEvents: lastSeq - (latest?.seq ?? 0) };
    });
  }
}
