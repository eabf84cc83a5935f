import PDFDocument from 'pdfkit';
import { DateTime } from 'luxon';
import { DocumentModel, DocumentTable } from './document-model';

const MARGIN = 56;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';

/** A date as French documents print it ("17 mars 2026"), on the calendar of `timeZone`. */
export function frenchDate(value: Date | string, timeZone = 'Europe/Paris'): string {
  const at = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone: timeZone }) : DateTime.fromJSDate(new Date(value), { zone: timeZone });
  return at.setLocale('fr').toFormat('d LLLL yyyy');
}

/**
 * Renders a document model to an A4 PDF: title block, sections with paragraphs, label/value
 * lists and tables that break across pages (repeating their header), and a footer with the
 * reference and page numbers. The one layout of every document: content stops at the bottom
 * margin, and footers are drawn inside that margin with the margin lifted while they are
 * written, so a footer can never push itself onto a page of its own. `compress: false` keeps
 * text searchable in tests.
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
  doc.text(`Émis le ${frenchDate(model.createdAt, model.timeZone)}`, { width });
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
    // The footer sits inside the bottom margin: lift the margin while writing it, or pdfkit
    // would take the footer for overflowing content and open a new page for it.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const footerY = doc.page.height - MARGIN;
    doc.font(FONT).fontSize(8).fillColor('#777');
    doc.text(`${model.reference ?? ''}`, MARGIN, footerY, { width: width * 0.7, lineBreak: false, height: 10, ellipsis: true });
    doc.text(`Page ${i + 1} / ${range.count}`, MARGIN + width * 0.7, footerY, { width: width * 0.3, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
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
