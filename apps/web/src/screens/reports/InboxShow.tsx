// One case of the inbox: the package as sealed (claims, narrative, non-conformities, evidence by
// hash), its seal verified now, and the agent's actions: acknowledge, request information,
// forward to the certifier (control services), close with an outcome.
import { Alert, Box, Button, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { usePermissions } from 'react-admin';
import { download, post } from '../../api/http';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { dateTime } from '../../i18n/format';
import { Screen } from '../../ui/Screen';
import { Facts, Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Async, Failure } from '../../ui/states';
import { useRun } from '../../ui/useRun';
import { CASE_OUTCOME, CLAIM_KIND, CaseEvents, GRADE, HANDLING_STATUS, SealFacts, text } from './parts';

type InboxCaseDetail = Dto<'InboxCaseDetailDto'>;

interface PackageView {
  report: { id: string; reference: string; title: string; narrative: string; claims: { kind: string; code: string }[]; provider: { siret: string; name: string | null } };
  sender: { name: string };
  cosigners: { name: string }[];
  grounds: { id: string; kind: string; content: { checkId?: string; revision?: number; findings?: { pointCode: string; grade: string; comment: string | null }[]; evidence?: { sha256: string; included: boolean; fileName?: string | null }[] } }[];
}

const CERTIFIER_OUTCOMES = ['ON_SITE_AUDIT', 'SUSPENSION', 'WITHDRAWAL', 'NO_ACTION'];
const SERVICE_OUTCOMES = ['ACTION_TAKEN', 'NO_ACTION'];

function Actions({ d }: { d: InboxCaseDetail }) {
  const c = d.case;
  const { permissions } = usePermissions<string[]>();
  const { run, busy, error } = useRun('/inbox');
  const [question, setQuestion] = useState('');
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const ministry = permissions?.includes('ministry');
  const status = c.handlingStatus;
  const open = status === 'ACKNOWLEDGED' || status === 'ANSWERED' || status === 'INFO_REQUESTED';
  return (
    <Section title="Traitement" testId="handling">
      <Typography sx={{ mb: 1 }} data-testid="handling-status">
        {text(HANDLING_STATUS, status)}
        {c.outcome ? ` — ${text(CASE_OUTCOME, c.outcome)}` : ''}
      </Typography>
      {c.openRequest ? <Alert severity="info">Demande en attente de réponse : « {c.openRequest.text} »</Alert> : null}
      <Stack spacing={2} sx={{ mt: 1 }}>
        {status === 'RECEIVED' ? (
          <Box>
            <Button variant="contained" disabled={busy} onClick={() => void run(() => post(`/inbox/cases/${c.id}/acknowledge`))}>
              Accuser réception
            </Button>
          </Box>
        ) : null}
        {status === 'ACKNOWLEDGED' || status === 'ANSWERED' ? (
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1}>
            <TextField size="small" fullWidth label="Question au financeur" value={question} onChange={(e) => setQuestion(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'question' } }} />
            <Button variant="outlined" disabled={busy || !question.trim()} onClick={() => void run(() => post(`/inbox/cases/${c.id}/request-info`, { text: question }))}>
              Demander des informations
            </Button>
            {ministry ? (
              <Button variant="outlined" disabled={busy} onClick={() => void run(() => post(`/inbox/cases/${c.id}/forward`, { note: question || undefined }))}>
                Transmettre au certificateur
              </Button>
            ) : null}
          </Stack>
        ) : null}
        {open ? (
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1}>
            <TextField select size="small" label="Suite donnée" value={outcome} onChange={(e) => setOutcome(e.target.value)} sx={{ minWidth: 260 }}>
              {(ministry ? SERVICE_OUTCOMES : CERTIFIER_OUTCOMES).map((o) => (
                <MenuItem key={o} value={o}>
                  {text(CASE_OUTCOME, o)}
                </MenuItem>
              ))}
            </TextField>
            <TextField size="small" fullWidth label="Note" value={note} onChange={(e) => setNote(e.target.value)} />
            <Button variant="contained" disabled={busy || !outcome} onClick={() => void run(() => post(`/inbox/cases/${c.id}/close`, { outcome, note: note || undefined }))}>
              Clore le dossier
            </Button>
          </Stack>
        ) : null}
      </Stack>
      {error ? <Failure error={error} /> : null}
    </Section>
  );
}

export default function InboxShow() {
  const { id } = useParams();
  const detail = useApi<InboxCaseDetail>(`/inbox/cases/${id}`);
  const { run, error } = useRun('/inbox');
  return (
    <Async query={detail}>
      {(d) => {
        const pkg = d.package as unknown as PackageView;
        const findings = pkg.grounds.flatMap((g) => (g.content.findings ?? []).filter((f) => f.grade === 'MINOR_NC' || f.grade === 'MAJOR_NC').map((f) => ({ ...f, ground: g })));
        const evidence = pkg.grounds.flatMap((g) => g.content.evidence ?? []);
        return (
          <Screen
            title={`Signalement ${pkg.report.reference}`}
            crumbs={[{ label: 'Boîte de réception', to: '/boite-de-reception' }, { label: pkg.report.reference }]}
            actions={
              <Button variant="outlined" onClick={() => void run(() => download(`/reports/${pkg.report.id}/export?format=pdf`, `signalement-${pkg.report.reference}.pdf`))}>
                Dossier PDF
              </Button>
            }
          >
            <Section title="Sceau vérifié" testId="seal">
              <SealFacts v={d.seal} />
            </Section>
            <Actions d={d} />
            <Section title="Signalement (tel que scellé)" testId="package">
              <Facts
                items={[
                  ['Objet', pkg.report.title],
                  ['Organisme', `${pkg.report.provider.name ?? ''} — SIRET ${pkg.report.provider.siret}`],
                  ['Financeur', pkg.sender.name],
                  ['Cosignataires', pkg.cosigners.map((c) => c.name).join(', ') || '—'],
                  ['Manquements', pkg.report.claims.map((c) => `${text(CLAIM_KIND, c.kind)} ${c.code}`).join(', ')],
                  ['Motif d’orientation', d.case.reason],
                ]}
              />
              <Typography sx={{ mt: 2, whiteSpace: 'pre-wrap' }} data-testid="narrative">
                {pkg.report.narrative}
              </Typography>
            </Section>
            <Section title="Non-conformités">
              <SimpleTable
                caption="Non-conformités"
                rows={findings}
                rowKey={(f, i) => `${f.ground.id}-${f.pointCode}-${i}`}
                empty="Aucune non-conformité (anomalies de prix seulement)."
                columns={[
                  { label: 'Point', render: (f) => f.pointCode },
                  { label: 'Constat', render: (f) => text(GRADE, f.grade) },
                  { label: 'Commentaire', render: (f) => f.comment ?? '' },
                  { label: 'Contrôle', render: (f) => `${(f.ground.content.checkId ?? '').slice(0, 8)} v${f.ground.content.revision ?? ''}` },
                ]}
              />
            </Section>
            <Section title="Pièces (par empreinte)">
              <SimpleTable
                caption="Pièces"
                rows={evidence}
                rowKey={(e, i) => `${e.sha256}-${i}`}
                empty="Aucune pièce."
                columns={[
                  { label: 'Pièce', render: (e) => (e.included ? (e.fileName ?? 'pièce') : 'Données personnelles : non transmise') },
                  { label: 'SHA-256', render: (e) => <code>{e.sha256}</code> },
                ]}
              />
            </Section>
            <Section title="Historique">
              <Typography variant="body2" sx={{ mb: 1 }}>
                Reçu le {d.case.delivery.deliveredAt ? dateTime(d.case.delivery.deliveredAt) : '—'}, accusé de réception {d.case.delivery.acknowledgementId ?? '—'}
              </Typography>
              <CaseEvents c={d.case} />
            </Section>
            {error ? <Failure error={error} /> : null}
          </Screen>
        );
      }}
    </Async>
  );
}
