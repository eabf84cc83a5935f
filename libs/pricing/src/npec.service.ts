import { Injectable } from '@nestjs/common';
import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { AppError, FieldError } from '@bo/core';
import { Db } from '@bo/database';
import { Actor, tenantOf } from '@bo/access';
import { AuditService } from '@bo/audit';

/** The layout of the NPEC file: one line per certification, branch and period. */
export const NPEC_COLUMNS = ['rncp', 'idcc', 'eurPerYear', 'validFrom', 'validTo'] as const;

export interface NpecLevel {
  rncp: string;
  idcc: string;
  eurPerYear: number;
  validFrom: string;
  validTo: string | null;
}

export interface NpecLineError extends FieldError {
  line: number;
}

export interface NpecLoadResult {
  accepted: number;
  rejected: number;
  errors: NpecLineError[];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_LINES = 200_000;
const MAX_BYTES = 20 * 1024 * 1024;

/** The whole (small) file, refused past `limit` bytes. */
async function readAtMost(file: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of file) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AppError('REQUEST.TOO_LARGE', `An NPEC file has at most ${limit / 1024 / 1024} MB.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function isDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** The level a line describes, or the reasons it is refused (every bad field named). */
export function npecLevelOf(record: Record<string, string>, line: number): { level?: NpecLevel; errors: NpecLineError[] } {
  const errors: NpecLineError[] = [];
  const fail = (field: string, message: string) => errors.push({ line, field, message });
  const rncp = (record.rncp ?? '').trim().toUpperCase();
  const idcc = (record.idcc ?? '').trim().padStart(4, '0');
  const amount = Number((record.eurPerYear ?? '').trim().replace(/\s/g, '').replace(',', '.'));
  const validFrom = (record.validFrom ?? '').trim();
  const validTo = (record.validTo ?? '').trim() || null;
  if (!/^RNCP\d{1,6}$/.test(rncp)) fail('rncp', 'an RNCP code is expected, e.g. RNCP35341');
  if (!/^\d{4}$/.test(idcc)) fail('idcc', 'a branch IDCC of at most 4 digits is expected');
  if (!Number.isFinite(amount) || amount <= 0 || amount > 1_000_000) fail('eurPerYear', 'a positive amount in euros is expected');
  if (!isDate(validFrom)) fail('validFrom', 'a date YYYY-MM-DD is expected');
  if (validTo !== null && !isDate(validTo)) fail('validTo', 'a date YYYY-MM-DD or nothing is expected');
  if (validTo !== null && isDate(validFrom) && isDate(validTo) && validTo < validFrom) fail('validTo', 'the end precedes the start');
  return errors.length ? { errors } : { level: { rncp, idcc, eurPerYear: Math.round(amount * 100) / 100, validFrom, validTo }, errors };
}

/**
 * The apprenticeship funding levels (NPEC), loaded by a platform administrator from a CSV
 * (`rncp;idcc;eurPerYear;validFrom;validTo`, `;` or `,` as the header has it, BOM allowed) read with
 * csv-parse. A new
 * file replaces the levels wholesale (the good lines; each bad one is reported by line and field),
 * through a SECURITY DEFINER function that refuses any organisation but the platform.
 */
@Injectable()
export class NpecService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  async load(actor: Actor, file: Readable): Promise<NpecLoadResult> {
    const levels: NpecLevel[] = [];
    const errors: NpecLineError[] = [];
    const seen = new Set<string>();
    const content = await readAtMost(file, MAX_BYTES);
    // The separator is the header's: `;` (French spreadsheets, where amounts may carry a decimal
    // comma) unless the header has none.
    const header = content.subarray(0, Math.max(0, content.indexOf(0x0a))).toString('utf8');
    const delimiter = header.includes(';') || !header.includes(',') ? ';' : ',';
    const parser = Readable.from([content]).pipe(
      parse({ bom: true, delimiter, columns: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true }),
    );
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
        if (info.lines - 1 > MAX_LINES) throw new AppError('IMPORT.TOO_MANY_LINES', `An NPEC file has at most ${MAX_LINES} lines.`);
        const { level, errors: lineErrors } = npecLevelOf(record, info.lines);
        if (!level) {
          errors.push(...lineErrors);
          continue;
        }
        const key = `${level.rncp}|${level.idcc}|${level.validFrom}`;
        if (seen.has(key)) {
          errors.push({ line: info.lines, field: 'validFrom', message: 'the same certification, branch and start appear on an earlier line' });
          continue;
        }
        seen.add(key);
        levels.push(level);
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('IMPORT.HEADER_INVALID', `The NPEC file cannot be read as CSV: ${(error as Error).message}`, {
        errors: [{ field: 'file', message: 'not a CSV file with the columns rncp;idcc;eurPerYear;validFrom;validTo' }],
      });
    }
    if (levels.length === 0 && errors.length === 0) {
      throw new AppError('IMPORT.HEADER_INVALID', 'The NPEC file has no line.', { errors: [{ field: 'file', message: 'empty' }] });
    }
    const rejectedLines = new Set(errors.map((e) => e.line)).size;
    if (levels.length > 0) {
      await this.db.tx(tenantOf(actor), async (tx) => {
        await tx.query(`SELECT npec_replace($1::jsonb)`, [JSON.stringify(levels)]);
        await this.audit.record(tx, actor, {
          action: 'npec.replaced',
          entityType: 'npec_levels',
          entityId: null,
          after: { accepted: levels.length, rejected: rejectedLines },
        });
      });
    }
    return { accepted: levels.length, rejected: rejectedLines, errors: errors.slice(0, 1000) };
  }

  async list(actor: Actor, rncp?: string): Promise<NpecLevel[]> {
    const rows = await this.db.tx(tenantOf(actor), (tx) =>
      tx.query<{ rncp: string; idcc: string; eur_per_year: string; valid_from: string; valid_to: string | null }>(
        `SELECT rncp, idcc, eur_per_year, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_to, 'YYYY-MM-DD') AS valid_to
           FROM npec_levels WHERE ($1::text IS NULL OR rncp = $1) ORDER BY rncp, idcc, valid_from LIMIT 1000`,
        [rncp ?? null],
      ),
    );
    return rows.map((r) => ({ rncp: r.rncp, idcc: r.idcc, eurPerYear: Number(r.eur_per_year), validFrom: r.valid_from, validTo: r.valid_to }));
  }
}
