import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobTooLargeError } from './blob-store';
import { LocalBlobStore } from './local-blob-store';

describe('LocalBlobStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'blobs-'));
  const store = new LocalBlobStore(root);

  it('names a blob by the SHA-256 of its bytes and keeps one copy of equal content', async () => {
    const bytes = Buffer.from('attendance sheet, 12 signatures');
    const a = await store.put(bytes);
    const b = await store.put(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]));
    expect(a).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
    expect(b).toEqual(a);
    const chunks: Buffer[] = [];
    for await (const chunk of (await store.open(a.sha256))!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(bytes);
    expect(await store.verify(a.sha256)).toBe(true);
  });

  it('detects stored bytes altered behind its back', async () => {
    const { sha256 } = await store.put(Buffer.from('invoice 2026-041'));
    writeFileSync(join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256), 'invoice 2026-047');
    expect(await store.verify(sha256)).toBe(false);
  });

  it('refuses a stream over the size limit and leaves no partial file', async () => {
    await expect(store.put(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { maxBytes: 1000 })).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('answers undefined for an absent blob', async () => {
    expect(await store.open('0'.repeat(64))).toBeUndefined();
    expect(await store.has('0'.repeat(64))).toBe(false);
  });
});
