import { GENESIS_HASH, canonicalJson, chainHash, digestOf } from './canonical';

describe('audit hashing', () => {
  it('hashes equal values equally whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    expect(digestOf({ a: 1, b: 2 })).toBe(digestOf({ b: 2, a: 1 }));
    expect(digestOf(null)).toBeNull();
  });

  it('chains: changing any field or the previous hash changes the hash', () => {
    const fields = {
      organisationId: 'o',
      seq: 1,
      occurredAt: '2026-11-26T10:00:00.000Z',
      actorKind: 'user',
      actorId: 'u',
      actorLabel: 'a@b.fr',
      action: 'user.created',
      entityType: 'user',
      entityId: 'e',
      beforeDigest: null,
      afterDigest: 'x',
      details: {},
    };
    const h = chainHash(GENESIS_HASH, fields);
    expect(chainHash(GENESIS_HASH, { ...fields, actorLabel: 'c@d.fr' })).not.toBe(h);
    expect(chainHash('1'.repeat(64), fields)).not.toBe(h);
    expect(chainHash(GENESIS_HASH, { ...fields })).toBe(h);
  });
});
