// The control plan: providers the caller funds, not covered by a check it sees or relies on, by
// risk score x its amount funded, each with why it ranks there.
import { Box, Typography } from '@mui/material';
import { Link } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { count, euros, siret } from '../../i18n/format';
import { PLAN_REASON, label } from '../../i18n/labels';
import { Screen } from '../../ui/Screen';
import { Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Async } from '../../ui/states';

type ControlPlan = Dto<'ControlPlanDto'>;

export default function ControlPlanScreen() {
  const query = useApi<ControlPlan>('/control-plan?limit=200');
  return (
    <Screen title="Plan de contrôle">
      <Async query={query}>
        {(p) => (
          <Section title="Organismes à contrôler en priorité" testId="control-plan">
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
              Organismes que vous avez financés ces {p.fundingWindowMonths} derniers mois, sans contrôle visible ni appui de moins de {p.windowMonths} mois ({count(p.coveredProviders)} organisme(s)
              déjà couvert(s)), classés par score de risque × montant financé. Le score (sur 100) additionne : financeurs (20), financements sans certification établie (30), ancienneté du
              dernier contrôle mutualisé (30) et son résultat (20).
            </Typography>
            <SimpleTable
              caption="Plan de contrôle"
              rows={p.rows}
              rowKey={(r) => r.providerSiret}
              empty="Tous les organismes que vous financez sont couverts par un contrôle récent."
              columns={[
                { label: 'Rang', render: (r) => r.rank },
                { label: 'Organisme', render: (r) => <Link to={`/organismes/${r.providerSiret}/dossier`}>{r.providerName ?? siret(r.providerSiret)}</Link> },
                { label: 'Montant financé', render: (r) => euros(r.amountFunded), nowrap: true },
                { label: 'Score', render: (r) => (r.riskScore === null ? '—' : r.riskScore.toLocaleString('fr-FR')) },
                {
                  label: 'Pourquoi',
                  render: (r) => (
                    <Box>
                      {r.reasons.map((x) => label(PLAN_REASON, x)).join(' ; ') || '—'}
                      {r.profile ? (
                        <Typography variant="body2" color="text.secondary">
                          financeurs {r.profile.parts.exposure} + certification {r.profile.parts.certification} + ancienneté {r.profile.parts.recency} + résultat {r.profile.parts.outcome}
                        </Typography>
                      ) : null}
                    </Box>
                  ),
                },
              ]}
            />
          </Section>
        )}
      </Async>
    </Screen>
  );
}
