// The provider's lead funder (who coordinates its controls), and a manager's claim: granted at once
// when nobody leads, otherwise settled by a platform administrator.
import { Alert, Box, Button, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { post } from '../../api/http';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { date } from '../../i18n/format';
import { Section } from '../../ui/Section';
import { Async, Failure } from '../../ui/states';
import { useRun } from '../../ui/useRun';

type LeadFunder = Dto<'LeadFunderDto'>;

export function LeadFunderPanel({ siret, canClaim }: { siret: string; canClaim: boolean }) {
  const query = useApi<LeadFunder>(`/providers/${siret}/lead-funder`);
  const { run, busy, error } = useRun(`/providers/${siret}`);
  const [reason, setReason] = useState('');
  return (
    <Section title="Chef de file des contrôles" testId="lead-funder">
      <Async query={query}>
        {(l) => (
          <>
            <Typography data-testid="lead-funder-name">
              {l.lead ? `${l.lead.funder.name}, depuis le ${date(l.lead.since)}${l.lead.decidedHow === 'SETTLEMENT' ? ' (arbitrage de la plateforme)' : ''}.` : 'Aucun financeur n’est chef de file de cet organisme.'}
            </Typography>
            {l.myPendingClaim ? <Alert severity="info" sx={{ mt: 1 }}>Votre demande du {date(l.myPendingClaim.claimedAt)} attend l’arbitrage d’un administrateur de la plateforme.</Alert> : null}
            {canClaim && !l.myPendingClaim ? (
              <Box component="form" sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mt: 1 }} onSubmit={(e) => (e.preventDefault(), void run(() => post(`/providers/${siret}/lead-funder/claims`, { reason })))}>
                <TextField size="small" required label="Motif de la demande" value={reason} onChange={(e) => setReason(e.target.value)} sx={{ minWidth: 260 }} />
                <Button type="submit" variant="outlined" disabled={busy || !reason.trim()}>
                  Demander à être chef de file
                </Button>
              </Box>
            ) : null}
            {error ? <Failure error={error} /> : null}
          </>
        )}
      </Async>
    </Section>
  );
}
