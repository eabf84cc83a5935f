// Un signalement: the builder while a draft (claims, narrative, grounds picked from completed
// checks at their version and from confirmed anomalies, the recipients the routing rules propose
// with their reason, co-signers, what submission would refuse now), then the seal, the PDF
// dossier and each recipient case with its delivery and handling, and the answers to the
// recipients' information requests.
import { Alert, Box, Button, Checkbox, FormControlLabel, LinearProgress, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { usePermissions } from 'react-admin';
import { download, get, patch, post, upload } from '../../api/http';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { bytes, dateTime, siret } from '../../i18n/format';
import { Screen } from '../../ui/Screen';
import { Facts, Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Async, Failure } from '../../ui/states';
import { useRun } from '../../ui/useRun';
import { CLAIM_KIND, CaseEvents, DeliveryChip, GRADE, HANDLING_STATUS, CASE_OUTCOME, RECIPIENT_KIND, ReportStatusChip, SealFacts, text } from './parts';

type Report = Dto<'ReportDto'>;
type ReportCase = Dto<'CaseDto'>;
type SealVerification = Dto<'SealVerificationDto'>;

interface Org {
  id: string;
  code: string;
  name: string;
}
interface CheckRow {
  id: string;
  revision: number;
  framework: { code: string };
  outcome: string | null;
  completedAt: string | null;
}

function Draft({ r }: { r: Report }) {
  const { run, busy, error } = useRun(`/reports/${r.id}`);
  const [title, setTitle] = useState(r.title);
  const [narrative, setNarrative] = useState(r.narrative);
  const [claims, setClaims] = useState(r.claims);
  const [kind, setKind] = useState('INDICATOR');
  const [code, setCode] = useState('');
  useEffect(() => {
    setTitle(r.title);
    setNarrative(r.narrative);
    setClaims(r.claims);
  }, [r]);
  const save = (body: object) => run(() => patch(`/reports/${r.id}`, body, { 'if-match': `"${r.id}.v${r.version}"` }));
  const length = [...narrative].length;
  return (
    <Section title="Manquements et exposé des faits" testId="draft">
      <Stack spacing={2}>
        <TextField label="Objet" value={title} onChange={(e) => setTitle(e.target.value)} />
        <Box>
          <Typography variant="subtitle2">Manquements invoqués</Typography>
          <SimpleTable
            caption="Manquements invoqués"
            rows={claims}
            rowKey={(c) => `${c.kind}-${c.code}`}
            empty="Aucun manquement invoqué."
            testId="claims"
            columns={[
              { label: 'Nature', render: (c) => text(CLAIM_KIND, c.kind) },
              { label: 'Code', render: (c) => c.code },
              { label: '', render: (c) => <Button size="small" onClick={() => setClaims(claims.filter((x) => x !== c))}>Retirer</Button> },
            ]}
          />
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ mt: 1 }}>
            <TextField select size="small" label="Nature" value={kind} onChange={(e) => setKind(e.target.value)} sx={{ minWidth: 200 }} slotProps={{ htmlInput: { 'data-testid': 'claim-kind' } }}>
              {Object.entries(CLAIM_KIND).map(([id, name]) => (
                <MenuItem key={id} value={id}>
                  {name}
                </MenuItem>
              ))}
            </TextField>
            <TextField size="small" label="Indicateur, point ou anomalie" value={code} onChange={(e) => setCode(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'claim-code' } }} />
            <Button
              onClick={() => {
                if (code.trim()) setClaims([...claims, { kind: kind as never, code: code.trim() }]);
                setCode('');
              }}
            >
              Ajouter le manquement
            </Button>
          </Stack>
        </Box>
        <TextField
          label="Exposé des faits"
          multiline
          minRows={5}
          value={narrative}
          onChange={(e) => setNarrative(e.target.value)}
          helperText={`${length} caractères (200 à 20 000)`}
          error={length > 0 && (length < 200 || length > 20000)}
          slotProps={{ htmlInput: { 'data-testid': 'narrative' } }}
        />
        {error ? <Failure error={error} /> : null}
        <Box>
          <Button variant="contained" disabled={busy} onClick={() => void save({ title, narrative, claims })}>
            Enregistrer le brouillon
          </Button>
        </Box>
      </Stack>
    </Section>
  );
}

function Grounds({ r, editable }: { r: Report; editable: boolean }) {
  const checks = useApi<{ items: CheckRow[] }>(editable ? `/checks?providerSiret=${r.provider.siret}&state=COMPLETED&limit=100` : null);
  const anomalies = useApi<{ items: { id: string; kind: string; year: number }[] }>(editable ? `/anomalies?providerSiret=${r.provider.siret}&status=CONFIRMED&limit=100` : null);
  const { run, busy, error } = useRun(`/reports/${r.id}`);
  const [pick, setPick] = useState('');
  const add = () => {
    const [kind, id, revision] = pick.split('|');
    return run(() => post(`/reports/${r.id}/grounds`, kind === 'CHECK_VERSION' ? { kind, checkId: id, revision: Number(revision) } : { kind, anomalyId: id }));
  };
  return (
    <Section title="Fondements (versions figées)" testId="grounds">
      <SimpleTable
        caption="Fondements"
        rows={r.grounds}
        rowKey={(g) => g.id}
        empty="Aucun fondement : ajoutez une version de contrôle terminée ou une anomalie confirmée."
        columns={[
          { label: 'Nature', render: (g) => (g.kind === 'CHECK_VERSION' ? `Contrôle ${g.frameworkCode ?? ''}` : 'Anomalie de prix confirmée') },
          { label: 'Référence', render: (g) => (g.checkId ? `${g.checkId.slice(0, 8)} — version ${g.checkRevision}` : (g.anomalyId ?? '').slice(0, 8)) },
          { label: 'Non-conformités', render: (g) => g.nonConformities.map((n) => `${n.pointCode} (${text(GRADE, n.grade)})`).join(', ') || '—' },
          { label: 'Empreinte', render: (g) => <code>{g.contentSha256.slice(0, 16)}</code> },
        ]}
      />
      {editable ? (
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ mt: 1 }}>
          <TextField select size="small" label="Ajouter un fondement" value={pick} onChange={(e) => setPick(e.target.value)} sx={{ minWidth: 320 }} slotProps={{ htmlInput: { 'data-testid': 'ground-pick' } }}>
            {(checks.data?.items ?? []).map((c) => (
              <MenuItem key={c.id} value={`CHECK_VERSION|${c.id}|${c.revision}`}>
                Contrôle {c.framework.code} {c.id.slice(0, 8)} — version {c.revision} ({c.completedAt ? dateTime(c.completedAt) : ''})
              </MenuItem>
            ))}
            {(anomalies.data?.items ?? []).map((a) => (
              <MenuItem key={a.id} value={`PRICE_ANOMALY|${a.id}`}>
                Anomalie {a.id.slice(0, 8)} ({a.year})
              </MenuItem>
            ))}
          </TextField>
          <Button disabled={!pick || busy} onClick={() => void add()}>
            Figer et ajouter
          </Button>
        </Stack>
      ) : null}
      {error ? <Failure error={error} /> : null}
    </Section>
  );
}

function Attachments({ r, editable }: { r: Report; editable: boolean }) {
  const { run, busy, error } = useRun(`/reports/${r.id}`);
  const [personal, setPersonal] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const send = (file: File) =>
    run(async () => {
      const form = new FormData();
      form.append('personalData', String(personal));
      form.append('file', file, file.name);
      try {
        return await upload(`/reports/${r.id}/attachments`, form, setProgress);
      } finally {
        setProgress(null);
      }
    });
  return (
    <Section title="Pièces jointes" testId="attachments">
      <SimpleTable
        caption="Pièces jointes"
        rows={r.attachments}
        rowKey={(a) => a.id}
        empty="Aucune pièce jointe."
        columns={[
          { label: 'Fichier', render: (a) => a.fileName ?? '—' },
          { label: 'Taille', render: (a) => bytes(a.size), nowrap: true },
          { label: 'Données personnelles', render: (a) => (a.personalData ? 'Oui (scellée par son empreinte seulement)' : 'Non') },
          { label: 'SHA-256', render: (a) => <code>{a.sha256.slice(0, 16)}</code> },
        ]}
      />
      {editable ? (
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ mt: 1, alignItems: { sm: 'center' } }}>
          <FormControlLabel control={<Checkbox checked={personal} onChange={(e) => setPersonal(e.target.checked)} />} label="Contient des données personnelles" />
          <Button variant="outlined" size="small" component="label" disabled={busy || progress !== null}>
            Joindre un fichier
            <input hidden type="file" aria-label="Joindre un fichier" data-testid="attachment-file" onChange={(e) => e.target.files?.[0] && void send(e.target.files[0])} />
          </Button>
          {progress !== null ? <LinearProgress variant="determinate" value={progress * 100} sx={{ minWidth: 120 }} aria-label="Envoi du fichier" /> : null}
        </Stack>
      ) : null}
      {error ? <Failure error={error} /> : null}
    </Section>
  );
}

function Recipients({ r, editable }: { r: Report; editable: boolean }) {
  const certifiers = useApi<Org[]>(editable && r.recipients.some((x) => x.missing === 'CERTIFIER_UNKNOWN') ? '/organisations?kind=CERTIFIER' : null);
  const { run, error } = useRun(`/reports/${r.id}`);
  return (
    <Section title="Destinataires proposés" testId="recipients">
      <SimpleTable
        caption="Destinataires"
        rows={r.recipients}
        rowKey={(x) => x.kind}
        empty="Ajoutez un manquement : les règles d’orientation proposeront les destinataires."
        columns={[
          { label: 'Destinataire', render: (x) => `${text(RECIPIENT_KIND, x.kind)} — ${x.organisationName ?? 'à désigner'}` },
          { label: 'Motif', render: (x) => x.reason },
          { label: 'Fondement juridique', render: (x) => x.legalSources.join(' ; ') },
        ]}
      />
      {certifiers.data ? (
        <TextField select size="small" label="Désigner le certificateur" value="" onChange={(e) => void run(() => patch(`/reports/${r.id}`, { certifierId: e.target.value }))} sx={{ mt: 1, minWidth: 320 }}>
          {certifiers.data.map((o) => (
            <MenuItem key={o.id} value={o.id}>
              {o.name}
            </MenuItem>
          ))}
        </TextField>
      ) : null}
      {error ? <Failure error={error} /> : null}
    </Section>
  );
}

function Cosigners({ r, editable }: { r: Report; editable: boolean }) {
  const funders = useApi<Org[]>(editable ? '/organisations?kind=FUNDER' : null);
  const { run, error } = useRun(`/reports/${r.id}`);
  const mine = r.role === 'COSIGNER' ? r.cosigners.find((c) => c.status === 'INVITED') : undefined;
  return (
    <Section title="Cosignataires" testId="cosigners">
      <SimpleTable
        caption="Cosignataires"
        rows={r.cosigners}
        rowKey={(c) => c.organisationId}
        empty="Aucun cosignataire."
        columns={[
          { label: 'Financeur', render: (c) => c.organisationName },
          { label: 'Statut', render: (c) => (c.status === 'ACCEPTED' ? `A accepté le ${dateTime(c.acceptedAt!)}` : 'Invité') },
        ]}
      />
      {editable && funders.data ? (
        <TextField select size="small" label="Inviter un financeur de l’organisme" value="" onChange={(e) => void run(() => post(`/reports/${r.id}/cosigners`, { organisationId: e.target.value }))} sx={{ mt: 1, minWidth: 320 }}>
          {funders.data
            .filter((o) => o.id !== r.organisationId)
            .map((o) => (
              <MenuItem key={o.id} value={o.id}>
                {o.name}
              </MenuItem>
            ))}
        </TextField>
      ) : null}
      {mine ? (
        <Button sx={{ mt: 1 }} variant="contained" onClick={() => void run(() => post(`/reports/${r.id}/cosigners/${mine.organisationId}/accept`))}>
          Accepter de cosigner
        </Button>
      ) : null}
      {error ? <Failure error={error} /> : null}
    </Section>
  );
}

function Answer({ r, c }: { r: Report; c: ReportCase }) {
  const [answer, setAnswer] = useState('');
  const { run, busy, error } = useRun(`/reports/${r.id}`);
  if (!c.openRequest) return null;
  return (
    <Box sx={{ mt: 1 }} data-testid="info-request">
      <Alert severity="warning">
        Demande d’informations de {c.recipient.name} : « {c.openRequest.text} »{c.openRequest.dueAt ? ` — réponse attendue avant le ${dateTime(c.openRequest.dueAt)}` : ''}
      </Alert>
      {r.role === 'OWNER' ? (
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ mt: 1 }}>
          <TextField size="small" label="Votre réponse" value={answer} onChange={(e) => setAnswer(e.target.value)} fullWidth multiline slotProps={{ htmlInput: { 'data-testid': 'answer-text' } }} />
          <Button variant="contained" disabled={!answer.trim() || busy} onClick={() => void run(() => post(`/reports/${r.id}/cases/${c.id}/answer`, { text: answer }))}>
            Répondre
          </Button>
        </Stack>
      ) : null}
      {error ? <Failure error={error} /> : null}
    </Box>
  );
}

function Cases({ r }: { r: Report }) {
  const cases = useApi<ReportCase[]>(`/reports/${r.id}/cases`);
  const { permissions } = usePermissions<string[]>();
  const { run, error } = useRun(`/reports/${r.id}`);
  return (
    <Section title="Dossiers des destinataires" testId="cases">
      <Async query={cases}>
        {(rows) => (
          <>
            <SimpleTable
              caption="Dossiers"
              rows={rows}
              rowKey={(c) => c.id}
              empty="Aucun dossier."
              columns={[
                { label: 'Destinataire', render: (c) => c.recipient.name },
                { label: 'Envoi', render: (c) => <DeliveryChip value={c.delivery.status} /> },
                { label: 'Tentatives', render: (c) => String(c.delivery.attempts) },
                { label: 'Accusé de réception', render: (c) => c.delivery.acknowledgementId ?? '—' },
                { label: 'Traitement', render: (c) => <span data-testid="handling">{text(HANDLING_STATUS, c.handlingStatus)}</span> },
                { label: 'Suite', render: (c) => text(CASE_OUTCOME, c.outcome) },
                {
                  label: '',
                  render: (c) =>
                    c.delivery.status === 'DEAD_LETTER' && permissions?.includes('manager') ? (
                      <Button size="small" onClick={() => void run(() => post(`/reports/${r.id}/cases/${c.id}/redeliver`))}>
                        Renvoyer
                      </Button>
                    ) : null,
                },
              ]}
            />
            {rows.map((c) => (
              <Answer key={c.id} r={r} c={c} />
            ))}
            {rows.map((c) => (
              <Box key={`ev-${c.id}`} sx={{ mt: 2 }}>
                <Typography variant="subtitle2">{c.recipient.name}</Typography>
                <CaseEvents c={c} />
              </Box>
            ))}
          </>
        )}
      </Async>
      {error ? <Failure error={error} /> : null}
    </Section>
  );
}

function Seal({ r }: { r: Report }) {
  const [verification, setVerification] = useState<SealVerification | null>(null);
  const { run, busy, error } = useRun(`/reports/${r.id}`);
  return (
    <Section
      title="Sceau"
      testId="seal"
      actions={
        <Stack direction="row" spacing={1}>
          <Button variant="outlined" disabled={busy} onClick={() => void run(() => download(`/reports/${r.id}/export?format=pdf`, `signalement-${r.reference}.pdf`))}>
            Dossier PDF
          </Button>
          <Button variant="outlined" disabled={busy} onClick={() => void run(async () => setVerification(await get<SealVerification>(`/reports/${r.id}/seal/verify`)))}>
            Vérifier le sceau
          </Button>
        </Stack>
      }
    >
      <Facts
        items={[
          ['Soumis le', r.submittedAt ? dateTime(r.submittedAt) : '—'],
          ['Empreinte SHA-256 du paquet', <code key="s">{r.seal?.packageSha256}</code>],
          ['Empreinte du dossier PDF', <code key="p">{r.seal?.pdfSha256}</code>],
          ['Tête de la piste d’audit', r.seal?.auditHead ? `n° ${r.seal.auditHead.seq}` : '—'],
        ]}
      />
      {verification ? <Box sx={{ mt: 2 }}><SealFacts v={verification} /></Box> : null}
      {error ? <Failure error={error} /> : null}
    </Section>
  );
}

export default function ReportShow() {
  const { id } = useParams();
  const report = useApi<Report>(`/reports/${id}`);
  const { permissions } = usePermissions<string[]>();
  const { run, busy, error } = useRun(`/reports/${id}`);
  return (
    <Async query={report}>
      {(r) => {
        const editable = r.status === 'DRAFT' && r.role === 'OWNER';
        const canAddGrounds = r.status === 'DRAFT' && (r.role === 'OWNER' || r.cosigners.some((c) => c.status === 'ACCEPTED'));
        return (
          <Screen
            title={`Signalement ${r.reference}`}
            crumbs={[{ label: 'Signalements', to: '/signalements' }, { label: r.reference }]}
            actions={<ReportStatusChip value={r.status} />}
          >
            <Section title="Signalement">
              <Facts
                items={[
                  ['Objet', r.title],
                  ['Organisme', `${r.provider.name ?? ''} — SIRET ${siret(r.provider.siret)}`],
                  ['Auteur', r.organisationName ?? ''],
                  ['Votre rôle', r.role === 'OWNER' ? 'Auteur' : 'Cosignataire'],
                ]}
              />
            </Section>
            {editable ? <Draft r={r} /> : null}
            <Grounds r={r} editable={canAddGrounds} />
            <Attachments r={r} editable={canAddGrounds} />
            <Recipients r={r} editable={editable} />
            <Cosigners r={r} editable={editable} />
            {r.status === 'DRAFT' ? (
              <Section title="Avant la soumission" testId="problems">
                {r.problems.length ? (
                  <Alert severity="error" data-testid="problems-list">
                    <ul style={{ margin: 0 }}>
                      {r.problems.map((p) => (
                        <li key={`${p.code}-${p.field}`}>{problemText(p)}</li>
                      ))}
                    </ul>
                  </Alert>
                ) : (
                  <Alert severity="success">Le signalement est étayé : il peut être soumis.</Alert>
                )}
                <Button sx={{ mt: 2, mr: 1 }} variant="outlined" disabled={busy} onClick={() => void run(() => download(`/reports/${r.id}/export?format=pdf`, `projet-signalement-${r.reference}.pdf`))}>
                  Aperçu PDF
                </Button>
                {editable && permissions?.includes('manager') ? (
                  <Button sx={{ mt: 2 }} variant="contained" disabled={busy || r.problems.length > 0} onClick={() => void run(() => post(`/reports/${r.id}/submit`))}>
                    Soumettre et sceller
                  </Button>
                ) : null}
                {error ? <Failure error={error} /> : null}
              </Section>
            ) : (
              <>
                <Seal r={r} />
                <Cases r={r} />
              </>
            )}
          </Screen>
        );
      }}
    </Async>
  );
}

/** A substantiation problem in French, naming what is missing. */
function problemText(p: Report['problems'][number]): string {
  switch (p.code) {
    case 'REPORT.NOT_SUBSTANTIATED':
      return p.claim?.kind === 'PRICE_ANOMALY'
        ? `L’anomalie ${p.claim.code} n’est pas parmi les fondements comme anomalie confirmée.`
        : `${text(CLAIM_KIND, p.claim?.kind)} ${p.claim?.code} : aucune non-conformité d’une version de contrôle retenue ne l’étaye.`;
    case 'REPORT.NO_GROUNDS':
      return 'Ajoutez au moins un fondement.';
    case 'REPORT.NO_CLAIMS':
      return 'Indiquez au moins un manquement.';
    case 'REPORT.NARRATIVE_LENGTH':
      return 'L’exposé des faits doit compter entre 200 et 20 000 caractères.';
    case 'REPORT.CERTIFIER_UNKNOWN':
      return 'Désignez le certificateur de l’organisme.';
    case 'REPORT.REGION_UNKNOWN':
      return 'La région de l’organisme est inconnue.';
    default:
      return p.message;
  }
}
