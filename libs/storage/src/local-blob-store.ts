import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobInfo, BlobStore, BlobTooLargeError, SHA256_HEX } from './blob-store';

/** Blobs under `<root>/ab/cd/<sha256>`, written to a temp file then renamed into place. */
export class LocalBlobStore extends BlobStore {
  private readonly root: string;

  constructor(root: string) {
    super();
    this.root = resolve(root);
  }

  private pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error('not a sha256');
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(source: Readable | Buffer, options: { maxBytes?: number } = {}): Promise<BlobInfo> {
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) return done(new BlobTooLargeError(max));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
    const output = createWriteStream(tmp);
    try {
      await pipeline(input, meter, output);
    } catch (error) {
      // A refused upload can fail before the file stream has even opened its file: wait for it to
      // close, or the temp file would appear after its removal and stay on disk.
      if (!output.closed) await new Promise<void>((resolve) => output.once('close', () => resolve()));
      await rm(tmp, { force: true });
      input.resume?.();
      throw error;
    }
    const sha256 = hash.digest('hex');
    const target = this.pathOf(sha256);
    await mkdir(dirname(target), { recursive: true });
    await rename(tmp, target);
    return { sha256, size };
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await access(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async open(sha256: string): Promise<Readable | undefined> {
    if (!(await this.has(sha256))) return undefined;
    return createReadStream(this.pathOf(sha256));
  }

  async verify(sha256: string): Promise<boolean> {
    const stream = await this.open(sha256);
    if (!stream) return false;
    const hash = createHash('sha256');
    for await (const chunk of stream) hash.update(chunk as Buffer);
    return hash.digest('hex') === sha256;
  }
}
