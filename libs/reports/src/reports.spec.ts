import { jcs, sha256Hex, decimalStrings } from './canonical';
import { deliveryKey, recipientSecret, signDelivery, verifyDelivery } from './delivery-signature';
import { proposeRecipients } from './routing';
import { buildPackage } from './seal';
import { substantiationProblems } from './substantiation';
import { MAX_DELIVERY_ATTEMPTS, retryDelayMs } from './reports.types';
import type { GroundView } from './reports.types';

const certifier = { id: 'c1', code: 'CERT', name: 'Certificateur' };
const src = { id: 's1', code: 'SRC-84', name: 'SRC ARA' };
const ground = (nc: { pointCode: string; serviceFait: boolean }[], frameworkCode = 'RNQ'): GroundView => ({
  id: 'g', kind: 'CHECK_VERSION', organisationId: 'o', checkId: 'k', checkRevision: 1, anomalyId: null, frameworkCode,
  nonConformities: nc.map((n) => ({ ...n, grade: 'MAJOR_NC', comment: null })), contentSha256: 'x', personalDataIncluded: false, addedBy: 'u', addedAt: '',
});
const narrative = 'x'.repeat(200);

describe('routing rules', () => {
  it('sends quality to the certifier, execution and prices to the regional control service, once each', () => {
    const r = proposeRecipients([{ kind: 'INDICATOR', code: '1' }, { kind: 'SERVICE_FAIT', code: 'SF-01' }, { kind: 'PRICE_ANOMALY', code: 'a' }], { certifier, controlService: src, region: '84' });
    expect(r.map((x) => [x.kind, x.organisationId, x.rules])).toEqual([
      ['CERTIFIER', 'c1', ['QUALITY_TO_CERTIFIER']],
      ['REGIONAL_CONTROL_SERVICE', 's1', ['EXECUTION_TO_CONTROL_SERVICE', 'PRICE_TO_CONTROL_SERVICE']],
    ]);
    expect(r[1].legalSources.join(' ')).toMatch(/R\.6332-26/);
  });

  it('asks for the certifier when unknown', () => {
    expect(proposeRecipients([{ kind: 'INDICATOR', code: '1' }], { certifier: null, controlService: src, region: '84' })).toEqual([expect.objectContaining({ kind: 'CERTIFIER', organisationId: null, missing: 'CERTIFIER_UNKNOWN' })]);
  });
});

describe('substantiation', () => {
  it('names each claimed indicator without a non-conformity behind it', () => {
    const problems = substantiationProblems({ claims: [{ kind: 'INDICATOR', code: '1' }, { kind: 'INDICATOR', code: '7' }], grounds: [ground([{ pointCode: '1', serviceFait: false }])], narrative, recipients: [] });
    expect(problems).toEqual([expect.objectContaining({ code: 'REPORT.NOT_SUBSTANTIATED', field: 'claims[1]', message: expect.stringContaining('Indicator 7') })]);
  });

  it('does not take a service-fait non-conformity for an indicator, nor a grid point for an RNQ indicator', () => {
    expect(substantiationProblems({ claims: [{ kind: 'INDICATOR', code: 'SF-01' }], grounds: [ground([{ pointCode: 'SF-01', serviceFait: true }], 'SERVICE-FAIT')], narrative, recipients: [] })).toHaveLength(1);
    expect(substantiationProblems({ claims: [{ kind: 'INDICATOR', code: '1' }], grounds: [ground([{ pointCode: '1', serviceFait: false }], 'MY-GRID')], narrative, recipients: [] })).toHaveLength(1);
    expect(substantiationProblems({ claims: [{ kind: 'SERVICE_FAIT', code: 'SF-01' }], grounds: [ground([{ pointCode: 'SF-01', serviceFait: true }], 'RNQ')], narrative, recipients: [] })).toEqual([]);
  });

  it('needs grounds, claims and a narrative of 200 to 20,000 characters', () => {
    expect(substantiationProblems({ claims: [], grounds: [], narrative: 'court', recipients: [] }).map((p) => p.code)).toEqual(['REPORT.NO_GROUNDS', 'REPORT.NO_CLAIMS', 'REPORT.NARRATIVE_LENGTH']);
    expect(substantiationProblems({ claims: [{ kind: 'INDICATOR', code: '1' }], grounds: [ground([{ pointCode: '1', serviceFait: false }])], narrative: 'é'.repeat(20_001), recipients: [] }).map((p) => p.code)).toEqual(['REPORT.NARRATIVE_LENGTH']);
  });
});

describe('seal', () => {
  const input = {
    report: { id: 'r', reference: 'SIG', title: 't', claims: [{ kind: 'INDICATOR' as const, code: '1' }], narrative, submittedAt: '2026-01-01T00:00:00.000Z', submittedBy: 'u', provider: { siret: '1', nda: null, name: null, region: '84' } },
    sender: { id: 'o', code: 'OPCO', name: 'Opco' },
    cosigners: [],
    recipients: [],
    grounds: [{ id: 'b', kind: 'CHECK_VERSION', organisationId: 'o', content: { z: 1, a: '2' }, contentSha256: 'h2' }, { id: 'a', kind: 'PRICE_ANOMALY', organisationId: 'o', content: { amount: '1234.50' }, contentSha256: 'h1' }],
    attachments: [],
    auditHead: { seq: 3, hash: 'f'.repeat(64) },
  };

  it('is RFC 8785 canonical and independent of the order rows come in', () => {
    const one = buildPackage(input);
    const two = buildPackage({ ...input, grounds: [...input.grounds].reverse() });
    expect(one.sha256).toBe(two.sha256);
    expect(one.sha256).toBe(sha256Hex(one.bytes));
    expect(jcs({ b: 1, a: [1e21, 0.1, 'é'] })).toBe('{"a":[1e+21,0.1,"é"],"b":1}');
  });

  it('writes money as decimal strings', () => {
    expect(decimalStrings({ amount: 1234.5, nested: [{ ratio: 2.25 }], label: 'x' })).toEqual({ amount: '1234.5', nested: [{ ratio: '2.25' }], label: 'x' });
  });
});

describe('delivery signature', () => {
  const secret = recipientSecret('m'.repeat(32), 'org-1');
  const body = Buffer.from('{"a":1}');
  const now = 1_800_000_000_000;

  it('accepts its own signature within the window and refuses a replay, another body or another secret', () => {
    const ts = now / 1000;
    expect(verifyDelivery(secret, { timestamp: String(ts), signature: signDelivery(secret, ts, body) }, body, now)).toEqual({ ok: true });
    expect(verifyDelivery(secret, { timestamp: String(ts - 301), signature: signDelivery(secret, ts - 301, body) }, body, now)).toEqual({ ok: false, reason: 'TIMESTAMP_OUTSIDE_WINDOW' });
    expect(verifyDelivery(secret, { timestamp: String(ts), signature: signDelivery(secret, ts, body) }, Buffer.from('{"a":2}'), now)).toEqual({ ok: false, reason: 'SIGNATURE_INVALID' });
    expect(verifyDelivery(recipientSecret('m'.repeat(32), 'org-2'), { timestamp: String(ts), signature: signDelivery(secret, ts, body) }, body, now)).toEqual({ ok: false, reason: 'SIGNATURE_INVALID' });
    expect(verifyDelivery(secret, { signature: 'v1=00' }, body, now)).toEqual({ ok: false, reason: 'TIMESTAMP_MISSING' });
  });

  it('derives the same Idempotency-Key for every attempt of a case', () => {
    expect(deliveryKey('r', 'a'.repeat(64), 'org-1')).toBe(deliveryKey('r', 'a'.repeat(64), 'org-1'));
  });

  it('spreads ten attempts over about a day', () => {
    const waits = Array.from({ length: MAX_DELIVERY_ATTEMPTS - 1 }, (_, i) => retryDelayMs(i + 1));
    const hours = waits.reduce((a, b) => a + b, 0) / 3_600_000;
    expect(hours).toBeGreaterThan(23);
    expect(hours).toBeLessThan(25);
  });
});
