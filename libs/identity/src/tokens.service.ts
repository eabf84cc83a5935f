import { Injectable } from '@nestjs/common';
import { AppConfig, AppError, Clock } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { AuditService } from '@bo/audit';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isSessionId, signAccessToken } from './jwt';

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The e-mail of a user, for the audit trail's actor label (the id when it is gone). */
async function labelOf(tx: Tx, userId: string): Promise<string> {
  return (await tx.one<{ email: string }>(`SELECT email FROM auth_principal($1)`, [userId]))?.email ?? userId;
}

interface RefreshRow {
  id: string;
  family_id: string;
  user_id: string;
  organisation_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

/**
 * Access tokens (short-lived JWT) and rotating refresh tokens. Each refresh spends its token and
 * issues the next of the same family; presenting a spent token revokes the whole family, since
 * one of the two holders is a thief.
 */
@Injectable()
export class TokensService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  async issue(tx: Tx, user: { id: string; organisationId: string }, familyId: string = randomUUID()): Promise<TokenPair> {
    const now = await this.clock.now();
    const iat = Math.floor(now.getTime() / 1000);
    const accessToken = await signAccessToken(
      { sub: user.id, org: user.organisationId, sid: familyId, jti: randomUUID(), iat },
      this.config.ACCESS_TOKEN_TTL_SECONDS,
      this.config.JWT_SECRET,
    );
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshExpiresAt = new Date(now.getTime() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000);
    await tx.query(
      `INSERT INTO refresh_tokens (family_id, user_id, organisation_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [familyId, user.id, user.organisationId, hashToken(refreshToken), refreshExpiresAt],
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS, refreshToken, refreshExpiresAt: refreshExpiresAt.toISOString() };
  }

  private async lookup(refreshToken: string): Promise<RefreshRow | undefined> {
    const [row] = await this.db.shared<RefreshRow>(`SELECT * FROM auth_refresh_token($1)`, [hashToken(refreshToken)]);
    return row;
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const row = await this.lookup(refreshToken);
    if (!row) throw new AppError('AUTH.TOKEN_INVALID', 'Unknown refresh token.');
    const now = await this.clock.now();
    const reused = row.used_at !== null || row.revoked_at !== null;
    const outcome = await this.db.tx({ organisationId: row.organisation_id, userId: row.user_id }, async (tx) => {
      if (reused) {
        await tx.query(`UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL`, [row.family_id, now]);
        await this.audit.record(tx, { kind: 'user', id: row.user_id, organisationId: row.organisation_id, label: await labelOf(tx, row.user_id) }, {
          action: 'auth.refresh_reused',
          entityType: 'session',
          entityId: row.family_id,
          details: { familyRevoked: true },
        });
        return 'reused' as const;
      }
      if (row.expires_at <= now) return 'expired' as const;
      const [principal] = await tx.query<{ disabled: boolean }>(`SELECT disabled FROM auth_principal($1)`, [row.user_id]);
      if (!principal || principal.disabled) return 'disabled' as const;
      const spent = await tx.query(`UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING id`, [row.id, now]);
      if (spent.length === 0) return 'reused' as const;
      return this.issue(tx, { id: row.user_id, organisationId: row.organisation_id }, row.family_id);
    });
    if (outcome === 'reused') throw new AppError('AUTH.REFRESH_REUSED', 'This refresh token was already used; the session is revoked. Log in again.');
    if (outcome === 'expired') throw new AppError('AUTH.TOKEN_INVALID', 'The refresh token has expired.');
    if (outcome === 'disabled') throw new AppError('AUTH.TOKEN_INVALID', 'The account is disabled.');
    return outcome;
  }

  /**
   * Ends the refresh token's session and the session of the access token presented with it (when
   * another): every token of their families is revoked in PostgreSQL, which the API reads with the
   * caller's account on every request (\`auth_session\`), so their access tokens are refused at once
   * too. Unknown tokens are ignored (logout is idempotent).
   */
  async logout(refreshToken: string, accessToken?: { sub: string; org: string; sid: string }): Promise<void> {
    const row = await this.lookup(refreshToken);
    const sessions = new Map<string, { userId: string; organisationId: string }>();
    if (row) sessions.set(row.family_id, { userId: row.user_id, organisationId: row.organisation_id });
    if (accessToken && isSessionId(accessToken.sid) && !sessions.has(accessToken.sid)) sessions.set(accessToken.sid, { userId: accessToken.sub, organisationId: accessToken.org });
    const now = await this.clock.now();
    for (const [familyId, session] of sessions) {
      await this.db.tx({ organisationId: session.organisationId, userId: session.userId }, async (tx) => {
        const tokens = await tx.query(`UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, $3) WHERE family_id = $1 AND user_id = $2 RETURNING id`, [
          familyId,
          session.userId,
          now,
        ]);
        if (tokens.length === 0) return;
        await this.audit.record(tx, { kind: 'user', id: session.userId, organisationId: session.organisationId, label: await labelOf(tx, session.userId) }, {
          action: 'auth.logout',
          entityType: 'session',
          entityId: familyId,
        });
      });
    }
  }
}
