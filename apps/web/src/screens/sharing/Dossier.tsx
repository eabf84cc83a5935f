// The provider control dossier: what the caller may know of a provider's controls, each part
// filtered by today's sharing rules (docs/sharing.md): lead funder and profile, the visible checks
// as a timeline (with reliance on others' checks), non-conformities by RNQ criterion as a chart
// with its table, open corrective actions, certification history; PDF and JSON exports.
import { Alert, Box, Button, Chip, TextField, Typography } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { usePermissions } from 'react-admin';
import { del, download, post } from '../../api/http';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { count, date, siret as siretFmt } from '../../i18n/format';
import { ACCESS, CRITERION, GRADE, METHOD, OUTCOME, STALE_REASON, STATE, label } from '../../i18n/labels';
import { Screen } from '../../ui/Screen';
import { Facts, Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Async, Failure } from '../../ui/states';
import { useRun } from '../../ui/useRun';
import { RiskExplanation } from './RiskExplanation';

type Dossier = Dto<'DossierDto'>;
type DossierCheck = Dto<'DossierCheckDto'>;
type Reliance = Dto<'RelianceDto'>;

function RelyButton({ check, reliance, siret }: { check: DossierCheck; reliance: Reliance | undefined; siret: string }) {
  const [reason, setReason] = useState('');
  const [open, setOpen] = useState(false);
  const { run, busy, error } = useRun(`/providers/${siret}`);
  if (reliance && !reliance.stale) {
    return (
      <Box>
        <Chip color="success" size="small" label="Vous vous appuyez sur ce contrôle" />{' '}
        <Button size="small" disabled={busy} onClick={() => void run(() => del(`/reliances/${reliance.id}`))}>
          Retirer l’appui
        </Button>
      </Box>
    );
  }
  if (check.access === 'OWN' || check.state !== 'COMPLETED') return null;
  if (!open)
    return (
      <Button size="small" variant="outlined" onClick={() => setOpen(true)}>
        M’appuyer sur ce contrôle
      </Button>
    );
  return (
    <Box component="form" sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }} onSubmit={(e) => (e.preventDefault(), void run(() => post('/reliances', { checkId: check.id, reason })))}>
      <TextField size="small" label="Motif de l’appui" value={reason} onChange={(e) => setReason(e.target.value)} required sx={{ minWidth: 260 }} />
      <Button type="submit" variant="contained" size="small" disabled={busy || !reason.trim()}>
        Enregistrer l’appui
      </Button>
      {error ? <Failure error={error} /> : null}
    </Box>
  );
}

function Timeline({ d, canRely }: { d: Dossier; canRely: boolean }) {
  if (d.timeline.length === 0) return <Typography color="text.secondary">Aucun contrôle visible pour cet organisme.</Typography>;
  return (
    <Box component="ol" sx={{ listStyle: 'none', m: 0, p: 0, borderLeft: '2px solid #c5ccd6', ml: 1 }} data-testid="dossier-timeline">
      {d.timeline.map((c) => (
        <Box component="li" key={c.id} sx={{ position: 'relative', pl: 2, pb: 2 }} data-testid={`timeline-${c.id}`}>
          <Box aria-hidden="true" sx={{ position: 'absolute', left: -7, top: 4, width: 12, height: 12, borderRadius: '50%', bgcolor: c.outcome === 'NON_COMPLIANT' ? 'error.main' : c.outcome ? 'success.main' : 'grey.500' }} />
          <Typography variant="body2" component="p" sx={{ fontWeight: 600 }}>
            {date(c.completedAt ?? c.createdAt)} — {c.owner.name} : {label(METHOD, c.method)}, {c.outcome ? label(OUTCOME, c.outcome) : label(STATE, c.state)}
          </Typography>
          <Typography variant="body2" color="text.secondary" component="p">
            {label(ACCESS, c.access)} · {c.framework.code ?? '—'} v{c.framework.version ?? '—'} · {count(c.nonConformities.minor)} non-conformité(s) mineure(s), {count(c.nonConformities.major)} majeure(s) ·{' '}
            <Link to={c.access === 'OWN' ? `/controles/${c.id}/show` : `/controles-partages/${c.id}`}>voir le contrôle</Link>
          </Typography>
          {canRely ? <RelyButton check={c} siret={d.siret} reliance={d.reliances.find((r) => r.checkId === c.id)} /> : null}
        </Box>
      ))}
    </Box>
  );
}

export default function DossierScreen() {
  const { siret = '' } = useParams();
  const query = useApi<Dossier>(`/providers/${siret}/dossier`);
  const { permissions } = usePermissions<string[]>();
  const [exportError, setExportError] = useState<unknown>(null);
  const title = `Dossier de contrôle de ${siretFmt(siret)}`;
  const exp = (format: 'pdf' | 'json') => void download(`/providers/${siret}/dossier/export?format=${format}`, `dossier-${siret}.${format}`).catch(setExportError);
  return (
    <Screen
      title={title}
      crumbs={[{ label: 'Organismes', to: '/organismes' }, { label: siretFmt(siret), to: `/organismes/${siret}/show` }, { label: 'Dossier de contrôle' }]}
      actions={
        <>
          <Button variant="outlined" onClick={() => exp('pdf')}>
            Export PDF
          </Button>
          <Button variant="outlined" onClick={() => exp('json')}>
            Export JSON
          </Button>
        </>
      }
    >
      {exportError ? <Failure error={exportError} /> : null}
      <Async query={query}>
        {(d) => {
          const criteria = d.nonConformitiesByCriterion;
          const stale = d.reliances.filter((r) => r.stale);
          return (
            <>
              <Section title="Synthèse" testId="dossier-summary">
                <Facts
                  items={[
                    ['Organisme', d.registry?.ndas[0]?.name ?? 'absent du registre'],
                    ['Chef de file', d.leadFunder.lead ? `${d.leadFunder.lead.funder.name} (depuis le ${date(d.leadFunder.lead.since)})` : 'aucun'],
                    ['Financeurs (12 derniers mois)', d.profile ? count(d.profile.fundersFunding) : '—'],
                    ['Contrôles visibles', count(d.timeline.length)],
                    ['Actions correctives ouvertes', count(d.openCorrectiveActions.length)],
                    ['Signalements en cours (tous financeurs)', d.openReportsExist ? 'Oui' : 'Aucun'],
                    ...(d.priceAnomalies === null ? [] : ([['Mes anomalies de prix actives', count(d.priceAnomalies)]] as [string, string][])),
                  ]}
                />
                {stale.map((r) => (
                  <Alert key={r.id} severity="warning" sx={{ mt: 1 }}>
                    Votre appui du {date(r.createdAt)} n’est plus valable : {label(STALE_REASON, r.staleReason)}.
                  </Alert>
                ))}
              </Section>
              {d.profile ? (
                <Section title="Score de risque" testId="dossier-risk">
                  <RiskExplanation profile={d.profile} />
                </Section>
              ) : null}
              <Section title="Contrôles visibles" testId="dossier-checks">
                <Timeline d={d} canRely={(permissions ?? []).includes('manager')} />
              </Section>
              <Section title="Non-conformités par critère du référentiel national qualité" testId="dossier-criteria">
                <Box inert aria-hidden="true" sx={{ width: '100%', height: 240 }}>
                  <BarChart
                    height={240}
                    xAxis={[{ scaleType: 'band', data: criteria.map((c) => `Critère ${c.criterion}`) }]}
                    yAxis={[{ tickMinStep: 1, width: 40 }]}
                    series={[
                      { data: criteria.map((c) => c.minor), label: 'Mineures', color: '#b26a00', stack: 'nc' },
                      { data: criteria.map((c) => c.major), label: 'Majeures', color: '#b00020', stack: 'nc' },
                    ]}
                    margin={{ left: 8, right: 8 }}
                  />
                </Box>
                <SimpleTable
                  caption="Non-conformités par critère"
                  rows={criteria}
                  rowKey={(c) => c.criterion}
                  empty="Aucune non-conformité."
                  columns={[
                    { label: 'Critère', render: (c) => label(CRITERION, c.criterion) },
                    { label: 'Mineures', render: (c) => count(c.minor) },
                    { label: 'Majeures', render: (c) => count(c.major) },
                  ]}
                />
                <SimpleTable
                  caption="Non-conformités par indicateur"
                  testId="dossier-indicators"
                  rows={d.nonConformitiesByIndicator}
                  rowKey={(r) => `${r.frameworkCode}-${r.pointCode}`}
                  empty="Aucune non-conformité dans les contrôles visibles."
                  columns={[
                    { label: 'Référentiel', render: (r) => r.frameworkCode },
                    { label: 'Indicateur', render: (r) => r.pointCode },
                    { label: 'Mineures', render: (r) => count(r.minor) },
                    { label: 'Majeures', render: (r) => count(r.major) },
                    { label: 'Contrôles', render: (r) => count(r.checks) },
                  ]}
                />
              </Section>
              <Section title="Actions correctives ouvertes" testId="dossier-corrective">
                <SimpleTable
                  caption="Actions correctives ouvertes"
                  rows={d.openCorrectiveActions}
                  rowKey={(c, i) => `${c.checkId}-${c.pointCode}-${i}`}
                  empty="Aucune action corrective ouverte."
                  columns={[
                    { label: 'Financeur', render: (c) => c.owner },
                    { label: 'Indicateur', render: (c) => c.pointCode },
                    { label: 'Gravité', render: (c) => label(GRADE, c.grade) },
                    { label: 'Échéance', render: (c) => `${date(c.dueAt)}${c.overdue ? ' (dépassée)' : ''}`, nowrap: true },
                  ]}
                />
              </Section>
            </>
          );
        }}
      </Async>
    </Screen>
  );
}
