// New check: provider, method, the provider's funded actions to link, the provider's contact, and
// the scope context (categories and per-category flags), and an optional seeded sample of its
// actions. The API derives the scope from them (each indicator's applicability and why), shown
// on the check's page, where it stays editable while the check is a draft.
import { Alert, Box, Button, Checkbox, FormControlLabel, FormGroup, MenuItem, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { ApiError, post } from '../../api/http';
import { currentUser } from '../../api/authProvider';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { date, euros, siret as siretFmt } from '../../i18n/format';
import { CATEGORY, DUPLICATE_DECISION, METHOD, OUTCOME, label } from '../../i18n/labels';
import { CoverageChip } from '../../ui/fields';
import { Screen } from '../../ui/Screen';
import { Section } from '../../ui/Section';
import { Async, Failure } from '../../ui/states';
import { ScopeEditor, type ScopeContext } from './ScopeEditor';

type Check = Dto<'CheckDto'>;

export default function CheckCreate() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [siret, setSiret] = useState(params.get('siret') ?? '');
  const [method, setMethod] = useState('DOCUMENTARY');
  const [picked, setPicked] = useState<string[]>([]);
  const [contactName, setContactName] = useState('');
  const [contactEmail, setContactEmail] = useState('');
  const [sampleSize, setSampleSize] = useState('');
  const [seed, setSeed] = useState('');
  const [mine, setMine] = useState(true);
  const me = useQuery({ queryKey: ['me'], queryFn: currentUser });
  const [scopeContext, setScopeContext] = useState<ScopeContext>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // No duplicate controls (docs/sharing.md): other funders' recent checks answer 409; the officer decides, with a reason.
  const [duplicates, setDuplicates] = useState<{ id: string; organisationName: string; completedAt: string; outcome: string }[] | null>(null);
  const [decision, setDecision] = useState('COMPLEMENT');
  const [decisionReason, setDecisionReason] = useState('');
  const clean = siret.replace(/\D/g, '');
  const actions = useApi<Dto<'ActionPageDto'>>(clean.length === 14 ? `/actions?providerSiret=${clean}&limit=200` : null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const check = await post<Check>(
        '/checks',
        {
          providerSiret: clean,
          method,
          actionIds: picked,
          assigneeId: mine && me.data ? me.data.id : undefined,
          scopeContext: scopeContext.categories?.length || Object.keys(scopeContext.flags ?? {}).length ? scopeContext : undefined,
          contact: contactName || contactEmail ? { name: contactName || undefined, email: contactEmail || undefined } : undefined,
          ...(duplicates ? { duplicateDecision: { decision, reason: decisionReason } } : {}),
        },
        { 'idempotency-key': crypto.randomUUID() },
      );
      if (sampleSize) await post(`/checks/${check.id}/sample`, { size: Number(sampleSize), ...(seed ? { seed: Number(seed) } : {}) });
      navigate(`/controles/${check.id}/show`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CHECK.DUPLICATE_CONTROL' && Array.isArray(err.body.checks)) setDuplicates(err.body.checks as NonNullable<typeof duplicates>);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Screen title="Nouveau contrôle" crumbs={[{ label: 'Contrôles', to: '/controles' }, { label: 'Nouveau contrôle' }]}>
      <Box component="form" onSubmit={(e) => void submit(e)}>
        <Section title="Organisme et méthode">
          <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(2, minmax(0, 1fr))' } }}>
            <TextField label="SIRET de l’organisme" value={siret} onChange={(e) => setSiret(e.target.value)} required helperText="14 chiffres, espaces permis" />
            <TextField select label="Méthode" value={method} onChange={(e) => setMethod(e.target.value)}>
              {Object.entries(METHOD).map(([k, v]) => (
                <MenuItem key={k} value={k}>
                  {v}
                </MenuItem>
              ))}
            </TextField>
            <TextField label="Contact de l’organisme (nom)" value={contactName} onChange={(e) => setContactName(e.target.value)} helperText="Requis pour notifier" />
            <TextField label="Contact de l’organisme (e-mail)" type="email" value={contactEmail} onChange={(e) => setContactEmail(e.target.value)} />
          </Box>
          <FormControlLabel sx={{ mt: 1 }} control={<Checkbox checked={mine} onChange={(e) => setMine(e.target.checked)} />} label="J’en suis responsable (il apparaît dans « Mes contrôles »)" />
        </Section>
        <Section title="Actions financées liées">
          {clean.length !== 14 ? (
            <Typography color="text.secondary">Saisissez le SIRET pour voir vos actions financées chez cet organisme.</Typography>
          ) : (
            <Async query={actions}>
              {(page) =>
                page.items.length === 0 ? (
                  <Typography color="text.secondary">Aucune action financée chez {siretFmt(clean)} : le périmètre se déduira des catégories par défaut.</Typography>
                ) : (
                  <FormGroup data-testid="link-actions">
                    {page.items.map((a) => (
                      <FormControlLabel
                        key={a.id}
                        control={<Checkbox checked={picked.includes(a.id)} onChange={(e) => setPicked(e.target.checked ? [...picked, a.id] : picked.filter((x) => x !== a.id))} />}
                        label={
                          <span>
                            {a.externalRef} — {label(CATEGORY, a.category)}, début {date(a.startDate)}, {euros(a.amountFunded)} <CoverageChip value={a.coverage} />
                          </span>
                        }
                      />
                    ))}
                  </FormGroup>
                )
              }
            </Async>
          )}
        </Section>
        <Section title="Périmètre">
          <ScopeEditor value={scopeContext} onChange={setScopeContext} />
        </Section>
        <Section title="Échantillon (facultatif)">
          <Typography sx={{ mb: 1 }}>
            Tirage aléatoire d’actions de l’organisme. La graine est enregistrée : le même tirage se rejoue à l’identique. Sans graine, elle est tirée au hasard.
          </Typography>
          <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(2, minmax(0, 1fr))' } }}>
            <TextField label="Taille de l’échantillon" type="number" value={sampleSize} onChange={(e) => setSampleSize(e.target.value)} slotProps={{ htmlInput: { min: 1, max: 10000 } }} />
            <TextField label="Graine" type="number" value={seed} onChange={(e) => setSeed(e.target.value)} slotProps={{ htmlInput: { min: 0 } }} />
          </Box>
        </Section>
        {error ? <Failure error={error} /> : null}
        {duplicates ? (
          <Section title="Contrôles récents d’autres financeurs" testId="duplicates">
            <ul>
              {duplicates.map((d) => (
                <li key={d.id}>
                  <Link to={`/controles-partages/${d.id}`}>
                    {d.organisationName}, terminé le {date(d.completedAt)} : {label(OUTCOME, d.outcome)}
                  </Link>
                </li>
              ))}
            </ul>
            <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(2, minmax(0, 1fr))' } }}>
              <TextField select label="Votre décision" value={decision} onChange={(e) => setDecision(e.target.value)}>
                {Object.entries(DUPLICATE_DECISION).map(([k, v]) => (
                  <MenuItem key={k} value={k}>
                    {v}
                  </MenuItem>
                ))}
              </TextField>
              <TextField label="Motif de la décision" required value={decisionReason} onChange={(e) => setDecisionReason(e.target.value)} />
            </Box>
          </Section>
        ) : null}
        <Alert severity="info" sx={{ mb: 2 }}>
          L’applicabilité de chaque indicateur et son motif sont calculés à la création à partir des actions liées, des catégories et des caractéristiques choisies ; ils s’affichent sur la page du contrôle, où le périmètre reste modifiable tant que le contrôle est un brouillon.
        </Alert>
        <Button type="submit" variant="contained" disabled={busy || clean.length !== 14}>
          Créer le contrôle
        </Button>
      </Box>
    </Screen>
  );
}
