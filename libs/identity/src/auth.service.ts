import { Injectable } from '@nestjs/common';
import { AppConfig, AppError, Clock } from '@bo/core';
import { Db } from '@bo/database';
import { API_KEY_SCOPES_BY_ORGANISATION_KIND, Actor, ApiKeyScope, Authenticator, OrganisationKind, Role, effectiveRoles } from '@bo/access';
import { AuditService } from '@bo/audit';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AccessClaims, AccessTokenVerifier, isSessionId } from './jwt';
import { DUMMY_HASH_PROMISE, verifyPassword } from './passwords';
import { THROTTLE_MAX_TIMES, THROTTLE_RULES, THROTTLE_WINDOW_SECONDS, ThrottleKind, delayAfter, throttleKeys } from './throttle';
import { TokenPair, TokensService } from './tokens.service';

interface PrincipalRow {
  id: string;
  organisation_id: string;
  organisation_kind: OrganisationKind;
  email: string;
  roles: Role[];
  disabled: boolean;
}

/** Log-in with throttling, and the API's authenticator (access tokens and API keys). */
@Injectable()
export class AuthService extends Authenticator {
  private readonly accessTokens: AccessTokenVerifier;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly db: Db,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
  ) {
    super();
    this.accessTokens = new AccessTokenVerifier(config.JWT_SECRET, config.ACCESS_TOKEN_TTL_SECONDS);
  }

  /** The claims of a well-signed access token valid now (whether its session was revoked is not asked here). */
  async accessClaims(token: string): Promise<AccessClaims | undefined> {
    const now = await this.clock.now();
    return this.accessTokens.verify(token, Math.floor(now.getTime() / 1000));
  }

  async login(email: string, password: string, address: string): Promise<TokenPair> {
    const keys = throttleKeys(email, address);
    const now = await this.clock.now();
    const blocked = await this.db.shared<{ blocked_until: Date }>(
      `SELECT max(blocked_until) AS blocked_until FROM login_throttle WHERE key = ANY($1) AND blocked_until > $2 HAVING max(blocked_until) IS NOT NULL`,
      [Object.values(keys), now],
    );
    if (blocked.length) {
      const retryAfter = Math.max(1, Math.ceil((blocked[0].blocked_until.getTime() - now.getTime()) / 1000));
      throw new AppError('AUTH.THROTTLED', `Too many failed log-ins; try again in ${retryAfter} s.`, { retryAfter });
    }
    const [user] = await this.db.shared<{ id: string; organisation_id: string; password_hash: string | null; disabled: boolean }>(
      `SELECT * FROM auth_user_by_email($1)`,
      [email],
    );
    const ok = user ? await verifyPassword(user.password_hash, password) : (await verifyPassword(await DUMMY_HASH_PROMISE, password + '\0'), false);
    if (!user || !ok || user.disabled) {
      await this.recordFailure(keys, now);
      throw new AppError('AUTH.INVALID_CREDENTIALS', 'Wrong e-mail or password.');
    }
    await this.db.shared(`DELETE FROM login_throttle WHERE key = ANY($1)`, [[keys.pair, keys.account]]);
    return this.db.tx({ organisationId: user.organisation_id, userId: user.id }, async (tx) => {
      const pair = await this.tokens.issue(tx, { id: user.id, organisationId: user.organisation_id });
      await this.audit.record(tx, { kind: 'user', id: user.id, organisationId: user.organisation_id, label: email.toLowerCase() }, {
        action: 'auth.login',
        entityType: 'user',
        entityId: user.id,
        details: { method: 'password', address },
      });
      return pair;
    });
  }

  private async recordFailure(keys: Record<ThrottleKind, string>, now: Date): Promise<void> {
    const kinds = Object.keys(keys) as ThrottleKind[];
    // One statement: add this failure to the three keys' sliding windows, dropping the times
    // that left the window; `failures` is the count inside the window.
    await this.db.shared(
      `INSERT INTO login_throttle AS t (key, failures, last_failure_at, failure_times)
       SELECT k, 1, $2, ARRAY[$2::timestamptz] FROM unnest($1::text[]) AS k
       ON CONFLICT (key) DO UPDATE SET
         failure_times = (SELECT array_append(coalesce(array_agg(x ORDER BY x), '{}'), $2::timestamptz) FROM (
                            SELECT x FROM unnest(t.failure_times) AS x WHERE x > $2::timestamptz - make_interval(secs => $3) ORDER BY x DESC LIMIT $4) kept),
         failures = 1 + (SELECT count(*) FROM (
                            SELECT x FROM unnest(t.failure_times) AS x WHERE x > $2::timestamptz - make_interval(secs => $3) ORDER BY x DESC LIMIT $4) kept),
         last_failure_at = $2`,
      [kinds.map((k) => keys[k]), now, THROTTLE_WINDOW_SECONDS, THROTTLE_MAX_TIMES - 1],
    );
    const rows = await this.db.shared<{ key: string; failures: number }>(`SELECT key, failures FROM login_throttle WHERE key = ANY($1)`, [Object.values(keys)]);
    const blocks = rows
      .map((row) => {
        const kind = kinds.find((k) => keys[k] === row.key)!;
        const seconds = delayAfter(kind, row.failures);
        return { key: row.key, until: seconds > 0 ? new Date(now.getTime() + seconds * 1000) : null };
      })
      .filter((b) => b.until !== null);
    if (blocks.length) {
      await this.db.shared(
        `UPDATE login_throttle t SET blocked_until = b.until
           FROM jsonb_to_recordset($1::jsonb) AS b(key text, until timestamptz) WHERE t.key = b.key`,
        [JSON.stringify(blocks)],
      );
    }
  }

  /** Clears the account's throttles (every address): an admin's unlock. */
  async unlock(email: string): Promise<void> {
    const e = email.toLowerCase();
    await this.db.shared(`DELETE FROM login_throttle WHERE key = $1 OR key LIKE $2`, [`acct:${e}`, `pair:${e.replace(/[%_\\]/g, '\\$&')}|%`]);
  }

  async fromAccessToken(token: string): Promise<Actor | undefined> {
    const claims = await this.accessClaims(token);
    if (!claims || !isSessionId(claims.sid)) return undefined;
    // The account and the session in one statement: a disabled user or organisation, and a session
    // ended by log-out or by a reused refresh token, are refused from the very next request.
    const [row] = await this.db.shared<PrincipalRow & { session_revoked: boolean }>(`SELECT * FROM auth_session($1, $2)`, [claims.sub, claims.sid], { prepare: 'auth-session' });
    if (!row || row.disabled || row.session_revoked || row.organisation_id !== claims.org) return undefined;
    return {
      kind: 'user',
      id: row.id,
      organisationId: row.organisation_id,
      organisationKind: row.organisation_kind,
      roles: effectiveRoles(row.roles),
      scopes: [],
      label: row.email,
    };
  }

  async fromApiKey(key: string, address: string): Promise<Actor | undefined> {
    const match = /^bo_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/.exec(key);
    if (!match) return undefined;
    const [row] = await this.db.shared<{
      id: string;
      organisation_id: string;
      organisation_kind: OrganisationKind;
      label: string;
      secret_hash: string;
      scopes: ApiKeyScope[];
      revoked: boolean;
      last_used_at: Date | null;
    }>(`SELECT * FROM auth_api_key($1)`, [match[1]], { prepare: 'auth-api-key' });
    if (!row || row.revoked) return undefined;
    const given = createHash('sha256').update(match[2]).digest();
    if (!timingSafeEqual(given, Buffer.from(row.secret_hash, 'hex'))) return undefined;
    const now = await this.clock.now();
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
      await this.db.tx({ organisationId: row.organisation_id }, (tx) =>
        tx.query(`UPDATE api_keys SET last_used_at = $2, last_used_from = $3 WHERE id = $1`, [row.id, now, address]),
      );
    }
    // Keys created before scopes were bounded by the organisation kind lose what the kind never allows.
    const scopes = row.scopes.filter((s) => API_KEY_SCOPES_BY_ORGANISATION_KIND[row.organisation_kind].includes(s));
    return { kind: 'api_key', id: row.id, organisationId: row.organisation_id, organisationKind: row.organisation_kind, roles: [], scopes, label: row.label };
  }
}

export { THROTTLE_RULES };
