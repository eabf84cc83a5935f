// What an import became: its status followed to the end (progress, counts), the bad lines as a
// table and the full error file to download. Used after an upload and on an import's own page.
import { Alert, Box, Button, LinearProgress, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { download } from '../../api/http';
import type { Dto } from '../../api/dto';
import { count, dateTime } from '../../i18n/format';
import { IMPORT_STATUS, label } from '../../i18n/labels';
import { importReason } from '../../i18n/importReasons.fr';
import { Facts, Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';

export type ImportView = Dto<'ImportDto'>;

export const DONE = ['SUCCEEDED', 'FAILED'];

function percentOf(view: ImportView): number | null {
  if (view.status === 'SUCCEEDED') return 100;
  const p = view.progress;
  if (typeof p === 'number') return p;
  if (p && typeof p === 'object' && typeof (p as { percent?: unknown }).percent === 'number') return (p as { percent: number }).percent;
  return null;
}

/** Funded-actions imports: lines identical to what an earlier file stored, skipped before any parsing. */
function recognisedOf(view: ImportView): number | null {
  const p = view.progress;
  return p && typeof p === 'object' && typeof (p as { recognisedLines?: unknown }).recognisedLines === 'number' ? (p as { recognisedLines: number }).recognisedLines : null;
}

export function ImportReport({ view, onError }: { view: ImportView; onError: (error: unknown) => void }) {
  const percent = percentOf(view);
  const recognised = recognisedOf(view);
  const counts = view.counts ? { ...view.counts, rows: 'rows' in view.counts ? view.counts.rows : view.counts.lines } : null;
  return (
    <>
      <Section title="Suivi de l’import" testId="import-status">
          <Stack spacing={1}>
            <Typography id="import-progress" data-testid="import-state">
              {label(IMPORT_STATUS, view.status)}
              {percent !== null && !DONE.includes(view.status) ? ` — ${percent} %` : ''}
            </Typography>
            <LinearProgress
              variant={percent === null && !DONE.includes(view.status) ? 'indeterminate' : 'determinate'}
              value={percent ?? (DONE.includes(view.status) ? 100 : 0)}
              aria-labelledby="import-progress"
              color={view.status === 'FAILED' ? 'error' : 'primary'}
            />
            {view.status === 'FAILED' ? <Alert severity="error">L’import a échoué : aucune ligne n’a été enregistrée.</Alert> : null}
            <Facts
              items={[
                ['Fichier', view.fileName ?? '—'],
                ['Déposé le', dateTime(view.createdAt)],
                ['Terminé le', dateTime(view.finishedAt)],
                ['Lignes lues', count(counts?.rows)],
                ['Lignes acceptées', <span data-testid="accepted">{count(counts?.accepted)}</span>],
                ['Lignes refusées', <span data-testid="rejected">{count(counts?.rejected)}</span>],
                ['Créées / mises à jour / inchangées', counts ? `${count(counts.inserted)} / ${count(counts.updated)} / ${count(counts.unchanged)}` : '—'],
                ...(recognised !== null
                  ? [['Lignes identiques à un envoi précédent (déjà contrôlées)', <span data-testid="recognised">{count(recognised)}</span>] as [string, ReactNode]]
                  : []),
              ]}
            />
            {view.status === 'SUCCEEDED' ? (
              <Box>
                <Button component={Link} to="/actions">
                  Voir les actions financées
                </Button>
              </Box>
            ) : null}
          </Stack>
        </Section>
      {view.rejectedLineCount > 0 ? (
        <Section
          title={`Lignes en erreur (${count(view.rejectedLineCount)})`}
          actions={
            <Button variant="outlined" size="small" onClick={() => void download(`/imports/${view.id}/errors`, `import-${view.id}-erreurs.csv`).catch(onError)}>
              Télécharger le fichier d’erreurs
            </Button>
          }
        >
          {view.errors.length < view.fieldErrorCount ? <Typography sx={{ mb: 1 }}>Les {count(view.errors.length)} premières erreurs ; le fichier les contient toutes.</Typography> : null}
          <SimpleTable
            caption="Lignes en erreur"
            testId="import-errors"
            rows={view.errors}
            rowKey={(r, i) => `${r.line}-${r.field}-${i}`}
            empty="Aucune ligne en erreur."
            columns={[
              { label: 'Ligne', render: (r) => r.line },
              { label: 'Colonne', render: (r) => r.field },
              { label: 'Motif', render: (r) => importReason(r.reason) },
            ]}
          />
        </Section>
      ) : null}
    </>
  );
}
