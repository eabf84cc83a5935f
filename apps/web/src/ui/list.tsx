// The pieces every list screen shares: the count line, the pager, the empty state.
import { Box, Button, MenuItem, TextField, Typography } from '@mui/material';
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

/**
 * The pager: react-admin's (with « sur N ») when the API gave a total; otherwise previous / next
 * over the cursors, the page number and the page size, never a made-up total.
 */
export function Pager() {
  const { total, page, perPage, setPage, setPerPage, hasNextPage, hasPreviousPage, isPending } = useListContext();
  if (typeof total === 'number' && total >= 0) return <Pagination rowsPerPageOptions={[10, 25, 50, 100]} />;
  if (isPending) return null;
  return (
    <Box component="nav" aria-label="Pagination" sx={{ display: 'flex', gap: 1, alignItems: 'center', justifyContent: 'flex-end', flexWrap: 'wrap', p: 1 }}>
      <TextField select size="small" label="Lignes par page" value={perPage} onChange={(e) => setPerPage(Number(e.target.value))} sx={{ minWidth: 140 }}>
        {[10, 25, 50, 100].map((n) => (
          <MenuItem key={n} value={n}>
            {n}
          </MenuItem>
        ))}
      </TextField>
      <Button disabled={!hasPreviousPage && page <= 1} onClick={() => setPage(page - 1)}>
        Page précédente
      </Button>
      <Typography aria-live="polite">Page {page}</Typography>
      <Button disabled={!hasNextPage} onClick={() => setPage(page + 1)}>
        Page suivante
      </Button>
    </Box>
  );
}

export const EmptyList = ({ text }: { text: string }) => <Empty>{text}</Empty>;
