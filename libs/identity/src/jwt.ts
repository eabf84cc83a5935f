import { SignJWT, jwtVerify } from 'jose';
import { webcrypto } from 'node:crypto';
import { isUUID } from 'class-validator';

type CryptoKey = webcrypto.CryptoKey;

/** The one algorithm: the server pins it, a token naming another (or `none`) is refused. */
export const JWT_ALGORITHM = 'HS256';
export const JWT_ISSUER = 'bo-quality-control';
export const JWT_AUDIENCE = 'bo-quality-control/api';
/** Clock skew allowed on exp, nbf and iat between API processes. */
export const JWT_LEEWAY_SECONDS = 5;

export interface AccessClaims {
  sub: string;
  org: string;
  /** The refresh-token family (session) the token was issued from: log-out revokes it whole. */
  sid: string;
  typ: 'access';
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  iss: string;
  aud: string;
}

/** A session id (`sid`) as the API issues them: a refresh-token family's UUID. */
export const isSessionId = (sid: string) => isUUID(sid);

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/** Signs an access token (jose, HS256) valid from `iat` for `ttlSeconds`. */
export function signAccessToken(claims: { sub: string; org: string; sid: string; jti: string; iat: number }, ttlSeconds: number, secret: string): Promise<string> {
  return new SignJWT({ org: claims.org, sid: claims.sid, typ: 'access' })
    .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setJti(claims.jti)
    .setIssuedAt(claims.iat)
    .setNotBefore(claims.iat)
    .setExpirationTime(claims.iat + ttlSeconds)
    .sign(keyOf(secret));
}

/**
 * The claims of a well-signed access token that is valid now, `undefined` otherwise: HS256 only,
 * our issuer and audience, exp/nbf/iat within `JWT_LEEWAY_SECONDS`, every claim present, and a
 * lifetime (exp - iat) no longer than the configured one (a token minted with a longer life, even
 * with the right key, is refused).
 */
async function verifyWithJose(token: string, key: CryptoKey, nowSeconds: number, maxLifetimeSeconds: number): Promise<AccessClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      clockTolerance: JWT_LEEWAY_SECONDS,
      currentDate: new Date(nowSeconds * 1000),
      requiredClaims: ['sub', 'jti', 'iat', 'nbf', 'exp'],
      maxTokenAge: maxLifetimeSeconds + JWT_LEEWAY_SECONDS,
      typ: 'JWT',
    });
    const claims = payload as Partial<AccessClaims>;
    if (claims.typ !== 'access' || typeof claims.org !== 'string' || typeof claims.sid !== 'string') return undefined;
    if (claims.exp! - claims.iat! > maxLifetimeSeconds) return undefined;
    if (claims.iat! > nowSeconds + JWT_LEEWAY_SECONDS) return undefined;
    return claims as AccessClaims;
  } catch {
    return undefined;
  }
}

/**
 * Access tokens checked on the API's every request (`verifyWithJose` above), keeping what does
 * not change between two requests carrying the same token: the HMAC key is imported once (jose
 * otherwise imports the raw secret into WebCrypto on each call), and a token jose accepted is
 * remembered with its claims.
 * Signature, algorithm, issuer, audience and claims depend on the token's bytes only; what depends
 * on time is re-judged on each use: a remembered token answers only while `max(nbf, iat) <= now <
 * exp`, a window inside the one jose accepts (which adds the leeway on both sides); outside it,
 * the token goes through jose again (and fails there when expired). Revocation and the caller's
 * account are checked by the caller on every request, never remembered here.
 *
 * At most `capacity` tokens are remembered; the oldest goes first.
 */
export class AccessTokenVerifier {
  private key?: Promise<CryptoKey>;
  private readonly verified = new Map<string, AccessClaims>();

  constructor(
    private readonly secret: string,
    private readonly maxLifetimeSeconds: number,
    private readonly capacity = 10_000,
  ) {}

  async verify(token: string, nowSeconds: number): Promise<AccessClaims | undefined> {
    const known = this.verified.get(token);
    if (known) {
      if (Math.max(known.nbf, known.iat) <= nowSeconds && nowSeconds < known.exp) return known;
      this.verified.delete(token);
    }
    this.key ??= webcrypto.subtle.importKey('raw', keyOf(this.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    const claims = await verifyWithJose(token, await this.key, nowSeconds, this.maxLifetimeSeconds);
    if (claims) {
      if (this.verified.size >= this.capacity) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, Object.freeze({ ...claims }));
    }
    return claims;
  }
}
