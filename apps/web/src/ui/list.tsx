// The pieces every list screen shares: the count line, the pager, the empty state.
import { Typography } from '@mui/material';
import { Pagination, useListContext } from 'react-admin';
import { count } from '../i18n/format';
import { Empty } from './states';

/** « 12 résultats » when the API gives a total, else the page's rows. */
export function ResultCount({ noun = 'résultat' }: { noun?: string }) {
  const { total, data, isPending, page, perPage } = useListContext();
  if (isPending || !data) return null;
  const n = typeof total === 'number' && total >= 0 ? total : undefined;
  const text =
    n !== undefined
      ? `${count(n)} ${noun}${n > 1 ? 's' : ''}`
      : `${noun[0].toUpperCase()}${noun.slice(1)}s ${count((page - 1) * perPage + (data.length ? 1 : 0))} à ${count((page - 1) * perPage + data.length)}`;
  return (
    <Typography role="status" aria-live="polite" variant="body2" sx={{ px: 2, py: 1 }} data-testid="result-count">
      {text}
    </Typography>
  );
}

export const Pager = () => <Pagination rowsPerPageOptions={[10, 25, 50, 100]} />;

export const EmptyList = ({ text }: { text: string }) => <Empty>{text}</Empty>;
