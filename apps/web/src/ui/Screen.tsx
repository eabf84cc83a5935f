// Every screen's frame: the page title (document title and react-admin's app-bar title), the
// breadcrumbs, the h1, and the actions. One place so every screen has them.
import { Box, Breadcrumbs, Link as MuiLink, Stack, Typography } from '@mui/material';
import { useEffect, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { Title } from 'react-admin';

export const APP_NAME = 'Back office qualité';

export interface Crumb {
  label: string;
  to?: string;
}

export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} — ${APP_NAME}`;
  }, [title]);
}

export function Screen({ title, crumbs = [], actions, children }: { title: string; crumbs?: Crumb[]; actions?: ReactNode; children: ReactNode }) {
  usePageTitle(title);
  return (
    <Box sx={{ py: 2, px: { xs: 0, sm: 1 }, maxWidth: '100%', minWidth: 0 }}>
      <Title title={title} />
      <Breadcrumbs aria-label="Fil d’Ariane" sx={{ mb: 1, fontSize: '0.875rem' }} data-testid="breadcrumbs">
        <MuiLink component={Link} to="/" underline="hover" color="inherit">
          Accueil
        </MuiLink>
        {crumbs.map((c) =>
          c.to ? (
            <MuiLink key={c.label} component={Link} to={c.to} underline="hover" color="inherit">
              {c.label}
            </MuiLink>
          ) : (
            <Typography key={c.label} color="text.primary" sx={{ fontSize: "inherit" }} aria-current="page">
              {c.label}
            </Typography>
          ),
        )}
      </Breadcrumbs>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ mb: 2, justifyContent: 'space-between', alignItems: { sm: 'center' } }}>
        <Typography variant="h1" component="h1">
          {title}
        </Typography>
        {actions ? <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', gap: 1 }}>{actions}</Stack> : null}
      </Stack>
      {children}
    </Box>
  );
}
