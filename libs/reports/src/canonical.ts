import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

/** RFC 8785 (JCS) canonical JSON: the bytes that are hashed and signed. */
export function jcs(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('nothing to canonicalize');
  return text;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Numbers of a money-bearing structure as decimal strings (design: money in a seal is never a
 * binary float), recursively; integers that count things stay numbers only under `keepIntegers`.
 */
export function decimalStrings(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (Array.isArray(value)) return value.map(decimalStrings);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decimalStrings(v)]));
  return value;
}
