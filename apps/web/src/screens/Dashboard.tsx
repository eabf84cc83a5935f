// Tableau de bord: amounts funded by certification coverage, checks by state, overdue responses
// and corrective actions, my drafts, checks awaiting my decision (managers), the latest checks.
// Each chart has its figures as text beside it (screen readers, printing).
import { Box, Button, Paper, Typography } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import { Link } from 'react-router-dom';
import { usePermissions } from 'react-admin';
import { useApi } from '../api/useApi';
import { count, date, euros, siret } from '../i18n/format';
import { COVERAGE, STATE, label } from '../i18n/labels';
import type { Dto } from '../api/dto';
import { StateChip } from '../ui/fields';
import { Screen } from '../ui/Screen';
import { Section } from '../ui/Section';
import { SimpleTable } from '../ui/SimpleTable';
import { Async, Empty } from '../ui/states';

type ControlCoverage = Dto<'ControlCoverageDto'>;

interface DashboardView {
  fundedByCoverage: { coverage: string; actions: number; amount: number }[];
  checksByState: { state: string; checks: number }[];
  responsesOverdue: number;
  correctiveActionsOverdue: number;
  myDrafts: number;
  awaitingMyDecision: number;
  recentChecks: { id: string; providerSiret: string; providerName: string | null; state: string; createdAt: string; responseDueAt: string | null }[];
}

const COVERAGE_ORDER = ['CERTIFIED', 'NOT_CERTIFIED', 'UNKNOWN', 'EXEMPT'];
const STATE_ORDER = ['DRAFT', 'NOTIFIED', 'RESPONDED', 'RESPONSE_OVERDUE', 'COMPLETED'];

function Figure({ label: text, value, to, testId }: { label: string; value: number; to: string; testId: string }) {
  return (
    <Paper sx={{ p: 2, minWidth: 0 }} data-testid={testId}>
      <Typography variant="body2" color="text.secondary">
        {text}
      </Typography>
      <Typography sx={{ fontSize: '2rem', fontWeight: 600 }}>{count(value)}</Typography>
      <Button component={Link} to={to} size="small" sx={{ px: 0 }}>
        Voir
      </Button>
    </Paper>
  );
}

export default function Dashboard() {
  const { permissions } = usePermissions<string[]>();
  const roles = permissions ?? [];
  const funder = roles.some((r) => r === 'officer' || r === 'manager');
  const query = useApi<DashboardView>(funder ? '/dashboard' : null);
  const control = useApi<ControlCoverage>(funder ? '/coverage' : null);
  if (!funder) {
    return (
      <Screen title="Tableau de bord">
        <Empty>Les indicateurs du tableau de bord concernent les financeurs. Utilisez le menu pour rechercher un organisme.</Empty>
      </Screen>
    );
  }
  return (
    <Screen title="Tableau de bord">
      <Async query={query}>
        {(d) => {
          const funded = COVERAGE_ORDER.map((c) => d.fundedByCoverage.find((f) => f.coverage === c) ?? { coverage: c, actions: 0, amount: 0 });
          const states = STATE_ORDER.map((s) => ({ state: s, checks: d.checksByState.find((x) => x.state === s)?.checks ?? 0 }));
          return (
            <>
              <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 200px), 1fr))', mb: 2 }}>
                <Figure label="Réponses en retard" value={d.responsesOverdue} to="/controles?filter=%7B%22state%22%3A%22RESPONSE_OVERDUE%22%7D" testId="fig-overdue-responses" />
                <Figure label="Actions correctives en retard" value={d.correctiveActionsOverdue} to="/controles?filter=%7B%22state%22%3A%22COMPLETED%22%7D" testId="fig-overdue-ca" />
                <Figure label="Mes brouillons" value={d.myDrafts} to="/controles?filter=%7B%22state%22%3A%22DRAFT%22%7D" testId="fig-drafts" />
                {roles.includes('manager') ? <Figure label="Contrôles en attente de ma décision" value={d.awaitingMyDecision} to="/controles?filter=%7B%22state%22%3A%22RESPONDED%22%7D" testId="fig-awaiting" /> : null}
              </Box>
              <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'repeat(2, minmax(0, 1fr))' } }}>
                <Section title="Montants financés par statut de certification" testId="funded-by-coverage">
                  <Box inert aria-hidden="true" sx={{ width: '100%', height: 240 }}>
                    <BarChart
                      height={240}
                      xAxis={[{ scaleType: 'band', data: funded.map((f) => label(COVERAGE, f.coverage)) }]}
                      yAxis={[{ valueFormatter: (v: number | null) => (v === null ? '' : `${Math.round(v / 1000)} k€`), width: 56 }]}
                      series={[{ data: funded.map((f) => f.amount), color: '#1f4e79', valueFormatter: (v: number | null) => euros(v) }]}
                      margin={{ left: 8, right: 8 }}
                    />
                  </Box>
                  <SimpleTable
                    caption="Montants financés par statut de certification"
                    rows={funded}
                    rowKey={(f) => f.coverage}
                    empty="Aucune action financée."
                    columns={[
                      { label: 'Statut', render: (f) => label(COVERAGE, f.coverage) },
                      { label: 'Actions', render: (f) => count(f.actions) },
                      { label: 'Montant', render: (f) => euros(f.amount), nowrap: true },
                    ]}
                  />
                </Section>
                <Section title="Contrôles par état" testId="checks-by-state">
                  <Box inert aria-hidden="true" sx={{ width: '100%', height: 240 }}>
                    <BarChart
                      height={240}
                      layout="horizontal"
                      xAxis={[{ tickMinStep: 1 }]}
                      yAxis={[{ scaleType: 'band', data: states.map((s) => label(STATE, s.state)), width: 110 }]}
                      series={[{ data: states.map((s) => s.checks), color: '#37474f' }]}
                      margin={{ left: 8, right: 16 }}
                    />
                  </Box>
                  <SimpleTable
                    caption="Contrôles par état"
                    rows={states}
                    rowKey={(s) => s.state}
                    empty="Aucun contrôle."
                    columns={[
                      { label: 'État', render: (s) => label(STATE, s.state) },
                      { label: 'Contrôles', render: (s) => count(s.checks) },
                    ]}
                  />
                </Section>
              </Box>
              <Section title="Couverture par les contrôles" testId="control-coverage">
                <Async query={control}>
                  {(cov) => (
                    <Typography>
                      {cov.share === null
                        ? 'Aucune action démarrée ces 12 derniers mois.'
                        : `${Math.round(cov.share * 100)} % du montant de vos actions démarrées ces 12 derniers mois (${euros(cov.coveredAmount)} sur ${euros(cov.amount)}) portent sur un organisme contrôlé dans les ${cov.windowMonths} mois précédant leur début : ${euros(cov.byProvenance.own)} par vos contrôles, ${euros(cov.byProvenance.visible)} par ceux d’autres financeurs que vous voyez, ${euros(cov.byProvenance.reliance)} par vos appuis.`}{' '}
                      <Link to="/plan-de-controle">Voir le plan de contrôle</Link>
                    </Typography>
                  )}
                </Async>
              </Section>
              <Section title="Derniers contrôles" testId="recent-checks">
                <SimpleTable
                  caption="Derniers contrôles"
                  rows={d.recentChecks}
                  rowKey={(c) => c.id}
                  empty="Aucun contrôle pour le moment."
                  columns={[
                    { label: 'Organisme', render: (c) => <Link to={`/controles/${c.id}/show`}>{c.providerName ?? siret(c.providerSiret)}</Link> },
                    { label: 'SIRET', render: (c) => siret(c.providerSiret), nowrap: true },
                    { label: 'État', render: (c) => <StateChip value={c.state} /> },
                    { label: 'Créé le', render: (c) => date(c.createdAt), nowrap: true },
                    { label: 'Réponse attendue le', render: (c) => date(c.responseDueAt), nowrap: true },
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
