import { createHash } from 'node:crypto';

/** JSON with sorted keys, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Digest of an entity state (before or after a change); `null` when there is none. */
export function digestOf(state: unknown): string | null {
  return state === undefined || state === null ? null : sha256(canonicalJson(state));
}

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedFields {
  organisationId: string;
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
}

/** hash_n = SHA-256(hash_{n-1} || canonical fields of event n). */
export function chainHash(prevHash: string, fields: ChainedFields): string {
  return sha256(`${prevHash}\n${canonicalJson(fields)}`);
}
