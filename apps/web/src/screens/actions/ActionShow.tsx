// One funded action: its fields, its certification coverage and the coverage flags.
import { Alert } from '@mui/material';
import { Link, useParams } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { date, dateTime, euros, nda, siret } from '../../i18n/format';
import { CATEGORY, FLAG, MODALITY, REGION, label } from '../../i18n/labels';
import { CoverageChip } from '../../ui/fields';
import { Screen } from '../../ui/Screen';
import { Facts, Section } from '../../ui/Section';
import { Async } from '../../ui/states';

type Action = Dto<'ActionDto'>;

export default function ActionShow() {
  const { id = '' } = useParams();
  const query = useApi<Action>(`/actions/${id}`);
  const title = query.data ? `Action ${query.data.externalRef}` : 'Action financée';
  return (
    <Screen title={title} crumbs={[{ label: 'Actions financées', to: '/actions' }, { label: title }]}>
      <Async query={query}>
        {(a) => (
          <>
            <Section title="Couverture par la certification" testId="coverage-section">
              <CoverageChip value={a.coverage} />
              {a.coverageFlags.length ? (
                <Alert severity="warning" sx={{ mt: 1 }}>
                  {a.coverageFlags.map((f) => label(FLAG, f)).join(' ; ')}
                </Alert>
              ) : null}
              {a.paymentBlocked ? (
                <Alert severity="error" sx={{ mt: 1 }}>
                  Paiement bloqué à la suite d’un contrôle du service fait.
                </Alert>
              ) : null}
              <Facts
                items={[
                  ['NDA retenu', nda(a.coverageNda)],
                  ['Évaluée le', dateTime(a.coverageEvaluatedAt)],
                ]}
              />
            </Section>
            <Section title="Action">
              <Facts
                items={[
                  ['Référence', a.externalRef],
                  ['Organisme', <Link to={`/organismes/${a.providerSiret}/show`}>{siret(a.providerSiret)}</Link>],
                  ['NDA déclaré', nda(a.providerNda)],
                  ['Catégorie', label(CATEGORY, a.category)],
                  ['Certification visée', a.certificationCode ?? '—'],
                  ['Formacode', a.formacode ?? '—'],
                  ['Modalité', label(MODALITY, a.modality)],
                  ['Région', label(REGION, a.region)],
                  ['Décision de financement', date(a.fundingDecisionDate)],
                  ['Début', date(a.startDate)],
                  ['Fin', date(a.endDate)],
                  ['Heures par stagiaire', a.hoursPerTrainee ?? '—'],
                  ['Stagiaires', a.trainees ?? '—'],
                  ['Prix HT', euros(a.priceExclVat)],
                  ['Montant financé', euros(a.amountFunded)],
                ]}
              />
            </Section>
          </>
        )}
      </Async>
    </Screen>
  );
}
