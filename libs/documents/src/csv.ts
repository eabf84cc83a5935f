import { Readable } from 'node:stream';

/**
 * CSV for people opening it in a spreadsheet: `;` separator and a BOM by default (what French
 * Excel expects), every field quoted when it needs to be, CRLF line ends (RFC 4180).
 */
export interface CsvOptions {
  separator?: ',' | ';';
  bom?: boolean;
}

export function csvField(value: unknown, separator: string): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet: neutralise it.
  const safe = /^[=+\-@]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /["\r\n]/.test(safe) || safe.includes(separator) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(values: unknown[], separator: ',' | ';' = ';'): string {
  return values.map((v) => csvField(v, separator)).join(separator) + '\r\n';
}

/** Streams rows as CSV: header first, then one line per row, never the whole file in memory. */
export function csvStream<T>(columns: { header: string; value: (row: T) => unknown }[], rows: AsyncIterable<T> | Iterable<T>, options: CsvOptions = {}): Readable {
  const separator = options.separator ?? ';';
  async function* lines() {
    yield (options.bom ?? true ? '\uFEFF' : '') + csvLine(columns.map((c) => c.header), separator);
    for await (const row of rows) yield csvLine(columns.map((c) => c.value(row)), separator);
  }
  return Readable.from(lines());
}
