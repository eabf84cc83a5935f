// The scope context of a check (CreateCheckDto.scopeContext): the action categories (used when no
// funded action is linked) and, per category, the flags that decide which RNQ indicators apply.
// A flag left « Selon les faits » is derived by the API (apprenticeship implies certifying...).
import { Box, Checkbox, FormControlLabel, FormGroup, MenuItem, TextField, Typography } from '@mui/material';
import type { Dto } from '../../api/dto';
import { CATEGORY } from '../../i18n/labels';

export type ScopeContext = NonNullable<Dto<'CreateCheckDto'>['scopeContext']>;
type Category = NonNullable<ScopeContext['categories']>[number];
type Flags = Partial<Record<Category, Partial<Record<ScopeFlag, boolean>>>>;
type ScopeFlag = 'certifying' | 'alternance' | 'workSituation' | 'subcontracting';

const CATEGORIES: Category[] = ['TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'APPRENTICESHIP'];
const FLAG_LABELS: Record<ScopeFlag, string> = {
  certifying: 'Action certifiante (RNCP ou RS)',
  alternance: 'En alternance',
  workSituation: 'Mise en situation de travail',
  subcontracting: 'Recours à la sous-traitance',
};

/** The editable form of a scope context (categories and per-category flags, `undefined` = derived). */
export function ScopeEditor({ value, onChange }: { value: ScopeContext; onChange: (next: ScopeContext) => void }) {
  const categories = (value.categories ?? []) as Category[];
  const flags = (value.flags ?? {}) as Flags;
  const setCategories = (next: Category[]) => onChange({ ...value, categories: next });
  const setFlag = (cat: Category, flag: ScopeFlag, v: string) => {
    const current = { ...(flags[cat] ?? {}) };
    if (v === '') delete current[flag];
    else current[flag] = v === 'true';
    onChange({ ...value, flags: { ...flags, [cat]: current } as ScopeContext['flags'] });
  };
  return (
    <Box data-testid="scope-editor">
      <Typography sx={{ mb: 1 }}>
        Catégories d’actions contrôlées (utilisées quand aucune action financée n’est liée ; sinon, celles des actions liées) :
      </Typography>
      <FormGroup row>
        {CATEGORIES.map((c) => (
          <FormControlLabel
            key={c}
            control={<Checkbox checked={categories.includes(c)} onChange={(e) => setCategories(e.target.checked ? [...categories, c] : categories.filter((x) => x !== c))} />}
            label={CATEGORY[c]}
          />
        ))}
      </FormGroup>
      {categories.map((c) => (
        <Box key={c} sx={{ mt: 1.5 }}>
          <Typography component="h3" variant="body1" sx={{ fontWeight: 600, mb: 1 }}>
            {CATEGORY[c]} : caractéristiques
          </Typography>
          <Box sx={{ display: 'grid', gap: 1.5, gridTemplateColumns: { xs: 'minmax(0, 1fr)', sm: 'repeat(2, minmax(0, 1fr))' } }}>
            {(Object.keys(FLAG_LABELS) as ScopeFlag[]).map((f) => {
              const v = flags[c]?.[f];
              return (
                <TextField key={f} select size="small" label={`${FLAG_LABELS[f]} (${CATEGORY[c]})`} value={v === undefined ? '' : String(v)} onChange={(e) => setFlag(c, f, e.target.value)}>
                  <MenuItem value="">Selon les faits</MenuItem>
                  <MenuItem value="true">Oui</MenuItem>
                  <MenuItem value="false">Non</MenuItem>
                </TextField>
              );
            })}
          </Box>
        </Box>
      ))}
    </Box>
  );
}

/** The non-applicable indicators of a stored scope, each with its reason (per category when it differs). */
export function ScopeSummary({ scope }: { scope: Dto<'StoredScopeDto'> }) {
  const rows = Object.entries(scope.points)
    .map(([code, p]) => ({ code, p, reasons: Object.entries(p.byCategory ?? {}).filter(([, s]) => !s.applicable && s.reason) }))
    .filter((r) => !r.p.applicable || r.reasons.length);
  return (
    <Box data-testid="scope-summary">
      <Typography sx={{ mb: 1 }}>
        {scope.counts.applicable} indicateur(s) applicable(s) sur {scope.counts.total}
        {scope.categoriesProposed ? ' — catégories proposées d’après la certification de l’organisme : confirmez-les ou liez des actions.' : '.'}
      </Typography>
      {rows.length ? (
        <Box component="ul" sx={{ pl: 2, m: 0 }}>
          {rows.map(({ code, p, reasons }) => (
            <li key={code}>
              <Typography variant="body2">
                Indicateur {code} : {p.applicable ? 'applicable' : 'non applicable'}
                {!p.applicable && p.reason ? ` — ${p.reason}` : ''}
                {reasons.length ? ` (${reasons.map(([cat, s]) => `${CATEGORY[cat] ?? cat} : ${s.reason}`).join(' ; ')})` : ''}
              </Typography>
            </li>
          ))}
        </Box>
      ) : (
        <Typography variant="body2">Tous les indicateurs s’appliquent.</Typography>
      )}
    </Box>
  );
}
