// Small display pieces in French formats, usable as react-admin fields (they read the record).
import { Chip } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { date, euros, siret } from '../i18n/format';
import { COVERAGE, OUTCOME, STATE, label } from '../i18n/labels';

const COVERAGE_COLOR: Record<string, 'success' | 'error' | 'info' | 'default'> = {
  CERTIFIED: 'success',
  NOT_CERTIFIED: 'error',
  EXEMPT: 'info',
  UNKNOWN: 'default',
};

export function CoverageChip({ value }: { value: string | null | undefined }) {
  return <Chip size="small" variant="outlined" color={COVERAGE_COLOR[value ?? ''] ?? 'default'} label={label(COVERAGE, value)} data-testid="coverage" />;
}

const STATE_COLOR: Record<string, 'default' | 'info' | 'warning' | 'success' | 'error'> = {
  DRAFT: 'default',
  NOTIFIED: 'info',
  RESPONDED: 'info',
  RESPONSE_OVERDUE: 'warning',
  COMPLETED: 'success',
};

export function StateChip({ value }: { value: string | null | undefined }) {
  return <Chip size="small" variant="outlined" color={STATE_COLOR[value ?? ''] ?? 'default'} label={label(STATE, value)} data-testid="state" />;
}

export function OutcomeText({ value }: { value: string | null | undefined }) {
  return <span>{label(OUTCOME, value)}</span>;
}

type Props = { source: string; label?: string; sortable?: boolean; sortBy?: string };

function valueOf(record: Record<string, unknown> | undefined, source: string): unknown {
  return source.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), record);
}

export function DateOnly({ source }: Props) {
  const record = useRecordContext();
  return <span style={{ whiteSpace: 'nowrap' }}>{date(valueOf(record, source) as string)}</span>;
}
export function Money({ source }: Props) {
  const record = useRecordContext();
  return <span style={{ whiteSpace: 'nowrap' }}>{euros(valueOf(record, source) as number)}</span>;
}
export function Siret({ source }: Props) {
  const record = useRecordContext();
  return <span style={{ whiteSpace: 'nowrap' }}>{siret(valueOf(record, source) as string)}</span>;
}
export function Coverage({ source }: Props) {
  const record = useRecordContext();
  return <CoverageChip value={valueOf(record, source) as string} />;
}
export function State({ source }: Props) {
  const record = useRecordContext();
  return <StateChip value={valueOf(record, source) as string} />;
}
export function Label({ source, map }: Props & { map: Record<string, string> }) {
  const record = useRecordContext();
  return <span>{label(map, valueOf(record, source) as string)}</span>;
}
