import { sniffMediaType } from './media-type';

describe('media type sniffing', () => {
  it('recognises files by their bytes, not their names', async () => {
    expect(await sniffMediaType(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj'))).toBe('application/pdf');
    expect(await sniffMediaType(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))).toBe('image/png');
    expect(await sniffMediaType(Buffer.from('ffd8ffe000104a464946', 'hex'))).toBe('image/jpeg');
  });

  it('accepts UTF-8 text and refuses unknown binary', async () => {
    expect(await sniffMediaType(Buffer.from('nom;prénom;heures\nDupont;Marie;35\n'))).toBe('text/plain');
    expect(await sniffMediaType(Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0x00, 0x10]))).toBeUndefined();
    expect(await sniffMediaType(Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'))).not.toBe('text/plain');
  });

  it('accepts UTF-8 text whose sniffing window ends inside a multi-byte character', async () => {
    // A short file whose last characters are multi-byte (issue 9, defect 6: answered 415).
    expect(await sniffMediaType(Buffer.from('Rapport validé.\n'))).toBe('text/plain');
    expect(await sniffMediaType(Buffer.from('Déjà vu — été'))).toBe('text/plain');
    // The window cut in the middle of "é" (2 bytes) and of "€" (3 bytes).
    const long = Buffer.from(`${'a'.repeat(4099)}é`);
    expect(await sniffMediaType(long.subarray(0, 4100))).toBe('text/plain');
    const euro = Buffer.from(`${'a'.repeat(4098)}€`);
    expect(await sniffMediaType(euro.subarray(0, 4100))).toBe('text/plain');
    // Invalid UTF-8 in the middle is still refused.
    expect(await sniffMediaType(Buffer.concat([Buffer.from('abc'), Buffer.from([0xc3, 0x28]), Buffer.from('def')]))).toBeUndefined();
  });
});
