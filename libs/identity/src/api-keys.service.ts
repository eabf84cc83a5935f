import { Injectable } from '@nestjs/common';
import { AppError, Clock } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, ApiKeyScope, grantableApiKeyScopes, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { createHash, randomBytes } from 'node:crypto';

export interface ApiKeyView {
  id: string;
  label: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedFrom: string | null;
}

interface ApiKeyRow {
  id: string;
  label: string;
  prefix: string;
  scopes: ApiKeyScope[];
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  last_used_from: string | null;
}

const toView = (r: ApiKeyRow): ApiKeyView => ({
  id: r.id,
  label: r.label,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  lastUsedFrom: r.last_used_from,
});

const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** API keys for a funder's systems: `bo_<prefix>_<secret>`, shown once, stored as SHA-256. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(actor: Actor, input: { label: string; scopes: ApiKeyScope[] }): Promise<ApiKeyView & { key: string }> {
    const grantable = grantableApiKeyScopes(actor);
    const refused = input.scopes.map((scope, i) => ({ scope, i })).filter(({ scope }) => !grantable.includes(scope));
    if (refused.length) {
      throw new AppError('API_KEY.SCOPE_NOT_ALLOWED', `Your organisation kind and roles allow keys with: ${grantable.join(', ') || 'no scope'}.`, {
        errors: refused.map(({ scope, i }) => ({ field: `scopes[${i}]`, message: `${scope} is not allowed` })),
      });
    }
    const prefix = Array.from(randomBytes(12), (b) => PREFIX_ALPHABET[b % PREFIX_ALPHABET.length]).join('');
    const secret = randomBytes(32).toString('base64url');
    const key = `bo_${prefix}_${secret}`;
    return this.db.tx(tenantOf(actor), async (tx) => {
      const row = await tx.one<ApiKeyRow>(
        `INSERT INTO api_keys (organisation_id, label, prefix, secret_hash, scopes, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [actor.organisationId, input.label, prefix, createHash('sha256').update(secret).digest('hex'), [...new Set(input.scopes)], actor.kind === 'user' ? actor.id : null],
      );
      const view = toView(row!);
      await this.audit.record(tx, actor, { action: 'api_key.created', entityType: 'api_key', entityId: view.id, after: view });
      return { ...view, key };
    });
  }

  async list(actor: Actor): Promise<ApiKeyView[]> {
    return this.db.tx({ organisationId: actor.organisationId }, async (tx) =>
      (await tx.query<ApiKeyRow>(`SELECT * FROM api_keys ORDER BY created_at DESC`)).map(toView),
    );
  }

  async revoke(actor: Actor, id: string): Promise<ApiKeyView> {
    const now = await this.clock.now();
    return this.db.tx(tenantOf(actor), async (tx) => {
      const before = await tx.one<ApiKeyRow>(`SELECT * FROM api_keys WHERE id = $1`, [id]);
      if (!before) throw new AppError('API_KEY.NOT_FOUND', `No API key ${id}.`);
      const row = await tx.one<ApiKeyRow>(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING *`, [id, now]);
      const after = toView(row!);
      if (!before.revoked_at) {
        await this.audit.record(tx, actor, { action: 'api_key.revoked', entityType: 'api_key', entityId: id, before: toView(before), after });
      }
      return after;
    });
  }
}
