// The contradictory procedure of a check: notification (letter, receipt date), the provider's
// response with its evidence, completion by a manager, corrective actions, amendments and versions.
import { Alert, Box, Button, Chip, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { ApiError, download, post } from '../../api/http';
import { etag } from '../../api/dataProvider';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { bytes, date, dateTime, today } from '../../i18n/format';
import { GRADE, OUTCOME, PURPOSE, label } from '../../i18n/labels';
import { FileUpload } from '../../ui/FileUpload';
import { Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Async, Failure } from '../../ui/states';
import { useRun } from '../../ui/useRun';

type Check = Dto<'CheckDto'>;
type CorrectiveAction = Dto<'CorrectiveActionDto'>;
type Evidence = Dto<'EvidenceDto'>;

const key = () => ({ 'idempotency-key': crypto.randomUUID() });

export function EvidenceList({ check, evidence }: { check: Check; evidence: Evidence[] }) {
  const [corrupt, setCorrupt] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  async function get(e: Evidence) {
    setError(null);
    try {
      await download(`/checks/${check.id}/evidence/${e.id}`, e.fileName ?? e.id);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'EVIDENCE.CORRUPT') setCorrupt((c) => [...c, e.id]);
      setError(err);
    }
  }
  return (
    <Section title="Preuves" testId="evidence">
      {error ? <Failure error={error} /> : null}
      <SimpleTable
        caption="Preuves du contrôle"
        rows={evidence}
        rowKey={(e) => e.id}
        empty="Aucune preuve pour le moment."
        columns={[
          { label: 'Fichier', render: (e) => e.fileName ?? e.recordReference ?? '—' },
          { label: 'Usage', render: (e) => label(PURPOSE, e.purpose) },
          { label: 'Taille', render: (e) => bytes(e.size), nowrap: true },
          {
            label: 'Empreinte SHA-256',
            render: (e) => (
              <Stack spacing={0.5}>
                <code style={{ overflowWrap: 'anywhere', fontSize: '0.75rem' }}>{e.sha256 ?? '—'}</code>
                {corrupt.includes(e.id) ? <Chip size="small" color="error" label="Fichier altéré" data-testid="corrupt" /> : null}
              </Stack>
            ),
          },
          { label: 'Déposée le', render: (e) => dateTime(e.uploadedAt) },
          {
            label: 'Télécharger',
            render: (e) =>
              e.download ? (
                <Button size="small" onClick={() => void get(e)} aria-label={`Télécharger ${e.fileName ?? 'la preuve'}`}>
                  Télécharger
                </Button>
              ) : (
                '—'
              ),
          },
        ]}
      />
    </Section>
  );
}

function Notify({ check }: { check: Check }) {
  const [receivedOn, setReceivedOn] = useState('');
  const { run, busy, error } = useRun(`/checks/${check.id}`);
  return (
    <Box data-testid="notify">
      <Typography sx={{ mb: 1 }}>
        Notifier envoie à l’organisme les constats et le délai pour répondre (au moins 7 jours, art. R.6332-26 du code du travail). Tous les indicateurs applicables doivent être appréciés et le contact
        renseigné. La lettre de notification est générée en PDF.
      </Typography>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'center' } }}>
        <TextField type="date" size="small" label="Date de réception par l’organisme (si connue)" value={receivedOn} onChange={(e) => setReceivedOn(e.target.value)} slotProps={{ inputLabel: { shrink: true }, htmlInput: { max: today() } }} />
        <Button variant="contained" disabled={busy} onClick={() => void run(() => post(`/checks/${check.id}/notify`, receivedOn ? { receivedOn } : {}))}>
          Notifier l’organisme
        </Button>
      </Stack>
      {error ? <Failure error={error} /> : null}
    </Box>
  );
}

function Receipt({ check }: { check: Check }) {
  const [receivedOn, setReceivedOn] = useState(today());
  const { run, busy, error } = useRun(`/checks/${check.id}`);
  return (
    <Box data-testid="receipt" sx={{ mt: 2 }}>
      <Typography sx={{ mb: 1 }}>Enregistrez la date à laquelle l’organisme a reçu la notification (accusé de réception) : le délai de réponse court à partir du lendemain.</Typography>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'center' } }}>
        <TextField type="date" size="small" label="Date de réception" value={receivedOn} onChange={(e) => setReceivedOn(e.target.value)} slotProps={{ inputLabel: { shrink: true }, htmlInput: { max: today() } }} />
        <Button variant="contained" disabled={busy || !receivedOn} onClick={() => void run(() => post(`/checks/${check.id}/notification-receipt`, { receivedOn }))}>
          Enregistrer la réception
        </Button>
      </Stack>
      {error ? <Failure error={error} /> : null}
    </Box>
  );
}

/** A wrong receipt date is corrected with a reason: the response window is recomputed, the change kept. */
function ReceiptCorrection({ check }: { check: Check }) {
  const [receivedOn, setReceivedOn] = useState('');
  const [reason, setReason] = useState('');
  const [open, setOpen] = useState(false);
  const { run, busy, error } = useRun(`/checks/${check.id}`);
  if (!open)
    return (
      <Button size="small" sx={{ mt: 1, ml: { sm: 1 } }} onClick={() => setOpen(true)}>
        Corriger la date de réception
      </Button>
    );
  return (
    <Box data-testid="receipt-correction" sx={{ display: 'grid', gap: 1.5, mt: 2, maxWidth: 560 }}>
      <Typography>La date de réception détermine la fin du délai de réponse, qui sera recalculée. La correction et son motif restent dans l’historique du contrôle.</Typography>
      <TextField type="date" size="small" label="Date de réception corrigée" value={receivedOn} onChange={(e) => setReceivedOn(e.target.value)} slotProps={{ inputLabel: { shrink: true }, htmlInput: { max: today() } }} />
      <TextField size="small" label="Motif de la correction" value={reason} onChange={(e) => setReason(e.target.value)} required helperText="Par exemple : l’accusé de réception postal porte une autre date." />
      {error ? <Failure error={error} /> : null}
      <Stack direction="row" spacing={1}>
        <Button
          variant="contained"
          disabled={busy || !receivedOn || !reason.trim()}
          onClick={() =>
            void run(() => post(`/checks/${check.id}/notification-receipt/corrections`, { receivedOn, reason })).then((r) => {
              if (r !== undefined) {
                setOpen(false);
                setReason('');
              }
            })
          }
        >
          Enregistrer la correction
        </Button>
        <Button onClick={() => setOpen(false)}>Annuler</Button>
      </Stack>
    </Box>
  );
}

function ReceiptHistory({ check }: { check: Check }) {
  const changes = check.procedure.receiptChanges ?? [];
  if (!changes.length) return null;
  return (
    <Box sx={{ mt: 2 }}>
      <SimpleTable
        caption="Historique de la date de réception"
        testId="receipt-history"
        rows={changes}
        rowKey={(c) => c.changedAt}
        empty="Aucune date de réception enregistrée."
        columns={[
          { label: 'Le', render: (c) => dateTime(c.changedAt), nowrap: true },
          { label: 'Date de réception', render: (c) => (c.previousReceivedOn ? `${date(c.previousReceivedOn)} → ${date(c.receivedOn)}` : date(c.receivedOn)), nowrap: true },
          { label: 'Fin du délai de réponse', render: (c) => (c.previousDueAt ? `${dateTime(c.previousDueAt)} → ${dateTime(c.dueAt)}` : dateTime(c.dueAt)) },
          { label: 'Motif', render: (c) => c.reason ?? 'Première saisie' },
        ]}
      />
    </Box>
  );
}

type ResponseView = Dto<'ProviderResponseViewDto'>;

function ProviderResponse({ check, evidence }: { check: Check; evidence: Evidence[] }) {
  const responses = useApi<ResponseView[]>(`/checks/${check.id}/provider-responses`);
  const [text, setText] = useState('');
  const [receivedAt, setReceivedAt] = useState(today());
  const [ids, setIds] = useState<string[]>([]);
  const { run, busy, error } = useRun(`/checks/${check.id}`);
  const open = check.state === 'NOTIFIED' || check.state === 'RESPONSE_OVERDUE';
  return (
    <Section title="Réponse de l’organisme" testId="provider-response">
      <Async query={responses}>
        {(rows) =>
          rows.length === 0 ? (
            <Typography color="text.secondary">Aucune réponse enregistrée.</Typography>
          ) : (
            <Box component="ul" sx={{ pl: 2 }}>
              {rows.map((r) => (
                <li key={r.id}>
                  <Typography variant="body2" sx={{ fontWeight: 600 }}>
                    Reçue le {dateTime(r.receivedAt)} (version {r.revision}){r.late ? ' — hors délai' : ''}
                  </Typography>
                  <Typography sx={{ whiteSpace: 'pre-wrap' }}>{r.text}</Typography>
                  {r.evidenceIds.length ? <Typography variant="body2">Pièces : {r.evidenceIds.map((id) => evidence.find((e) => e.id === id)?.fileName ?? id).join(', ')}</Typography> : null}
                </li>
              ))}
            </Box>
          )
        }
      </Async>
      {open ? (
        <Box sx={{ display: 'grid', gap: 1.5, mt: 2 }}>
          <TextField label="Observations de l’organisme" multiline minRows={3} value={text} onChange={(e) => setText(e.target.value)} />
          <TextField type="date" size="small" label="Reçue le" value={receivedAt} onChange={(e) => setReceivedAt(e.target.value)} slotProps={{ inputLabel: { shrink: true }, htmlInput: { max: today() } }} sx={{ maxWidth: 260 }} />
          <FileUpload checkId={check.id} purpose="PROVIDER_RESPONSE" onUploaded={(e) => setIds((x) => [...x, e.id])} label="Joindre une pièce de l’organisme" />
          {error ? <Failure error={error} /> : null}
          <Box>
            <Button
              variant="contained"
              disabled={busy || !text.trim()}
              onClick={() =>
                void run(() => post(`/checks/${check.id}/provider-response`, { text, evidenceIds: ids, receivedAt: receivedAt === today() ? undefined : `${receivedAt}T12:00:00Z` }, key())).then((r) => {
                  if (r !== undefined) {
                    setText('');
                    setIds([]);
                  }
                })
              }
            >
              Enregistrer la réponse
            </Button>
          </Box>
        </Box>
      ) : null}
    </Section>
  );
}

function Complete({ check, isManager, myId }: { check: Check; isManager: boolean; myId: string }) {
  const { run, busy, error } = useRun(`/checks/${check.id}`);
  const recorders = new Set(check.findings.map((f) => f.recordedBy).filter(Boolean));
  const iRecorded = recorders.has(myId);
  return (
    <Section title="Clôture" testId="complete">
      <Alert severity="info" sx={{ mb: 1 }}>
        Principe des quatre yeux : le contrôle est clôturé par un responsable qui n’a enregistré aucun des constats. Avec une non-conformité, la clôture attend la réponse de l’organisme ou la fin du
        délai de réponse. À la clôture, le résultat est figé, la version est scellée et une action corrective est ouverte par non-conformité.
      </Alert>
      {!isManager ? (
        <Typography color="text.secondary">Seul un responsable peut clôturer ce contrôle.</Typography>
      ) : iRecorded ? (
        <Typography color="text.secondary">Vous avez enregistré des constats de ce contrôle : un autre responsable doit le clôturer.</Typography>
      ) : (
        <Button variant="contained" disabled={busy} onClick={() => void run(() => post(`/checks/${check.id}/complete`, {}, { 'if-match': etag(check.id, check.version) }))}>
          Clôturer le contrôle
        </Button>
      )}
      {error ? <Failure error={error} /> : null}
    </Section>
  );
}

function CorrectiveRow({ check, action, isManager }: { check: Check; action: CorrectiveAction; isManager: boolean }) {
  const [note, setNote] = useState('');
  const [closeNote, setCloseNote] = useState('');
  const { run, busy, error } = useRun(`/checks/${check.id}`);
  const open = action.status !== 'CLOSED';
  return (
    <Box component="li" sx={{ listStyle: 'none', borderBottom: '1px solid #e3e7ec', py: 1.5 }} data-testid={`corrective-${action.pointCode}`}>
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center', gap: 1 }}>
        <Typography sx={{ fontWeight: 600 }}>Indicateur {action.pointCode}</Typography>
        <Chip size="small" variant="outlined" label={label(GRADE, action.grade)} />
        <Chip size="small" color={open ? (action.overdue ? 'error' : 'default') : 'success'} variant="outlined" label={open ? (action.overdue ? 'En retard' : 'Ouverte') : 'Close'} data-testid="ca-status" />
        <Typography variant="body2">Échéance : {date(action.dueAt)}</Typography>
      </Stack>
      {action.description ? <Typography variant="body2">{action.description}</Typography> : null}
      {action.followUps.length ? (
        <Box component="ul" sx={{ pl: 2, my: 1 }}>
          {action.followUps.map((f) => (
            <li key={f.id}>
              <Typography variant="body2">
                {dateTime(f.recordedAt)} : {f.note}
              </Typography>
            </li>
          ))}
        </Box>
      ) : null}
      {!open && action.closureNote ? <Typography variant="body2">Clôture : {action.closureNote} ({dateTime(action.closedAt)})</Typography> : null}
      {open ? (
        <Box sx={{ display: 'grid', gap: 1, mt: 1 }}>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1}>
            <TextField size="small" label={`Suivi de l’action corrective ${action.pointCode}`} value={note} onChange={(e) => setNote(e.target.value)} sx={{ flex: 1 }} />
            <Button disabled={busy || !note.trim()} onClick={() => void run(() => post(`/checks/${check.id}/corrective-actions/${action.id}/follow-ups`, { note }, key())).then(() => setNote(''))}>
              Ajouter le suivi
            </Button>
          </Stack>
          {isManager ? (
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1}>
              <TextField size="small" label={`Note de clôture de l’action corrective ${action.pointCode}`} value={closeNote} onChange={(e) => setCloseNote(e.target.value)} sx={{ flex: 1 }} />
              <Button variant="contained" disabled={busy || !closeNote.trim()} onClick={() => void run(() => post(`/checks/${check.id}/corrective-actions/${action.id}/close`, { note: closeNote }))}>
                Clore l’action corrective
              </Button>
            </Stack>
          ) : null}
        </Box>
      ) : null}
      {error ? <Failure error={error} /> : null}
    </Box>
  );
}

function Corrective({ check, isManager }: { check: Check; isManager: boolean }) {
  const query = useApi<CorrectiveAction[]>(`/checks/${check.id}/corrective-actions`);
  return (
    <Section title="Actions correctives" testId="corrective-actions">
      <Async query={query}>
        {(rows) =>
          rows.length === 0 ? (
            <Typography color="text.secondary">Aucune action corrective : elles s’ouvrent à la clôture, une par non-conformité.</Typography>
          ) : (
            <Box component="ul" sx={{ m: 0, p: 0 }}>
              {rows.map((a) => (
                <CorrectiveRow key={a.id} check={check} action={a} isManager={isManager} />
              ))}
            </Box>
          )
        }
      </Async>
    </Section>
  );
}

type VersionView = Dto<'CheckVersionSummaryDto'>;

function Versions({ check, isManager }: { check: Check; isManager: boolean }) {
  const query = useApi<VersionView[]>(`/checks/${check.id}/versions`);
  const [reason, setReason] = useState('');
  const { run, busy, error, setError } = useRun(`/checks/${check.id}`);
  const exp = (format: 'pdf' | 'json', version?: number) =>
    void download(`/checks/${check.id}/export?format=${format}${version ? `&version=${version}` : ''}`, `controle-${check.id}.${format}`).catch(setError);
  return (
    <Section title="Versions et avenants" testId="versions">
      <Async query={query}>
        {(rows) => (
          <SimpleTable
            caption="Versions clôturées"
            rows={rows}
            rowKey={(v) => String(v.revision)}
            empty="Aucune version clôturée pour le moment."
            columns={[
              { label: 'Version', render: (v) => v.revision },
              { label: 'Clôturée le', render: (v) => dateTime(v.completedAt) },
              { label: 'Résultat', render: (v) => label(OUTCOME, v.outcome) },
              { label: 'Motif de l’avenant', render: (v) => v.amendmentReason ?? '—' },
              { label: 'Empreinte', render: (v) => <code style={{ fontSize: '0.75rem', overflowWrap: 'anywhere' }}>{v.snapshotSha256}</code> },
              {
                label: 'Exports',
                render: (v) => (
                  <Stack direction="row" spacing={1}>
                    <Button size="small" onClick={() => exp('pdf', v.revision)} aria-label={`PDF de la version ${v.revision}`}>
                      PDF
                    </Button>
                    <Button size="small" onClick={() => exp('json', v.revision)} aria-label={`JSON de la version ${v.revision}`}>
                      JSON
                    </Button>
                  </Stack>
                ),
              },
            ]}
          />
        )}
      </Async>
      {check.state === 'COMPLETED' && isManager ? (
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ mt: 2 }}>
          <TextField size="small" label="Motif de l’avenant" value={reason} onChange={(e) => setReason(e.target.value)} sx={{ flex: 1 }} />
          <Button variant="outlined" disabled={busy || reason.trim().length < 3} onClick={() => void run(() => post(`/checks/${check.id}/amendments`, { reason }, key()))}>
            Ouvrir un avenant
          </Button>
        </Stack>
      ) : null}
      {error ? <Failure error={error} /> : null}
    </Section>
  );
}

export function ProcedurePanels({ check, evidence, roles, myId }: { check: Check; evidence: Evidence[]; roles: string[]; myId: string }) {
  const isManager = roles.includes('manager');
  const writer = isManager || roles.includes('officer');
  const [letterError, setLetterError] = useState<unknown>(null);
  return (
    <>
      <Section title="Notification" testId="notification">
        {check.procedure.notifiedAt ? (
          <Box>
            <Typography data-testid="notified">
              Notifié le {dateTime(check.procedure.notifiedAt)}.{' '}
              {check.procedure.providerReceivedOn ? `Reçu par l’organisme le ${date(check.procedure.providerReceivedOn)} ; réponse attendue au plus tard le ${dateTime(check.procedure.responseDueAt)}.` : 'Date de réception non encore enregistrée.'}
            </Typography>
            <Button sx={{ mt: 1 }} variant="outlined" size="small" onClick={() => void download(`/checks/${check.id}/notification-letter`, 'lettre-de-notification.pdf').catch(setLetterError)}>
              Lettre de notification (PDF)
            </Button>
            {check.procedure.providerReceivedOn && writer && ['NOTIFIED', 'RESPONDED', 'RESPONSE_OVERDUE'].includes(check.state) ? <ReceiptCorrection check={check} /> : null}
            {letterError ? <Failure error={letterError} /> : null}
            <ReceiptHistory check={check} />
          </Box>
        ) : check.state === 'DRAFT' && writer ? (
          <Notify check={check} />
        ) : (
          <Typography color="text.secondary">Pas encore notifié.</Typography>
        )}
        {check.procedure.notifiedAt && !check.procedure.providerReceivedOn && check.state === 'NOTIFIED' && writer ? <Receipt check={check} /> : null}
      </Section>
      {check.procedure.notifiedAt ? <ProviderResponse check={check} evidence={evidence} /> : null}
      {check.state !== 'COMPLETED' ? <Complete check={check} isManager={isManager} myId={myId} /> : null}
      <Corrective check={check} isManager={isManager} />
      <Versions check={check} isManager={isManager} />
    </>
  );
}
