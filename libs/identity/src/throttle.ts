/**
 * Failures older than this no longer count (a sliding window over the failure times): a typo
 * costs nothing once a quarter of an hour has passed, and a shared address (an office NAT, a
 * reverse proxy) is never locked out for good.
 */
export const THROTTLE_WINDOW_SECONDS = 15 * 60;
/** At most this many failure times are kept per key (enough for every rule below). */
export const THROTTLE_MAX_TIMES = 64;

/**
 * Progressive slow-down of failed log-ins. Three counters: the (account, address) pair is slowed
 * hard, the address alone after many failures across accounts, the account alone only gently and
 * with a low cap, so that a stranger can never lock a known user out: at worst the user waits
 * `ACCOUNT_CAP_SECONDS` between tries. Numbers are data, documented in docs/security.md.
 */
export const THROTTLE_RULES = {
  pair: { free: 3, baseSeconds: 1, capSeconds: 15 * 60 },
  address: { free: 20, baseSeconds: 1, capSeconds: 15 * 60 },
  account: { free: 10, baseSeconds: 1, capSeconds: 30 },
} as const;

export type ThrottleKind = keyof typeof THROTTLE_RULES;

/** Seconds to wait after `failures` failed attempts under `kind` (0 while free). */
export function delayAfter(kind: ThrottleKind, failures: number): number {
  const rule = THROTTLE_RULES[kind];
  if (failures < rule.free) return 0;
  return Math.min(rule.capSeconds, rule.baseSeconds * 2 ** (failures - rule.free));
}

export function throttleKeys(email: string, address: string): Record<ThrottleKind, string> {
  const e = email.toLowerCase();
  return { pair: `pair:${e}|${address}`, address: `ip:${address}`, account: `acct:${e}` };
}
