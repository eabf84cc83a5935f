import { Injectable } from '@nestjs/common';
import { Clock, Page, decodeCursor, toPage } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { SigningService } from '@bo/signing';
import { canonicalJson } from './canonical';

/** What a checkpoint signs: the head of one organisation's chain at a time. */
export interface CheckpointPayload {
  type: 'bo.audit-checkpoint/1';
  organisationId: string;
  seq: number;
  hash: string;
  signedAt: string;
}

export interface AuditCheckpoint extends CheckpointPayload {
  keyId: string;
  algorithm: 'Ed25519';
  /** base64url Ed25519 signature of `signedBytes` (the canonical JSON of the payload). */
  signature: string;
  /** Exactly the bytes that were signed (UTF-8), so a copy can be checked with the public key alone. */
  signedBytes: string;
}

export interface CheckpointRow {
  organisation_id: string;
  seq: string;
  hash: string;
  signed_at: Date;
  key_id: string;
  signature: string;
}

export const CHECKPOINT_TYPE = 'bo.audit-checkpoint/1';

export function checkpointBytes(p: { organisationId: string; seq: number; hash: string; signedAt: string }): string {
  return canonicalJson({ type: CHECKPOINT_TYPE, organisationId: p.organisationId, seq: p.seq, hash: p.hash, signedAt: p.signedAt });
}

export function toCheckpoint(row: CheckpointRow): AuditCheckpoint {
  const payload = { organisationId: row.organisation_id, seq: Number(row.seq), hash: row.hash, signedAt: row.signed_at.toISOString() };
  return { type: CHECKPOINT_TYPE, ...payload, keyId: row.key_id, algorithm: 'Ed25519', signature: row.signature, signedBytes: checkpointBytes(payload) };
}

/**
 * Signed checkpoints of the audit chains: on demand for the caller's organisation, and for every
 * chain by the `audit.checkpoint` job. A checkpoint is written only when the head moved since the
 * last one (one per (organisation, seq)).
 */
@Injectable()
export class CheckpointsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly signing: SigningService,
  ) {}

  /** Signs the given chain heads and inserts them (skipping heads already checkpointed). Returns how many were new. */
  async sign(tx: Tx, heads: { organisationId: string; seq: number; hash: string }[]): Promise<number> {
    if (heads.length === 0) return 0;
    const signedAt = (await this.clock.now()).toISOString();
    const rows = heads.map((h) => {
      const s = this.signing.sign(checkpointBytes({ ...h, signedAt }));
      return { organisation_id: h.organisationId, seq: h.seq, hash: h.hash, signed_at: signedAt, key_id: s.keyId, signature: s.signature };
    });
    const inserted = await tx.query(
      `INSERT INTO audit_checkpoints (organisation_id, seq, hash, signed_at, key_id, signature)
       SELECT organisation_id, seq, hash, signed_at, key_id, signature
         FROM jsonb_to_recordset($1::jsonb) AS r(organisation_id uuid, seq bigint, hash text, signed_at timestamptz, key_id text, signature text)
       ON CONFLICT (organisation_id, seq) DO NOTHING RETURNING id`,
      [JSON.stringify(rows)],
    );
    return inserted.length;
  }

  /** Checkpoints the caller's organisation chain now; answers the latest checkpoint (undefined when the chain is empty). */
  async checkpointNow(actor: Actor): Promise<AuditCheckpoint | undefined> {
    return this.db.tx(tenantOf(actor), async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('audit:' || $1, 0))`, [actor.organisationId]);
      const head = await tx.one<{ seq: string; hash: string }>(`SELECT seq, hash FROM audit_events WHERE organisation_id = $1 ORDER BY seq DESC LIMIT 1`, [actor.organisationId]);
      if (!head) return undefined;
      await this.sign(tx, [{ organisationId: actor.organisationId, seq: Number(head.seq), hash: head.hash }]);
      const row = await tx.one<CheckpointRow>(`SELECT * FROM audit_checkpoints WHERE organisation_id = $1 ORDER BY seq DESC LIMIT 1`, [actor.organisationId]);
      return row ? toCheckpoint(row) : undefined;
    });
  }

  /** The organisation's checkpoints, newest first, to download and keep. */
  async list(actor: Actor, query: { limit: number; cursor?: string }): Promise<Page<AuditCheckpoint>> {
    const after = decodeCursor(query.cursor, ['integer']);
    return this.db.tx(tenantOf(actor), async (tx) => {
      const rows = await tx.query<CheckpointRow>(
        `SELECT * FROM audit_checkpoints WHERE organisation_id = $1 AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3`,
        [actor.organisationId, after?.[0] ?? null, query.limit + 1],
      );
      return toPage(rows, query.limit, (r) => [Number(r.seq)], toCheckpoint);
    });
  }

  /** Every checkpoint of the organisation in `tx`, oldest first, with whether its signature holds. */
  async all(tx: Tx, organisationId: string): Promise<(AuditCheckpoint & { signatureValid: boolean })[]> {
    const rows = await tx.query<CheckpointRow>(`SELECT * FROM audit_checkpoints WHERE organisation_id = $1 ORDER BY seq`, [organisationId]);
    return rows.map((row) => {
      const cp = toCheckpoint(row);
      return { ...cp, signatureValid: cp.organisationId === organisationId && this.signing.verify(cp.signedBytes, cp.signature, cp.keyId) };
    });
  }
}
