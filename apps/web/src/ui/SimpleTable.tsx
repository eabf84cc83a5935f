// A plain, accessible table that scrolls inside its own box on phones (never the page).
import { Table, TableBody, TableCell, TableContainer, TableHead, TableRow } from '@mui/material';
import type { ReactNode } from 'react';
import { Empty } from './states';

export interface Column<T> {
  label: string;
  render: (row: T) => ReactNode;
  nowrap?: boolean;
}

export function SimpleTable<T>({ rows, columns, empty, caption, testId, rowKey }: { rows: T[]; columns: Column<T>[]; empty: string; caption: string; testId?: string; rowKey: (row: T, i: number) => string }) {
  if (rows.length === 0) return <Empty>{empty}</Empty>;
  return (
    <TableContainer sx={{ maxWidth: '100%', overflowX: 'auto' }} tabIndex={0} role="region" aria-label={caption}>
      <Table size="small" data-testid={testId}>
        <caption style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }}>{caption}</caption>
        <TableHead>
          <TableRow>
            {columns.map((c) => (
              <TableCell key={c.label} component="th" scope="col">
                {c.label}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row, i) => (
            <TableRow key={rowKey(row, i)}>
              {columns.map((c) => (
                <TableCell key={c.label} sx={c.nowrap ? { whiteSpace: 'nowrap' } : undefined}>
                  {c.render(row)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
