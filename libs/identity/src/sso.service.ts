import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, AppError, Clock, SecretBox } from '@bo/core';
import { Db, Tx } from '@bo/database';
import { Actor, hasRole, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { TokenPair, TokensService } from './tokens.service';
import { OUTBOUND_MAX_BYTES, OUTBOUND_TIMEOUT_MS, guardedFetch, hostProblem, issuerRefused } from './outbound';

/** An organisation's OpenID Connect settings, as shown to its admin: never the client secret. */
export interface SsoConfigView {
  issuer: string;
  clientId: string;
  allowInsecureLoopback: boolean;
  /** The only redirect URIs a sign-in may send the browser back to. */
  redirectUris: string[];
  createdAt: string;
}

export interface SsoConfigInput {
  issuer: string;
  clientId: string;
  /** Required the first time; omitted on a later change, the stored secret is kept. */
  clientSecret?: string;
  allowInsecureLoopback?: boolean;
  /** Required the first time; omitted on a later change, the stored list is kept. */
  redirectUris?: string[];
}

interface ProviderRow {
  organisation_id: string;
  issuer: string;
  client_id: string;
  client_secret: string;
  allow_insecure_loopback: boolean;
  redirect_uris: string[];
  created_at: Date;
}

interface StateRow {
  state: string;
  organisation_id: string;
  code_verifier: string;
  nonce: string;
  redirect_uri: string;
  expires_at: Date;
}

const toView = (r: ProviderRow): SsoConfigView => ({
  issuer: r.issuer,
  clientId: r.client_id,
  allowInsecureLoopback: r.allow_insecure_loopback,
  redirectUris: r.redirect_uris,
  createdAt: r.created_at.toISOString(),
});

/** How long a started sign-in may take at the identity provider. */
export const SSO_STATE_TTL_MS = 10 * 60 * 1000;
/** Scopes asked of the identity provider: the subject and the e-mail are all the mapping needs. */
export const SSO_SCOPES = 'openid email';
/** Live sign-in states one organisation may hold; beyond, the anonymous start route answers 429. */
export const SSO_MAX_PENDING_STATES = 1000;
/** Discovered provider metadata is reused this long (a key change of the settings refreshes it). */
const DISCOVERY_TTL_MS = 10 * 60 * 1000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why `issuer` may not be used, or `undefined` when it may. HTTPS always; plain HTTP only for a
 * loopback issuer (an identity provider started next to the API by the tests) and only when the
 * organisation opted in (which only test mode accepts). Where the host resolves is checked apart
 * (`hostProblem`).
 */
export function issuerProblem(issuer: string, allowInsecureLoopback: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'not a URL';
  }
  if (url.search || url.hash || url.username || url.password) return 'an issuer has no query, fragment or credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return 'must be an https:// URL';
  if (!LOOPBACK_HOSTS.has(url.hostname)) return 'must be an https:// URL (plain http is allowed for a loopback issuer only)';
  if (!allowInsecureLoopback) return 'plain http needs allowInsecureLoopback (loopback issuers only)';
  return undefined;
}

/** Why a redirect URI may not be registered: https (http on loopback in test mode only), no fragment, no credentials. */
export function redirectUriProblem(uri: string, testMode: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'not a URL';
  }
  if (url.hash || url.username || url.password) return 'a redirect URI has no fragment or credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && testMode && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return 'must be an https:// URL';
}

const refused = (reason: string) => new AppError('AUTH.SSO_FAILED', 'Single sign-on failed: the identity could not be verified or matches no user.', { reason });

/**
 * Single sign-on through OpenID Connect (ProConnect or a funder's own provider), configured per
 * organisation. The code flow with PKCE (S256), state and nonce; the identity maps to an existing
 * user only: by a stored (issuer, subject) link, else by a user of the same organisation with the
 * same e-mail when the provider asserts it verified, which then records the link. Never creates a
 * user.
 */
@Injectable()
export class SsoService {
  private readonly logger = new Logger(SsoService.name);
  private readonly discovered = new Map<string, { config: oidc.Configuration; until: number }>();

  constructor(
    private readonly appConfig: AppConfig,
    private readonly clock: Clock,
    private readonly db: Db,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
  ) {
    this.secrets = new SecretBox(appConfig.JWT_SECRET, 'sso-client-secret');
  }

  /** Client secrets are stored sealed (AES-256-GCM), opened only to talk to the provider. */
  private readonly secrets: SecretBox;

  /** Loopback and private addresses are reachable in test mode only (the tests' identity provider). */
  private get testMode(): boolean {
    return this.appConfig.NODE_ENV === 'test';
  }

  async configure(actor: Actor, input: SsoConfigInput): Promise<SsoConfigView> {
    if (actor.kind !== 'user' || !hasRole(actor, 'admin')) throw new AppError('ACCESS.FORBIDDEN', "Only the organisation's admin configures single sign-on.");
    const allowInsecureLoopback = input.allowInsecureLoopback ?? false;
    const issuer = input.issuer.trim();
    const problem = issuerProblem(issuer, allowInsecureLoopback);
    if (problem) throw issuerRefused(problem);
    if (allowInsecureLoopback && !this.testMode) {
      throw new AppError('REQUEST.VALIDATION', 'Plain-http loopback issuers are for the tests only.', {
        errors: [{ field: 'allowInsecureLoopback', message: 'allowed in test mode only' }],
      });
    }
    const unsafeHost = await hostProblem(new URL(issuer).hostname, { publicOnly: !this.testMode });
    if (unsafeHost) throw issuerRefused(unsafeHost);
    for (const [i, uri] of (input.redirectUris ?? []).entries()) {
      const bad = redirectUriProblem(uri, this.testMode);
      if (bad) throw new AppError('REQUEST.VALIDATION', `Redirect URI ${i + 1} cannot be used: ${bad}.`, { errors: [{ field: `redirectUris[${i}]`, message: bad }] });
    }
    return this.db.tx(tenantOf(actor), async (tx) => {
      const before = await tx.one<ProviderRow>(`SELECT * FROM sso_providers WHERE organisation_id = $1`, [actor.organisationId]);
      if (!before && !input.clientSecret) {
        throw new AppError('REQUEST.VALIDATION', 'The client secret is required to configure single sign-on.', {
          errors: [{ field: 'clientSecret', message: 'required on first configuration' }],
        });
      }
      const redirectUris = input.redirectUris ?? before?.redirect_uris ?? [];
      if (redirectUris.length === 0) {
        throw new AppError('REQUEST.VALIDATION', 'At least one redirect URI is required: sign-ins may return only to those.', {
          errors: [{ field: 'redirectUris', message: 'required on first configuration' }],
        });
      }
      const row = await tx.one<ProviderRow>(
        `INSERT INTO sso_providers (organisation_id, issuer, client_id, client_secret, allow_insecure_loopback, redirect_uris)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (organisation_id) DO UPDATE SET issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
           client_secret = EXCLUDED.client_secret, allow_insecure_loopback = EXCLUDED.allow_insecure_loopback,
           redirect_uris = EXCLUDED.redirect_uris
         RETURNING *`,
        [actor.organisationId, issuer, input.clientId, input.clientSecret !== undefined ? this.secrets.seal(input.clientSecret) : before!.client_secret, allowInsecureLoopback, redirectUris],
      );
      const after = toView(row!);
      await this.audit.record(tx, actor, {
        action: 'sso.configured',
        entityType: 'sso_provider',
        entityId: actor.organisationId,
        before: before ? toView(before) : undefined,
        after,
        details: { clientSecretChanged: input.clientSecret !== undefined },
      });
      return after;
    });
  }

  async getConfig(actor: Actor): Promise<SsoConfigView> {
    const row = await this.db.tx({ organisationId: actor.organisationId }, (tx) =>
      tx.one<ProviderRow>(`SELECT * FROM sso_providers WHERE organisation_id = $1`, [actor.organisationId]),
    );
    if (!row) throw new AppError('AUTH.SSO_NOT_CONFIGURED', 'Single sign-on is not configured for this organisation.');
    return toView(row);
  }

  /** Starts a sign-in: the identity provider's authorization URL to send the browser to. */
  async start(organisationCode: string, redirectUri: string): Promise<{ authorizationUrl: string }> {
    const notConfigured = new AppError('AUTH.SSO_NOT_CONFIGURED', `Single sign-on is not configured for ${organisationCode}.`);
    const [organisation] = await this.db.shared<{ id: string; active: boolean }>(`SELECT id, active FROM organisations WHERE code = $1`, [organisationCode]);
    if (!organisation?.active) throw notConfigured;
    const provider = await this.db.tx({ organisationId: organisation.id }, (tx) =>
      tx.one<ProviderRow>(`SELECT * FROM sso_providers WHERE organisation_id = $1`, [organisation.id]),
    );
    if (!provider) throw notConfigured;
    // Only a redirect URI of the organisation's allowlist: nothing else is contacted otherwise.
    if (!provider.redirect_uris.includes(redirectUri)) {
      throw new AppError('REQUEST.VALIDATION', "The redirect URI is not one of the organisation's registered redirect URIs.", {
        errors: [{ field: 'redirectUri', message: 'not in the allowlist' }],
      });
    }
    const now = await this.clock.now();
    // Expired states of every organisation go; live ones are capped per organisation.
    await this.db.shared(`SELECT purge_expired_sso_states($1)`, [now]);
    const pending = await this.db.tx({ organisationId: organisation.id }, (tx) =>
      tx.one<{ n: number }>(`SELECT count(*)::int AS n FROM sso_states WHERE organisation_id = $1`, [organisation.id]),
    );
    if ((pending?.n ?? 0) >= SSO_MAX_PENDING_STATES) {
      throw new AppError('REQUEST.RATE_LIMITED', 'Too many sign-ins in progress for this organisation; try again in a few minutes.', { retryAfter: 60 });
    }
    const config = await this.client(provider);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.db.tx({ organisationId: organisation.id }, async (tx) => {
      await tx.query(
        `INSERT INTO sso_states (state, organisation_id, code_verifier, nonce, redirect_uri, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [state, organisation.id, codeVerifier, nonce, redirectUri, new Date(now.getTime() + SSO_STATE_TTL_MS)],
      );
    });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SSO_SCOPES,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { authorizationUrl: url.href };
  }

  /**
   * Completes a sign-in from the URL the identity provider redirected the browser to. The state is
   * spent first (a replay finds nothing), then the code is exchanged and the ID token checked.
   */
  async callback(callbackUrl: string): Promise<TokenPair> {
    let url: URL;
    try {
      url = new URL(callbackUrl);
    } catch {
      throw refused('callbackUrl is not a URL');
    }
    const stateParam = url.searchParams.get('state');
    if (!stateParam) throw refused('no state in the callback URL');
    const [found] = await this.db.shared<{ organisation_id: string }>(`SELECT * FROM auth_sso_state($1)`, [stateParam]);
    if (!found) throw refused('unknown or already used state');
    const organisationId = found.organisation_id;
    const now = await this.clock.now();
    const spent = await this.db.tx({ organisationId }, async (tx) => {
      const state = await tx.one<StateRow>(`DELETE FROM sso_states WHERE state = $1 RETURNING *`, [stateParam]);
      const provider = await tx.one<ProviderRow>(`SELECT * FROM sso_providers WHERE organisation_id = $1`, [organisationId]);
      return { state, provider };
    });
    const { state, provider } = spent;
    if (!state) throw refused('unknown or already used state');
    if (state.expires_at <= now) throw refused('the sign-in took too long; start again');
    if (!provider) throw refused('single sign-on is no longer configured');
    const expected = new URL(state.redirect_uri);
    if (url.origin !== expected.origin || url.pathname !== expected.pathname) throw refused('the callback URL is not the redirect URI of this sign-in');

    const config = await this.client(provider);
    let claims: { iss: string; sub: string; email?: unknown; email_verified?: unknown };
    try {
      const response = await oidc.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: state.code_verifier,
        expectedState: state.state,
        expectedNonce: state.nonce,
        idTokenExpected: true,
      });
      const idToken = response.claims();
      if (!idToken) throw new Error('no ID token');
      claims = { ...idToken };
      if (typeof claims.email !== 'string' && response.access_token && config.serverMetadata().userinfo_endpoint) {
        // Providers that follow the specification strictly return scope claims from userinfo only.
        const info = await oidc.fetchUserInfo(config, response.access_token, idToken.sub);
        claims = { ...claims, email: info.email, email_verified: info.email_verified };
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn({ organisationId, issuer: provider.issuer, reason }, 'sso exchange refused');
      throw refused(reason);
    }

    const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
    const emailVerified = claims.email_verified === true;
    return this.db.tx({ organisationId }, async (tx) => {
      const user = await this.mapIdentity(tx, organisationId, claims.iss, claims.sub, emailVerified ? email : undefined);
      const pair = await this.tokens.issue(tx, { id: user.id, organisationId });
      const actor = { kind: 'user' as const, id: user.id, organisationId, label: user.email };
      if (user.linked) {
        await this.audit.record(tx, actor, {
          action: 'user.identity_linked',
          entityType: 'user',
          entityId: user.id,
          details: { issuer: claims.iss, subject: claims.sub },
        });
      }
      await this.audit.record(tx, actor, {
        action: 'auth.login',
        entityType: 'user',
        entityId: user.id,
        details: { method: 'sso', issuer: claims.iss },
      });
      return pair;
    });
  }

  /** The existing user of `organisationId` the identity belongs to; links it on first use by e-mail. */
  private async mapIdentity(
    tx: Tx,
    organisationId: string,
    issuer: string,
    subject: string,
    verifiedEmail: string | undefined,
  ): Promise<{ id: string; email: string; linked: boolean }> {
    let linked = false;
    let userId = (await tx.one<{ user_id: string }>(`SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2`, [issuer, subject]))?.user_id;
    if (!userId) {
      if (!verifiedEmail) throw refused('no link for this identity and no verified e-mail');
      const byEmail = await tx.one<{ id: string }>(`SELECT id FROM users WHERE email = $1 AND organisation_id = $2`, [verifiedEmail, organisationId]);
      if (!byEmail) throw refused('no user of this organisation has this e-mail');
      const inserted = await tx.query(
        `INSERT INTO user_identities (issuer, subject, user_id, organisation_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING user_id`,
        [issuer, subject, byEmail.id, organisationId],
      );
      // The identity is already linked to a user of another organisation.
      if (inserted.length === 0) throw refused('this identity belongs to another organisation');
      userId = byEmail.id;
      linked = true;
    }
    const principal = await tx.one<{ email: string; disabled: boolean; organisation_id: string }>(`SELECT * FROM auth_principal($1)`, [userId]);
    if (!principal || principal.disabled || principal.organisation_id !== organisationId) throw refused('the account is disabled');
    return { id: userId, email: principal.email, linked };
  }

  /** The discovered client of an organisation's provider, with plain HTTP for an allowed loopback issuer only. */
  private async client(provider: ProviderRow): Promise<oidc.Configuration> {
    const problem = issuerProblem(provider.issuer, provider.allow_insecure_loopback);
    if (problem) throw new AppError('AUTH.SSO_NOT_CONFIGURED', `The configured issuer cannot be used: ${problem}.`);
    const insecure = new URL(provider.issuer).protocol === 'http:';
    if (insecure && !this.testMode) throw new AppError('AUTH.SSO_NOT_CONFIGURED', 'The configured issuer cannot be used: plain http is for the tests only.');
    const key = createHash('sha256')
      .update(JSON.stringify([provider.organisation_id, provider.issuer, provider.client_id, provider.client_secret, insecure]))
      .digest('hex');
    const cached = this.discovered.get(key);
    if (cached && cached.until > Date.now()) return cached.config;
    // Every call to the provider (discovery, keys, token, userinfo) goes through the guarded fetch.
    const fetcher = guardedFetch({ publicOnly: !this.testMode, timeoutMs: OUTBOUND_TIMEOUT_MS, maxBytes: OUTBOUND_MAX_BYTES });
    try {
      const clientSecret = this.secrets.open(provider.client_secret);
      let config = await oidc.discovery(new URL(provider.issuer), provider.client_id, clientSecret, undefined, {
        execute: insecure ? [oidc.allowInsecureRequests] : [],
        timeout: OUTBOUND_TIMEOUT_MS / 1000,
        [oidc.customFetch]: fetcher as never,
      });
      // The secret goes in the body (client_secret_post) when the provider takes it, else in the
      // Authorization header (client_secret_basic, the specification's default).
      const methods = config.serverMetadata().token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
      if (!methods.includes('client_secret_post')) {
        config = new oidc.Configuration(config.serverMetadata(), provider.client_id, clientSecret, oidc.ClientSecretBasic());
        if (insecure) oidc.allowInsecureRequests(config);
      }
      config[oidc.customFetch] = fetcher as never;
      config.timeout = OUTBOUND_TIMEOUT_MS / 1000;
      for (const [k, v] of this.discovered) if (v.until <= Date.now()) this.discovered.delete(k);
      this.discovered.set(key, { config, until: Date.now() + DISCOVERY_TTL_MS });
      return config;
    } catch (error) {
      this.logger.warn({ issuer: provider.issuer, reason: error instanceof Error ? error.message : String(error) }, 'sso discovery failed');
      throw new AppError('DEPENDENCY.UNAVAILABLE', 'The identity provider could not be reached or answered an invalid configuration.');
    }
  }
}
