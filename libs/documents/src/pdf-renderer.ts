import PDFDocument from 'pdfkit';
import { DocumentModel, DocumentTable } from './document-model';

const MARGIN = 56;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';

/**
 * Renders a document model to an A4 PDF: title block, sections with paragraphs, label/value
 * lists and tables that break across pages (repeating their header), and a footer with the
 * reference and page numbers. `compress: false` keeps text searchable in tests.
 */
export function renderPdf(model: DocumentModel, options: { compress?: boolean } = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + 20, left: MARGIN, right: MARGIN },
    bufferPages: true,
    compress: options.compress ?? true,
    info: { Title: model.title, Author: model.issuer, Creator: 'Back office qualité', CreationDate: model.createdAt, ModDate: model.createdAt },
    lang: 'fr-FR',
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - MARGIN * 2;

  doc.font(FONT).fontSize(9).fillColor('#555').text(model.issuer, { width });
  doc.text(`Émis le ${model.createdAt.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: 'long', year: 'numeric' })}`, { width });
  doc.moveDown(1.2);
  doc.font(BOLD).fontSize(16).fillColor('#000').text(model.title, { width });
  if (model.subtitle) doc.font(FONT).fontSize(11).fillColor('#333').text(model.subtitle, { width });
  doc.moveDown(0.8);

  for (const section of model.sections) {
    ensureSpace(doc, 60);
    doc.font(BOLD).fontSize(12).fillColor('#000').text(section.heading, MARGIN, doc.y, { width });
    doc.moveDown(0.3);
    doc.font(FONT).fontSize(10);
    for (const paragraph of section.paragraphs ?? []) {
      doc.text(paragraph, MARGIN, doc.y, { width, align: 'justify' });
      doc.moveDown(0.4);
    }
    for (const [label, value] of section.fields ?? []) {
      ensureSpace(doc, 14);
      const y = doc.y;
      doc.font(BOLD).text(label, MARGIN, y, { width: width * 0.35 });
      const afterLabel = doc.y;
      doc.font(FONT).text(value || '—', MARGIN + width * 0.37, y, { width: width * 0.63 });
      doc.y = Math.max(afterLabel, doc.y);
    }
    if (section.table) drawTable(doc, section.table, width);
    doc.moveDown(0.8);
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const footerY = doc.page.height - MARGIN;
    doc.font(FONT).fontSize(8).fillColor('#777');
    doc.text(`${model.reference ?? ''}`, MARGIN, footerY, { width: width / 2, lineBreak: false });
    doc.text(`Page ${i + 1} / ${range.count}`, MARGIN + width / 2, footerY, { width: width / 2, align: 'right', lineBreak: false });
  }
  doc.end();
  return done;
}

function ensureSpace(doc: PDFKit.PDFDocument, needed: number): void {
  if (doc.y + needed > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

function drawTable(doc: PDFKit.PDFDocument, table: DocumentTable, width: number): void {
  const weights = table.columns.map((c) => c.width ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => (w / total) * width);
  const padding = 3;
  const rowHeight = (cells: string[], font: string) => {
    doc.font(font).fontSize(9);
    return Math.max(...cells.map((cell, i) => doc.heightOfString(cell || '—', { width: widths[i] - padding * 2 }))) + padding * 2;
  };
  const drawRow = (cells: string[], font: string, shade: boolean) => {
    const height = rowHeight(cells, font);
    if (doc.y + height > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      drawRow(table.columns.map((c) => c.header), BOLD, true);
    }
    const y = doc.y;
    let x = MARGIN;
    if (shade) doc.rect(MARGIN, y, width, height).fill('#eeeeee').fillColor('#000');
    doc.font(font).fontSize(9).fillColor('#000');
    cells.forEach((cell, i) => {
      doc.text(cell || '—', x + padding, y + padding, { width: widths[i] - padding * 2 });
      x += widths[i];
    });
    doc.moveTo(MARGIN, y + height).lineTo(MARGIN + width, y + height).strokeColor('#cccccc').lineWidth(0.5).stroke();
    doc.y = y + height;
  };
  drawRow(table.columns.map((c) => c.header), BOLD, true);
  for (const row of table.rows) drawRow(row, FONT, false);
  doc.x = MARGIN;
}
