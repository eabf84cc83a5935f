// Statistiques des signalements (control services, certifiers): counts by region, indicator,
// funder and outcome, and time to acknowledge. A regional service sees its region; the DGEFP
// every region (counts only).
import { Box } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { count } from '../../i18n/format';
import { REGION, label } from '../../i18n/labels';
import { Screen } from '../../ui/Screen';
import { Facts, Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Async } from '../../ui/states';
import { CASE_OUTCOME, HANDLING_STATUS, text } from './parts';

type Stats = Dto<'InboxStatisticsDto'>;

const hours = (h: number | null) => (h === null ? '—' : `${new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }).format(h)} h`);

function Counts({ title, rows, caption }: { title: string; rows: { key: string; count: number }[]; caption: string }) {
  return (
    <Section title={title}>
      {rows.length ? (
        <Box sx={{ width: '100%', maxWidth: 640 }} aria-hidden="true">
          <BarChart height={220} xAxis={[{ scaleType: 'band', data: rows.map((r) => r.key) }]} series={[{ data: rows.map((r) => r.count), color: '#1f4e79' }]} margin={{ left: 8, right: 8 }} />
        </Box>
      ) : null}
      <SimpleTable caption={caption} rows={rows} rowKey={(r) => r.key} empty="Aucun signalement." columns={[{ label: 'Valeur', render: (r) => r.key }, { label: 'Dossiers', render: (r) => count(r.count) }]} />
    </Section>
  );
}

export default function InboxStatistics() {
  const stats = useApi<Stats>('/inbox/statistics');
  return (
    <Screen title="Statistiques des signalements" crumbs={[{ label: 'Boîte de réception', to: '/boite-de-reception' }, { label: 'Statistiques' }]}>
      <Async query={stats}>
        {(s) => (
          <>
            <Section title="Vue d’ensemble" testId="stats">
              <Facts
                items={[
                  ['Périmètre', s.scope === 'ALL_REGIONS' ? 'Toutes les régions (comptes seulement)' : s.scope === 'REGION' ? 'Votre région' : 'Vos dossiers'],
                  ['Dossiers', count(s.total)],
                  ['Délai d’accusé de réception (médiane)', hours(s.timeToAcknowledgeHours.median)],
                  ['Délai d’accusé de réception (moyenne)', hours(s.timeToAcknowledgeHours.average)],
                ]}
              />
            </Section>
            <Counts title="Par région" caption="Dossiers par région" rows={s.byRegion.map((r) => ({ key: r.region ? label(REGION, r.region) : '—', count: r.count }))} />
            <Counts title="Par indicateur RNQ" caption="Dossiers par indicateur" rows={s.byIndicator.map((r) => ({ key: `Indicateur ${r.indicator}`, count: r.count }))} />
            <Counts title="Par financeur" caption="Dossiers par financeur" rows={s.byFunder.map((r) => ({ key: r.funder, count: r.count }))} />
            <Counts title="Par suite donnée" caption="Dossiers par suite" rows={s.byOutcome.map((r) => ({ key: r.outcome ? text(CASE_OUTCOME, r.outcome) : 'En cours', count: r.count }))} />
            <Counts title="Par état de traitement" caption="Dossiers par état" rows={s.byStatus.map((r) => ({ key: r.status ? text(HANDLING_STATUS, r.status) : 'En cours d’envoi', count: r.count }))} />
          </>
        )}
      </Async>
    </Screen>
  );
}
