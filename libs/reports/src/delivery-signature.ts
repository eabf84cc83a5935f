import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { REPLAY_WINDOW_SECONDS } from './reports.types';

/** Headers of a signed delivery. */
export const DELIVERY_HEADERS = {
  timestamp: 'x-bo-timestamp',
  signature: 'x-bo-signature',
  recipient: 'x-bo-recipient',
  caseId: 'x-bo-case',
  idempotencyKey: 'idempotency-key',
} as const;

export const PACKAGE_MEDIA_TYPE = 'application/vnd.bo.report-package+json';

/**
 * The per-recipient HMAC secret: derived by HKDF from the platform's master secret and the
 * recipient organisation's id, so that no secret is stored in the database and each recipient's
 * differs. An external recipient is given its secret by the platform administrator.
 */
export function recipientSecret(masterSecret: string, recipientOrganisationId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterSecret, 'bo-report-delivery', recipientOrganisationId, 32));
}

/** `v1=` + HMAC-SHA256 over `<timestamp>.<body>` (the body's exact bytes). */
export function signDelivery(secret: Buffer, timestamp: number, body: Buffer): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export type DeliveryCheck = { ok: true } | { ok: false; reason: 'TIMESTAMP_MISSING' | 'TIMESTAMP_OUTSIDE_WINDOW' | 'SIGNATURE_INVALID' };

/** Checks the timestamp against the replay window, then the signature in constant time. */
export function verifyDelivery(secret: Buffer, headers: { timestamp?: string; signature?: string }, body: Buffer, nowMs: number): DeliveryCheck {
  const timestamp = Number(headers.timestamp);
  if (!headers.timestamp || !Number.isInteger(timestamp)) return { ok: false, reason: 'TIMESTAMP_MISSING' };
  if (Math.abs(nowMs / 1000 - timestamp) > REPLAY_WINDOW_SECONDS) return { ok: false, reason: 'TIMESTAMP_OUTSIDE_WINDOW' };
  const expected = Buffer.from(signDelivery(secret, timestamp, body));
  const given = Buffer.from(headers.signature ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'SIGNATURE_INVALID' };
  return { ok: true };
}

/** The delivery's Idempotency-Key: from the report, its seal and the recipient (a retry sends the same). */
export function deliveryKey(reportId: string, packageSha256: string, recipientOrganisationId: string): string {
  return `report-${reportId}-${packageSha256.slice(0, 32)}-${recipientOrganisationId.slice(0, 8)}`;
}
