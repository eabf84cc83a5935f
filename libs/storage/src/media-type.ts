import { fileTypeFromBuffer } from 'file-type';

/** How many leading bytes are enough to recognise every format below. */
export const SNIFF_BYTES = 4100;

/**
 * Media types accepted as evidence, recognised from their bytes (magic numbers), never from the
 * file name or the client's Content-Type. Office documents are ZIP or OLE containers that
 * file-type tells apart.
 */
export const EVIDENCE_MEDIA_TYPES = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/tiff',
  'image/webp',
  'image/heic',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/zip',
  'message/rfc822',
  'text/plain',
]);

/**
 * Markers of active content inside an accepted container, found in the plain (stored) ZIP entry
 * names: VBA projects of macro-enabled Office files renamed .docx/.xlsx/.pptx or zipped,
 * ActiveX controls, and OpenDocument Basic macros and scripts. OLE containers (.doc, .xls,
 * .msg: application/x-cfb) are not in the allowlist at all, macros or not.
 */
const ACTIVE_CONTENT_MARKERS = ['vbaProject.bin', 'vbaProjectSignature.bin', 'vbaData.xml', '/activeX/', 'Basic/script-lc.xml'].map((m) => Buffer.from(m, 'latin1'));

/** The active-content marker found in `window`, or undefined (scan every window of a ZIP-based upload). */
export function activeContentMarker(window: Buffer): string | undefined {
  return ACTIVE_CONTENT_MARKERS.find((m) => window.includes(m))?.toString('latin1');
}

/** Media types that are ZIP containers (their entries are scanned for active content). */
export const ZIP_BASED_MEDIA_TYPES = new Set([
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
]);

/**
 * UTF-8 text without control characters other than tab, CR, LF (a CSV, a plain e-mail...).
 * The sample may end inside a multi-byte character (the sniffing window is cut at a byte count,
 * or the file is short): a streaming decode holds such an incomplete tail back instead of
 * replacing it, so only bytes that are really invalid refuse the file.
 */
function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head, { stream: true });
  if (text.includes('\uFFFD')) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return false;
  }
  return true;
}

/** The media type of a file from its first bytes; `undefined` when unknown. */
export async function sniffMediaType(head: Buffer): Promise<string | undefined> {
  const detected = await fileTypeFromBuffer(head);
  if (detected) return detected.mime;
  return looksLikeText(head) ? 'text/plain' : undefined;
}
