import { SAMPLING_ALGORITHM, drawSample, mulberry32, newSeed } from './sampling';

interface Action {
  id: string;
  category: string;
  region: string;
}

const categories = ['TRAINING', 'TRAINING', 'TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'TRAINING', 'APPRENTICESHIP', 'TRAINING'];
const actions: Action[] = Array.from({ length: 40 }, (_, i) => ({
  id: `A${String(i).padStart(3, '0')}`,
  category: categories[i % categories.length],
  region: i % 3 === 0 ? '04' : '11',
}));
const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe('mulberry32', () => {
  it('matches the reference implementation (pinned values for seed 1)', () => {
    const random = mulberry32(1);
    expect([random(), random(), random()].map((x) => x * 2 ** 32)).toEqual([2693262067, 11749833, 2265367787]);
  });
});

describe('drawSample', () => {
  it('draws the same sample from the same seed, whatever the input order', () => {
    const a = drawSample(actions, { size: 8, seed: 20260310 });
    const b = drawSample([...actions].reverse(), { size: 8, seed: 20260310 });
    expect(ids(a.items)).toEqual(ids(b.items));
    expect(a).toMatchObject({ algorithm: SAMPLING_ALGORITHM, seed: 20260310, requested: 8, population: 40 });
    expect(new Set(ids(a.items)).size).toBe(8);
  });

  it('draws differently with another seed', () => {
    const samples = new Set([1, 2, 3, 4, 5].map((seed) => ids(drawSample(actions, { size: 8, seed }).items).join(',')));
    expect(samples.size).toBeGreaterThan(1);
  });

  it('keeps a pinned draw, so a change of algorithm cannot go unnoticed', () => {
    expect(ids(drawSample(actions, { size: 5, seed: 42 }).items)).toEqual(['A024', 'A018', 'A034', 'A027', 'A010']);
  });

  it('returns the whole population, shuffled, when the size exceeds it', () => {
    const sample = drawSample(actions.slice(0, 5), { size: 10, seed: 7 });
    expect([...ids(sample.items)].sort()).toEqual(ids(actions.slice(0, 5)));
    expect(drawSample([], { size: 3, seed: 7 }).items).toEqual([]);
    expect(drawSample(actions, { size: 0, seed: 7 }).items).toEqual([]);
  });

  it('selects every item with about the same probability', () => {
    const counts = new Map<string, number>();
    const runs = 4000;
    for (let seed = 0; seed < runs; seed++) {
      for (const item of drawSample(actions.slice(0, 20), { size: 5, seed }).items) counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
    }
    const expected = (runs * 5) / 20;
    for (const count of counts.values()) expect(Math.abs(count - expected)).toBeLessThan(expected * 0.15);
    expect(counts.size).toBe(20);
  });

  it('refuses bad sizes, seeds and duplicate ids', () => {
    expect(() => drawSample(actions, { size: -1, seed: 1 })).toThrow(RangeError);
    expect(() => drawSample(actions, { size: 1.5, seed: 1 })).toThrow(RangeError);
    expect(() => drawSample(actions, { size: 1, seed: 2 ** 32 })).toThrow(RangeError);
    expect(() => drawSample(actions, { size: 1, seed: -3 })).toThrow(RangeError);
    expect(() => drawSample([actions[0], actions[0]], { size: 1, seed: 1 })).toThrow(/Duplicate item id: A000/);
  });

  it('makes fresh unsigned 32-bit seeds', () => {
    const seed = newSeed();
    expect(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff).toBe(true);
  });
});

describe('drawSample stratified', () => {
  it('represents every category, the rest in proportion', () => {
    const sample = drawSample(actions, { size: 10, seed: 99, strata: 'category' });
    // Population: 25 training, 5 each of the others; one each, then 6 over 4/4/24/4 (largest remainder: 0.67/0.67/4/0.67).
    expect(sample.strata).toEqual([
      { key: 'APPRENTICESHIP', population: 5, drawn: 2 },
      { key: 'SKILLS_ASSESSMENT', population: 5, drawn: 2 },
      { key: 'TRAINING', population: 25, drawn: 5 },
      { key: 'VAE', population: 5, drawn: 1 },
    ]);
    expect(sample.items).toHaveLength(10);
    for (const stratum of sample.strata!) {
      expect(sample.items.filter((i) => i.category === stratum.key)).toHaveLength(stratum.drawn);
    }
  });

  it('is reproducible and order-independent', () => {
    const a = drawSample(actions, { size: 10, seed: 5, strata: 'category' });
    const b = drawSample([...actions].reverse(), { size: 10, seed: 5, strata: 'category' });
    expect(ids(a.items)).toEqual(ids(b.items));
  });

  it('stratifies by any key function', () => {
    const sample = drawSample(actions, { size: 6, seed: 3, strata: (a) => a.region });
    expect(sample.strata).toEqual([
      { key: '04', population: 14, drawn: 2 },
      { key: '11', population: 26, drawn: 4 },
    ]);
    expect(sample.items.filter((i) => i.region === '04')).toHaveLength(2);
  });

  it('gives the few draws to the largest strata when there are more strata than draws', () => {
    const sample = drawSample(actions, { size: 2, seed: 3, strata: 'category' });
    expect(sample.strata!.find((s) => s.key === 'TRAINING')!.drawn).toBe(2);
    expect(sample.items).toHaveLength(2);
  });

  it('never draws more than a stratum holds', () => {
    for (let size = 0; size <= 41; size++) {
      const sample = drawSample(actions, { size, seed: size, strata: 'category' });
      expect(sample.items).toHaveLength(Math.min(size, 40));
      for (const s of sample.strata!) expect(s.drawn).toBeLessThanOrEqual(s.population);
    }
  });
});
