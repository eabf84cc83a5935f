/**
 * Reading the DGEFP public list (layout: docs/registry.md): a streaming `;`-separated CSV reader
 * that keeps the line number of each record, the header check, and the per-row validation that
 * turns a record into a normalised staging row or a list of line errors. Pure: no database here.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { validateFrenchDate, validateNda, validateNsf, validateRegion, validateSiren, validateSiret } from './identifiers';
import { PUBLIC_LIST_COLUMNS, type PublicListColumn } from './csv-layouts';

export const CERTIFICATION_CATEGORIES = ['TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'APPRENTICESHIP'] as const;
export type CertificationCategory = (typeof CERTIFICATION_CATEGORIES)[number];

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
 * Splits a `;`-separated stream into records: quotes (`""` escapes, separators and line breaks
 * inside quotes), `\n` or `\r\n`, a leading BOM stripped. Holds one record at a time.
 */
export async function* readCsvRecords(source: Readable, separator = ';'): AsyncGenerator<CsvRecord> {
  source.setEncoding('utf8');
  const sep = separator.charCodeAt(0);
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  /** Just closed a quote: a following quote is an escaped one. */
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  let first = true;
  let pendingCr = false;
  let any = false;
  for await (const chunk of source as AsyncIterable<string>) {
    let text = chunk;
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (quoted) {
        if (c === 34) {
          cell += text.slice(start, i);
          start = i + 1;
          quoted = false;
          afterQuote = true;
        } else if (c === 10) {
          line++;
        }
        continue;
      }
      if (c === 34) {
        cell += text.slice(start, i);
        start = i + 1;
        if (afterQuote) cell += '"';
        quoted = true;
        afterQuote = false;
        any = true;
        continue;
      }
      afterQuote = false;
      if (c === sep) {
        cell += text.slice(start, i);
        cells.push(cell);
        cell = '';
        start = i + 1;
        any = true;
      } else if (c === 10 || c === 13) {
        cell += text.slice(start, i);
        start = i + 1;
        if (c === 10 && pendingCr) {
          pendingCr = false;
          continue;
        }
        pendingCr = c === 13;
        if (any || cell !== '') {
          cells.push(cell);
          yield { line: recordLine, cells };
        }
        cells = [];
        cell = '';
        any = false;
        line++;
        recordLine = line;
        continue;
      }
      pendingCr = false;
      if (c !== 10 && c !== 13) any = true;
    }
    cell += text.slice(start);
  }
  if (any || cell !== '') {
    cells.push(cell);
    yield { line: recordLine, cells };
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
