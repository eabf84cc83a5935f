import { CHECK_STATES, assertTransition, type CheckState, type TransitionContext } from './check-state';

const now = new Date('2026-03-10T12:00:00Z');
const before = new Date('2026-03-09T22:59:59.999Z');
const after = new Date('2026-03-12T22:59:59.999Z');

const ctx = (overrides: Partial<TransitionContext> = {}): TransitionContext => ({
  hasNonConformities: true,
  responseReceived: false,
  windowClosesAt: after,
  now,
  finalizerId: 'manager-1',
  recorderIds: ['officer-1'],
  missingFindings: 0,
  ...overrides,
});

describe('assertTransition', () => {
  it('allows the documented path', () => {
    expect(assertTransition('DRAFT', 'NOTIFIED', ctx())).toBeNull();
    expect(assertTransition('NOTIFIED', 'RESPONDED', ctx())).toBeNull();
    expect(assertTransition('RESPONDED', 'COMPLETED', ctx({ responseReceived: true }))).toBeNull();
    expect(assertTransition('NOTIFIED', 'RESPONSE_OVERDUE', ctx({ windowClosesAt: before }))).toBeNull();
    expect(assertTransition('RESPONSE_OVERDUE', 'COMPLETED', ctx({ windowClosesAt: before }))).toBeNull();
    // Marked overdue but the window (as the rules compute it) has not run: refused.
    expect(assertTransition('RESPONSE_OVERDUE', 'COMPLETED', ctx({ hasNonConformities: true, windowClosesAt: new Date(Date.UTC(2100, 0, 1)) }))).toBe('CHECK.RESPONSE_WINDOW_OPEN');
  });

  it('refuses any other move, and anything out of COMPLETED', () => {
    const allowed = new Set([
      'DRAFT>NOTIFIED',
      'DRAFT>COMPLETED',
      'NOTIFIED>RESPONDED',
      'NOTIFIED>RESPONSE_OVERDUE',
      'NOTIFIED>COMPLETED',
      'RESPONDED>COMPLETED',
      'RESPONSE_OVERDUE>RESPONDED',
      'RESPONSE_OVERDUE>COMPLETED',
    ]);
    const heard = ctx({ windowClosesAt: before, responseReceived: true });
    for (const from of CHECK_STATES)
      for (const to of CHECK_STATES) {
        if (allowed.has(`${from}>${to}`)) continue;
        expect([from, to, assertTransition(from, to, heard)]).toEqual([from, to, 'CHECK.INVALID_TRANSITION']);
      }
  });

  it('lets a check without non-conformity go straight from DRAFT to COMPLETED, and only such a check', () => {
    expect(assertTransition('DRAFT', 'COMPLETED', ctx({ hasNonConformities: false, windowClosesAt: null }))).toBeNull();
    expect(assertTransition('DRAFT', 'COMPLETED', ctx({ hasNonConformities: true, windowClosesAt: before }))).toBe('CHECK.INVALID_TRANSITION');
  });

  it('refuses to complete with non-conformities while the window is open and no response arrived', () => {
    expect(assertTransition('NOTIFIED', 'COMPLETED', ctx())).toBe('CHECK.RESPONSE_WINDOW_OPEN');
    expect(assertTransition('NOTIFIED', 'COMPLETED', ctx({ windowClosesAt: null }))).toBe('CHECK.RESPONSE_WINDOW_OPEN');
    expect(assertTransition('NOTIFIED', 'COMPLETED', ctx({ responseReceived: true }))).toBeNull();
    expect(assertTransition('NOTIFIED', 'COMPLETED', ctx({ windowClosesAt: before }))).toBeNull();
    expect(assertTransition('NOTIFIED', 'COMPLETED', ctx({ hasNonConformities: false }))).toBeNull();
  });

  it('counts the window as open until the end instant has passed', () => {
    const closesAt = new Date('2026-03-10T22:59:59.999Z');
    expect(assertTransition('NOTIFIED', 'RESPONSE_OVERDUE', ctx({ windowClosesAt: closesAt, now: closesAt }))).toBe('CHECK.RESPONSE_WINDOW_OPEN');
    expect(assertTransition('NOTIFIED', 'RESPONSE_OVERDUE', ctx({ windowClosesAt: closesAt, now: new Date(closesAt.getTime() + 1) }))).toBeNull();
    expect(assertTransition('NOTIFIED', 'RESPONSE_OVERDUE', ctx({ windowClosesAt: null }))).toBe('CHECK.RESPONSE_WINDOW_OPEN');
  });

  it('enforces maker-checker on completion', () => {
    expect(assertTransition('RESPONDED', 'COMPLETED', ctx({ finalizerId: 'officer-1', recorderIds: ['officer-2', 'officer-1'] }))).toBe('CHECK.MAKER_CHECKER');
    expect(assertTransition('DRAFT', 'COMPLETED', ctx({ hasNonConformities: false, finalizerId: null }))).toBe('CHECK.MAKER_CHECKER');
    expect(assertTransition('DRAFT', 'COMPLETED', ctx({ hasNonConformities: false, recorderIds: [] }))).toBeNull();
    // Notifying is not finalizing: the recorder may notify.
    expect(assertTransition('DRAFT', 'NOTIFIED', ctx({ finalizerId: 'officer-1' }))).toBeNull();
  });

  it('needs every applicable point graded to notify or complete', () => {
    const missing = ctx({ missingFindings: 2, responseReceived: true });
    expect(assertTransition('DRAFT', 'NOTIFIED', missing)).toBe('CHECK.FINDINGS_MISSING');
    expect(assertTransition('RESPONDED', 'COMPLETED', missing)).toBe('CHECK.FINDINGS_MISSING');
    expect(assertTransition('DRAFT', 'COMPLETED', { ...missing, hasNonConformities: false })).toBe('CHECK.FINDINGS_MISSING');
    expect(assertTransition('NOTIFIED', 'RESPONDED', missing)).toBeNull();
  });

  it('reports the first rule broken in a stable order', () => {
    const from: CheckState = 'NOTIFIED';
    expect(assertTransition(from, 'COMPLETED', ctx({ missingFindings: 1, finalizerId: 'officer-1' }))).toBe('CHECK.FINDINGS_MISSING');
    expect(assertTransition(from, 'COMPLETED', ctx({ finalizerId: 'officer-1' }))).toBe('CHECK.RESPONSE_WINDOW_OPEN');
  });
});
