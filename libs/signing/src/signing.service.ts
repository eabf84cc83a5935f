import { Injectable } from '@nestjs/common';
import { KeyObject, createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { AppConfig } from '@bo/core';

/** A public key as `GET /api/v1/signing-keys` shows it. */
export interface PublicSigningKey {
  keyId: string;
  algorithm: 'Ed25519';
  /** `active` signs now; `retired` only verifies what it signed before a rotation. */
  status: 'active' | 'retired';
  /** The key as a JWK (RFC 8037: kty OKP, crv Ed25519, x). */
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; alg: 'EdDSA'; use: 'sig' };
  /** The key as PEM (SubjectPublicKeyInfo), for openssl and other tools. */
  pem: string;
}

export interface Signature {
  keyId: string;
  algorithm: 'Ed25519';
  /** base64url of the 64-byte Ed25519 signature. */
  signature: string;
}

/** A key's id: the first 16 hex digits of the SHA-256 of its SPKI DER encoding (stable, derived, never configured). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('hex').slice(0, 16);
}

interface LoadedKey {
  keyId: string;
  publicKey: KeyObject;
  privateKey?: KeyObject;
}

/** Parses SIGNING_KEYS (validated by the config class): the active private key, then retired public keys. */
export function parseSigningKeys(value: string): LoadedKey[] {
  const [first, ...retired] = value.split(',');
  const privateKey = createPrivateKey({ key: Buffer.from(first, 'base64'), format: 'der', type: 'pkcs8' });
  const active = createPublicKey(privateKey);
  const keys: LoadedKey[] = [{ keyId: keyIdOf(active), publicKey: active, privateKey }];
  for (const entry of retired) {
    const publicKey = createPublicKey({ key: Buffer.from(entry, 'base64'), format: 'der', type: 'spki' });
    if (!keys.some((k) => k.keyId === keyIdOf(publicKey))) keys.push({ keyId: keyIdOf(publicKey), publicKey });
  }
  return keys;
}

/**
 * Ed25519 signatures through node:crypto, with key ids and rotation. A small generic API: sign
 * bytes, verify bytes, list the public keys. Audit checkpoints use it; report seals will.
 * The private key comes from configuration only (SIGNING_KEYS), never from the database, so
 * someone who can write the database cannot forge a signature.
 */
@Injectable()
export class SigningService {
  private readonly keys: LoadedKey[];

  constructor(config: AppConfig) {
    this.keys = parseSigningKeys(config.SIGNING_KEYS);
  }

  /** The id of the key that signs now. */
  get activeKeyId(): string {
    return this.keys[0].keyId;
  }

  sign(bytes: Buffer | string): Signature {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    return { keyId: this.keys[0].keyId, algorithm: 'Ed25519', signature: sign(null, data, this.keys[0].privateKey!).toString('base64url') };
  }

  /** True when `signature` is a valid Ed25519 signature of `bytes` by the known key `keyId`. */
  verify(bytes: Buffer | string, signature: string, keyId: string): boolean {
    const key = this.keys.find((k) => k.keyId === keyId);
    if (!key) return false;
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    const raw = Buffer.from(signature, 'base64url');
    if (raw.length !== 64) return false;
    return verify(null, data, key.publicKey, raw);
  }

  publicKeys(): PublicSigningKey[] {
    return this.keys.map((k, i) => {
      const jwk = k.publicKey.export({ format: 'jwk' }) as { x: string };
      return {
        keyId: k.keyId,
        algorithm: 'Ed25519',
        status: i === 0 ? 'active' : 'retired',
        jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: k.keyId, alg: 'EdDSA', use: 'sig' },
        pem: k.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      };
    });
  }
}
