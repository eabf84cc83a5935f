// A provider's risk score with its four parts, each said in words (docs/sharing.md).
import { Box, LinearProgress, Typography } from '@mui/material';
import type { Dto } from '../../api/dto';
import { count, date } from '../../i18n/format';
import { OUTCOME, RISK_PART, label } from '../../i18n/labels';

type Dossier = Dto<'DossierDto'>;

type Profile = NonNullable<Dossier['profile']>;

const MAX: Record<string, number> = { exposure: 20, certification: 30, recency: 30, outcome: 20 };

export function RiskExplanation({ profile }: { profile: Profile }) {
  const last = profile.lastSharedCheck;
  return (
    <Box data-testid="risk-explanation">
      <Typography sx={{ fontWeight: 600, mb: 1 }}>
        Score de risque : {profile.riskScore.toLocaleString('fr-FR')} / 100
      </Typography>
      {(Object.keys(MAX) as (keyof Profile['parts'])[]).map((k) => (
        <Box key={k} sx={{ mb: 1 }}>
          <Typography variant="body2">
            {label(RISK_PART, k)} : {profile.parts[k].toLocaleString('fr-FR')}
          </Typography>
          <LinearProgress variant="determinate" value={(100 * profile.parts[k]) / MAX[k]} aria-label={label(RISK_PART, k)} />
        </Box>
      ))}
      <Typography variant="body2" color="text.secondary">
        {count(profile.fundersFunding)} financeur(s) l’ont financé ces 12 derniers mois.{' '}
        {last ? `Dernier contrôle mutualisé le ${date(last.completedAt)} : ${label(OUTCOME, last.outcome)}.` : 'Aucun contrôle mutualisé visible ces 36 derniers mois.'} Calculé le{' '}
        {date(profile.asOf)}.
      </Typography>
    </Box>
  );
}
