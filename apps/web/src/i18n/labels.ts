// French labels of the API's codes (categories, states, grades...). One table for the UI; the
// `checks` work adds a shared table for documents and the UI: switch these to it when it lands.

export const COVERAGE: Record<string, string> = {
  CERTIFIED: 'Certifié',
  NOT_CERTIFIED: 'Non certifié',
  EXEMPT: 'Exempté',
  UNKNOWN: 'Inconnu',
};

export const CATEGORY: Record<string, string> = {
  TRAINING: 'Actions de formation',
  SKILLS_ASSESSMENT: 'Bilans de compétences',
  VAE: 'Validation des acquis de l’expérience',
  APPRENTICESHIP: 'Apprentissage',
};

export const MODALITY: Record<string, string> = { ON_SITE: 'Présentiel', REMOTE: 'À distance', BLENDED: 'Mixte' };

export const STATE: Record<string, string> = {
  DRAFT: 'Brouillon',
  NOTIFIED: 'Notifié',
  RESPONDED: 'Réponse reçue',
  RESPONSE_OVERDUE: 'Réponse en retard',
  COMPLETED: 'Clôturé',
};

export const OUTCOME: Record<string, string> = {
  COMPLIANT: 'Conforme',
  COMPLIANT_WITH_RESERVATIONS: 'Conforme avec réserves',
  NON_COMPLIANT: 'Non conforme',
};

export const GRADE: Record<string, string> = {
  COMPLIANT: 'Conforme',
  MINOR_NC: 'Non-conformité mineure',
  MAJOR_NC: 'Non-conformité majeure',
  NOT_APPLICABLE: 'Non applicable',
};

export const METHOD: Record<string, string> = { DOCUMENTARY: 'Sur pièces', ON_SITE: 'Sur place', REMOTE: 'À distance' };

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

export const REGION: Record<string, string> = {
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
  '93': 'Provence-Alpes-Côte d’Azur',
  '94': 'Corse',
};

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
