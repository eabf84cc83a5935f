/**
 * The French label of every code the API speaks, in ONE table shared by the documents (PDF
 * letters and exports) and the web UI. The API answers codes; whatever a person reads goes
 * through this table.
 *
 * Plain TypeScript with no import at all, so that the web UI (Vite) imports it as it is:
 * `import { LABELS_FR, labelFr } from '<repo>/libs/documents/src/labels.fr'`.
 * Unit tests (libs/controls/src/labels-coverage.spec.ts) check that every value of the
 * enumerations (registry constants, check states, grades...) has its label here.
 */
export const LABELS_FR = {
  grade: {
    COMPLIANT: 'Conforme',
    MINOR_NC: 'Non-conformité mineure',
    MAJOR_NC: 'Non-conformité majeure',
    NOT_APPLICABLE: 'Non applicable',
  },
  outcome: {
    COMPLIANT: 'Conforme',
    COMPLIANT_WITH_RESERVATIONS: 'Conforme avec réserves',
    NON_COMPLIANT: 'Non conforme',
  },
  checkState: {
    DRAFT: 'Brouillon',
    NOTIFIED: 'Notifié',
    RESPONDED: 'Réponse reçue',
    RESPONSE_OVERDUE: 'Délai de réponse dépassé',
    COMPLETED: 'Terminé',
  },
  method: {
    DOCUMENTARY: 'Sur pièces',
    ON_SITE: 'Sur place',
    REMOTE: 'À distance',
  },
  category: {
    TRAINING: 'Actions de formation',
    SKILLS_ASSESSMENT: 'Bilans de compétences',
    VAE: 'Validation des acquis de l’expérience',
    APPRENTICESHIP: 'Actions de formation par apprentissage',
  },
  categorySource: {
    LINKED_ACTIONS: 'Actions financées rattachées',
    CHOSEN: 'Choix du chargé de contrôle',
    CERTIFIED_PROPOSAL: 'Proposition : catégories certifiées de l’organisme (à confirmer)',
    NONE: 'Aucune catégorie',
  },
  scopeFlag: {
    certifying: 'Formation certifiante',
    alternance: 'Alternance',
    workSituation: 'Action de formation en situation de travail',
    subcontracting: 'Sous-traitance',
  },
  modality: {
    ON_SITE: 'Présentiel',
    REMOTE: 'À distance',
    BLENDED: 'Mixte',
  },
  coverage: {
    CERTIFIED: 'Certifié',
    NOT_CERTIFIED: 'Non certifié',
    EXEMPT: 'Dispensé',
    UNKNOWN: 'Inconnu',
  },
  evidencePurpose: {
    FINDING: 'Constat',
    PROVIDER_RESPONSE: 'Réponse de l’organisme',
    CORRECTIVE_FOLLOW_UP: 'Suivi d’action corrective',
  },
  correctiveStatus: {
    OPEN: 'En cours',
    CLOSED: 'Clôturée',
  },
  actionSource: {
    LINKED: 'Rattachée',
    SAMPLE: 'Échantillon',
  },
  anomalyKind: {
    PRICE_HIGH: 'Prix élevé',
    PRICE_EXTREME: 'Prix très élevé',
    PRICE_LOW: 'Prix bas',
    CROSS_FUNDER_DISPARITY: 'Écart de prix entre financeurs',
    DURATION_SHORT: 'Durée réduite à prix constant',
    ABOVE_NPEC: 'Au-dessus du niveau de prise en charge',
  },
  anomalyStatus: {
    OPEN: 'Ouverte',
    UNDER_REVIEW: 'En examen',
    JUSTIFIED: 'Justifiée',
    CONFIRMED: 'Confirmée',
  },
  /** The four grounds of article R.6316-6 of the Code du travail. */
  justificationGround: {
    TRAINING_NEED: 'Besoin de formation',
    PEDAGOGICAL_ENGINEERING: 'Ingénierie pédagogique',
    INNOVATION: 'Innovation des moyens mobilisés',
    OPERATING_CONDITIONS: 'Conditions comparables d’exploitation',
  },
  region: {
    '01': 'Guadeloupe',
    '02': 'Martinique',
    '03': 'Guyane',
    '04': 'La Réunion',
    '06': 'Mayotte',
    '11': 'Île-de-France',
    '24': 'Centre-Val de Loire',
    '27': 'Bourgogne-Franche-Comté',
    '28': 'Normandie',
    '32': 'Hauts-de-France',
    '44': 'Grand Est',
    '52': 'Pays de la Loire',
    '53': 'Bretagne',
    '75': 'Nouvelle-Aquitaine',
    '76': 'Occitanie',
    '84': 'Auvergne-Rhône-Alpes',
    '93': "Provence-Alpes-Côte d'Azur",
    '94': 'Corse',
  },
} as const;

export type LabelTable = keyof typeof LABELS_FR;

/** The French label of a code; the code itself (never blank) when the table has none. */
export function labelFr(table: LabelTable, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '—';
  const labels = LABELS_FR[table] as Record<string, string>;
  return labels[code] ?? code;
}
