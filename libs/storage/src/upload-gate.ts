import { Transform, TransformCallback } from 'node:stream';

export interface HeadGateOptions {
  /** Bytes gathered before `inspect` runs (fewer when the file is shorter). */
  headBytes: number;
  /** Run `inspect` as soon as the head holds a line feed (a CSV header line). */
  untilNewline?: boolean;
  /** Refuses the file from its head (an Error) or lets it through (undefined). Runs once, also on an empty file. */
  inspect: (head: Buffer) => Promise<Error | undefined> | Error | undefined;
  /** Refuses the file from any window of its bytes (each chunk with the end of the one before). */
  scan?: (window: Buffer) => Error | undefined;
}

const SCAN_OVERLAP = 64;

/** Bidirectional control characters: stripped from file names ("facture\u202Efdp.exe" reads as "facture.exe.pdf"). */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * A pass-through put in front of the blob store that checks an upload WHILE it streams: the head
 * (media type, header line) before any byte goes on, then every window of the rest. A refusal
 * errors the stream, so the store's `put` fails and removes its temporary file: a refused upload
 * never lands in the store (and, the store being content-addressed, nothing already there is
 * touched). The refusal is kept in `failure` for the caller to throw.
 */
export class HeadGate extends Transform {
  failure: Error | undefined;
  private head: Buffer[] = [];
  private headSize = 0;
  private passed = false;
  private tail = Buffer.alloc(0);

  constructor(private readonly options: HeadGateOptions) {
    super();
  }

  private refuse(error: Error, callback: TransformCallback): void {
    this.failure = error;
    callback(error);
  }

  private scanned(chunk: Buffer): Error | undefined {
    if (!this.options.scan) return undefined;
    const window = Buffer.concat([this.tail, chunk]);
    this.tail = window.subarray(Math.max(0, window.length - SCAN_OVERLAP));
    return this.options.scan(window);
  }

  private async release(callback: TransformCallback): Promise<void> {
    const all = Buffer.concat(this.head);
    this.head = [];
    const refused = (await this.options.inspect(all)) ?? this.scanned(all);
    if (refused) return this.refuse(refused, callback);
    this.passed = true;
    callback(null, all.length ? all : undefined);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.failure) return callback();
    if (this.passed) {
      const refused = this.scanned(chunk);
      return refused ? this.refuse(refused, callback) : callback(null, chunk);
    }
    this.head.push(chunk);
    this.headSize += chunk.length;
    const ready = this.headSize >= this.options.headBytes || (this.options.untilNewline === true && chunk.includes(0x0a));
    if (!ready) return callback();
    this.release(callback).catch((error: Error) => this.refuse(error, callback));
  }

  override _flush(callback: TransformCallback): void {
    if (this.passed || this.failure) return callback();
    this.release(callback).catch((error: Error) => this.refuse(error, callback));
  }
}
