import { DocumentModel } from '../document-model';
import { labelFr } from '../labels.fr';
import { frenchDate } from '../pdf-renderer';
import { byPointCode, regionNote } from './template-helpers';

export interface NotificationLetterInput {
  issuer: string;
  provider: { name: string; siret: string; nda: string | null; region: string | null };
  check: { id: string; revision: number; method: string; frameworkCode: string; frameworkVersion: number };
  contact: { name: string | null; email: string | null };
  createdAt: Date;
  /** IANA zone of the provider region: the deadline prints on that calendar. */
  timeZone: string;
  responseWindowDays: number;
  /** End of the response window (end of its last day in the provider region), when the receipt is known. */
  dueAt: Date | null;
  /** The non-conformities notified. */
  findings: { pointCode: string; title: string; grade: string; comment: string | null }[];
}

/** The notification of a check's results to the provider (R.6332-26): a one-page letter when short. */
export function notificationLetterModel(input: NotificationLetterInput): DocumentModel {
  const { provider, check } = input;
  const findings = [...input.findings].sort(byPointCode);
  const window = input.dueAt
    ? `Vous disposez d’un délai de ${input.responseWindowDays} jours à compter de la réception de la présente notification, soit jusqu’au ${frenchDate(input.dueAt, input.timeZone)} inclus${regionNote(provider.region, input.timeZone)}, pour faire part de vos observations et transmettre toute pièce utile (article R.6332-26 du code du travail).`
    : `Vous disposez d’un délai de ${input.responseWindowDays} jours à compter de la réception de la présente notification pour faire part de vos observations et transmettre toute pièce utile (article R.6332-26 du code du travail).`;
  return {
    title: 'Notification des résultats d’un contrôle qualité',
    subtitle: `${provider.name} — SIRET ${provider.siret}${provider.nda ? ` — NDA ${provider.nda}` : ''}`,
    issuer: input.issuer,
    createdAt: input.createdAt,
    timeZone: input.timeZone,
    reference: `Contrôle ${check.id} — version ${check.revision}`,
    sections: [
      {
        heading: 'Destinataire',
        fields: [
          ['Contact', input.contact.name ?? ''],
          ['Courriel', input.contact.email ?? ''],
        ],
      },
      {
        heading: 'Objet',
        paragraphs: [
          `Dans le cadre de ses obligations de contrôle de la qualité des actions qu’il finance (article L.6316-3 du code du travail), ${input.issuer} a réalisé un contrôle (${labelFr('method', check.method).toLowerCase()}) au regard du référentiel ${check.frameworkCode} (version ${check.frameworkVersion}).`,
          findings.length ? `Le contrôle relève ${findings.length} non-conformité(s), détaillée(s) ci-dessous.` : 'Le contrôle ne relève aucune non-conformité.',
        ],
      },
      ...(findings.length
        ? [
            {
              heading: 'Constats',
              table: {
                columns: [{ header: 'Point', width: 1 }, { header: 'Libellé', width: 3 }, { header: 'Constat', width: 2 }, { header: 'Commentaire', width: 3 }],
                rows: findings.map((f) => [f.pointCode, f.title, labelFr('grade', f.grade), f.comment ?? '']),
              },
            },
          ]
        : []),
      {
        heading: 'Vos observations',
        paragraphs: [window, 'À défaut de réponse dans ce délai, les résultats du contrôle pourront être arrêtés en l’état.'],
      },
    ],
  };
}
