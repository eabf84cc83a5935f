import { AppError } from '@bo/core';
import { LookupAddress, lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

/**
 * Outbound HTTP to addresses a tenant chose (an organisation's identity provider): the server
 * must never be turned into a proxy to its own network (SSRF). Outside test mode, every address
 * the host resolves to must be public: private, loopback, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, multicast and reserved ranges are refused, and the check
 * runs in the socket's own DNS lookup, so the address connected to is the address checked (no
 * DNS-rebinding window). Each request is bounded in time and in response size.
 */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** True when `address` (an IP literal) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return isPublicAddress(mapped[1]);
    return !NON_PUBLIC.check(address, 'ipv6');
  }
  return !NON_PUBLIC.check(address, 'ipv4');
}

export interface OutboundPolicy {
  /** Refuse non-public addresses (everywhere but in test mode). */
  publicOnly: boolean;
  /** Whole-request deadline. */
  timeoutMs: number;
  /** Largest response body read. */
  maxBytes: number;
}

export const OUTBOUND_TIMEOUT_MS = 5_000;
export const OUTBOUND_MAX_BYTES = 256 * 1024;

const LOOKUP_TIMEOUT_MS = 3_000;

/** Resolves `host` (every address) and says why it may not be used, or undefined. */
export async function hostProblem(host: string, policy: Pick<OutboundPolicy, 'publicOnly'>): Promise<string | undefined> {
  if (!policy.publicOnly) return undefined;
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return isPublicAddress(bare) ? undefined : 'the issuer is at a private, loopback or link-local address';
  const addresses = await new Promise<LookupAddress[] | Error>((resolve) => {
    const timer = setTimeout(() => resolve(new Error('DNS lookup timed out')), LOOKUP_TIMEOUT_MS);
    dnsLookup(bare, { all: true }, (error, found) => {
      clearTimeout(timer);
      resolve(error ?? found);
    });
  });
  if (addresses instanceof Error) return `the issuer's host does not resolve (${addresses.message})`;
  if (addresses.length === 0) return "the issuer's host does not resolve";
  if (addresses.some((a) => !isPublicAddress(a.address))) return 'the issuer resolves to a private, loopback or link-local address';
  return undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A socket DNS lookup that refuses non-public answers. */
function guardedLookup(hostname: string, options: { all?: boolean }, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad || addresses.length === 0) {
      return callback(Object.assign(new Error(`refused: ${hostname} resolves to a non-public address`), { code: 'EADDRNOTPUBLIC' }), '');
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

/**
 * A fetch-compatible function (openid-client's `customFetch`) under `policy`: no redirects
 * followed, a deadline on the whole exchange, the body cut off (and the request failed) past
 * `maxBytes`.
 */
export function guardedFetch(policy: OutboundPolicy) {
  return async (url: string, options: { method: string; headers: Record<string, string>; body?: unknown; signal?: AbortSignal }): Promise<Response> => {
    const target = new URL(url);
    if (policy.publicOnly && isIP(target.hostname.replace(/^\[|\]$/g, '')) && !isPublicAddress(target.hostname.replace(/^\[|\]$/g, ''))) {
      throw new Error(`refused: ${target.hostname} is not a public address`);
    }
    const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!transport) throw new Error(`refused: ${target.protocol} is not http(s)`);
    const body = options.body === undefined || options.body === null ? undefined : Buffer.from(String(options.body));
    return new Promise<Response>((resolve, reject) => {
      const request = transport.request(
        target,
        {
          method: options.method,
          headers: { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
          lookup: policy.publicOnly ? (guardedLookup as never) : undefined,
          signal: options.signal,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > policy.maxBytes) {
              request.destroy(new Error(`refused: the response is larger than ${policy.maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => {
            clearTimeout(timer);
            const headers = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
            }
            const status = response.statusCode ?? 502;
            const noBody = status === 204 || status === 304 || (status >= 100 && status < 200);
            resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers }));
          });
          response.on('error', reject);
        },
      );
      const timer = setTimeout(() => request.destroy(new Error(`refused: no complete answer within ${policy.timeoutMs} ms`)), policy.timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(body);
    });
  };
}

/** A 400 for an issuer the policy refuses. */
export function issuerRefused(problem: string): AppError {
  return new AppError('REQUEST.VALIDATION', `The issuer cannot be used: ${problem}.`, { errors: [{ field: 'issuer', message: problem }] });
}
