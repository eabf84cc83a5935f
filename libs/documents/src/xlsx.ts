import { PassThrough, Readable } from 'node:stream';
import { stream as excelStream } from 'exceljs';
import type { TabularColumn } from './csv';

/**
 * Streams rows as an XLSX workbook of one sheet with exceljs's streaming writer: each row is
 * committed as it is written, so a long export never sits whole in memory.
 */
export function xlsxStream<T>(sheetName: string, columns: TabularColumn<T>[], rows: AsyncIterable<T> | Iterable<T>): Readable {
  const out = new PassThrough();
  const workbook = new excelStream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31));
  sheet.columns = columns.map((c) => ({ header: c.header, width: Math.max(12, Math.min(40, c.header.length + 4)) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  void (async () => {
    for await (const row of rows) sheet.addRow(columns.map((c) => c.value(row) ?? null)).commit();
    sheet.commit();
    await workbook.commit();
  })().catch((error: unknown) => out.destroy(error as Error));
  return out;
}
