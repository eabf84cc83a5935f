// One price anomaly: its frozen evidence in words; for the group kinds the group on a log scale
// with the same figures as a table; for the provider kinds the ratio bands and set sizes; for
// ABOVE_NPEC the level and its basis; the history; the review form for managers.
import { Alert, Box, Button, FormControl, FormControlLabel, FormLabel, Radio, RadioGroup, Stack, TextField, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { usePermissions } from 'react-admin';
import { post } from '../../api/http';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import type { DisparityEvidence, GroupEvidence, NpecEvidence, ShrinkEvidence } from './evidence';
import { count, date, dateTime, euros, siret } from '../../i18n/format';
import { ANOMALY_KIND, ANOMALY_STATUS, CATEGORY, CHANGE, JUSTIFICATION_GROUND, MODALITY, NPEC_BASIS, PRICE_LEVEL, PRICE_UNIT, REGION, label } from '../../i18n/labels';
import { Screen } from '../../ui/Screen';
import { Facts, Section } from '../../ui/Section';
import { Async, Failure } from '../../ui/states';
import { useRun } from '../../ui/useRun';
import { FiguresTable, GroupChart, StatusChip, band, groupFigures, percent } from './parts';

type AnomalyEvent = Dto<'AnomalyEventDto'>;
type AnomalyWithHistory = Dto<'AnomalyWithHistoryDto'>;
type ReviewAnomaly = Dto<'ReviewAnomalyDto'>;

const GROUP_KINDS = ['PRICE_HIGH', 'PRICE_EXTREME', 'PRICE_LOW'];

/** `ACTION_DATA; RANK:0.5>0.62` in French. */
export function changes(note: string | null | undefined): string {
  if (!note) return '';
  return note
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [code, rest] = part.split(/:(.*)/s);
      const text = label(CHANGE, code);
      if (!rest) return text;
      const [from, to] = rest.split('>');
      if (code === 'RANK') return `${text} (${percent(Number(from))} → ${percent(Number(to))})`;
      if (code === 'KIND') return `${text} (${label(ANOMALY_KIND, from)} → ${label(ANOMALY_KIND, to)})`;
      if (code === 'LEVEL') return `${text} (niveau ${from} → ${to})`;
      return text;
    })
    .join(' ; ');
}

function GroupEvidenceView({ a, e }: { a: AnomalyWithHistory; e: GroupEvidence }) {
  const unit = label(PRICE_UNIT, e.category);
  const where =
    a.kind === 'PRICE_LOW'
      ? `sous le seuil bas du groupe (${euros(e.fences.low)})`
      : a.kind === 'PRICE_EXTREME'
        ? `au-dessus du seuil très haut du groupe (${euros(e.fences.extreme)})`
        : `au-dessus du seuil haut du groupe (${euros(e.fences.high)})`;
  const figures = groupFigures(e, { label: 'Cette action', value: e.value });
  const groupParts = [e.certificationCode, e.formacode ? `Formacode ${e.formacode}` : null, label(MODALITY, e.modality), e.region ? label(REGION, e.region) : null, String(e.year)].filter(Boolean).join(', ');
  return (
    <>
      <Section title="Ce qui a été relevé" testId="evidence">
        <Typography sx={{ mb: 1 }} data-testid="evidence-words">
          Le prix unitaire de cette action, {euros(e.value)} {unit}, est {where}. Il se place au rang centile {percent(e.percentRank)} des {count(e.n)} actions
          comparables, dont la médiane est de {euros(e.unit.median)}.
        </Typography>
        <Facts
          items={[
            ['Groupe de comparaison', `niveau ${e.level} (${label(PRICE_LEVEL, String(e.level))}) : ${groupParts}`],
            ['Catégorie', label(CATEGORY, e.category)],
            ['Taille du groupe', `${count(e.n)} actions, ${count(e.providers)} organismes, ${count(e.funders)} financeurs`],
            ['Écart interquartile (log)', new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 4 }).format(e.logIqr)],
          ]}
        />
      </Section>
      <Section title="Le groupe sur une échelle logarithmique" testId="group">
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Prix unitaires {unit}. Les seuils sont calculés sur le logarithme des prix : bas = Q1 − 1,5 × écart interquartile, haut = Q3 + 1,5 ×, très haut = Q3 + 3 ×.
        </Typography>
        <GroupChart figures={figures} />
        <FiguresTable figures={figures} caption="Chiffres du groupe de comparaison et prix de l’action" />
      </Section>
    </>
  );
}

function DisparityView({ e }: { e: DisparityEvidence }) {
  return (
    <Section title="Ce qui a été relevé" testId="evidence">
      <Typography sx={{ mb: 1 }} data-testid="evidence-words">
        Chez cet organisme, pour cette certification et cette année, votre prix unitaire médian est {band(e.ratioBand)} son prix médian facturé aux autres financeurs. Les prix des
        autres financeurs ne sont jamais montrés : seule la bande d’écart l’est.
      </Typography>
      <Facts
        items={[
          ['Bande d’écart', band(e.ratioBand)],
          ['Vos actions', count(e.ownActions)],
          ['Actions des autres financeurs', count(e.otherActions)],
          ['Autres financeurs', count(e.otherFunders)],
        ]}
      />
    </Section>
  );
}

function ShrinkView({ e }: { e: ShrinkEvidence }) {
  return (
    <Section title="Ce qui a été relevé" testId="evidence">
      <Typography sx={{ mb: 1 }} data-testid="evidence-words">
        Chez cet organisme, la durée médiane par stagiaire de cette année représente {band(e.hoursRatioBand)} celle de l’année précédente, tandis que le prix médian par
        stagiaire représente {band(e.priceRatioBand)} celui de l’année précédente : la durée a baissé sans que le prix baisse.
      </Typography>
      <Facts
        items={[
          ['Durée : rapport à l’année précédente', band(e.hoursRatioBand)],
          ['Prix par stagiaire : rapport à l’année précédente', band(e.priceRatioBand)],
          ['Cette année', `${count(e.actions)} actions, ${count(e.funders)} financeurs`],
          ['L’année précédente', `${count(e.previousActions)} actions, ${count(e.previousFunders)} financeurs`],
        ]}
      />
    </Section>
  );
}

function NpecView({ e }: { e: NpecEvidence }) {
  return (
    <Section title="Ce qui a été relevé" testId="evidence">
      <Typography sx={{ mb: 1 }} data-testid="evidence-words">
        Le coût de ce contrat, {euros(e.value)} par apprenti et par année de contrat, dépasse le niveau de prise en charge de {euros(e.levelEurPerYear)} (
        {new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 }).format(e.ratio)} fois ce niveau), retenu sur la base du {label(NPEC_BASIS, e.basis)}.
      </Typography>
      <Facts
        items={[
          ['Certification (RNCP)', e.certificationCode],
          ['Branche (IDCC)', e.idcc ?? 'non déclarée'],
          ['Niveau de prise en charge', euros(e.levelEurPerYear)],
          ['Base', label(NPEC_BASIS, e.basis)],
          ...(e.basis === 'RANGE_ACROSS_BRANCHES'
            ? ([['Niveaux entre les branches', `de ${euros(e.range.min)} à ${euros(e.range.max)} (${count(e.range.branches)} branches)`]] as [string, string][])
            : []),
          ['Coût par apprenti et par année', euros(e.value)],
        ]}
      />
    </Section>
  );
}

function eventText(ev: AnomalyEvent): { title: string; detail?: string } {
  const d = ev.detail as { kind?: string; changed?: string | null; from?: string; to?: string; ground?: string | null; comment?: string | null };
  if (ev.event === 'FLAGGED') return { title: `Signalée (${label(ANOMALY_KIND, d.kind)})` };
  if (ev.event === 'REOPENED') return { title: `Rouverte par un nouveau calcul (${label(ANOMALY_KIND, d.kind)})`, detail: d.changed ? `Ce qui a changé : ${changes(d.changed)}.` : undefined };
  const title = `Examinée : ${label(ANOMALY_STATUS, d.from)} → ${label(ANOMALY_STATUS, d.to)}`;
  const detail = [d.ground ? `Motif : ${label(JUSTIFICATION_GROUND, d.ground)}` : null, d.comment ? `Commentaire : ${d.comment}` : null].filter(Boolean).join(' · ');
  return { title, detail: detail || undefined };
}

function History({ items }: { items: AnomalyEvent[] }) {
  if (items.length === 0) return <Typography color="text.secondary">Aucun événement.</Typography>;
  return (
    <Box component="ol" sx={{ listStyle: 'none', m: 0, p: 0, borderLeft: '2px solid #c5ccd6', ml: 1 }} data-testid="anomaly-history">
      {items.map((ev, i) => {
        const t = eventText(ev);
        return (
          <Box component="li" key={`${ev.at}-${i}`} sx={{ pl: 2, pb: 1.5 }}>
            <Typography variant="body2" component="p" sx={{ fontWeight: 600 }}>
              {dateTime(ev.at)} — {t.title}
            </Typography>
            {t.detail ? (
              <Typography variant="body2" component="p" color="text.secondary">
                {t.detail}
              </Typography>
            ) : null}
          </Box>
        );
      })}
    </Box>
  );
}

function ReviewForm({ a }: { a: AnomalyWithHistory }) {
  const { run, busy, error } = useRun(`/anomalies`);
  const [decision, setDecision] = useState<'JUSTIFIED' | 'CONFIRMED'>('JUSTIFIED');
  const [ground, setGround] = useState('');
  const [comment, setComment] = useState('');
  const review = (body: ReviewAnomaly) => run(() => post(`/anomalies/${a.id}/review`, body));
  if (a.status === 'OPEN') {
    return (
      <Box data-testid="review-form">
        <Typography sx={{ mb: 1 }}>Mettez l’anomalie en examen avant de la justifier ou de la confirmer.</Typography>
        <Button variant="contained" disabled={busy} onClick={() => void review({ status: 'UNDER_REVIEW' })}>
          Mettre en examen
        </Button>
        {error ? <Failure error={error} /> : null}
      </Box>
    );
  }
  if (a.status !== 'UNDER_REVIEW') return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void review(decision === 'JUSTIFIED' ? { status: 'JUSTIFIED', ground: (ground || undefined) as ReviewAnomaly['ground'], comment } : { status: 'CONFIRMED', comment });
  };
  const fieldErrors = (error as { errors?: { field: string }[] } | null)?.errors ?? [];
  return (
    <Box component="form" onSubmit={submit} noValidate data-testid="review-form">
      <Stack spacing={2}>
        <FormControl>
          <FormLabel id="decision-label">Décision</FormLabel>
          <RadioGroup row aria-labelledby="decision-label" value={decision} onChange={(e) => setDecision(e.target.value as 'JUSTIFIED' | 'CONFIRMED')}>
            <FormControlLabel value="JUSTIFIED" control={<Radio />} label="Justifier le prix" />
            <FormControlLabel value="CONFIRMED" control={<Radio />} label="Confirmer l’anomalie" />
          </RadioGroup>
        </FormControl>
        {decision === 'JUSTIFIED' ? (
          <FormControl error={fieldErrors.some((f) => f.field === 'ground')}>
            <FormLabel id="ground-label">Motif de justification (article R.6316-6 du Code du travail)</FormLabel>
            <RadioGroup aria-labelledby="ground-label" value={ground} onChange={(e) => setGround(e.target.value)}>
              {Object.entries(JUSTIFICATION_GROUND).map(([code, text]) => (
                <FormControlLabel key={code} value={code} control={<Radio />} label={text} />
              ))}
            </RadioGroup>
          </FormControl>
        ) : null}
        <TextField
          label="Commentaire"
          multiline
          minRows={3}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          error={fieldErrors.some((f) => f.field === 'comment')}
          helperText={decision === 'JUSTIFIED' ? 'Expliquez en quoi le motif s’applique à cette action.' : 'Expliquez pourquoi le prix n’est pas justifié.'}
        />
        <Box>
          <Button type="submit" variant="contained" disabled={busy}>
            {decision === 'JUSTIFIED' ? 'Justifier' : 'Confirmer'}
          </Button>
        </Box>
        {error ? <Failure error={error} /> : null}
      </Stack>
    </Box>
  );
}

export default function AnomalyShow() {
  const { id = '' } = useParams();
  const { permissions } = usePermissions<string[]>();
  const manager = (permissions ?? []).includes('manager');
  const query = useApi<AnomalyWithHistory>(`/anomalies/${id}`);
  const title = query.data ? `Anomalie : ${label(ANOMALY_KIND, query.data.kind).toLowerCase()}` : 'Anomalie de prix';
  return (
    <Screen title={title} crumbs={[{ label: 'Anomalies de prix', to: '/anomalies' }, { label: title }]}>
      <Async query={query}>
        {(a) => {
          const e = a.evidence as Record<string, unknown>;
          return (
            <>
              <Section title="Résumé" testId="anomaly-summary">
                <Facts
                  items={[
                    ['Type', label(ANOMALY_KIND, a.kind)],
                    ['Statut', <StatusChip value={a.status} />],
                    ['Organisme', <Link to={`/organismes/${a.providerSiret}/show`}>{siret(a.providerSiret)}</Link>],
                    ['Action', a.actionId ? <Link to={`/actions/${a.actionId}/show`}>Voir l’action financée</Link> : 'Ensemble d’actions de l’organisme'],
                    ['Catégorie', label(CATEGORY, a.category)],
                    ['Certification', a.certificationCode ?? '—'],
                    ['Année', String(a.year)],
                    ['Toujours signalée par le dernier calcul', a.active ? 'Oui' : 'Non'],
                    ['Signalée le', date(a.createdAt)],
                    ['Méthode', `version ${a.methodVersion}`],
                  ]}
                />
                {a.changeNote ? (
                  <Alert severity="info" sx={{ mt: 1 }}>
                    Rouverte : {changes(a.changeNote)}.
                  </Alert>
                ) : null}
              </Section>
              {GROUP_KINDS.includes(a.kind) ? <GroupEvidenceView a={a} e={e as unknown as GroupEvidence} /> : null}
              {a.kind === 'CROSS_FUNDER_DISPARITY' ? <DisparityView e={e as unknown as DisparityEvidence} /> : null}
              {a.kind === 'DURATION_SHORT' ? <ShrinkView e={e as unknown as ShrinkEvidence} /> : null}
              {a.kind === 'ABOVE_NPEC' ? <NpecView e={e as unknown as NpecEvidence} /> : null}
              <Section title="Examen" testId="review">
                {a.review.reviewedAt ? (
                  <Facts
                    items={[
                      ['Statut', label(ANOMALY_STATUS, a.status)],
                      ['Examinée le', dateTime(a.review.reviewedAt)],
                      ['Motif', a.review.ground ? label(JUSTIFICATION_GROUND, a.review.ground) : '—'],
                      ['Commentaire', a.review.comment ?? '—'],
                    ]}
                  />
                ) : (
                  <Typography color="text.secondary">Pas encore examinée.</Typography>
                )}
                {manager ? (
                  <Box sx={{ mt: 2 }}>
                    <ReviewForm key={a.status} a={a} />
                  </Box>
                ) : a.status === 'OPEN' || a.status === 'UNDER_REVIEW' ? (
                  <Typography sx={{ mt: 1 }} color="text.secondary">
                    Seul un responsable peut examiner une anomalie.
                  </Typography>
                ) : null}
              </Section>
              <Section title="Historique">
                <History items={a.history} />
              </Section>
            </>
          );
        }}
      </Async>
    </Screen>
  );
}
