// Vérification en masse: up to 1,000 funding checks at once. The officer pastes or uploads lines
// `siret;catégorie[;date]` (csv-parse reads them), gets one answer or one error per line in the
// order asked, and can download the same answers as CSV (Accept: text/csv, the API's columns).
import { Alert, Box, Button, Stack, TextField, Typography } from '@mui/material';
import { parse } from 'csv-parse/browser/esm/sync';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { download, post } from '../../api/http';
import type { Dto } from '../../api/dto';
import { date, euros, siret as siretFmt } from '../../i18n/format';
import { translateFieldError } from '../../i18n/errors.fr';
import { CATEGORY, FLAG, label } from '../../i18n/labels';
import { CoverageChip } from '../../ui/fields';
import { Screen } from '../../ui/Screen';
import { Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Failure } from '../../ui/states';

type Item = Dto<'FundingCheckItemDto'>;
type Result = Dto<'FundingCheckResultItemDto'>;

export const MAX_LINES = 1000;

/** A category as typed: the API's code or its French label, any case. */
function categoryOf(text: string): string {
  const t = text.trim();
  const byLabel = Object.entries(CATEGORY).find(([code, name]) => code.toLowerCase() === t.toLowerCase() || name.toLowerCase() === t.toLowerCase());
  return byLabel ? byLabel[0] : t;
}

/** A date as typed: jj/mm/aaaa or aaaa-mm-jj (anything else goes to the API, which names the line). */
function dateOf(text: string | undefined): string | undefined {
  const t = (text ?? '').trim();
  if (!t) return undefined;
  const fr = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(t);
  return fr ? `${fr[3]}-${fr[2]}-${fr[1]}` : t;
}

/** The questions of the pasted text: one per non-empty line, `;` (or `,` or tab) between fields; a header line is skipped. */
export function questionsOf(text: string): Item[] {
  const delimiter = text.includes(';') ? ';' : text.includes('\t') ? '\t' : ',';
  const rows = parse(text, { delimiter, skip_empty_lines: true, relax_column_count: true, trim: true, bom: true }) as string[][];
  return rows
    .filter((r, i) => !(i === 0 && /siret/i.test(r[0] ?? '')))
    .map((r) => ({ siret: (r[0] ?? '').replace(/\s/g, ''), category: categoryOf(r[1] ?? '') as Item['category'], ...(dateOf(r[2]) ? { date: dateOf(r[2]) } : {}) }));
}

export default function BulkFundingCheck() {
  const [text, setText] = useState('');
  const [parseError, setParseError] = useState<string | null>(null);
  const [asked, setAsked] = useState<Item[] | null>(null);
  const [results, setResults] = useState<Result[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function run() {
    setError(null);
    setParseError(null);
    setResults(null);
    let items: Item[];
    try {
      items = questionsOf(text);
    } catch {
      setParseError('Le texte n’a pas pu être lu : une ligne par organisme, « SIRET;catégorie;date » (la date est facultative).');
      return;
    }
    if (items.length === 0) return setParseError('Aucune ligne à vérifier.');
    if (items.length > MAX_LINES) return setParseError(`${items.length} lignes : ${MAX_LINES} au plus par vérification. Découpez la liste.`);
    setBusy(true);
    try {
      const answer = await post<Dto<'BulkFundingCheckResultDto'>>('/funding-checks', { items });
      setAsked(items);
      setResults(answer.items);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function readFile(file: File | undefined) {
    if (file) setText(await file.text());
  }

  const failed = results?.filter((r) => r.error).length ?? 0;
  return (
    <Screen title="Vérification en masse" crumbs={[{ label: 'Organismes', to: '/organismes' }, { label: 'Vérification en masse' }]}>
      <Section title="Organismes à vérifier">
        <Typography sx={{ mb: 1 }}>
          Une ligne par question : SIRET, catégorie d’action (code ou libellé, par exemple « Actions de formation ») et, si besoin, la date de la décision de financement (jj/mm/aaaa ; aujourd’hui
          sinon), séparés par des points-virgules. {MAX_LINES} lignes au plus.
        </Typography>
        <TextField
          label="Lignes SIRET;catégorie;date"
          multiline
          minRows={6}
          fullWidth
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={'81234567600124;TRAINING;01/03/2025\n81234567600124;Bilans de compétences'}
          slotProps={{ htmlInput: { 'data-testid': 'bulk-text', spellCheck: false } }}
        />
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mt: 2, alignItems: { sm: 'center' } }}>
          <Button variant="outlined" component="label">
            Charger un fichier CSV
            <input hidden type="file" accept=".csv,.txt,text/csv,text/plain" aria-label="Fichier CSV des organismes à vérifier" data-testid="bulk-file" onChange={(e) => void readFile(e.target.files?.[0])} />
          </Button>
          <Button variant="contained" disabled={busy || !text.trim()} onClick={() => void run()}>
            Vérifier
          </Button>
        </Stack>
        {parseError ? (
          <Alert severity="error" role="alert" sx={{ mt: 2 }}>
            {parseError}
          </Alert>
        ) : null}
        {error ? <Failure error={error} retry={() => void run()} /> : null}
      </Section>
      {results && asked ? (
        <Section
          title={`Réponses (${results.length})`}
          testId="bulk-results"
          actions={
            <Button variant="outlined" size="small" onClick={() => void download('/funding-checks', 'verifications.csv', { method: 'POST', body: { items: asked }, accept: 'text/csv' }).catch(setError)}>
              Télécharger en CSV
            </Button>
          }
        >
          {failed ? <Typography sx={{ mb: 1 }}>{failed} ligne(s) en erreur, les autres ont leur réponse.</Typography> : null}
          <SimpleTable
            caption="Réponses de la vérification en masse"
            rows={results}
            rowKey={(r) => String(r.index)}
            empty="Aucune réponse."
            columns={[
              { label: 'Ligne', render: (r) => r.index + 1 },
              { label: 'SIRET', render: (r) => (r.answer ? <Link to={`/organismes/${r.answer.siret}/show`}>{siretFmt(r.answer.siret)}</Link> : asked[r.index]?.siret || '—'), nowrap: true },
              { label: 'Catégorie', render: (r) => label(CATEGORY, r.answer?.category ?? asked[r.index]?.category) },
              { label: 'Date', render: (r) => (r.answer ? date(r.answer.date) : '—'), nowrap: true },
              {
                label: 'Certification',
                render: (r) =>
                  r.answer ? (
                    <Stack spacing={0.5}>
                      <CoverageChip value={r.answer.certification.status} />
                      {r.answer.certification.flags.length ? <span>{r.answer.certification.flags.map((f) => label(FLAG, f)).join(' ; ')}</span> : null}
                      {r.answer.certification.ownNote ? <span>Note interne de votre organisme : {r.answer.certification.ownNote.status === 'CERTIFIED' ? 'certifié' : 'non certifié'}</span> : null}
                    </Stack>
                  ) : (
                    <Box component="span" sx={{ color: 'error.main' }} data-testid="bulk-error">
                      {r.error?.errors.length ? r.error.errors.map(translateFieldError).join(' ') : 'Ligne refusée.'}
                    </Box>
                  ),
              },
              { label: 'Non-conformités majeures ouvertes', render: (r) => (r.answer ? r.answer.controls.openMajorNonConformities.length : '—') },
              {
                label: 'Paiements bloqués',
                render: (r) => (!r.answer ? '—' : !r.answer.controls.blockedPayments ? 'Non communiqué' : r.answer.controls.blockedPayments.actions ? `${r.answer.controls.blockedPayments.actions} (${euros(r.answer.controls.blockedPayments.amountFunded)})` : 'Aucun'),
              },
              {
                label: 'Anomalies de prix',
                render: (r) => (!r.answer?.controls.priceAnomalies ? '—' : `${r.answer.controls.priceAnomalies.open} à examiner, ${r.answer.controls.priceAnomalies.confirmed} confirmée(s)`),
              },
              { label: 'Registre', render: (r) => (!r.answer ? '—' : r.answer.activity.inRegistry ? (r.answer.activity.listed ? 'Inscrit' : 'Radié') : 'Absent') },
            ]}
          />
        </Section>
      ) : null}
    </Screen>
  );
}
