// A check the caller may see without owning it (shared with it, or run by a body it mandated):
// findings, corrective actions and evidence; personal-data evidence shows existence and hash only.
import { Typography } from '@mui/material';
import { Link, useParams } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import type { Dto } from '../../api/dto';
import { date, siret } from '../../i18n/format';
import { ACCESS, CATEGORY, GRADE, METHOD, OUTCOME, STATE, STALE_REASON, label } from '../../i18n/labels';
import { Screen } from '../../ui/Screen';
import { Facts, Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { Async } from '../../ui/states';

type SharedCheck = Dto<'SharedCheckDto'>;

export default function SharedCheckShow() {
  const { id = '' } = useParams();
  const query = useApi<SharedCheck>(`/shared-checks/${id}`);
  return (
    <Async query={query}>
      {(c) => (
        <Screen title={`Contrôle de ${c.owner.name}`} crumbs={[{ label: 'Dossier de contrôle', to: `/organismes/${c.providerSiret}/dossier` }, { label: `Contrôle de ${c.owner.name}` }]}>
          <Section title="Synthèse" testId="shared-summary">
            <Facts
              items={[
                ['Financeur', c.owner.name],
                ['Accès', label(ACCESS, c.access)],
                ['Organisme', <Link to={`/organismes/${c.providerSiret}/show`}>{siret(c.providerSiret)}</Link>],
                ['Méthode', label(METHOD, c.method)],
                ['Référentiel', `${c.framework.code ?? '—'} v${c.framework.version ?? '—'}`],
                ['État', label(STATE, c.state)],
                ['Résultat', c.outcome ? label(OUTCOME, c.outcome) : '—'],
                ['Catégories', c.categories.map((x) => label(CATEGORY, x)).join(', ') || '—'],
                ['Terminé le', date(c.completedAt)],
                ['Votre appui', c.myReliance ? (c.myReliance.stale ? `caduc (${label(STALE_REASON, c.myReliance.staleReason)})` : 'actif') : 'aucun'],
              ]}
            />
          </Section>
          <Section title="Constats" testId="shared-findings">
            <SimpleTable
              caption="Constats"
              rows={c.findings}
              rowKey={(f) => f.pointCode}
              empty="Aucun constat."
              columns={[
                { label: 'Point', render: (f) => f.pointCode },
                { label: 'Constat', render: (f) => label(GRADE, f.grade) },
                { label: 'Commentaire', render: (f) => f.comment ?? '—' },
              ]}
            />
          </Section>
          <Section title="Pièces" testId="shared-evidence">
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
              Les pièces contenant des données personnelles restent chez le financeur qui les détient : seules leur existence et leur empreinte SHA-256 sont montrées.
            </Typography>
            <SimpleTable
              caption="Pièces"
              rows={c.evidence}
              rowKey={(e) => e.id}
              empty="Aucune pièce."
              columns={[
                { label: 'Pièce', render: (e) => (e.disclosure === 'FULL' ? e.fileName ?? e.recordReference ?? '—' : 'Pièce contenant des données personnelles') },
                { label: 'Description', render: (e) => e.description ?? '—' },
                { label: 'Empreinte', render: (e) => <code>{e.sha256 ?? '—'}</code> },
                { label: 'Déposée le', render: (e) => date(e.uploadedAt), nowrap: true },
              ]}
            />
          </Section>
          <Section title="Actions correctives" testId="shared-corrective">
            <SimpleTable
              caption="Actions correctives"
              rows={c.correctiveActions}
              rowKey={(a) => a.pointCode}
              empty="Aucune action corrective."
              columns={[
                { label: 'Point', render: (a) => a.pointCode },
                { label: 'Gravité', render: (a) => label(GRADE, a.grade) },
                { label: 'Échéance', render: (a) => date(a.dueAt), nowrap: true },
                { label: 'Statut', render: (a) => (a.status === 'OPEN' ? 'ouverte' : 'levée') },
              ]}
            />
          </Section>
        </Screen>
      )}
    </Async>
  );
}
