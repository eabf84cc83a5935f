// One evidence file: choose, upload with a progress bar, and show the SHA-256 the API computed.
import { Box, Button, LinearProgress, Typography } from '@mui/material';
import { useId, useState } from 'react';
import { upload } from '../api/http';
import type { Dto } from '../api/dto';
import { bytes } from '../i18n/format';
import { Failure } from './states';

type Evidence = Dto<'EvidenceDto'>;

export function FileUpload({ checkId, purpose, onUploaded, label = 'Joindre une preuve' }: { checkId: string; purpose: string; onUploaded: (e: Evidence) => void; label?: string }) {
  const [progress, setProgress] = useState<number | null>(null);
  const [done, setDone] = useState<Evidence[]>([]);
  const [error, setError] = useState<unknown>(null);
  const id = useId();

  async function send(file: File) {
    setError(null);
    setProgress(0);
    const form = new FormData();
    form.append('purpose', purpose);
    form.append('personalData', 'false');
    form.append('file', file, file.name);
    try {
      const evidence = await upload<Evidence>(`/checks/${checkId}/evidence`, form, setProgress);
      setDone((d) => [...d, evidence]);
      onUploaded(evidence);
    } catch (e) {
      setError(e);
    } finally {
      setProgress(null);
    }
  }

  return (
    <Box sx={{ my: 1 }}>
      <Button variant="outlined" size="small" component="label" disabled={progress !== null}>
        {label}
        <input hidden type="file" aria-label={label} data-testid={`upload-${purpose}`} onChange={(e) => e.target.files?.[0] && void send(e.target.files[0])} />
      </Button>
      {progress !== null ? (
        <Box sx={{ mt: 1 }}>
          <Typography variant="body2" id={id}>
            Envoi : {Math.round(progress * 100)} %
          </Typography>
          <LinearProgress variant="determinate" value={progress * 100} aria-labelledby={id} />
        </Box>
      ) : null}
      {done.map((e) => (
        <Typography key={e.id} variant="body2" sx={{ mt: 0.5, overflowWrap: 'anywhere' }} data-testid="uploaded">
          {e.fileName} ({bytes(e.size)}) — SHA-256 <code>{e.sha256}</code>
        </Typography>
      ))}
      {error ? <Failure error={error} /> : null}
    </Box>
  );
}
