import { DocumentModel, DocumentSection } from '../document-model';
import { labelFr } from '../labels.fr';
import { frenchDate } from '../pdf-renderer';
import { byPointCode, frenchSize, regionNote } from './template-helpers';

export interface CheckExportInput {
  issuer: string;
  provider: { name: string; siret: string; nda: string | null; region: string | null };
  timeZone: string;
  createdAt: Date;
  check: {
    id: string;
    state: string;
    method: string;
    frameworkCode: string;
    frameworkVersion: number;
    categories: string[];
    categorySource: string;
    applicable: number;
    total: number;
    notifiedAt: string | null;
    providerReceivedOn: string | null;
    responseDueAt: string | null;
  };
  version: { revision: number; frozen: boolean; outcome: string | null; snapshotSha256: string | null; amendmentReason: string | null };
  findings: { pointCode: string; title: string; grade: string; comment: string | null }[];
  findingRevisions: { pointCode: string; before: string; after: string; reason: string; revisedAt: string }[];
  receiptChanges: { receivedOn: string; previousReceivedOn: string | null; reason: string | null; changedAt: string }[];
  responses: { text: string; receivedAt: string; late: boolean }[];
  evidence: { name: string; size: number | null; sha256: string | null; purpose: string }[];
  actions: { externalRef: string; category: string; source: string; startDate: string | null }[];
  correctiveActions: { pointCode: string; grade: string; dueAt: string; status: string }[];
}

/** A check version as a document: summary, findings, revisions, procedure, evidence, actions, corrective actions. */
export function checkExportModel(input: CheckExportInput): DocumentModel {
  const { check, version, provider } = input;
  const date = (value: string | null) => (value ? frenchDate(value, input.timeZone) : '—');
  const sections: DocumentSection[] = [
    {
      heading: 'Synthèse',
      fields: [
        ['État', labelFr('checkState', version.frozen ? 'COMPLETED' : check.state)],
        ['Résultat', version.outcome ? labelFr('outcome', version.outcome) : '—'],
        ['Méthode', labelFr('method', check.method)],
        ['Catégories', check.categories.map((c) => labelFr('category', c)).join(', ') || '—'],
        ['Origine des catégories', labelFr('categorySource', check.categorySource)],
        ['Points applicables', `${check.applicable} / ${check.total}`],
        ['Notifié le', date(check.notifiedAt)],
        ['Reçu par l’organisme le', date(check.providerReceivedOn)],
        ['Fin du délai de réponse', check.responseDueAt ? `${date(check.responseDueAt)}${regionNote(provider.region, input.timeZone)}` : '—'],
        ['Motif de la modification', version.amendmentReason ?? '—'],
      ],
    },
    {
      heading: 'Constats par point',
      table: {
        columns: [{ header: 'Point', width: 1 }, { header: 'Libellé', width: 4 }, { header: 'Constat', width: 2 }, { header: 'Commentaire', width: 3 }],
        rows: [...input.findings].sort(byPointCode).map((f) => [f.pointCode, f.title, labelFr('grade', f.grade), f.comment ?? '']),
      },
    },
  ];
  if (input.findingRevisions.length) {
    sections.push({
      heading: 'Constats révisés après la réponse de l’organisme',
      table: {
        columns: [{ header: 'Point', width: 1 }, { header: 'Avant', width: 2 }, { header: 'Après', width: 2 }, { header: 'Motif', width: 4 }, { header: 'Le', width: 2 }],
        rows: input.findingRevisions.map((r) => [r.pointCode, labelFr('grade', r.before), labelFr('grade', r.after), r.reason, date(r.revisedAt)]),
      },
    });
  }
  if (input.receiptChanges.some((c) => c.reason !== null)) {
    sections.push({
      heading: 'Corrections de la date de réception',
      table: {
        columns: [{ header: 'Ancienne date', width: 2 }, { header: 'Nouvelle date', width: 2 }, { header: 'Motif', width: 5 }],
        rows: input.receiptChanges.filter((c) => c.reason !== null).map((c) => [date(c.previousReceivedOn), date(c.receivedOn), c.reason ?? '']),
      },
    });
  }
  sections.push(
    {
      heading: 'Réponse de l’organisme',
      paragraphs: input.responses.length ? input.responses.map((r) => `${date(r.receivedAt)}${r.late ? ' (hors délai)' : ''} : ${r.text}`) : ['Aucune réponse enregistrée.'],
    },
    {
      heading: 'Pièces justificatives',
      ...(input.evidence.length
        ? {
            table: {
              columns: [{ header: 'Pièce', width: 3 }, { header: 'Objet', width: 2 }, { header: 'Taille', width: 1 }, { header: 'Empreinte SHA-256', width: 4 }],
              rows: input.evidence.map((e) => [e.name, labelFr('evidencePurpose', e.purpose), frenchSize(e.size), e.sha256 ?? '—']),
            },
          }
        : { paragraphs: ['Aucune pièce.'] }),
    },
    {
      heading: 'Actions financées contrôlées',
      ...(input.actions.length
        ? {
            table: {
              columns: [{ header: 'Référence', width: 3 }, { header: 'Catégorie', width: 3 }, { header: 'Début', width: 2 }, { header: 'Rattachement', width: 2 }],
              rows: input.actions.map((a) => [a.externalRef, labelFr('category', a.category), date(a.startDate), labelFr('actionSource', a.source)]),
            },
          }
        : { paragraphs: ['Aucune action financée rattachée.'] }),
    },
    {
      heading: 'Actions correctives',
      ...(input.correctiveActions.length
        ? {
            table: {
              columns: [{ header: 'Point', width: 1 }, { header: 'Constat', width: 3 }, { header: 'Échéance', width: 2 }, { header: 'État', width: 2 }],
              rows: [...input.correctiveActions].sort(byPointCode).map((c) => [c.pointCode, labelFr('grade', c.grade), date(c.dueAt), labelFr('correctiveStatus', c.status)]),
            },
          }
        : { paragraphs: ['Aucune action corrective.'] }),
    },
  );
  return {
    title: `Contrôle qualité — ${provider.name}`,
    subtitle: `SIRET ${provider.siret}${provider.nda ? ` — NDA ${provider.nda}` : ''} — référentiel ${check.frameworkCode} v${check.frameworkVersion}`,
    issuer: input.issuer,
    createdAt: input.createdAt,
    timeZone: input.timeZone,
    reference: `Contrôle ${check.id} — version ${version.revision}${version.frozen ? ` — empreinte ${version.snapshotSha256?.slice(0, 16)}` : ' — version de travail'}`,
    sections,
  };
}
