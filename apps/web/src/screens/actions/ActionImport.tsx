// Import of funded actions (CSV): upload with a progress bar, then the import's status followed
// until it ends, its counts, the bad lines as a table and the full error file to download.
import { Box, Button, LinearProgress, Typography } from '@mui/material';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { get, upload } from '../../api/http';
import { bytes } from '../../i18n/format';
import { Screen } from '../../ui/Screen';
import { Section } from '../../ui/Section';
import { Failure } from '../../ui/states';
import { DONE, ImportReport, type ImportView } from '../imports/ImportReport';



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
      {view ? <ImportReport view={view} onError={setError} /> : null}
    </Screen>
  );
}
