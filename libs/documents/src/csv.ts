import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';

/**
 * CSV for people opening it in a spreadsheet: `;` separator and a BOM by default (what French
 * Excel expects), fields quoted when they need to be, CRLF line ends (RFC 4180). Written by
 * csv-stringify; a leading =, +, - or @ (or its full-width form, or a tab or carriage return, as
 * csv-stringify's own escape_formulas) that is not a number is neutralised so that no cell runs as
 * a formula (CSV injection). Booleans are written `true` / `false`.
 */
export interface CsvOptions {
  separator?: ',' | ';';
  bom?: boolean;
}

export interface TabularColumn<T> {
  header: string;
  value: (row: T) => unknown;
}

function neutralise(value: unknown): unknown {
  if (typeof value !== 'string') return value instanceof Date ? value.toISOString() : value;
  return /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
}

function settings(separator: ',' | ';', bom: boolean) {
  return { delimiter: separator, bom, record_delimiter: 'windows' as const, cast: { string: (v: string) => String(neutralise(v)), date: (d: Date) => d.toISOString(), boolean: (b: boolean) => (b ? 'true' : 'false') } };
}

export function csvLine(values: unknown[], separator: ',' | ';' = ';'): string {
  return stringifySync([values.map(neutralise)], settings(separator, false));
}

/** Streams rows as CSV: header first, then one line per row, never the whole file in memory. */
export function csvStream<T>(columns: TabularColumn<T>[], rows: AsyncIterable<T> | Iterable<T>, options: CsvOptions = {}): Readable {
  const writer = stringify(settings(options.separator ?? ';', options.bom ?? true));
  const records = Readable.from(
    (async function* () {
      yield columns.map((c) => c.header);
      for await (const row of rows) yield columns.map((c) => neutralise(c.value(row)));
    })(),
  );
  records.on('error', (e) => writer.destroy(e));
  return records.pipe(writer);
}
