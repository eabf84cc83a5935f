import { Readable } from 'node:stream';

export interface BlobInfo {
  sha256: string;
  size: number;
}

/**
 * Content-addressed storage: a blob's name is the SHA-256 of its bytes, so storing the same file
 * twice keeps one copy and any change to stored bytes is detectable. The local directory is the
 * default; an object store implements the same four methods.
 */
export abstract class BlobStore {
  /** Streams `source` in, hashing as it goes; never holds the whole file in memory. */
  abstract put(source: Readable | Buffer, options?: { maxBytes?: number }): Promise<BlobInfo>;
  /** Streams a blob out, or `undefined` if absent. Does not verify: see `verify`. */
  abstract open(sha256: string): Promise<Readable | undefined>;
  abstract has(sha256: string): Promise<boolean>;
  /** Recomputes the hash of the stored bytes; false when they no longer match their name. */
  abstract verify(sha256: string): Promise<boolean>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes.`);
  }
}

export const SHA256_HEX = /^[a-f0-9]{64}$/;
