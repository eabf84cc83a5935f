import { AppError } from '@bo/core';
import { BIDI_CONTROLS } from '@bo/storage';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { nulRefused } from './hostile-input';

export interface Upload<T> {
  /** What `store` made of the file part (a blob, an import...). */
  stored: T;
  fileName: string | null;
  /** The text fields, whether sent before or after the file. */
  fields: Record<string, string>;
}

/** Errors of the multipart parser itself (no boundary, a body cut short...): the client's fault. */
function malformed(): AppError {
  return new AppError('REQUEST.MALFORMED', 'The multipart body is malformed or truncated (missing boundary, or cut short): send it again.', {
    errors: [{ field: 'body', message: 'malformed multipart' }],
  });
}

/**
 * Reads a multipart upload: the `file` part is streamed straight into `store` (never buffered),
 * other file parts are drained, text fields are collected in any order. 415 when the request is
 * not multipart, 400 `IMPORT.FILE_REQUIRED` without a `file` part, 400 `REQUEST.MALFORMED` for a
 * body without boundary or truncated, 400 for a NUL in a field or file name. File names lose
 * their bidirectional control characters. The one way every upload route (public list, funded
 * actions, evidence) reads its body.
 */
export async function readUpload<T>(request: FastifyRequest, what: string, store: (file: Readable, fileName: string | null) => Promise<T>): Promise<Upload<T>> {
  if (!request.isMultipart()) {
    throw new AppError('REQUEST.UNSUPPORTED_MEDIA_TYPE', `Send ${what} as multipart/form-data with a "file" part.`);
  }
  if (!/;\s*boundary=/i.test(request.headers['content-type'] ?? '')) throw malformed();
  let stored: { value: T } | undefined;
  let fileName: string | null = null;
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || stored) {
          part.file.resume();
          continue;
        }
        if (part.filename?.includes('\u0000')) {
          part.file.resume();
          throw nulRefused('file.filename');
        }
        // A body cut short may have failed the part before we read it: its error was already emitted.
        if (part.file.errored || part.file.destroyed) throw malformed();
        fileName = part.filename ? part.filename.replace(BIDI_CONTROLS, '') || null : null;
        try {
          stored = { value: await store(part.file, fileName) };
        } finally {
          part.file.resume();
        }
      } else {
        const value = String(part.value);
        if (value.includes('\u0000') || part.fieldname.includes('\u0000')) throw nulRefused(part.fieldname.split('\u0000').join('\\0'));
        fields[part.fieldname] = value;
      }
    }
  } catch (error) {
    if (error instanceof AppError || typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
    // busboy's own errors ("Unexpected end of form", "Malformed part header"...) carry no status.
    throw malformed();
  }
  if (!stored) throw new AppError('IMPORT.FILE_REQUIRED', `Attach ${what} as the multipart field "file".`, { errors: [{ field: 'file', message: 'required' }] });
  return { stored: stored.value, fileName, fields };
}
