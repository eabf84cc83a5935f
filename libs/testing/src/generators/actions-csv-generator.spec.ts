import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  ACTION_CATEGORIES,
  ACTION_CSV_COLUMNS,
  ACTION_MODALITIES,
  ACTION_REQUIRED_COLUMNS,
  ActionsCsvGenerator,
  createActionsCsvStream,
  type ActionProvider,
  type ActionsBadRowKind,
} from './actions-csv-generator';
import {
  validateCertificationCode,
  validateFormacode,
  validateIsoDate,
  validateNda,
  validateRegion,
  validateSiret,
} from '@bo/registry';
import { PUBLIC_LIST_COLUMNS, PublicListGenerator } from './public-list-generator';

type Row = Record<(typeof ACTION_CSV_COLUMNS)[number], string>;

const toRow = (line: string): Row => {
  const cells = line.replace(/\r?\n$/, '').split(',');
  return Object.fromEntries(ACTION_CSV_COLUMNS.map((c, i) => [c, cells[i]])) as Row;
};

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const MONEY = /^\d+\.\d{2}$/;

/** What is wrong with each data row, classified by the kinds the generator injects (else OTHER). */
function problemsByLine(lines: string[]): Map<number, string[]> {
  const problems = new Map<number, string[]>();
  const refs = new Set<string>();
  lines.slice(1).forEach((line, i) => {
    const found: string[] = [];
    const add = (p: string) => found.push(p);
    if (line.replace(/\n$/, '').split(',').length !== ACTION_CSV_COLUMNS.length) add('OTHER: cell count');
    const r = toRow(line);
    for (const column of ACTION_REQUIRED_COLUMNS) if (r[column] === '') add('MISSING_REQUIRED_VALUE');
    if (r.externalRef !== '') {
      if (refs.has(r.externalRef)) add('DUPLICATE_EXTERNAL_REF');
      refs.add(r.externalRef);
    }
    if (r.providerSiret !== '' && !validateSiret(r.providerSiret).ok) add('INVALID_SIRET');
    if (r.providerNda !== '' && !validateNda(r.providerNda).ok) add('OTHER: NDA');
    if (r.category !== '' && !(ACTION_CATEGORIES as readonly string[]).includes(r.category)) add('UNKNOWN_CATEGORY');
    if (r.certificationCode === '' && r.formacode === '') add('OTHER: neither certification code nor Formacode');
    if (r.certificationCode !== '' && !validateCertificationCode(r.certificationCode).ok) add('OTHER: certification code');
    if (r.formacode !== '' && !validateFormacode(r.formacode).ok) add('OTHER: Formacode');
    if ((r.category === 'APPRENTICESHIP' || r.category === 'VAE') && !r.certificationCode.startsWith('RNCP')) add('OTHER: RNCP expected');
    if (!(ACTION_MODALITIES as readonly string[]).includes(r.modality)) add('OTHER: modality');
    if (!validateRegion(r.region).ok) add('OTHER: region');
    for (const column of ['fundingDecisionDate', 'startDate', 'endDate'] as const) {
      if (r[column] !== '' && !validateIsoDate(r[column]).ok) add('WRONG_DATE_FORMAT');
    }
    const iso = (v: string) => (validateIsoDate(v).ok ? v : null);
    const [decision, start, end] = [iso(r.fundingDecisionDate), iso(r.startDate), iso(r.endDate)];
    if ((decision && start && decision > start) || (start && end && start > end)) add('OTHER: dates out of order');
    if (r.hoursPerTrainee !== '') {
      if (!/^-?\d+(\.5)?$/.test(r.hoursPerTrainee)) add('OTHER: hours');
      else if (Number(r.hoursPerTrainee) < 0) add('NEGATIVE_HOURS');
      else if (Number(r.hoursPerTrainee) === 0) add('OTHER: zero hours');
    }
    if (r.trainees !== '' && !/^[1-9]\d*$/.test(r.trainees)) add('OTHER: trainees');
    if (!MONEY.test(r.priceExclVat) || !MONEY.test(r.amountFunded)) add('OTHER: money');
    else if (Number(r.amountFunded) > Number(r.priceExclVat)) add('OTHER: funded above price');
    if (r.branchIdcc !== '' && !/^\d{4}$/.test(r.branchIdcc)) add('OTHER: IDCC');
    if (found.length > 0) problems.set(i + 2, found);
  });
  return problems;
}

describe('actions CSV generator', () => {
  it('writes the header in the agreed column order', () => {
    const [header] = new ActionsCsvGenerator({ rows: 0, seed: 1 }).lines();
    expect(header).toBe(
      'externalRef,providerSiret,providerNda,category,certificationCode,formacode,modality,region,fundingDecisionDate,startDate,endDate,hoursPerTrainee,trainees,priceExclVat,amountFunded,branchIdcc\n',
    );
  });

  it('is deterministic: same seed, same bytes; another seed, other bytes', async () => {
    const options = { rows: 5000, seed: 11, badRows: { NEGATIVE_HOURS: 3, DUPLICATE_EXTERNAL_REF: 3 } };
    const sha = (x: Buffer) => createHash('sha256').update(x).digest('hex');
    const a = await readAll(new ActionsCsvGenerator(options).stream());
    const b = await readAll(createActionsCsvStream(options).stream);
    const c = await readAll(new ActionsCsvGenerator({ ...options, seed: 12 }).stream());
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
    expect(a.toString('utf8')).toBe([...new ActionsCsvGenerator(options).lines()].join(''));
  });

  it('writes only valid rows by default, across every category and modality', () => {
    const generator = new ActionsCsvGenerator({ rows: 10_000, seed: 5 });
    const lines = [...generator.lines()];
    expect(lines).toHaveLength(10_001);
    expect(problemsByLine(lines)).toEqual(new Map());
    const rows = lines.slice(1).map(toRow);
    expect(new Set(rows.map((r) => r.category))).toEqual(new Set(ACTION_CATEGORIES));
    expect(new Set(rows.map((r) => r.modality))).toEqual(new Set(ACTION_MODALITIES));
    // Optional columns are sometimes empty, sometimes filled.
    for (const column of ['providerNda', 'certificationCode', 'formacode', 'fundingDecisionDate', 'branchIdcc'] as const) {
      expect(rows.some((r) => r[column] === '')).toBe(true);
      expect(rows.some((r) => r[column] !== '')).toBe(true);
    }
    expect(rows.some((r) => /^RNCP\d+BC\d{2}$/.test(r.certificationCode))).toBe(true);
    expect(rows.some((r) => r.certificationCode.startsWith('RS'))).toBe(true);
    // Made-up providers: some SIRETs hold two NDAs, and every NDA written belongs to its SIRET.
    const ndaOwner = new Map(generator.providers.filter((p) => p.nda).map((p) => [p.nda!, p.siret]));
    expect(new Set(generator.providers.map((p) => p.siret)).size).toBeLessThan(generator.providers.length);
    expect(rows.filter((r) => r.providerNda !== '' && ndaOwner.get(r.providerNda) !== r.providerSiret)).toEqual([]);
  });

  it('draws providers from a generated public list', () => {
    const publicLines = [...new PublicListGenerator({ rows: 500, seed: 8 }).lines()].slice(1);
    const ndaAt = PUBLIC_LIST_COLUMNS.indexOf('numeroDeclarationActivite');
    const siretAt = PUBLIC_LIST_COLUMNS.indexOf('siretEtablissementDeclarant');
    const providers: ActionProvider[] = publicLines.map((line) => {
      const cells = line.split(';'); // the identifiers come before any free text that could hold a ';'
      return { nda: cells[ndaAt].replace(/"/g, ''), siret: cells[siretAt].replace(/"/g, '') };
    });
    const known = new Set(providers.map((p) => `${p.siret}/${p.nda}`));
    const knownSirets = new Set(providers.map((p) => p.siret));
    const lines = [...new ActionsCsvGenerator({ rows: 2000, seed: 8, providers, ndaShare: 1 }).lines()];
    expect(problemsByLine(lines)).toEqual(new Map());
    const rows = lines.slice(1).map(toRow);
    expect(rows.filter((r) => !knownSirets.has(r.providerSiret) || !known.has(`${r.providerSiret}/${r.providerNda}`))).toEqual([]);
  });

  it('puts each injected bad row on the line it reports, and nothing else is wrong', () => {
    const badRows: Partial<Record<ActionsBadRowKind, number>> = {
      INVALID_SIRET: 5,
      NEGATIVE_HOURS: 5,
      UNKNOWN_CATEGORY: 5,
      DUPLICATE_EXTERNAL_REF: 5,
      WRONG_DATE_FORMAT: 5,
      MISSING_REQUIRED_VALUE: 5,
    };
    const generator = new ActionsCsvGenerator({ rows: 2000, seed: 99, badRows });
    const lines = [...generator.lines()];
    expect(generator.badRows).toHaveLength(30);
    expect(problemsByLine(lines)).toEqual(new Map(generator.badRows.map((b) => [b.line, [b.kind as string]])));
    for (const bad of generator.badRows) {
      const row = toRow(lines[bad.line - 1]);
      if (bad.kind === 'DUPLICATE_EXTERNAL_REF') {
        expect(toRow(lines[Number(/line (\d+)/.exec(bad.detail)![1]) - 1]).externalRef).toBe(row.externalRef);
      }
      if (bad.kind === 'MISSING_REQUIRED_VALUE') expect(row[bad.detail.split(' ')[0] as keyof Row]).toBe('');
    }
  });

  it('refuses impossible requests', () => {
    expect(() => new ActionsCsvGenerator({ rows: 2, seed: 1, badRows: { NEGATIVE_HOURS: 2 } })).toThrow(RangeError);
    expect(() => new ActionsCsvGenerator({ rows: 2, seed: 1, providers: [] })).toThrow(RangeError);
    expect(() => new ActionsCsvGenerator({ rows: -1, seed: 1 })).toThrow(RangeError);
  });
});
