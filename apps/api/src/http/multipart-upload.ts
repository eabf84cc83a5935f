import { AppError } from '@bo/core';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';

export interface Upload<T> {
  /** What `store` made of the file part (a blob, an import...). */
  stored: T;
  fileName: string | null;
  /** The text fields, whether sent before or after the file. */
  fields: Record<string, string>;
}

/**
 * Reads a multipart upload: the `file` part is streamed straight into `store` (never buffered),
 * other file parts are drained, text fields are collected in any order. 415 when the request is
 * not multipart, 400 `IMPORT.FILE_REQUIRED` without a `file` part. The one way every upload route
 * (public list, funded actions, evidence) reads its body.
 */
export async function readUpload<T>(request: FastifyRequest, what: string, store: (file: Readable, fileName: string | null) => Promise<T>): Promise<Upload<T>> {
  if (!request.isMultipart()) {
    throw new AppError('REQUEST.UNSUPPORTED_MEDIA_TYPE', `Send ${what} as multipart/form-data with a "file" part.`);
  }
  let stored: { value: T } | undefined;
  let fileName: string | null = null;
  const fields: Record<string, string> = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file' || stored) {
        part.file.resume();
        continue;
      }
      fileName = part.filename || null;
      try {
        stored = { value: await store(part.file, fileName) };
      } finally {
        part.file.resume();
      }
    } else {
      fields[part.fieldname] = String(part.value);
    }
  }
  if (!stored) throw new AppError('IMPORT.FILE_REQUIRED', `Attach ${what} as the multipart field "file".`, { errors: [{ field: 'file', message: 'required' }] });
  return { stored: stored.value, fileName, fields };
}
