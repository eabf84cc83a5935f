import { AccessTokenVerifier, signAccessToken } from './jwt';

const SECRET = 'x'.repeat(48);
const TTL = 900;
const IAT = 1_800_000_000;
const token = (over: Partial<{ iat: number; sub: string }> = {}, ttl = TTL, secret = SECRET) =>
  signAccessToken({ sub: over.sub ?? 'user-1', org: 'org-1', sid: 'sid-1', jti: `jti-${over.sub ?? 1}`, iat: over.iat ?? IAT }, ttl, secret);

describe('AccessTokenVerifier (a verified token remembered, time judged on every use)', () => {
  it('answers the same claims on a second use and the remembered token stops at exp', async () => {
    const verifier = new AccessTokenVerifier(SECRET, TTL);
    const t = await token();
    const first = await verifier.verify(t, IAT + 10);
    expect(first).toMatchObject({ sub: 'user-1', org: 'org-1', exp: IAT + TTL });
    expect(await verifier.verify(t, IAT + 20)).toEqual(first);
    // Inside jose's leeway after exp (5 s) the token is re-judged by jose, then refused beyond it.
    expect(await verifier.verify(t, IAT + TTL + 2)).toMatchObject({ sub: 'user-1' });
    expect(await verifier.verify(t, IAT + TTL + 6)).toBeUndefined();
    expect(await verifier.verify(t, IAT + TTL + 6)).toBeUndefined();
  });

  it('never answers before nbf, even for a token it has seen', async () => {
    const verifier = new AccessTokenVerifier(SECRET, TTL);
    const t = await token();
    expect(await verifier.verify(t, IAT + 1)).toBeDefined();
    expect(await verifier.verify(t, IAT - 60)).toBeUndefined();
  });

  it('refuses a token whose signature is not ours, whatever it has remembered', async () => {
    const verifier = new AccessTokenVerifier(SECRET, TTL);
    const good = await token();
    expect(await verifier.verify(good, IAT)).toBeDefined();
    const [header, payload, signature] = good.split('.');
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`;
    expect(await verifier.verify(flipped, IAT)).toBeUndefined();
    expect(await verifier.verify(await token({}, TTL, 'y'.repeat(48)), IAT)).toBeUndefined();
    // A lifetime longer than the configured one is refused even with the right key.
    expect(await verifier.verify(await token({ sub: 'long' }, TTL * 2), IAT)).toBeUndefined();
  });

  it('keeps at most its capacity, dropping the oldest first', async () => {
    const verifier = new AccessTokenVerifier(SECRET, TTL, 2);
    const tokens = await Promise.all(['a', 'b', 'c'].map((sub) => token({ sub })));
    for (const t of tokens) expect(await verifier.verify(t, IAT)).toBeDefined();
    const remembered = (verifier as unknown as { verified: Map<string, unknown> }).verified;
    expect([...remembered.keys()]).toEqual([tokens[1], tokens[2]]);
  });
});
