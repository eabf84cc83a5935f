/**
 * Reading the DGEFP public list (layout: docs/registry.md): a streaming `;`-separated CSV reader (csv-parse)
 * that keeps the line number of each record, the header check, and the per-row validation that
 * turns a record into a normalised staging row or a list of line errors. Pure: no database here.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { validateFrenchDate, validateNda, validateNsf, validateRegion, validateSiren, validateSiret } from './identifiers';
import { ACTION_CATEGORIES, PUBLIC_LIST_COLUMNS, type ActionCategory, type PublicListColumn } from './registry.constants';

/** A provider is certified per action category (L.6313-1): the same four categories. */
export const CERTIFICATION_CATEGORIES = ACTION_CATEGORIES;
export type CertificationCategory = ActionCategory;

/** The public list's flag column for each action category (L.6313-1). */
export const FLAG_COLUMN_OF: Record<CertificationCategory, PublicListColumn> = {
  TRAINING: 'certifications.actionsDeFormation',
  SKILLS_ASSESSMENT: 'certifications.bilansDeCompetences',
  VAE: 'certifications.VAE',
  APPRENTICESHIP: 'certifications.actionsDeFormationParApprentissage',
};

/** Columns without which the file is refused whole. The others are read when present. */
export const REQUIRED_PUBLIC_LIST_COLUMNS: readonly PublicListColumn[] = [
  'numeroDeclarationActivite',
  'numerosDeclarationActivitePrecedent',
  'denomination',
  'siren',
  'siretEtablissementDeclarant',
  'adressePhysiqueOrganismeFormation.voie',
  'adressePhysiqueOrganismeFormation.codePostal',
  'adressePhysiqueOrganismeFormation.ville',
  'adressePhysiqueOrganismeFormation.codeRegion',
  ...Object.values(FLAG_COLUMN_OF),
  'informationsDeclarees.dateDerniereDeclaration',
];

// ---------------------------------------------------------------------------------------------
// CSV

export interface CsvRecord {
  /** Physical line (1-based) where the record starts; line 1 is the header. */
  line: number;
  cells: string[];
}

/**
 * Splits a `;`-separated stream into records with csv-parse: quotes (`""` escapes, separators and
 * line breaks inside quotes), `\n`, `\r\n` or `\r` (mixed), a leading BOM stripped, blank lines
 * skipped, rows of any length (the header decides what is missing). Holds one record at a time.
 */
export async function* readCsvRecords(source: Readable, separator = ';'): AsyncGenerator<CsvRecord> {
  const parser = source.pipe(
    parse({
      delimiter: separator,
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }),
  );
  source.once('error', (error) => parser.destroy(error));
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    // csv-parse counts the line a record ends on; a quoted line break moves its start back.
    let breaks = 0;
    for (const cell of record) for (let k = cell.indexOf('\n'); k >= 0; k = cell.indexOf('\n', k + 1)) breaks++;
    yield { line: info.lines - breaks, cells: record };
  }
}

/** Reads the first line of a stream (at most `maxChars`), BOM stripped; destroys the stream. */
export async function readFirstLine(source: Readable, maxChars = 64 * 1024): Promise<string> {
  source.setEncoding('utf8');
  let text = '';
  try {
    for await (const chunk of source as AsyncIterable<string>) {
      text += chunk;
      const eol = text.search(/\r?\n/);
      if (eol >= 0) {
        text = text.slice(0, eol);
        break;
      }
      if (text.length > maxChars) break;
    }
  } finally {
    source.destroy();
  }
  return text.replace(/^\uFEFF/, '').slice(0, maxChars);
}

// ---------------------------------------------------------------------------------------------
// Header

export type PublicListHeaderCheck = { ok: true; index: Map<string, number> } | { ok: false; missing: string[]; duplicated: string[] };

/** Maps column names to positions; refuses a header missing a required column or naming one twice. */
export function checkPublicListHeader(cells: string[]): PublicListHeaderCheck {
  const index = new Map<string, number>();
  const duplicated: string[] = [];
  cells.forEach((raw, i) => {
    const name = raw.trim().replace(/^"|"$/g, '');
    if (name === '') return; // the trailing `;`
    if (index.has(name)) duplicated.push(name);
    else index.set(name, i);
  });
  const missing = REQUIRED_PUBLIC_LIST_COLUMNS.filter((c) => !index.has(c));
  if (missing.length || duplicated.length) return { ok: false, missing, duplicated };
  return { ok: true, index };
}

/** The header line split the way the reader splits it (for the API's first-line check). */
export function splitHeaderLine(line: string, separator = ';'): string[] {
  return line.split(separator).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
}

// ---------------------------------------------------------------------------------------------
// Rows

export interface LineError {
  field: string;
  reason: string;
}

/** A row of the public list, normalised, as the staging table holds it. */
export interface PublicListRow {
  nda: string;
  siren: string;
  siret: string;
  name: string;
  street: string | null;
  postalCode: string | null;
  city: string | null;
  region: string | null;
  previousNdas: string[];
  flags: Record<CertificationCategory, boolean | null>;
  foreignBody: { name: string | null; street: string | null; postalCode: string | null; city: string | null; country: string | null } | null;
  declared: {
    periodStart: string | null;
    periodEnd: string | null;
    specialities: { code: string; label: string | null }[];
    trainees: number | null;
    traineesFromOtherProviders: number | null;
    trainers: number | null;
  };
  lastDeclarationDate: string | null;
  /** Digest of the normalised content: an unchanged row is not touched on re-import. */
  digest: string;
}

export type RowCheck = { ok: true; row: PublicListRow } | { ok: false; errors: LineError[]; nda: string | null };

const nonEmpty = (value: string | undefined): string | null => {
  const v = (value ?? '').trim();
  return v === '' ? null : v;
};

/** Validates one record against the header's column positions. Never throws. */
export function checkPublicListRow(cells: string[], index: Map<string, number>): RowCheck {
  const errors: LineError[] = [];
  const get = (column: PublicListColumn): string | undefined => {
    const i = index.get(column);
    return i === undefined ? undefined : cells[i];
  };
  const lastRequired = Math.max(...REQUIRED_PUBLIC_LIST_COLUMNS.map((c) => index.get(c) ?? 0));
  if (cells.length <= lastRequired) {
    return { ok: false, nda: null, errors: [{ field: 'line', reason: `the row has ${cells.length} fields, the header more than ${lastRequired}` }] };
  }
  const id = (field: PublicListColumn, check: (v: string | undefined) => { ok: true; value: string } | { ok: false; reason: string }): string => {
    const result = check(get(field));
    if (result.ok) return result.value;
    errors.push({ field, reason: result.reason });
    return '';
  };
  const nda = id('numeroDeclarationActivite', validateNda);
  const siren = id('siren', validateSiren);
  const siret = id('siretEtablissementDeclarant', validateSiret);
  if (siren && siret && !siret.startsWith(siren)) {
    errors.push({ field: 'siretEtablissementDeclarant', reason: `SIRET ${siret} does not belong to SIREN ${siren}` });
  }
  const name = nonEmpty(get('denomination'));
  if (!name) errors.push({ field: 'denomination', reason: 'denomination is empty' });

  const rawRegion = nonEmpty(get('adressePhysiqueOrganismeFormation.codeRegion'));
  let region: string | null = null;
  if (rawRegion !== null) {
    const r = validateRegion(rawRegion);
    if (r.ok) region = r.value;
    else errors.push({ field: 'adressePhysiqueOrganismeFormation.codeRegion', reason: r.reason });
  }

  const previousNdas: string[] = [];
  for (const part of (get('numerosDeclarationActivitePrecedent') ?? '').split(',')) {
    if (part.trim() === '') continue;
    const p = validateNda(part);
    if (p.ok) previousNdas.push(p.value);
    else errors.push({ field: 'numerosDeclarationActivitePrecedent', reason: p.reason });
  }

  const flags = {} as Record<CertificationCategory, boolean | null>;
  for (const category of CERTIFICATION_CATEGORIES) {
    const column = FLAG_COLUMN_OF[category];
    const v = (get(column) ?? '').trim().toLowerCase();
    if (v === '') flags[category] = null;
    else if (v === 'true') flags[category] = true;
    else if (v === 'false') flags[category] = false;
    else {
      flags[category] = null;
      errors.push({ field: column, reason: `${column} must be true, false or empty, got "${v}"` });
    }
  }

  const date = (column: PublicListColumn): string | null => {
    const v = nonEmpty(get(column));
    if (v === null) return null;
    const d = validateFrenchDate(v);
    if (d.ok) return d.value;
    errors.push({ field: column, reason: d.reason });
    return null;
  };
  const lastDeclarationDate = date('informationsDeclarees.dateDerniereDeclaration');
  const periodStart = date('informationsDeclarees.debutExercice');
  const periodEnd = date('informationsDeclarees.finExercice');

  const count = (column: PublicListColumn): number | null => {
    const v = nonEmpty(get(column));
    if (v === null) return null;
    if (!/^\d{1,9}$/.test(v)) {
      errors.push({ field: column, reason: `${column} must be a whole number, got "${v}"` });
      return null;
    }
    return Number(v);
  };
  const specialities: { code: string; label: string | null }[] = [];
  for (const k of [1, 2, 3]) {
    const codeColumn = `informationsDeclarees.specialitesDeFormation.codeSpecialite${k}` as PublicListColumn;
    const code = nonEmpty(get(codeColumn));
    if (code === null) continue;
    const nsf = validateNsf(code);
    if (!nsf.ok) errors.push({ field: codeColumn, reason: nsf.reason });
    else specialities.push({ code: nsf.value, label: nonEmpty(get(`informationsDeclarees.specialitesDeFormation.libelleSpecialite${k}` as PublicListColumn)) });
  }
  const declared = {
    periodStart,
    periodEnd,
    specialities,
    trainees: count('informationsDeclarees.nbStagiaires'),
    traineesFromOtherProviders: count('informationsDeclarees.nbStagiairesConfiesParUnAutreOF'),
    trainers: count('informationsDeclarees.effectifFormateurs'),
  };

  if (errors.length) return { ok: false, errors, nda: nda || null };

  const foreign = {
    name: nonEmpty(get('organismeEtrangerRepresente.denomination')),
    street: nonEmpty(get('organismeEtrangerRepresente.voie')),
    postalCode: nonEmpty(get('organismeEtrangerRepresente.codePostal')),
    city: nonEmpty(get('organismeEtrangerRepresente.ville')),
    country: nonEmpty(get('organismeEtrangerRepresente.pays')),
  };
  const row: Omit<PublicListRow, 'digest'> = {
    nda,
    siren,
    siret,
    name: name!,
    street: nonEmpty(get('adressePhysiqueOrganismeFormation.voie')),
    postalCode: nonEmpty(get('adressePhysiqueOrganismeFormation.codePostal')),
    city: nonEmpty(get('adressePhysiqueOrganismeFormation.ville')),
    region,
    previousNdas,
    flags,
    foreignBody: Object.values(foreign).some((v) => v !== null) ? foreign : null,
    declared,
    lastDeclarationDate,
  };
  // The digest covers what the provider row stores; flags become observations, counted apart.
  const { flags: _flags, ...stored } = row;
  return { ok: true, row: { ...row, digest: createHash('sha256').update(JSON.stringify(stored)).digest('base64url') } };
}

// ---------------------------------------------------------------------------------------------
// COPY text format

/** Escapes a value for PostgreSQL's COPY text format (`\N` is NULL). */
export function copyText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const s = typeof value === 'string' ? value : String(value);
  return /[\\\t\n\r]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

/** The staging table's columns, in the order `stagingLine` writes them. */
export const STAGING_COLUMNS = [
  'import_id',
  'line',
  'nda',
  'siren',
  'siret',
  'name',
  'street',
  'postal_code',
  'city',
  'region',
  'previous_ndas',
  'f_training',
  'f_skills',
  'f_vae',
  'f_apprenticeship',
  'foreign_body',
  'declared',
  'last_declaration_date',
  'digest',
  'errors',
] as const;

/** One COPY line of the staging table for a record: the normalised row, or its errors. */
export function stagingLine(importId: string, line: number, check: RowCheck): string {
  let values: (string | number | boolean | null)[];
  if (check.ok) {
    const r = check.row;
    values = [
      importId,
      line,
      r.nda,
      r.siren,
      r.siret,
      r.name,
      r.street,
      r.postalCode,
      r.city,
      r.region,
      r.previousNdas.join(','),
      r.flags.TRAINING,
      r.flags.SKILLS_ASSESSMENT,
      r.flags.VAE,
      r.flags.APPRENTICESHIP,
      r.foreignBody ? JSON.stringify(r.foreignBody) : null,
      JSON.stringify(r.declared),
      r.lastDeclarationDate,
      r.digest,
      null,
    ];
  } else {
    values = [importId, line, check.nda, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, JSON.stringify(check.errors)];
  }
  return values.map(copyText).join('\t') + '\n';
}

export { PUBLIC_LIST_COLUMNS };
