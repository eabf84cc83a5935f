// Pieces of the price screens: the status chip, the group's chart on a log scale (hidden from
// assistive technologies) with the same figures as a table, the evidence in words.
import { Box, Chip } from '@mui/material';
import { ChartsReferenceLine } from '@mui/x-charts/ChartsReferenceLine';
import { ScatterChart } from '@mui/x-charts/ScatterChart';
import type { GroupEvidence } from './evidence';
import { euros } from '../../i18n/format';
import { ANOMALY_STATUS, label } from '../../i18n/labels';
import { SimpleTable } from '../../ui/SimpleTable';


const STATUS_COLOR: Record<string, 'warning' | 'info' | 'success' | 'error' | 'default'> = {
  OPEN: 'warning',
  UNDER_REVIEW: 'info',
  JUSTIFIED: 'success',
  CONFIRMED: 'error',
};

export function StatusChip({ value }: { value: string | null | undefined }) {
  return <Chip size="small" variant="outlined" color={STATUS_COLOR[value ?? ''] ?? 'default'} label={label(ANOMALY_STATUS, value)} data-testid="anomaly-status" />;
}

/** A percent rank 0..1 as « 87 % ». */
export function percent(rank: number | null | undefined): string {
  if (rank === null || rank === undefined) return '—';
  return `${new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }).format(rank * 100)} %`;
}

/** A ratio band `1.3 - 1.5` or `>= 3` in French: « entre 1,3 et 1,5 fois », « 3 fois ou plus ». */
export function band(value: unknown): string {
  if (typeof value !== 'string') return '—';
  const fr = (n: string) => n.replace('.', ',');
  if (value.startsWith('>=')) return `${fr(value.slice(2).trim())} fois ou plus`;
  if (value.startsWith('<')) return `moins de ${fr(value.slice(1).trim())} fois`;
  const [lo, hi] = value.split(' - ');
  return hi ? `entre ${fr(lo)} et ${fr(hi)} fois` : value;
}

export interface Figure {
  label: string;
  value: number;
  kind: 'group' | 'fence' | 'action';
}

/** The group's figures in order, with where the action sits. */
export function groupFigures(e: Pick<GroupEvidence, 'fences'> & { unit: { p10?: number; q1: number; median: number; q3: number; p90?: number } }, action?: { label: string; value: number | null }): Figure[] {
  const rows: Figure[] = [
    { label: 'Seuil bas', value: e.fences.low, kind: 'fence' },
    ...(e.unit.p10 !== undefined ? [{ label: '10e centile (P10)', value: e.unit.p10, kind: 'group' as const }] : []),
    { label: '1er quartile (Q1)', value: e.unit.q1, kind: 'group' },
    { label: 'Médiane', value: e.unit.median, kind: 'group' },
    { label: '3e quartile (Q3)', value: e.unit.q3, kind: 'group' },
    ...(e.unit.p90 !== undefined ? [{ label: '90e centile (P90)', value: e.unit.p90, kind: 'group' as const }] : []),
    { label: 'Seuil haut', value: e.fences.high, kind: 'fence' },
    { label: 'Seuil très haut', value: e.fences.extreme, kind: 'fence' },
  ];
  if (action && action.value !== null) rows.push({ label: action.label, value: action.value, kind: 'action' });
  return rows.sort((a, b) => a.value - b.value);
}

const ROW: Record<Figure['kind'], number> = { group: 3, fence: 2, action: 1 };
const ROW_LABEL: Record<number, string> = { 3: 'Groupe', 2: 'Seuils', 1: 'Action' };

/**
 * The group on a log scale: its quantiles, its fences and the action, one row each. Decorative
 * for assistive technologies (inert, aria-hidden): the table next to it holds the same figures.
 */
export function GroupChart({ figures, testId = 'group-chart' }: { figures: Figure[]; testId?: string }) {
  const values = figures.map((f) => f.value).filter((v) => v > 0);
  if (values.length === 0) return null;
  const min = Math.min(...values) / 1.25;
  const max = Math.max(...values) * 1.25;
  const series = (kind: Figure['kind'], name: string, color: string) => ({
    id: kind,
    label: name,
    color,
    markerSize: kind === 'action' ? 9 : 6,
    data: figures.filter((f) => f.kind === kind && f.value > 0).map((f, i) => ({ id: `${kind}-${i}`, x: f.value, y: ROW[kind] })),
    valueFormatter: (v: { x: number } | null) => (v ? euros(v.x) : ''),
  });
  const action = figures.find((f) => f.kind === 'action');
  const median = figures.find((f) => f.label === 'Médiane');
  return (
    <Box inert aria-hidden="true" sx={{ width: '100%', height: 240 }} data-testid={testId}>
      <ScatterChart
        height={240}
        xAxis={[{ scaleType: 'log', min, max, valueFormatter: (v: number) => euros(v).replace(/,00\s€$/, ' €') }]}
        yAxis={[{ min: 0.5, max: 3.5, tickInterval: [1, 2, 3], valueFormatter: (v: number) => ROW_LABEL[v] ?? '', width: 64 }]}
        series={[series('group', 'Quantiles du groupe (P10, Q1, médiane, Q3, P90)', '#1f5fa8'), series('fence', 'Seuils bas, haut et très haut', '#8a4b00'), series('action', 'Cette action', '#b3261e')]}
        slotProps={{ legend: { position: { vertical: 'top', horizontal: 'center' } } }}
      >
        {median ? <ChartsReferenceLine x={median.value} lineStyle={{ stroke: '#1f5fa8', strokeDasharray: '4 3' }} /> : null}
        {action ? <ChartsReferenceLine x={action.value} lineStyle={{ stroke: '#b3261e' }} /> : null}
      </ScatterChart>
    </Box>
  );
}

export function FiguresTable({ figures, caption, testId = 'group-figures' }: { figures: Figure[]; caption: string; testId?: string }) {
  return (
    <SimpleTable
      caption={caption}
      testId={testId}
      rows={figures}
      rowKey={(f) => f.label}
      empty="Aucun chiffre."
      columns={[
        { label: 'Repère', render: (f) => (f.kind === 'action' ? <strong>{f.label}</strong> : f.label) },
        { label: 'Prix unitaire', render: (f) => (f.kind === 'action' ? <strong>{euros(f.value)}</strong> : euros(f.value)), nowrap: true },
      ]}
    />
  );
}
