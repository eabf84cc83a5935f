/**
 * Reproducible sampling of funded actions for checks. Items are sorted by id first, so the draw
 * depends only on the set of items, the size and the seed (recorded with the sample): the same
 * seed over the same items draws the same sample, in the same order.
 *
 * Algorithm (versioned in `SAMPLING_ALGORITHM`; change the name if it ever changes): mulberry32
 * seeded with the 32-bit seed, partial Fisher-Yates shuffle. Stratified draws allocate the size
 * across strata (one per stratum when the size allows, the rest in proportion to what remains,
 * largest remainder), then draw each stratum in key order from the same generator.
 */
import { randomBytes } from 'node:crypto';

export const SAMPLING_ALGORITHM = 'mulberry32/fisher-yates/v1';

export interface SampleItem {
  id: string;
  category?: string | null;
}

export type StrataKey<T> = 'category' | ((item: T) => string);

export interface SampleOptions<T> {
  /** How many items to draw; all of them when larger than the population. */
  size: number;
  /** Unsigned 32-bit integer; record it with the sample. */
  seed: number;
  /** Stratify by category, or by any key function. */
  strata?: StrataKey<T>;
}

export interface StratumDraw {
  key: string;
  population: number;
  drawn: number;
}

export interface Sample<T> {
  algorithm: typeof SAMPLING_ALGORITHM;
  seed: number;
  requested: number;
  population: number;
  items: T[];
  /** Present for a stratified draw, in key order. */
  strata?: StratumDraw[];
}

/** mulberry32: a small 32-bit generator, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh seed for a new draw (the only impure helper here). */
export function newSeed(): number {
  return randomBytes(4).readUInt32BE(0);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first `k` items of a partial Fisher-Yates shuffle of `items` (not modified). */
function shuffleTake<T>(items: readonly T[], k: number, random: () => number): T[] {
  const pool = [...items];
  const n = pool.length;
  const take = Math.min(k, n);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (n - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, take);
}

/** Largest-remainder allocation of `total` in proportion to `weights`; ties go to the larger weight, then the earlier index. */
function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum === 0 || total === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const result = exact.map(Math.floor);
  let left = total - result.reduce((s, n) => s + n, 0);
  const order = exact.map((e, i) => ({ i, frac: e - Math.floor(e) })).sort((a, b) => b.frac - a.frac || weights[b.i] - weights[a.i] || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    result[i] += 1;
    left -= 1;
  }
  return result;
}

export function drawSample<T extends SampleItem>(items: readonly T[], options: SampleOptions<T>): Sample<T> {
  const { size, seed, strata } = options;
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`Sample size must be a non-negative integer, got ${size}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`Seed must be an unsigned 32-bit integer, got ${seed}`);

  const sorted = [...items].sort((a, b) => compareIds(a.id, b.id));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].id === sorted[i - 1].id) throw new RangeError(`Duplicate item id: ${sorted[i].id}`);
  }
  const random = mulberry32(seed);
  const base = { algorithm: SAMPLING_ALGORITHM, seed, requested: size, population: sorted.length } as const;

  if (!strata) return { ...base, items: shuffleTake(sorted, size, random) };

  const keyOf = strata === 'category' ? (item: T) => item.category ?? '' : strata;
  const groups = new Map<string, T[]>();
  for (const item of sorted) {
    const key = keyOf(item);
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  const keys = [...groups.keys()].sort(compareIds);
  const populations = keys.map((k) => groups.get(k)!.length);
  const total = Math.min(size, sorted.length);

  let allocation: number[];
  if (total >= keys.length) {
    // One per stratum, so every stratum is represented, then the rest in proportion to what remains.
    const rest = allocate(total - keys.length, populations.map((p) => p - 1));
    allocation = rest.map((n) => n + 1);
  } else {
    allocation = allocate(total, populations);
  }

  const drawn: T[] = [];
  const strataDraws: StratumDraw[] = [];
  keys.forEach((key, index) => {
    const picked = shuffleTake(groups.get(key)!, allocation[index], random);
    drawn.push(...picked);
    strataDraws.push({ key, population: populations[index], drawn: picked.length });
  });
  return { ...base, items: drawn, strata: strataDraws };
}
