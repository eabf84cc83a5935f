import { debouncedRunAt } from './job-outbox';

describe('debouncedRunAt', () => {
  const window = 15 * 60_000;
  const at = (iso: string) => Date.parse(iso);

  it('answers the end of the window holding now, the same for every instant of the window', () => {
    expect(debouncedRunAt(at('2026-12-04T10:00:00.000Z'), window).toISOString()).toBe('2026-12-04T10:15:00.000Z');
    expect(debouncedRunAt(at('2026-12-04T10:07:31.123Z'), window).toISOString()).toBe('2026-12-04T10:15:00.000Z');
    expect(debouncedRunAt(at('2026-12-04T10:14:59.999Z'), window).toISOString()).toBe('2026-12-04T10:15:00.000Z');
  });

  it('moves to the next window on its boundary, never answering the past', () => {
    expect(debouncedRunAt(at('2026-12-04T10:15:00.000Z'), window).toISOString()).toBe('2026-12-04T10:30:00.000Z');
    for (const now of [0, 1, window - 1, window, 10 * window + 7]) expect(debouncedRunAt(now, window).getTime()).toBeGreaterThan(now);
  });
});
