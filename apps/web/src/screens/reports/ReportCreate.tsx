// Nouveau signalement: the provider (SIRET, optionally from a check: ?siret=&checkId=&revision=)
// and a title; the builder takes it from there.
import { Button, Stack, TextField } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { post } from '../../api/http';
import type { Dto } from '../../api/dto';
import { Screen } from '../../ui/Screen';
import { Section } from '../../ui/Section';
import { Failure } from '../../ui/states';
import { useRun } from '../../ui/useRun';

type Report = Dto<'ReportDto'>;

export default function ReportCreate() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [siret, setSiret] = useState(params.get('siret') ?? '');
  const [title, setTitle] = useState('');
  const { run, busy, error } = useRun('/reports');
  async function submit(e: FormEvent) {
    e.preventDefault();
    const report = await run(async () => {
      const created = await post<Report>('/reports', { providerSiret: siret.replace(/\s/g, ''), title });
      const checkId = params.get('checkId');
      if (checkId) await post(`/reports/${created.id}/grounds`, { kind: 'CHECK_VERSION', checkId, revision: Number(params.get('revision') ?? 1) });
      return created;
    });
    if (report) navigate(`/signalements/${report.id}/show`);
  }
  return (
    <Screen title="Nouveau signalement" crumbs={[{ label: 'Signalements', to: '/signalements' }, { label: 'Nouveau' }]}>
      <Section title="Organisme et objet">
        <form onSubmit={(e) => void submit(e)}>
          <Stack spacing={2} sx={{ maxWidth: 560 }}>
            <TextField label="SIRET de l’organisme" value={siret} onChange={(e) => setSiret(e.target.value)} required slotProps={{ htmlInput: { 'data-testid': 'report-siret' } }} />
            <TextField label="Objet du signalement" value={title} onChange={(e) => setTitle(e.target.value)} required slotProps={{ htmlInput: { 'data-testid': 'report-title', maxLength: 300 } }} />
            {error ? <Failure error={error} /> : null}
            <Button type="submit" variant="contained" disabled={busy}>
              Créer le brouillon
            </Button>
          </Stack>
        </form>
      </Section>
    </Screen>
  );
}
