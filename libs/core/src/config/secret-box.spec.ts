import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  it('round-trips, never stores the plaintext, and refuses another key or altered bytes', () => {
    const box = new SecretBox('x'.repeat(32), 'sso-client-secret');
    const sealed = box.seal('client-secret-value');
    expect(sealed).not.toContain('client-secret-value');
    expect(box.seal('client-secret-value')).not.toBe(sealed); // random IV
    expect(box.open(sealed)).toBe('client-secret-value');
    expect(() => new SecretBox('y'.repeat(32), 'sso-client-secret').open(sealed)).toThrow();
    expect(() => new SecretBox('x'.repeat(32), 'other-purpose').open(sealed)).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1] ^= 0x01; // one bit of the ciphertext
    expect(() => box.open(`v1.${raw.toString('base64url')}`)).toThrow();
  });
});
