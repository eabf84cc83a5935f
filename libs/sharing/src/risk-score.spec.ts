import { BASE_OUTCOME_POINTS, BASE_RECENCY_POINTS, RISK_WEIGHTS, riskScore } from './risk-score';

describe('risk score', () => {
  it('weighs to 100 at most', () => {
    expect(Object.values(RISK_WEIGHTS).reduce((a, b) => a + b, 0)).toBe(100);
    expect(riskScore({ fundersFunding: 9, amount12m: 10, uncertifiedAmount12m: 10, monthsSinceLastSharedCheck: null, lastSharedOutcome: 'NON_COMPLIANT' }).score).toBe(100);
  });

  it('gives the base parts without a shared check', () => {
    const parts = riskScore({ fundersFunding: 0, amount12m: 0, uncertifiedAmount12m: 0, monthsSinceLastSharedCheck: null, lastSharedOutcome: null });
    expect(parts).toEqual({ exposure: 0, certification: 0, recency: BASE_RECENCY_POINTS, outcome: BASE_OUTCOME_POINTS, score: 40 });
  });

  it('lowers the score after a recent compliant check and raises it after a non-compliant one', () => {
    const common = { fundersFunding: 2, amount12m: 1000, uncertifiedAmount12m: 250 };
    const compliant = riskScore({ ...common, monthsSinceLastSharedCheck: 6, lastSharedOutcome: 'COMPLIANT' });
    expect(compliant).toEqual({ exposure: 8, certification: 7.5, recency: 5, outcome: 0, score: 20.5 });
    const failing = riskScore({ ...common, monthsSinceLastSharedCheck: 6, lastSharedOutcome: 'NON_COMPLIANT' });
    expect(failing.score).toBe(40.5);
    expect(riskScore({ ...common, monthsSinceLastSharedCheck: 48, lastSharedOutcome: 'COMPLIANT' }).recency).toBe(30);
  });
});
