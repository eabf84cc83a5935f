// Import of funded actions (CSV): upload with a progress bar, then the import's status followed
// until it ends, its counts, the bad lines as a table and the full error file to download.
import { Alert, Box, Button, LinearProgress, Stack, Typography } from '@mui/material';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { download, get, upload } from '../../api/http';
import type { ImportView } from '../../api/types';
import { bytes, count, dateTime } from '../../i18n/format';
import { IMPORT_STATUS, label } from '../../i18n/labels';
import { importReason } from '../../i18n/importReasons.fr';
import { Screen } from '../../ui/Screen';
import { Facts, Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Failure } from '../../ui/states';

const DONE = ['SUCCEEDED', 'FAILED'];

function percentOf(view: ImportView): number | null {
  if (view.status === 'SUCCEEDED') return 100;
  const p = view.progress;
  if (typeof p === 'number') return p;
  if (p && typeof p === 'object' && typeof (p as { percent?: unknown }).percent === 'number') return (p as { percent: number }).percent;
  return null;
}

export default function ActionImport() {
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const [view, setView] = useState<ImportView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  async function follow(id: string) {
    try {
      const v = await get<ImportView>(`/imports/${id}`);
      setView(v);
      if (!DONE.includes(v.status)) timer.current = setTimeout(() => void follow(id), 700);
    } catch (e) {
      setError(e);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setView(null);
    setSent(0);
    const form = new FormData();
    form.append('file', file, file.name);
    try {
      const v = await upload<ImportView>('/actions/imports', form, setSent);
      setView(v);
      void follow(v.id);
    } catch (err) {
      setError(err);
      setSent(null);
    }
  }

  const percent = view ? percentOf(view) : null;
  return (
    <Screen title="Import d’actions financées" crumbs={[{ label: 'Actions financées', to: '/actions' }, { label: 'Import' }]}>
      <Section title="Fichier">
        <Typography sx={{ mb: 1 }}>
          Un fichier CSV (UTF-8, séparateur virgule) dont la première ligne nomme les 16 colonnes : externalRef, providerSiret, providerNda, category, certificationCode, formacode, modality, region,
          fundingDecisionDate, startDate, endDate, hoursPerTrainee, trainees, priceExclVat, amountFunded, branchIdcc. Les lignes correctes sont importées ; chaque ligne en erreur est signalée.
        </Typography>
        <Box component="form" onSubmit={(e) => void submit(e)} sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center' }}>
          <Button variant="outlined" component="label">
            Choisir un fichier
            <input hidden type="file" accept=".csv,text/csv" aria-label="Fichier CSV des actions financées" data-testid="import-file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </Button>
          <Typography sx={{ overflowWrap: 'anywhere', minWidth: 0 }}>{file ? `${file.name} (${bytes(file.size)})` : 'Aucun fichier choisi'}</Typography>
          <Button type="submit" variant="contained" disabled={!file || (sent !== null && sent < 1)}>
            Importer
          </Button>
        </Box>
        {sent !== null && sent < 1 ? (
          <Box sx={{ mt: 2 }}>
            <Typography id="upload-progress">Envoi du fichier : {Math.round(sent * 100)} %</Typography>
            <LinearProgress variant="determinate" value={sent * 100} aria-labelledby="upload-progress" />
          </Box>
        ) : null}
        {error ? <Failure error={error} /> : null}
      </Section>
      {view ? (
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
                ['Lignes lues', count(view.counts?.rows)],
                ['Lignes acceptées', <span data-testid="accepted">{count(view.counts?.accepted)}</span>],
                ['Lignes refusées', <span data-testid="rejected">{count(view.counts?.rejected)}</span>],
                ['Créées / mises à jour / inchangées', view.counts ? `${count(view.counts.inserted)} / ${count(view.counts.updated)} / ${count(view.counts.unchanged)}` : '—'],
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
      ) : null}
      {view && view.rejectedLineCount > 0 ? (
        <Section
          title={`Lignes en erreur (${count(view.rejectedLineCount)})`}
          actions={
            <Button variant="outlined" size="small" onClick={() => void download(`/imports/${view.id}/errors`, `import-${view.id}-erreurs.csv`).catch(setError)}>
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
    </Screen>
  );
}
