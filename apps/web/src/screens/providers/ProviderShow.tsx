// Provider page: its NDAs and the SIRETs of its SIREN, the certification history as a timeline,
// the funding check on a date for a category, the caller's checks and funded actions with it, and
// the price position of the caller's own actions (their band in the narrowest usable group).
import { Alert, Box, Button, Chip, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { usePermissions } from 'react-admin';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { date, euros, nda as ndaFmt, siren, siret as siretFmt, today } from '../../i18n/format';
import { CATEGORY, EXEMPTION, FLAG, PRICE_POSITION, PRICE_UNIT, REGION, label } from '../../i18n/labels';
import { CoverageChip, StateChip } from '../../ui/fields';
import { Screen } from '../../ui/Screen';
import { Facts, Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Async } from '../../ui/states';
import { LeadFunderPanel } from '../sharing/LeadFunderPanel';

type Establishment = Dto<'EstablishmentDto'>;
type FundingCheck = Dto<'FundingCheckDto'>;
type Observation = Dto<'ObservationDto'>;

function Timeline({ items }: { items: Observation[] }) {
  if (items.length === 0) return <Typography color="text.secondary">Aucune observation de certification enregistrée.</Typography>;
  return (
    <Box component="ol" sx={{ listStyle: 'none', m: 0, p: 0, borderLeft: '2px solid #c5ccd6', ml: 1 }} data-testid="certification-history">
      {items.map((o) => (
        <Box component="li" key={o.id} sx={{ position: 'relative', pl: 2, pb: 1.5 }}>
          <Box aria-hidden="true" sx={{ position: 'absolute', left: -7, top: 4, width: 12, height: 12, borderRadius: '50%', bgcolor: o.certified ? 'success.main' : 'error.main' }} />
          <Typography variant="body2" component="p" sx={{ fontWeight: 600 }}>
            {date(o.observedOn)} — {label(CATEGORY, o.category)} : {o.certified ? 'certifié' : 'non certifié'}
          </Typography>
          <Typography variant="body2" color="text.secondary" component="p">
            {o.validUntil ? `valable jusqu’au ${date(o.validUntil)} · ` : ''}
            source {o.source === 'MANUAL' ? 'saisie manuelle' : o.source === 'PUBLIC_LIST' ? 'liste publique' : o.source}
            {o.certifier ? ` · ${o.certifier}` : ''}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

/**
 * A funder's own note (source OWN_NOTE): its own observation of the provider, shown beside the
 * shared state and never mixed with it (the other funders do not see it).
 */
function OwnNote({ note }: { note: Dto<'OwnNoteDto'> }) {
  return (
    <Box component="span" data-testid="own-note" sx={{ display: 'inline-flex', flexWrap: 'wrap', gap: 0.5, alignItems: 'center' }}>
      <Chip size="small" color="secondary" variant="outlined" label="Note interne de votre organisme" />
      <span>
        {note.certified ? 'certifié' : 'non certifié'} (constaté le {date(note.observedOn)}
        {note.validUntil ? `, jusqu’au ${date(note.validUntil)}` : ''}
        {note.certifier ? `, ${note.certifier}` : ''}) — non partagée avec les autres financeurs
      </span>
    </Box>
  );
}

function FundingCheckPanel({ siret }: { siret: string }) {
  const [params, setParams] = useState({ category: 'TRAINING', date: today() });
  const [asked, setAsked] = useState<typeof params | null>(null);
  const query = useApi<FundingCheck>(asked ? `/providers/${siret}/funding-check?category=${asked.category}&date=${asked.date}` : null);
  function submit(e: FormEvent) {
    e.preventDefault();
    setAsked(params);
  }
  return (
    <Section title="Vérification avant financement" testId="funding-check">
      <Box component="form" onSubmit={submit} sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center', mb: 2 }}>
        <TextField select label="Catégorie d’action" value={params.category} onChange={(e) => setParams({ ...params, category: e.target.value })} size="small" sx={{ minWidth: 220, flex: '1 1 220px' }}>
          {Object.entries(CATEGORY).map(([k, v]) => (
            <MenuItem key={k} value={k}>
              {v}
            </MenuItem>
          ))}
        </TextField>
        <TextField type="date" label="Date de la décision de financement" value={params.date} onChange={(e) => setParams({ ...params, date: e.target.value })} size="small" slotProps={{ inputLabel: { shrink: true } }} sx={{ flex: '1 1 180px' }} />
        <Button type="submit" variant="contained">
          Vérifier
        </Button>
      </Box>
      {asked ? (
        <Async query={query} loading="Vérification en cours…">
          {(fc) => (
            <Box data-testid="funding-result">
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1, flexWrap: 'wrap' }}>
                <Typography>
                  Au {date(fc.date)}, pour « {label(CATEGORY, fc.category)} » :
                </Typography>
                <CoverageChip value={fc.certification.status} />
              </Stack>
              {fc.certification.flags.length ? (
                <Alert severity="warning" sx={{ mb: 1 }}>
                  {fc.certification.flags.map((f) => label(FLAG, f)).join(' ; ')}
                </Alert>
              ) : null}
              <Facts
                items={[
                  ['Observation retenue (partagée)', fc.certification.observation ? `${date(fc.certification.observation.observedOn)} (${fc.certification.observation.certifier ?? fc.certification.observation.source})` : 'Aucune'],
                  ...(fc.certification.ownNote ? [['Note interne de votre organisme', <OwnNote note={fc.certification.ownNote.note} />] as [string, ReactNode]] : []),
                  ['Exemptions', <span data-testid="exemptions">{fc.exemptions.length ? fc.exemptions.map((x) => label(EXEMPTION, x.kind)).join(', ') : 'Aucune'}</span>],
                  ...(fc.controls.blockedPayments
                    ? ([['Paiements bloqués', <span data-testid="blocked-payments">{fc.controls.blockedPayments.actions ? `${fc.controls.blockedPayments.actions} action(s), ${euros(fc.controls.blockedPayments.amountFunded)}` : 'Aucun'}</span>]] as [string, ReactNode][])
                    : []),
                  ...(fc.controls.priceAnomalies
                    ? ([
                        [
                          'Anomalies de prix',
                          <span data-testid="price-anomalies">
                            {fc.controls.priceAnomalies.open || fc.controls.priceAnomalies.confirmed ? (
                              <Link to={`/anomalies?filter=${encodeURIComponent(JSON.stringify({ providerSiret: fc.siret }))}`}>
                                {`${fc.controls.priceAnomalies.open} à examiner, ${fc.controls.priceAnomalies.confirmed} confirmée(s)`}
                              </Link>
                            ) : (
                              'Aucune'
                            )}
                          </span>,
                        ],
                      ] as [string, ReactNode][])
                    : []),
                  [
                    'Non-conformités majeures ouvertes',
                    <span data-testid="major-nc">
                      {fc.controls.openMajorNonConformities.length
                        ? fc.controls.openMajorNonConformities.map((n) => (
                            <Link key={n.correctiveActionId} to={`/controles/${n.checkId}/show`} style={{ display: 'block' }}>
                              Indicateur {n.pointCode}, échéance {date(n.dueAt)}
                              {n.overdue ? ' (en retard)' : ''}
                            </Link>
                          ))
                        : 'Aucune'}
                    </span>,
                  ],
                  [
                    'Contrôles d’autres financeurs (36 mois)',
                    <span data-testid="across-funders">
                      {fc.controls.acrossFunders.checks
                        ? `${fc.controls.acrossFunders.checks} contrôle(s) visible(s), dont ${fc.controls.acrossFunders.nonCompliant} non conforme(s) ; ${fc.controls.acrossFunders.openMajorNonConformities} non-conformité(s) majeure(s) ouverte(s) ; dernier le ${date(fc.controls.acrossFunders.lastCompletedAt)}`
                        : 'Aucun visible'}{' '}
                      <Link to={`/organismes/${siret}/dossier`}>Dossier de contrôle</Link>
                    </span>,
                  ],
                  [
                    'Signalements en cours',
                    <span data-testid="open-reports">
                      {fc.controls.openReportsExist ? 'Oui : au moins un signalement transmis n’est pas encore clos (tous financeurs)' : 'Aucun'}
                    </span>,
                  ],
                  ['Registre', fc.activity.inRegistry ? (fc.activity.listed ? 'Inscrit sur la liste publique' : 'Radié de la liste publique') : 'Absent du registre'],
                  ['Dernier bilan pédagogique et financier', date(fc.activity.lastDeclarationDate)],
                ]}
              />
            </Box>
          )}
        </Async>
      ) : (
        <Typography color="text.secondary">Choisissez la catégorie et la date, puis « Vérifier ».</Typography>
      )}
    </Section>
  );
}

export default function ProviderShow() {
  const { id = '' } = useParams();
  const siret = id.split('-')[0];
  const { permissions } = usePermissions<string[]>();
  const funder = (permissions ?? []).some((r) => r === 'officer' || r === 'manager');
  const provider = useApi<Establishment>(`/providers/${siret}`);
  const checks = useApi<Dto<'CheckPageDto'>>(funder ? `/checks?providerSiret=${siret}&limit=50` : null);
  const actions = useApi<Dto<'ActionPageDto'>>(funder ? `/actions?providerSiret=${siret}&limit=50` : null);
  const positions = useApi<Dto<'PricePositionPageDto'>>(funder ? `/providers/${siret}/price-position?limit=50` : null);
  const sirens = useApi<Dto<'ProviderPageDto'>>(provider.data ? `/providers?q=${provider.data.siren}&limit=100` : null);
  const name = provider.data?.ndas[0]?.name ?? siretFmt(siret);
  return (
    <Screen
      title={name}
      crumbs={[{ label: 'Organismes', to: '/organismes' }, { label: name }]}
      actions={
        funder ? (
          <>
            <Button variant="outlined" component={Link} to={`/organismes/${siret}/dossier`}>
              Dossier de contrôle
            </Button>
            <Button variant="contained" component={Link} to={`/controles/create?siret=${siret}`}>
              Créer un contrôle
            </Button>
          </>
        ) : undefined
      }
    >
      <Async query={provider}>
        {(p) => (
          <>
            {funder ? <LeadFunderPanel siret={siret} canClaim={(permissions ?? []).includes('manager')} /> : null}
            <Section title="Identité">
              <Facts
                items={[
                  ['SIRET', siretFmt(p.siret)],
                  ['SIREN', siren(p.siren)],
                  ['Adresse', p.ndas[0]?.address ? [p.ndas[0].address.street, p.ndas[0].address.postalCode, p.ndas[0].address.city].filter(Boolean).join(' ') : '—'],
                  ['Région', label(REGION, p.ndas[0]?.address?.region)],
                ]}
              />
            </Section>
            <Section title="Déclarations d’activité (NDA)">
              <SimpleTable
                caption="Déclarations d’activité"
                rows={p.ndas}
                rowKey={(n) => n.nda}
                empty="Aucune déclaration d’activité."
                columns={[
                  { label: 'NDA', render: (n) => ndaFmt(n.nda), nowrap: true },
                  { label: 'Raison sociale', render: (n) => n.name },
                  { label: 'Liste publique', render: (n) => (n.listed ? 'Inscrit' : `Radié le ${date(n.delistedAt)}`) },
                  { label: 'Dernier BPF', render: (n) => date(n.lastDeclarationDate), nowrap: true },
                  {
                    label: 'Certification par catégorie',
                    render: (n) => (
                      <Stack sx={{ gap: 0.5 }}>
                        {Object.entries(n.certifications).map(([cat, c]) => (
                          <Stack key={cat} direction="row" sx={{ flexWrap: 'wrap', gap: 0.5, alignItems: 'center' }}>
                            <Chip size="small" variant="outlined" label={`${label(CATEGORY, cat)} : ${c.status === 'CERTIFIED' ? 'certifié' : c.status === 'NOT_CERTIFIED' ? 'non certifié' : c.status === 'EXEMPT' ? 'exempté' : 'inconnu'}`} />
                            {c.ownNote ? <OwnNote note={c.ownNote} /> : null}
                          </Stack>
                        ))}
                      </Stack>
                    ),
                  },
                ]}
              />
            </Section>
            <Section title="Établissements du SIREN">
              <Async query={sirens}>
                {(rows) => (
                  <SimpleTable
                    caption="Établissements du SIREN"
                    rows={rows.items}
                    rowKey={(r) => `${r.siret}-${r.nda}`}
                    empty="Aucun autre établissement."
                    columns={[
                      { label: 'SIRET', render: (r) => (r.siret === p.siret ? siretFmt(r.siret) : <Link to={`/organismes/${r.siret}/show`}>{siretFmt(r.siret)}</Link>), nowrap: true },
                      { label: 'NDA', render: (r) => ndaFmt(r.nda), nowrap: true },
                      { label: 'Ville', render: (r) => r.city ?? '—' },
                    ]}
                  />
                )}
              </Async>
            </Section>
            <Section title="Historique de certification">
              {p.ndas.map((n) => (
                <Box key={n.nda} sx={{ mb: 1 }}>
                  {p.ndas.length > 1 ? <Typography variant="h3" component="h3">NDA {ndaFmt(n.nda)}</Typography> : null}
                  <Timeline items={n.history ?? Object.values(n.certifications).flatMap((c) => (c.observation ? [c.observation] : []))} />
                </Box>
              ))}
              {p.exemptions.length ? (
                <Typography sx={{ mt: 1 }}>
                  Exemptions : {p.exemptions.map((x) => `${label(EXEMPTION, x.kind)} depuis le ${date(x.validFrom)}${x.validUntil ? ` jusqu’au ${date(x.validUntil)}` : ''}`).join(' ; ')}
                </Typography>
              ) : null}
            </Section>
          </>
        )}
      </Async>
      <FundingCheckPanel siret={siret} />
      {funder ? (
        <>
          <Section title="Mes contrôles de cet organisme">
            <Async query={checks}>
              {(page) => (
                <SimpleTable
                  caption="Contrôles de cet organisme"
                  rows={page.items}
                  rowKey={(c) => c.id}
                  empty="Aucun contrôle de cet organisme."
                  columns={[
                    { label: 'Créé le', render: (c) => <Link to={`/controles/${c.id}/show`}>{date(c.createdAt)}</Link>, nowrap: true },
                    { label: 'État', render: (c) => <StateChip value={c.state} /> },
                    { label: 'Version', render: (c) => c.revision },
                  ]}
                />
              )}
            </Async>
          </Section>
          <Section title="Mes actions financées chez cet organisme">
            <Async query={actions}>
              {(page) => (
                <SimpleTable
                  caption="Actions financées chez cet organisme"
                  rows={page.items}
                  rowKey={(a) => a.id}
                  empty="Aucune action financée chez cet organisme."
                  columns={[
                    { label: 'Référence', render: (a) => <Link to={`/actions/${a.id}/show`}>{a.externalRef}</Link> },
                    { label: 'Catégorie', render: (a) => label(CATEGORY, a.category) },
                    { label: 'Début', render: (a) => date(a.startDate), nowrap: true },
                    { label: 'Montant', render: (a) => euros(a.amountFunded), nowrap: true },
                    { label: 'Couverture', render: (a) => <CoverageChip value={a.coverage} /> },
                  ]}
                />
              )}
            </Async>
          </Section>
          <Section title="Position de prix" testId="price-position">
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
              Vos actions chez cet organisme, chacune placée dans le plus précis de ses groupes de comparaison utilisables (au moins 8 actions de 3 organismes et 3 financeurs) :
              quartiles et seuils du groupe, jamais le prix d’un autre financeur. Prix unitaire {label(PRICE_UNIT, 'TRAINING')} pour les actions de formation,{' '}
              {label(PRICE_UNIT, 'VAE')} pour les bilans et la VAE, {label(PRICE_UNIT, 'APPRENTICESHIP')} pour l’apprentissage.
            </Typography>
            <Async query={positions}>
              {(page) => (
                <SimpleTable
                  caption="Position de prix de mes actions chez cet organisme"
                  rows={page.items}
                  rowKey={(r) => r.actionId}
                  empty="Aucune action financée chez cet organisme."
                  columns={[
                    { label: 'Référence', render: (r) => <Link to={`/actions/${r.actionId}/show`}>{r.externalRef}</Link>, nowrap: true },
                    { label: 'Catégorie', render: (r) => label(CATEGORY, r.category) },
                    { label: 'Certification', render: (r) => r.certificationCode ?? '—', nowrap: true },
                    { label: 'Début', render: (r) => date(r.startDate), nowrap: true },
                    { label: 'Prix unitaire', render: (r) => (r.unitPrice === null ? '—' : euros(r.unitPrice)), nowrap: true },
                    { label: 'Position', render: (r) => <span data-testid="price-band">{label(PRICE_POSITION, r.position)}</span> },
                    { label: 'Groupe', render: (r) => (r.group ? `niveau ${r.group.level}, ${r.group.n} actions` : '—') },
                    { label: 'Q1 · médiane · Q3', render: (r) => (r.group ? `${euros(r.group.q1)} · ${euros(r.group.median)} · ${euros(r.group.q3)}` : '—'), nowrap: true },
                    {
                      label: 'Seuils bas · haut · très haut',
                      render: (r) => (r.group ? `${euros(r.group.fences.low)} · ${euros(r.group.fences.high)} · ${euros(r.group.fences.extreme)}` : '—'),
                      nowrap: true,
                    },
                  ]}
                />
              )}
            </Async>
          </Section>
        </>
      ) : null}
    </Screen>
  );
}
