// Couverture des tests: per kind of anomaly, the actions tested, flagged, not computable and
// without a usable group in the latest run (all funders, counts only), the suspect flag explained;
// for managers, « Recalculer » starts a run and follows its job until it ends.
import { Alert, Box, Button, Chip, LinearProgress, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { usePermissions } from 'react-admin';
import { get, post } from '../../api/http';
import { useApi, useInvalidate } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { count, dateTime } from '../../i18n/format';
import { ANOMALY_KIND, label } from '../../i18n/labels';
import { Screen } from '../../ui/Screen';
import { Facts, Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Async, Failure } from '../../ui/states';
import { useRun } from '../../ui/useRun';
import { percent } from './parts';

type JobStatus = Dto<'JobStatusDto'>;
type PriceTestCoverage = Dto<'PriceTestCoverageDto'>;

const ENDED = ['completed', 'failed'];
const JOB_STATE: Record<string, string> = {
  waiting: 'En attente',
  'waiting-children': 'En attente',
  prioritized: 'En attente',
  delayed: 'Différé',
  active: 'En cours',
  completed: 'Terminé',
  failed: 'Échoué',
};

function progressOf(job: JobStatus | undefined): number | null {
  if (!job) return null;
  if (job.state === 'completed') return 100;
  return typeof job.progress === 'number' ? job.progress : null;
}

function Recompute() {
  const { run, busy, error } = useRun('/anomalies');
  const invalidate = useInvalidate();
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useQuery<JobStatus>({
    queryKey: ['job', jobId],
    queryFn: () => get<JobStatus>(`/jobs/${jobId as string}`),
    enabled: jobId !== null,
    retry: false,
    refetchInterval: (q) => {
      const state = q.state.data?.state;
      if (state && ENDED.includes(state)) {
        void invalidate('/anomalies');
        void invalidate('/price-references');
        return false;
      }
      return 1000;
    },
  });
  const state = job.data?.state;
  const running = jobId !== null && !(state && ENDED.includes(state));
  const p = progressOf(job.data);
  return (
    <Section title="Recalcul des références et des anomalies" testId="recompute">
      <Typography sx={{ mb: 1 }}>
        Le calcul complet tourne chaque nuit à 2 h 30 ; après un import ou une modification d’actions, les seuls groupes touchés sont recalculés dans le quart d’heure. « Recalculer » lance maintenant le calcul complet sur les données de tous les financeurs ; une anomalie déjà examinée n’est rouverte que si
        ses éléments ont changé de façon significative.
      </Typography>
      <Button
        variant="contained"
        disabled={busy || running}
        onClick={() =>
          void run(async () => {
            const r = await post<{ jobId: string }>('/price-references/recompute');
            setJobId(r.jobId);
          })
        }
      >
        Recalculer
      </Button>
      {error ? <Failure error={error} /> : null}
      {jobId ? (
        <Box sx={{ mt: 2 }}>
          <Typography id="recompute-progress" role="status" aria-live="polite" data-testid="recompute-state">
            Calcul : {label(JOB_STATE, state ?? 'waiting')}
            {p !== null && running ? ` — ${Math.round(p)} %` : ''}
          </Typography>
          <LinearProgress
            variant={p === null && running ? 'indeterminate' : 'determinate'}
            value={p ?? (running ? 0 : 100)}
            aria-labelledby="recompute-progress"
            color={state === 'failed' ? 'error' : 'primary'}
          />
          {job.error ? <Failure error={job.error} retry={() => void job.refetch()} /> : null}
          {state === 'failed' ? <Alert severity="error" sx={{ mt: 1 }}>Le calcul a échoué : réessayez ; si l’échec persiste, prévenez l’administrateur de la plateforme.</Alert> : null}
        </Box>
      ) : null}
    </Section>
  );
}

export default function PriceCoverage() {
  const { permissions } = usePermissions<string[]>();
  const manager = (permissions ?? []).includes('manager');
  const query = useApi<PriceTestCoverage>('/anomalies/coverage');
  return (
    <Screen title="Couverture des tests" crumbs={[{ label: 'Anomalies de prix', to: '/anomalies' }, { label: 'Couverture des tests' }]}>
      <Section title="Dernier calcul" testId="coverage">
        <Async query={query}>
          {(c) =>
            c.runId === null ? (
              <Typography color="text.secondary">Aucun calcul n’a encore eu lieu.</Typography>
            ) : (
              <>
                <Facts
                  items={[
                    ['Terminé le', dateTime(c.finishedAt)],
                    ['Version de la méthode', c.methodVersion ?? '—'],
                  ]}
                />
                <Typography variant="body2" sx={{ my: 1 }}>
                  Chiffres de tous les financeurs (des comptes, jamais des prix). Un type est signalé « à vérifier » quand il signale plus de 10 % des actions qu’il teste : un
                  réglage à revoir plutôt qu’une réalité des prix.
                </Typography>
                <SimpleTable
                  caption="Couverture des tests par type d’anomalie"
                  testId="coverage-table"
                  rows={c.kinds}
                  rowKey={(k) => k.kind}
                  empty="Aucun type testé."
                  columns={[
                    { label: 'Type', render: (k) => label(ANOMALY_KIND, k.kind) },
                    { label: 'Actions testées', render: (k) => count(k.tested), nowrap: true },
                    { label: 'Signalées', render: (k) => count(k.flagged), nowrap: true },
                    { label: 'Part signalée', render: (k) => (k.tested ? percent(k.flagged / k.tested) : '—'), nowrap: true },
                    { label: 'Prix non calculable', render: (k) => count(k.notComputable), nowrap: true },
                    { label: 'Sans groupe utilisable', render: (k) => count(k.withoutUsableGroup), nowrap: true },
                    { label: 'À vérifier', render: (k) => (k.suspect ? <Chip size="small" color="warning" variant="outlined" label="À vérifier" /> : 'Non') },
                  ]}
                />
              </>
            )
          }
        </Async>
      </Section>
      {manager ? <Recompute /> : null}
    </Screen>
  );
}
