import { generateKeyPairSync } from 'node:crypto';
import { AppConfig } from '@bo/core';
import { SigningService } from './signing.service';

const privateDer = (k: ReturnType<typeof generateKeyPairSync>) => k.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
const publicDer = (k: ReturnType<typeof generateKeyPairSync>) => k.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const service = (keys: string) => new SigningService(Object.assign(new AppConfig(), { SIGNING_KEYS: keys }));

describe('SigningService', () => {
  const oldKey = generateKeyPairSync('ed25519');
  const newKey = generateKeyPairSync('ed25519');

  it('signs bytes and verifies them; any change of bytes or signature fails', () => {
    const s = service(privateDer(oldKey));
    const sig = s.sign('checkpoint 42');
    expect(sig.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(s.verify('checkpoint 42', sig.signature, sig.keyId)).toBe(true);
    expect(s.verify('checkpoint 43', sig.signature, sig.keyId)).toBe(false);
    const flipped = Buffer.from(sig.signature, 'base64url');
    flipped[0] ^= 1;
    expect(s.verify('checkpoint 42', flipped.toString('base64url'), sig.keyId)).toBe(false);
    expect(s.verify('checkpoint 42', sig.signature, 'ffffffffffffffff')).toBe(false);
  });

  it('after a rotation, signs with the new key and still verifies what the retired key signed', () => {
    const before = service(privateDer(oldKey)).sign('old');
    const rotated = service(`${privateDer(newKey)},${publicDer(oldKey)}`);
    expect(rotated.activeKeyId).not.toBe(before.keyId);
    expect(rotated.verify('old', before.signature, before.keyId)).toBe(true);
    expect(rotated.publicKeys().map((k) => [k.keyId, k.status])).toEqual([
      [rotated.activeKeyId, 'active'],
      [before.keyId, 'retired'],
    ]);
    expect(rotated.publicKeys()[0].jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
  });
});
