import { csvLine, csvStream } from './csv';
import { renderPdf } from './pdf-renderer';

/** The text shown by an uncompressed pdfkit PDF: its TJ arrays hold hex WinAnsi strings. */
function shownText(pdf: Buffer): string {
  const source = pdf.toString('latin1');
  return [...source.matchAll(/\[([^\]]*)\] TJ/g)]
    .map((m) => [...m[1].matchAll(/<([0-9a-f]+)>/g)].map((h) => Buffer.from(h[1], 'hex').toString('latin1')).join(''))
    .join('\n');
}

describe('PDF rendering', () => {
  const model = {
    title: 'Notification des résultats du contrôle qualité',
    subtitle: 'Organisme : Formation Exemple SARL',
    issuer: 'OPCO Atlas — service qualité',
    createdAt: new Date('2026-11-26T10:00:00Z'),
    reference: 'Contrôle 123 v1',
    sections: [
      { heading: 'Constats', paragraphs: ['Le contrôle a relevé une non-conformité majeure.'], fields: [['Indicateur', '11'] as [string, string]] },
      {
        heading: 'Détail',
        table: { columns: [{ header: 'Indicateur' }, { header: 'Constat', width: 3 }], rows: Array.from({ length: 80 }, (_, i) => [String(i + 1), `Constat ${i + 1}`]) },
      },
    ],
  };

  it('renders a PDF with the title, the table across pages and the footer reference', async () => {
    const pdf = await renderPdf(model, { compress: false });
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text).toContain('/Title');
    expect(text).toMatch(/\/Count [2-9]/); // the 80-row table broke onto more pages
    const shown = shownText(pdf);
    expect(shown).toContain('Notification des résultats du contrôle qualité');
    expect(shown).toContain('Constat 80');
    expect(shown).toContain('Contrôle 123 v1');
    expect(shown).toMatch(/Page 2 \/ \d/);
  });

  it('keeps a short document on one page: the footer never opens a page of its own', async () => {
    const short = { ...model, sections: [model.sections[0]] };
    const pdf = await renderPdf(short, { compress: false });
    expect(pdf.toString('latin1')).toMatch(/\/Count 1\b/);
    expect(shownText(pdf)).toContain('Page 1 / 1');
  });

  it('renders the same bytes for the same content', async () => {
    expect((await renderPdf(model)).equals(await renderPdf(model))).toBe(true);
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and neutralises spreadsheet formulas', () => {
    expect(csvLine(['a', 'b;c', 'say "hi"', null, 3, '=SUM(A1)', '-12'])).toBe('a;"b;c";"say ""hi""";;3;\'=SUM(A1);-12\r\n');
  });

  it('neutralises what csv-stringify escape_formulas does: a leading tab or carriage return, full-width = + - @', () => {
    expect(csvLine(['\t=1+1', '\uFF1DSUM(A1)', '\uFF0B1', '\uFF20x', '@x', '+x'])).toBe("'\t=1+1;'\uFF1DSUM(A1);'\uFF0B1;'\uFF20x;'@x;'+x\r\n");
    expect(csvLine(['\r=1'])).toBe("'\r=1\r\n");
  });

  it('writes booleans as true / false', () => {
    expect(csvLine([true, false, null])).toBe('true;false;\r\n');
  });

  it('streams a header then rows, with a BOM by default', async () => {
    const stream = csvStream([{ header: 'line', value: (r: { line: number }) => r.line }, { header: 'reason', value: (r: { reason: string }) => r.reason }], [
      { line: 2, reason: 'SIRET invalide' },
    ]);
    let out = '';
    for await (const chunk of stream) out += chunk;
    expect(out).toBe('\uFEFFline;reason\r\n2;SIRET invalide\r\n');
  });
});
