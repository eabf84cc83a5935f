// The check's grid, grouped by criterion: each indicator with its applicability (and the reason
// per category when it does not apply), the finding's grade and comment, and its evidence.
import { Accordion, AccordionDetails, AccordionSummary, Box, Button, Chip, MenuItem, Stack, TextField, Typography } from '@mui/material';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { useState } from 'react';
import { post, put } from '../../api/http';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { dateTime } from '../../i18n/format';
import { CATEGORY, CRITERION, GRADE, label } from '../../i18n/labels';
import { FileUpload } from '../../ui/FileUpload';
import { Failure } from '../../ui/states';
import { useRun } from '../../ui/useRun';

type Check = Dto<'CheckDto'>;
type Evidence = Dto<'EvidenceDto'>;
type Finding = Dto<'FindingViewDto'>;
type Framework = Dto<'FrameworkDto'>;
type FrameworkPoint = Dto<'FrameworkPointViewDto'>;

const GRADE_COLOR: Record<string, 'success' | 'warning' | 'error' | 'default'> = { COMPLIANT: 'success', MINOR_NC: 'warning', MAJOR_NC: 'error', NOT_APPLICABLE: 'default' };

function FindingForm({ check, point, finding, evidence, onDone }: { check: Check; point: FrameworkPoint; finding?: Finding; evidence: Evidence[]; onDone: () => void }) {
  const [grade, setGrade] = useState(finding?.grade ?? 'COMPLIANT');
  const [comment, setComment] = useState(finding?.comment ?? '');
  const [refs, setRefs] = useState<string[]>(finding?.evidenceRefs ?? []);
  const { run, busy, error } = useRun(`/checks/${check.id}`);
  const grades = Object.keys(GRADE).filter((g) => g !== 'MINOR_NC' || !point.rules?.majorOnly);
  async function save() {
    const ok = await run(() => put(`/checks/${check.id}/findings/${encodeURIComponent(point.code)}`, { grade, comment: comment || undefined, evidenceRefs: refs }));
    if (ok !== undefined) onDone();
  }
  return (
    <Box sx={{ display: 'grid', gap: 1.5, mt: 1 }} data-testid={`finding-form-${point.code}`}>
      <TextField select size="small" label={`Appréciation de l’indicateur ${point.code}`} value={grade} onChange={(e) => setGrade(e.target.value as Finding['grade'])}>
        {grades.map((g) => (
          <MenuItem key={g} value={g}>
            {GRADE[g]}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        label={`Commentaire sur l’indicateur ${point.code}`}
        multiline
        minRows={2}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        helperText={grade === 'MINOR_NC' || grade === 'MAJOR_NC' ? 'Une non-conformité doit être motivée et s’appuyer sur une preuve.' : grade === 'NOT_APPLICABLE' ? 'Justifiez la non-applicabilité.' : undefined}
      />
      {refs.length ? (
        <Typography variant="body2">
          Preuves citées : {refs.map((r) => evidence.find((e) => e.id === r)?.fileName ?? r).join(', ')}
        </Typography>
      ) : null}
      <FileUpload checkId={check.id} purpose="FINDING" onUploaded={(e) => setRefs((r) => [...r, e.id])} label={`Joindre une preuve à l’indicateur ${point.code}`} />
      {error ? <Failure error={error} /> : null}
      <Stack direction="row" spacing={1}>
        <Button variant="contained" onClick={() => void save()} disabled={busy}>
          Enregistrer le constat
        </Button>
        <Button onClick={onDone}>Annuler</Button>
      </Stack>
    </Box>
  );
}

type Revision = NonNullable<Check['findingRevisions']>[number];
type ProviderResponse = Dto<'ProviderResponseViewDto'>;

/** After the provider's response (state RESPONDED), a finding may change: with the reason and the response it follows. */
function RevisionForm({ check, point, finding, evidence, onDone }: { check: Check; point: FrameworkPoint; finding: Finding; evidence: Evidence[]; onDone: () => void }) {
  const responses = useApi<ProviderResponse[]>(`/checks/${check.id}/provider-responses`);
  const latest = responses.data?.[responses.data.length - 1];
  const [grade, setGrade] = useState<Finding['grade']>(finding.grade);
  const [comment, setComment] = useState(finding.comment ?? '');
  const [reason, setReason] = useState('');
  const [responseId, setResponseId] = useState('');
  const { run, busy, error } = useRun(`/checks/${check.id}`);
  const grades = Object.keys(GRADE).filter((g) => g !== 'MINOR_NC' || !point.rules?.majorOnly) as Finding['grade'][];
  const chosen = responseId || latest?.id || '';
  async function save() {
    const ok = await run(() =>
      post(`/checks/${check.id}/findings/${encodeURIComponent(point.code)}/revisions`, { grade, comment: comment || undefined, evidenceRefs: finding.evidenceRefs, reason, responseId: chosen }),
    );
    if (ok !== undefined) onDone();
  }
  return (
    <Box sx={{ display: 'grid', gap: 1.5, mt: 1 }} data-testid={`revision-form-${point.code}`}>
      <Typography variant="body2">Réviser le constat après la réponse de l’organisme : le constat d’origine et le motif restent dans l’historique.</Typography>
      <TextField select size="small" label={`Nouvelle appréciation de l’indicateur ${point.code}`} value={grade} onChange={(e) => setGrade(e.target.value as Finding['grade'])}>
        {grades.map((g) => (
          <MenuItem key={g} value={g}>
            {GRADE[g]}
          </MenuItem>
        ))}
      </TextField>
      <TextField label={`Commentaire révisé sur l’indicateur ${point.code}`} multiline minRows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
      <TextField label={`Motif de la révision de l’indicateur ${point.code}`} required multiline minRows={2} value={reason} onChange={(e) => setReason(e.target.value)} helperText="Par exemple : la preuve transmise par l’organisme lève la non-conformité." />
      <TextField select size="small" label="Réponse de l’organisme à l’origine de la révision" value={chosen} onChange={(e) => setResponseId(e.target.value)} disabled={!responses.data?.length}>
        {(responses.data ?? []).map((r) => (
          <MenuItem key={r.id} value={r.id}>
            Réponse reçue le {dateTime(r.receivedAt)}
          </MenuItem>
        ))}
      </TextField>
      {evidence.length && finding.evidenceRefs.length ? (
        <Typography variant="body2" color="text.secondary">
          Preuves conservées : {finding.evidenceRefs.map((r) => evidence.find((e) => e.id === r)?.fileName ?? r).join(', ')}
        </Typography>
      ) : null}
      {error ? <Failure error={error} /> : null}
      <Stack direction="row" spacing={1}>
        <Button variant="contained" onClick={() => void save()} disabled={busy || !reason.trim() || !chosen}>
          Enregistrer la révision
        </Button>
        <Button onClick={onDone}>Annuler</Button>
      </Stack>
    </Box>
  );
}

function RevisionHistory({ revisions }: { revisions: Revision[] }) {
  if (!revisions.length) return null;
  return (
    <Box component="ul" sx={{ pl: 2, my: 0.5 }} data-testid="finding-revisions" aria-label="Révisions du constat">
      {revisions.map((r) => (
        <li key={r.id}>
          <Typography variant="body2">
            Révisé le {dateTime(r.revisedAt)} : {label(GRADE, r.before.grade)} → {label(GRADE, r.after.grade)}. Motif : {r.reason}
          </Typography>
        </li>
      ))}
    </Box>
  );
}

function PointRow({ check, point, evidence, editable }: { check: Check; point: FrameworkPoint; evidence: Evidence[]; editable: boolean }) {
  const scope = check.scope.points[point.code];
  const finding = check.findings.find((f) => f.pointCode === point.code);
  const [editing, setEditing] = useState(false);
  const [revising, setRevising] = useState(false);
  const revisions = (check.findingRevisions ?? []).filter((r) => r.pointCode === point.code);
  const applicable = scope?.applicable ?? true;
  const reasons = Object.entries(scope?.byCategory ?? {}).filter(([, s]) => !s.applicable && s.reason);
  return (
    <Box component="li" sx={{ py: 1.5, borderBottom: '1px solid #e3e7ec', listStyle: 'none' }} data-testid={`point-${point.code}`}>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ justifyContent: 'space-between' }}>
        <Typography component="h4" sx={{ fontWeight: 600, minWidth: 0 }}>
          {point.code}. {point.title}
        </Typography>
        <Stack direction="row" spacing={1} sx={{ flexShrink: 0, alignItems: 'center' }}>
          {!applicable ? <Chip size="small" label="Non applicable" /> : null}
          {finding ? <Chip size="small" variant="outlined" color={GRADE_COLOR[finding.grade]} label={label(GRADE, finding.grade)} data-testid="grade" /> : applicable ? <Chip size="small" variant="outlined" label="À apprécier" /> : null}
        </Stack>
      </Stack>
      {!applicable ? <Typography variant="body2" color="text.secondary">Motif : {scope?.reason ?? reasons.map(([, s]) => s.reason).join(' ; ')}</Typography> : null}
      {applicable && reasons.length ? (
        <Typography variant="body2" color="text.secondary">
          Non applicable pour : {reasons.map(([cat, s]) => `${label(CATEGORY, cat)} (${s.reason})`).join(' ; ')}
        </Typography>
      ) : null}
      {finding && !editing ? (
        <Box sx={{ mt: 0.5 }}>
          {finding.comment ? <Typography variant="body2">{finding.comment}</Typography> : null}
          {finding.evidenceRefs?.length ? (
            <Typography variant="body2" color="text.secondary">
              Preuves : {finding.evidenceRefs.map((r) => evidence.find((e) => e.id === r)?.fileName ?? r).join(', ')}
            </Typography>
          ) : null}
          <Typography variant="caption" color="text.secondary">
            Enregistré le {dateTime(finding.recordedAt)}
          </Typography>
        </Box>
      ) : null}
      <RevisionHistory revisions={revisions} />
      {check.state === 'RESPONDED' && finding && !revising ? (
        <Button size="small" onClick={() => setRevising(true)} sx={{ mt: 0.5 }}>
          {`Réviser le constat ${point.code}`}
        </Button>
      ) : null}
      {revising && finding ? <RevisionForm check={check} point={point} finding={finding} evidence={evidence} onDone={() => setRevising(false)} /> : null}
      {editable && applicable && !editing ? (
        <Button size="small" onClick={() => setEditing(true)} sx={{ mt: 0.5 }}>
          {finding ? `Modifier le constat ${point.code}` : `Apprécier l’indicateur ${point.code}`}
        </Button>
      ) : null}
      {editing ? <FindingForm check={check} point={point} finding={finding} evidence={evidence} onDone={() => setEditing(false)} /> : null}
    </Box>
  );
}

export function Grid({ check, framework, evidence }: { check: Check; framework: Framework; evidence: Evidence[] }) {
  const editable = check.state === 'DRAFT';
  const groups = new Map<string, FrameworkPoint[]>();
  for (const p of [...framework.points].sort((a, b) => a.position - b.position)) {
    const g = p.group ?? '';
    groups.set(g, [...(groups.get(g) ?? []), p]);
  }
  return (
    <Box data-testid="grid">
      {[...groups.entries()].map(([group, points]) => {
        const graded = points.filter((p) => check.findings.some((f) => f.pointCode === p.code)).length;
        const applicable = points.filter((p) => check.scope.points[p.code]?.applicable ?? true).length;
        const title = framework.code === 'RNQ' ? label(CRITERION, group) : group ? `Groupe ${group}` : framework.title;
        return (
          <Accordion key={group} defaultExpanded={editable || check.state === 'RESPONDED'} disableGutters>
            <AccordionSummary expandIcon={<ExpandMoreIcon />}>
              <Typography component="h3" variant="h3" sx={{ minWidth: 0 }}>
                {title} <Typography component="span" variant="body2" color="text.secondary">— {graded}/{applicable} apprécié(s)</Typography>
              </Typography>
            </AccordionSummary>
            <AccordionDetails>
              <Box component="ul" sx={{ m: 0, p: 0 }}>
                {points.map((p) => (
                  <PointRow key={p.code} check={check} point={p} evidence={evidence} editable={editable} />
                ))}
              </Box>
            </AccordionDetails>
          </Accordion>
        );
      })}
    </Box>
  );
}
