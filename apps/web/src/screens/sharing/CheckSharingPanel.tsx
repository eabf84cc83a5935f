// The share of one of the organisation's checks: who sees it, in words, and (managers, once the
// check is completed) the choice PRIVATE / POOL / named funders, and revocation.
import { Alert, Box, Button, Checkbox, FormControlLabel, FormGroup, MenuItem, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { del, put } from '../../api/http';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { count, dateTime } from '../../i18n/format';
import { SHARE_MODE, label } from '../../i18n/labels';
import { Section } from '../../ui/Section';
import { Async, Failure } from '../../ui/states';
import { useRun } from '../../ui/useRun';
import { audienceInWords } from './words';

type CheckAudience = Dto<'CheckAudienceDto'>;

interface Funder {
  id: string;
  code: string;
  name: string;
  kind: string;
}

export function CheckSharingPanel({ checkId, canShare }: { checkId: string; canShare: boolean }) {
  const audience = useApi<CheckAudience>(`/checks/${checkId}/sharing`);
  const funders = useApi<Funder[]>(canShare ? '/organisations?kind=FUNDER' : null);
  const { run, busy, error } = useRun(`/checks/${checkId}`);
  const [mode, setMode] = useState<string | null>(null);
  const [named, setNamed] = useState<string[] | null>(null);
  return (
    <Section title="Partage entre financeurs" testId="sharing">
      <Async query={audience}>
        {(a) => {
          const chosen = mode ?? a.mode;
          const chosenFunders = named ?? a.funders.map((f) => f.id);
          return (
            <>
              <Typography data-testid="audience" sx={{ mb: 1 }}>
                {audienceInWords(a)}
              </Typography>
              <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                Partage : {label(SHARE_MODE, a.mode)}
                {a.changedAt ? ` · modifié le ${dateTime(a.changedAt)}` : ''} · {count(a.reliances)} financeur(s) s’appuie(nt) sur ce contrôle
              </Typography>
              {canShare && a.effective ? (
                <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1, maxWidth: 560 }}>
                  <TextField select size="small" label="Partager avec" value={chosen} onChange={(e) => setMode(e.target.value)}>
                    {Object.entries(SHARE_MODE).map(([k, v]) => (
                      <MenuItem key={k} value={k}>
                        {v}
                      </MenuItem>
                    ))}
                  </TextField>
                  {chosen === 'NAMED' ? (
                    <Async query={funders}>
                      {(list) => (
                        <FormGroup aria-label="Financeurs désignés" sx={{ maxHeight: 220, overflow: 'auto' }}>
                          {list
                            .filter((f) => f.kind === 'FUNDER')
                            .map((f) => (
                              <FormControlLabel
                                key={f.id}
                                label={f.name}
                                control={
                                  <Checkbox
                                    checked={chosenFunders.includes(f.id)}
                                    onChange={(e) => setNamed(e.target.checked ? [...chosenFunders, f.id] : chosenFunders.filter((x) => x !== f.id))}
                                  />
                                }
                              />
                            ))}
                        </FormGroup>
                      )}
                    </Async>
                  ) : null}
                  <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                    <Button
                      variant="contained"
                      disabled={busy}
                      onClick={() => void run(() => put(`/checks/${checkId}/sharing`, { mode: chosen, funderIds: chosen === 'NAMED' ? chosenFunders : [] })).then(() => (setMode(null), setNamed(null)))}
                    >
                      Enregistrer le partage
                    </Button>
                    {a.mode !== 'PRIVATE' ? (
                      <Button color="error" variant="outlined" disabled={busy} onClick={() => void run(() => del(`/checks/${checkId}/sharing`))}>
                        Retirer le partage
                      </Button>
                    ) : null}
                  </Box>
                </Box>
              ) : !a.effective ? (
                <Alert severity="info">Un contrôle se partage une fois terminé.</Alert>
              ) : null}
              {error ? <Failure error={error} /> : null}
            </>
          );
        }}
      </Async>
    </Section>
  );
}
