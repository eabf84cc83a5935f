// One check: summary and exports, scope and grid by criterion, evidence, then the procedure.
import { Alert, Box, Button, Stack } from '@mui/material';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { usePermissions } from 'react-admin';
import { download, patch } from '../../api/http';
import { etag } from '../../api/dataProvider';
import { useRun } from '../../ui/useRun';
import { ScopeEditor, ScopeSummary, type ScopeContext } from './ScopeEditor';
import { currentUser } from '../../api/authProvider';
import { useApi } from '../../api/useApi';
import { useQuery } from '@tanstack/react-query';
import type { Dto } from '../../api/dto';
import { count, date, dateTime, nda, siret } from '../../i18n/format';
import { CATEGORY, METHOD, OUTCOME, label } from '../../i18n/labels';
import { StateChip } from '../../ui/fields';
import { Screen } from '../../ui/Screen';
import { Facts, Section } from '../../ui/Section';
import { Async, Failure } from '../../ui/states';
import { Grid } from './Grid';
import { EvidenceList, ProcedurePanels } from './Procedure';
import { CheckSharingPanel } from '../sharing/CheckSharingPanel';

type Check = Dto<'CheckDto'>;
type Evidence = Dto<'EvidenceDto'>;
type Framework = Dto<'FrameworkDto'>;

/** A draft's scope context, changed with If-Match: the API derives the scope again. */
function ScopeEdit({ check }: { check: Check }) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState<ScopeContext>(check.scopeContext as ScopeContext);
  const { run, busy, error } = useRun(`/checks/${check.id}`);
  if (!open)
    return (
      <Button size="small" sx={{ mt: 1 }} onClick={() => setOpen(true)}>
        Modifier le périmètre
      </Button>
    );
  return (
    <Box sx={{ mt: 2 }}>
      <ScopeEditor value={value} onChange={setValue} />
      {error ? <Failure error={error} /> : null}
      <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
        <Button variant="contained" disabled={busy} onClick={() => void run(() => patch(`/checks/${check.id}`, { scopeContext: value }, { 'if-match': etag(check.id, check.version) })).then((r) => r !== undefined && setOpen(false))}>
          Enregistrer le périmètre
        </Button>
        <Button onClick={() => setOpen(false)}>Annuler</Button>
      </Stack>
    </Box>
  );
}

export default function CheckShow() {
  const { id = '' } = useParams();
  const check = useApi<Check>(`/checks/${id}`);
  const framework = useApi<Framework>(check.data ? `/frameworks/${check.data.framework.code}/versions/${check.data.framework.version}` : null);
  const evidence = useApi<Evidence[]>(`/checks/${id}/evidence`);
  const me = useQuery({ queryKey: ['me'], queryFn: currentUser });
  const { permissions } = usePermissions<string[]>();
  const [exportError, setExportError] = useState<unknown>(null);
  const title = check.data ? `Contrôle de ${siret(check.data.providerSiret)}` : 'Contrôle';
  const exp = (format: 'pdf' | 'json') => void download(`/checks/${id}/export?format=${format}`, `controle-${id}.${format}`).catch(setExportError);
  return (
    <Screen
      title={title}
      crumbs={[{ label: 'Contrôles', to: '/controles' }, { label: title }]}
      actions={
        <>
          <Button variant="outlined" onClick={() => exp('pdf')}>
            Export PDF
          </Button>
          <Button variant="outlined" onClick={() => exp('json')}>
            Export JSON
          </Button>
          {check.data?.state === 'COMPLETED' && permissions?.some((r) => r === 'officer' || r === 'manager') ? (
            <Button variant="outlined" component={Link} to={`/signalements/create?siret=${check.data.providerSiret}&checkId=${check.data.id}&revision=${check.data.revision}`}>
              Signaler
            </Button>
          ) : null}
        </>
      }
    >
      {exportError ? <Failure error={exportError} /> : null}
      <Async query={check}>
        {(c) => (
          <>
            <Section title="Synthèse" testId="summary">
              <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: 'center' }}>
                <StateChip value={c.state} />
                {c.outcome ? <strong data-testid="outcome">{label(OUTCOME, c.outcome)}</strong> : null}
              </Stack>
              {c.amendmentReason ? <Alert severity="info" sx={{ mb: 1 }}>Avenant (version {c.revision}) : {c.amendmentReason}</Alert> : null}
              <Facts
                items={[
                  ['Organisme', <Link to={`/organismes/${c.providerSiret}/show`}>{siret(c.providerSiret)}</Link>],
                  ['NDA', nda(c.providerNda)],
                  ['Méthode', label(METHOD, c.method)],
                  ['Référentiel', `${c.framework.code} v${c.framework.version}`],
                  ['Version du contrôle', c.revision],
                  ['Catégories', c.scope.categories?.map((x) => label(CATEGORY, x)).join(', ') || '—'],
                  ['Indicateurs applicables', `${count(c.scope.counts.applicable)} sur ${count(c.scope.counts.total)}`],
                  ['Actions liées', count(c.actions.length)],
                  ...(c.sample ? [['Échantillon', `${count(c.sample.actionIds.length)} action(s) tirée(s) sur ${count(c.sample.population)}, graine ${c.sample.seed}`] as [string, string]] : []),
                  ['Contact', c.contact ? [c.contact.name, c.contact.email].filter(Boolean).join(' — ') : '—'],
                  ['Créé le', date(c.createdAt)],
                  ['Clôturé le', dateTime(c.completedAt)],
                ]}
              />
            </Section>
            <Section title="Périmètre" testId="scope-section">
              <ScopeSummary scope={c.scope} />
              {c.state === 'DRAFT' && (permissions ?? []).some((r) => r === 'officer' || r === 'manager') ? <ScopeEdit check={c} /> : null}
            </Section>
            <Section title="Grille d’évaluation" testId="scope">
              <Async query={framework}>{(f) => <Grid check={c} framework={f} evidence={evidence.data ?? []} />}</Async>
            </Section>
            <Async query={evidence}>{(ev) => <EvidenceList check={c} evidence={ev} />}</Async>
            <ProcedurePanels check={c} evidence={evidence.data ?? []} roles={permissions ?? []} myId={me.data?.id ?? ''} />
            {(permissions ?? []).some((r) => r === 'officer' || r === 'manager') ? <CheckSharingPanel checkId={c.id} canShare={(permissions ?? []).includes('manager')} /> : null}
          </>
        )}
      </Async>
    </Screen>
  );
}
