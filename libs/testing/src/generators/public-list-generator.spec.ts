import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { validateFrenchDate, validateNda, validateNsf, validateRegion, validateSiren, validateSiret } from '@bo/registry';
import {
  IdentifierFactory,
  PLACES,
  PUBLIC_LIST_COLUMNS,
  PublicListGenerator,
  SeededRandom,
  createPublicListStream,
  type PublicListBadRowKind,
  type PublicListGeneratorOptions,
} from './public-list-generator';

/** Splits one `;` line, honouring quotes ("" inside quotes is a quote). */
function splitLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function generate(options: PublicListGeneratorOptions): { lines: string[]; generator: PublicListGenerator } {
  const generator = new PublicListGenerator(options);
  return { generator, lines: [...generator.lines()] };
}

type Row = Record<(typeof PUBLIC_LIST_COLUMNS)[number], string>;

function toRow(line: string): Row {
  const cells = splitLine(line.replace(/\r?\n$/, ''));
  return Object.fromEntries(PUBLIC_LIST_COLUMNS.map((c, i) => [c, cells[i]])) as Row;
}

/**
 * Everything wrong with the data rows, by line, classified by the kinds the generator injects;
 * anything else is `OTHER` and must never happen.
 */
function problemsByLine(lines: string[]): Map<number, string[]> {
  const problems = new Map<number, string[]>();
  const ndas = new Set<string>();
  const previous = new Set<string>();
  lines.slice(1).forEach((line, i) => {
    const lineNo = i + 2;
    const found: string[] = [];
    const add = (p: string) => found.push(p);
    if (!line.endsWith(';\n')) add('OTHER: no trailing separator');
    const cells = splitLine(line.slice(0, -1));
    if (cells.length !== PUBLIC_LIST_COLUMNS.length + 1) add(`OTHER: ${cells.length} cells`);
    const row = toRow(line);
    const nda = validateNda(row.numeroDeclarationActivite);
    if (!nda.ok) add('BAD_NDA');
    else if (ndas.has(nda.value) || previous.has(nda.value)) add('DUPLICATE_NDA');
    else ndas.add(nda.value);
    if (row.numerosDeclarationActivitePrecedent !== '') {
      for (const p of row.numerosDeclarationActivitePrecedent.split(',')) {
        const check = validateNda(p);
        if (!check.ok || ndas.has(check.value) || previous.has(check.value)) add(`OTHER: previous NDA ${p}`);
        else previous.add(check.value);
      }
    }
    if (row.denomination === '') add('OTHER: no name');
    if (!validateSiren(row.siren).ok) add('OTHER: SIREN');
    const siret = validateSiret(row.siretEtablissementDeclarant);
    if (!siret.ok || !siret.value.startsWith(row.siren)) add('BAD_SIRET');
    if (!/^\d{5}$/.test(row['adressePhysiqueOrganismeFormation.codePostal'])) add('OTHER: postcode');
    if (!validateRegion(row['adressePhysiqueOrganismeFormation.codeRegion']).ok) add('BAD_REGION');
    for (const flag of ['actionsDeFormation', 'bilansDeCompetences', 'VAE', 'actionsDeFormationParApprentissage'] as const) {
      if (!['true', 'false', ''].includes(row[`certifications.${flag}`])) add(`OTHER: flag ${flag}`);
    }
    for (const column of ['dateDerniereDeclaration', 'debutExercice', 'finExercice'] as const) {
      const value = row[`informationsDeclarees.${column}`];
      if (value !== '' && !validateFrenchDate(value).ok) add('BAD_DATE');
    }
    for (const k of [1, 2, 3] as const) {
      const code = row[`informationsDeclarees.specialitesDeFormation.codeSpecialite${k}`];
      const label = row[`informationsDeclarees.specialitesDeFormation.libelleSpecialite${k}`];
      if (code !== '' && (!validateNsf(code).ok || label === '')) add(`OTHER: speciality ${k}`);
    }
    for (const column of ['nbStagiaires', 'nbStagiairesConfiesParUnAutreOF', 'effectifFormateurs'] as const) {
      if (!/^(\d+)?$/.test(row[`informationsDeclarees.${column}`])) add(`OTHER: ${column}`);
    }
    if (found.length > 0) problems.set(lineNo, found);
  });
  return problems;
}

describe('public list generator', () => {
  it('writes the header of the reference document, exactly', () => {
    const doc = readFileSync(join(__dirname, '../../../reference/data/public-provider-list.md'), 'utf8');
    const block = /Header, one line in the file[^\n]*\n\n```\n([\s\S]*?)\n```/.exec(doc);
    expect(block).not.toBeNull();
    const header = block![1].split('\n').join('');
    const { lines } = generate({ rows: 1, seed: 1 });
    expect(lines[0]).toBe(`${header}\n`);
    expect(PUBLIC_LIST_COLUMNS.join(';') + ';').toBe(header);
    expect(PUBLIC_LIST_COLUMNS).toHaveLength(30);
  });

  it('is deterministic: same seed, same bytes; another seed, other bytes', async () => {
    const options = { rows: 3000, seed: 'atlas-2025', badRows: { BAD_SIRET: 2, DUPLICATE_NDA: 2 } };
    const a = await readAll(new PublicListGenerator(options).stream());
    const b = await readAll(createPublicListStream(options).stream);
    const c = await readAll(new PublicListGenerator({ ...options, seed: 'atlas-2026' }).stream());
    const sha = (x: Buffer) => createHash('sha256').update(x).digest('hex');
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
    expect(a.toString('utf8')).toBe([...new PublicListGenerator(options).lines()].join(''));
    expect(a.toString('utf8').split('\n')).toHaveLength(3000 + 2); // header, rows, and the empty tail
  });

  it('writes only good rows by default, with valid and unique identifiers', () => {
    const { lines } = generate({ rows: 10_000, seed: 42, previousNdaShare: 0.1 });
    expect(lines).toHaveLength(10_001);
    expect(problemsByLine(lines)).toEqual(new Map());
    const rows = lines.slice(1).map(toRow);
    // Text fields are quoted; booleans, dates and counts are not.
    expect(lines[1]).toMatch(/^"\d{11}";("[\d, ]*")?;"[^"]/);
    // The quoted separator and doubled quotes survive a round trip.
    expect(rows.some((r) => r['adressePhysiqueOrganismeFormation.voie'].includes(';'))).toBe(true);
    expect(rows.some((r) => r.denomination.includes('"'))).toBe(true);
    // Every region of the reference list is represented.
    expect(new Set(rows.map((r) => r['adressePhysiqueOrganismeFormation.codeRegion']))).toEqual(new Set(PLACES.map((p) => p.region)));
    // The three flag states all occur.
    expect(new Set(rows.map((r) => r['certifications.actionsDeFormation']))).toEqual(new Set(['true', 'false', '']));
  });

  it('follows the shares it is given', () => {
    const count = (lines: string[], predicate: (r: Row) => boolean) => lines.slice(1).map(toRow).filter(predicate).length;
    const ndasPerSiret = (lines: string[]) => {
      const bySiret = new Map<string, number>();
      for (const r of lines.slice(1).map(toRow)) bySiret.set(r.siretEtablissementDeclarant, (bySiret.get(r.siretEtablissementDeclarant) ?? 0) + 1);
      return [...bySiret.values()];
    };

    const none = generate({ rows: 5000, seed: 3, multiNdaShare: 0, previousNdaShare: 0 }).lines;
    expect(Math.max(...ndasPerSiret(none))).toBe(1);
    expect(count(none, (r) => r.numerosDeclarationActivitePrecedent !== '')).toBe(0);

    const many = generate({ rows: 5000, seed: 3, multiNdaShare: 0.3, previousNdaShare: 0.2 }).lines;
    const multi = ndasPerSiret(many).filter((n) => n > 1).length / ndasPerSiret(many).length;
    expect(multi).toBeGreaterThan(0.2);
    expect(multi).toBeLessThan(0.35);
    expect(count(many, (r) => r.numerosDeclarationActivitePrecedent !== '') / 5000).toBeCloseTo(0.2, 1);
    expect(problemsByLine(many)).toEqual(new Map());

    const flags = ['actionsDeFormation', 'bilansDeCompetences', 'VAE', 'actionsDeFormationParApprentissage'] as const;
    const allTrue = generate({ rows: 500, seed: 3, certifiedShare: 1, emptyFlagShare: 0 }).lines;
    expect(count(allTrue, (r) => flags.every((f) => r[`certifications.${f}`] === 'true'))).toBe(500);
    const allEmpty = generate({ rows: 500, seed: 3, emptyFlagShare: 1 }).lines;
    expect(count(allEmpty, (r) => flags.every((f) => r[`certifications.${f}`] === ''))).toBe(500);
    const half = generate({ rows: 4000, seed: 3, certifiedShare: { VAE: 0.5 }, emptyFlagShare: 0 }).lines;
    expect(count(half, (r) => r['certifications.VAE'] === 'true') / 4000).toBeCloseTo(0.5, 1);
  });

  it('honours BOM, line ending and trailing separator options', async () => {
    const bytes = await readAll(new PublicListGenerator({ rows: 3, seed: 9, bom: true, lineEnding: '\r\n', trailingSeparator: false }).stream());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(PUBLIC_LIST_COLUMNS.join(';'));
    expect(lines[1].endsWith(';')).toBe(false);
    expect(splitLine(lines[1])).toHaveLength(30);
  });

  it('puts each injected bad row on the line it reports, and nothing else is wrong', () => {
    const badRows: Partial<Record<PublicListBadRowKind, number>> = { BAD_SIRET: 6, BAD_NDA: 6, DUPLICATE_NDA: 6, BAD_REGION: 6, BAD_DATE: 6 };
    const { lines, generator } = generate({ rows: 3000, seed: 77, badRows });
    expect(generator.badRows).toHaveLength(30);
    const reported = new Map(generator.badRows.map((b) => [b.line, [b.kind as string]]));
    expect(problemsByLine(lines)).toEqual(reported);
    // Lines are ascending and details say what is wrong.
    const numbers = generator.badRows.map((b) => b.line);
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
    for (const bad of generator.badRows.filter((b) => b.kind === 'DUPLICATE_NDA')) {
      const source = Number(/line (\d+)/.exec(bad.detail)![1]);
      expect(toRow(lines[source - 1]).numeroDeclarationActivite).toBe(toRow(lines[bad.line - 1]).numeroDeclarationActivite);
    }
    // The plan is known before any row is generated, and the same every time.
    expect(new PublicListGenerator({ rows: 3000, seed: 77, badRows }).badRows).toEqual(generator.badRows);
    expect(() => new PublicListGenerator({ rows: 3, seed: 1, badRows: { BAD_NDA: 3 } })).toThrow(RangeError);
  });

  it('hands out unique valid SIRENs and La Poste SIRETs under the digit-sum rule', () => {
    const ids = new IdentifierFactory(123);
    const random = new SeededRandom(5);
    const sirens = Array.from({ length: 20_000 }, () => ids.nextSiren());
    expect(sirens.filter((s) => !validateSiren(s).ok)).toEqual([]);
    expect(new Set(sirens).size).toBe(20_000);
    const sirets = sirens.slice(0, 1000).map((s, i) => ids.siret(s, 1 + (i % 30)));
    expect(sirets.filter((s) => !validateSiret(s).ok || validateSiren(s.slice(0, 9)).ok === false)).toEqual([]);
    const laPoste = Array.from({ length: 50 }, () => ids.nextLaPosteSiret(random));
    expect(laPoste.filter((s) => !s.startsWith('356000000') || !validateSiret(s).ok)).toEqual([]);
    expect(new Set(laPoste).size).toBe(50);
  });

  it('streams 200,000 rows in constant memory', async () => {
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let newlines = 0;
    let chunks = 0;
    for await (const chunk of new PublicListGenerator({ rows: 200_000, seed: 2025, multiNdaShare: 0.1 }).stream()) {
      const buffer = chunk as Buffer;
      for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, i + 1)) newlines++;
      if (++chunks % 16 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(newlines).toBe(200_001);
    expect((peak - before) / 1024 / 1024).toBeLessThan(50);
  });
});
