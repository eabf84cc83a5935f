// French labels of the API's codes (categories, states, grades...). The codes the documents print
// too come from the ONE shared table, libs/documents/src/labels.fr.ts (plain TypeScript, imported
// as it is); the tables below it are the UI's own (roles, scopes, screens' wording).
import { LABELS_FR } from '../../../../libs/documents/src/labels.fr';

export const COVERAGE: Record<string, string> = LABELS_FR.coverage;

export const CATEGORY: Record<string, string> = LABELS_FR.category;

export const MODALITY: Record<string, string> = LABELS_FR.modality;

export const STATE: Record<string, string> = LABELS_FR.checkState;

export const OUTCOME: Record<string, string> = LABELS_FR.outcome;

export const GRADE: Record<string, string> = LABELS_FR.grade;

export const METHOD: Record<string, string> = LABELS_FR.method;

export const EXEMPTION: Record<string, string> = {
  HIGHER_EDUCATION: 'Établissement d’enseignement supérieur',
  NEW_CFA_GRACE: 'CFA nouvellement créé (délai de grâce)',
};

export const FLAG: Record<string, string> = {
  OTHER_SITE: 'certification portée par un autre établissement',
  NOT_IN_REGISTRY: 'absent du registre',
  NDA_NOT_IN_REGISTRY: 'NDA absent du registre',
  EXPIRED: 'certification expirée',
  DELISTED: 'radié de la liste publique',
};

export const ROLE: Record<string, string> = {
  officer: 'Chargé de contrôle',
  manager: 'Responsable',
  admin: 'Administrateur',
  auditor: 'Auditeur',
  ministry: 'Service de contrôle de l’État',
  certifier: 'Certificateur',
  platform_admin: 'Administrateur de la plateforme',
};

export const SCOPE: Record<string, string> = {
  'actions:read': 'Lire les actions financées',
  'actions:write': 'Écrire les actions financées',
  'providers:read': 'Lire le registre des organismes',
  'checks:read': 'Lire les contrôles',
};

export const IMPORT_STATUS: Record<string, string> = {
  PENDING: 'En attente',
  QUEUED: 'En file d’attente',
  RUNNING: 'En cours',
  SUCCEEDED: 'Terminé',
  FAILED: 'Échoué',
};

export const IMPORT_KIND: Record<string, string> = {
  ACTIONS: 'Actions financées',
  PUBLIC_LIST: 'Liste publique des organismes',
};

export const REGION: Record<string, string> = LABELS_FR.region;

export const CRITERION: Record<string, string> = {
  '1': 'Critère 1 — Conditions d’information du public',
  '2': 'Critère 2 — Identification précise des objectifs et adaptation',
  '3': 'Critère 3 — Adaptation aux publics, accompagnement et évaluation',
  '4': 'Critère 4 — Adéquation des moyens pédagogiques, techniques et d’encadrement',
  '5': 'Critère 5 — Qualification et développement des compétences des personnels',
  '6': 'Critère 6 — Inscription dans l’environnement professionnel',
  '7': 'Critère 7 — Recueil et prise en compte des appréciations et réclamations',
};

export const PURPOSE: Record<string, string> = {
  FINDING: 'Constat',
  PROVIDER_RESPONSE: 'Réponse de l’organisme',
  CORRECTIVE_FOLLOW_UP: 'Suivi d’action corrective',
};

export function label(map: Record<string, string>, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '—';
  return map[code] ?? code;
}

/** Choices for react-admin selects. */
export function choices(map: Record<string, string>): { id: string; name: string }[] {
  return Object.entries(map).map(([id, name]) => ({ id, name }));
}

// Price adequacy: the shared table (libs/documents), which the exports print too.
export const ANOMALY_KIND: Record<string, string> = LABELS_FR.anomalyKind;

export const ANOMALY_STATUS: Record<string, string> = LABELS_FR.anomalyStatus;

export const JUSTIFICATION_GROUND: Record<string, string> = LABELS_FR.justificationGround;

export const PRICE_POSITION: Record<string, string> = {
  BELOW_LOW_FENCE: 'Sous le seuil bas',
  LOW_FENCE_TO_Q1: 'Entre le seuil bas et le 1er quartile',
  Q1_TO_MEDIAN: 'Entre le 1er quartile et la médiane',
  MEDIAN_TO_Q3: 'Entre la médiane et le 3e quartile',
  Q3_TO_HIGH_FENCE: 'Entre le 3e quartile et le seuil haut',
  ABOVE_HIGH_FENCE: 'Au-dessus du seuil haut',
  ABOVE_EXTREME_FENCE: 'Au-dessus du seuil très haut',
  NO_USABLE_GROUP: 'Pas de groupe de comparaison utilisable',
  NOT_COMPUTABLE: 'Prix unitaire non calculable',
};

/** Ladder levels of the comparison groups (docs/pricing.md). */
export const PRICE_LEVEL: Record<string, string> = {
  '1': 'certification, modalité, région et année',
  '2': 'certification, modalité et année',
  '3': 'Formacode, modalité et année',
  '4': 'famille de Formacode, modalité et année',
};

export const NPEC_BASIS: Record<string, string> = {
  BRANCH: 'niveau de la branche de l’entreprise',
  RANGE_ACROSS_BRANCHES: 'niveau le plus élevé entre les branches (aucune branche déclarée)',
};

/** What a reopening says changed (`changeNote`, e.g. `ACTION_DATA; RANK:0.5>0.62`). */
export const CHANGE: Record<string, string> = {
  ACTION_DATA: 'les données de l’action ont changé',
  BAND: 'la bande d’écart a changé',
  KIND: 'le type d’anomalie a changé',
  LEVEL: 'le niveau du groupe de comparaison a changé',
  RANK: 'le rang centile a changé',
};

/** Unit of the unit price per category. */
export const PRICE_UNIT: Record<string, string> = {
  TRAINING: 'par heure et par stagiaire',
  SKILLS_ASSESSMENT: 'par personne',
  VAE: 'par personne',
  APPRENTICESHIP: 'par apprenti et par année de contrat',
};

// Sharing across funders (docs/sharing.md).
export const SHARE_MODE: Record<string, string> = { PRIVATE: 'Privé', POOL: 'Mutualisé (tous les financeurs)', NAMED: 'Financeurs désignés' };
export const ACCESS: Record<string, string> = { OWN: 'Votre organisation', SHARED: 'Partagé avec vous', MANDATE: 'Organisme mandaté par vous' };
export const DUPLICATE_DECISION: Record<string, string> = { REUSE: 'Réutiliser ces contrôles', COMPLEMENT: 'Les compléter', RECHECK: 'Recontrôler' };
export const CLAIM_STATUS: Record<string, string> = { GRANTED: 'Accordée', PENDING: 'En attente d’arbitrage', REJECTED: 'Refusée', SUPERSEDED: 'Sans objet' };
export const STALE_REASON: Record<string, string> = { REVOKED: 'partage retiré', AMENDED: 'contrôle modifié par avenant' };
export const PLAN_REASON: Record<string, string> = {
  NO_RECENT_VISIBLE_CHECK: 'aucun contrôle visible récent',
  UNCERTIFIED_FUNDING: 'financements sans certification Qualiopi établie',
  MANY_FUNDERS: 'financé par plusieurs financeurs',
  LAST_OUTCOME_NON_COMPLIANT: 'dernier contrôle non conforme',
  LAST_OUTCOME_RESERVATIONS: 'dernier contrôle conforme avec réserves',
  LARGE_AMOUNT: 'montant financé parmi vos plus élevés',
  PROFILE_PENDING: 'profil pas encore calculé',
};
export const RISK_PART: Record<string, string> = {
  exposure: 'Financeurs (sur 20)',
  certification: 'Certification (sur 30)',
  recency: 'Ancienneté du dernier contrôle (sur 30)',
  outcome: 'Résultat du dernier contrôle (sur 20)',
};
