// Loading, empty and error states, the same on every screen. Errors show the French message of
// the API's code in place, with a retry.
import { Alert, Box, Button, CircularProgress, Paper, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { useListContext } from 'react-admin';
import { errorMessageFr, fieldErrorsFr } from '../i18n/errors.fr';

export function Loading({ label = 'Chargement…' }: { label?: string }) {
  return (
    <Box role="status" aria-live="polite" sx={{ display: 'flex', alignItems: 'center', gap: 2, p: 3 }}>
      <CircularProgress size={24} aria-hidden="true" />
      <Typography>{label}</Typography>
    </Box>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Paper sx={{ p: 3, textAlign: 'center' }} data-testid="empty">
      <Typography color="text.secondary">{children}</Typography>
    </Paper>
  );
}

export function Failure({ error, retry }: { error: unknown; retry?: () => void }) {
  const fields = fieldErrorsFr(error);
  return (
    <Alert
      severity="error"
      role="alert"
      action={
        retry ? (
          <Button color="inherit" size="small" onClick={retry}>
            Réessayer
          </Button>
        ) : undefined
      }
      sx={{ my: 1 }}
    >
      {errorMessageFr(error)}
      {fields.length ? (
        <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
          {fields.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      ) : null}
    </Alert>
  );
}

/** The `error` element of a react-admin <List>: the message in place and a retry. */
export function ListFailure() {
  const { error, refetch } = useListContext();
  return <Failure error={error} retry={() => void refetch()} />;
}

/** Renders a query's three states, then its data. */
export function Async<T>({
  query,
  children,
  loading,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  children: (data: T) => ReactNode;
  loading?: string;
}) {
  if (query.isPending) return <Loading label={loading} />;
  if (query.error || query.data === undefined) return <Failure error={query.error} retry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}
