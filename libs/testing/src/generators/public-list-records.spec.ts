import { Readable } from 'node:stream';
import { PublicListGenerator } from './public-list-generator';
import { PUBLIC_LIST_COLUMNS } from '@bo/registry';
import { checkPublicListHeader, checkPublicListRow, copyText, readCsvRecords, readFirstLine, splitHeaderLine, stagingLine } from '@bo/registry';

async function records(text: string | string[]) {
  const out = [];
  for await (const r of readCsvRecords(Readable.from(Array.isArray(text) ? text : [text]))) out.push(r);
  return out;
}

describe('public list reader', () => {
  it('splits quoted cells, strips a BOM, keeps line numbers and survives chunk boundaries', async () => {
    const text = '\uFEFFa;b;c;\r\n"x;y";"he said ""hi""";;\r\n\r\n"multi\nline";2;3\n';
    const expected = [
      { line: 1, cells: ['a', 'b', 'c', ''] },
      { line: 2, cells: ['x;y', 'he said "hi"', '', ''] },
      { line: 4, cells: ['multi\nline', '2', '3'] },
    ];
    expect(await records(text)).toEqual(expected);
    expect(await records(text.split(''))).toEqual(expected);
  });

  it('reads the first line only', async () => {
    expect(await readFirstLine(Readable.from(['\uFEFFh1;h2', ';\r\nrow']))).toBe('h1;h2;');
  });

  it('refuses a header missing a required column, accepts any order and a trailing separator', () => {
    expect(checkPublicListHeader([...PUBLIC_LIST_COLUMNS, '']).ok).toBe(true);
    expect(checkPublicListHeader([...PUBLIC_LIST_COLUMNS].reverse()).ok).toBe(true);
    const missing = checkPublicListHeader(splitHeaderLine(PUBLIC_LIST_COLUMNS.filter((c) => c !== 'siren').join(';')));
    expect(missing).toEqual({ ok: false, missing: ['siren'], duplicated: [] });
  });

  it('validates the generated rows: good ones pass, every injected bad row fails with the field at fault', async () => {
    const generator = new PublicListGenerator({ seed: 7, rows: 3000, badRows: { BAD_SIRET: 5, BAD_NDA: 5, BAD_DATE: 5, BAD_REGION: 5, DUPLICATE_NDA: 5 } });
    const bad = new Map(generator.badRows.map((b) => [b.line, b.kind]));
    let index: Map<string, number> | undefined;
    const failures = new Map<number, string[]>();
    for await (const r of readCsvRecords(generator.stream())) {
      if (!index) {
        const header = checkPublicListHeader(r.cells);
        if (!header.ok) throw new Error('header');
        index = header.index;
        continue;
      }
      const check = checkPublicListRow(r.cells, index);
      if (!check.ok) failures.set(r.line, check.errors.map((e) => e.field));
    }
    // Duplicates are found across rows, in SQL: here only the four kinds of bad values fail.
    expect([...failures.keys()].sort()).toEqual([...bad].filter(([, k]) => k !== 'DUPLICATE_NDA').map(([l]) => l).sort());
    for (const [line, fields] of failures) {
      const field = { BAD_SIRET: 'siretEtablissementDeclarant', BAD_NDA: 'numeroDeclarationActivite', BAD_DATE: 'informationsDeclarees.dateDerniereDeclaration', BAD_REGION: 'adressePhysiqueOrganismeFormation.codeRegion' }[bad.get(line) as string];
      expect(fields).toContain(field);
    }
  });

  it('writes COPY text lines with escapes and NULLs', () => {
    expect(copyText('a\tb\\c\nd')).toBe('a\\tb\\\\c\\nd');
    expect(copyText(null)).toBe('\\N');
    const line = stagingLine('00000000-0000-4000-8000-000000000000', 3, { ok: false, nda: null, errors: [{ field: 'siren', reason: 'bad' }] });
    expect(line.split('\t')).toHaveLength(20);
    expect(line.endsWith('[{"field":"siren","reason":"bad"}]\n')).toBe(true);
  });

  it('reads and validates 100,000 rows quickly', async () => {
    const generator = new PublicListGenerator({ seed: 1, rows: 100_000 });
    const started = Date.now();
    let index: Map<string, number> | undefined;
    let n = 0;
    for await (const r of readCsvRecords(generator.stream())) {
      if (!index) {
        index = (checkPublicListHeader(r.cells) as { index: Map<string, number> }).index;
        continue;
      }
      stagingLine('x', r.line, checkPublicListRow(r.cells, index));
      n++;
    }
    expect(n).toBe(100_000);
    console.log(`100k rows read+validated in ${Date.now() - started} ms`);
  }, 60_000);
});
