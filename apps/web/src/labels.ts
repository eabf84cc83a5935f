// French labels of the API's codes.

export const COVERAGE_LABEL: Record<string, string> = {
  CERTIFIED: 'CERTIFIÉ',
  NOT_CERTIFIED: 'NON CERTIFIÉ',
  EXEMPT: 'EXEMPTÉ',
  UNKNOWN: 'INCONNU',
};

export const CATEGORY_LABEL: Record<string, string> = {
  TRAINING: 'Actions de formation',
  SKILLS_ASSESSMENT: 'Bilans de compétences',
  VAE: 'VAE',
  APPRENTICESHIP: 'Apprentissage',
};

export const STATE_LABEL: Record<string, string> = {
  DRAFT: 'Brouillon',
  NOTIFIED: 'Notifié',
  RESPONDED: 'Réponse reçue',
  RESPONSE_OVERDUE: 'Réponse en retard',
  COMPLETED: 'Clôturé',
};

export const OUTCOME_LABEL: Record<string, string> = {
  COMPLIANT: 'Conforme',
  COMPLIANT_WITH_RESERVATIONS: 'Conforme avec réserves',
  NON_COMPLIANT: 'Non conforme',
};

export const GRADE_LABEL: Record<string, string> = {
  COMPLIANT: 'Conforme',
  MINOR_NC: 'Non-conformité mineure',
  MAJOR_NC: 'Non-conformité majeure',
  NOT_APPLICABLE: 'Non applicable',
};

export const METHOD_LABEL: Record<string, string> = {
  DOCUMENTARY: 'Sur pièces',
  ON_SITE: 'Sur place',
  REMOTE: 'À distance',
};

export const EXEMPTION_LABEL: Record<string, string> = {
  HIGHER_EDUCATION: 'Établissement d’enseignement supérieur',
  NEW_CFA_GRACE: 'CFA nouvellement créé (délai de grâce)',
};

export const FLAG_LABEL: Record<string, string> = {
  OTHER_SITE: 'certification portée par un autre établissement',
  NOT_IN_REGISTRY: 'absent du registre',
  NDA_NOT_IN_REGISTRY: 'NDA absent du registre',
  EXPIRED: 'certification expirée',
  DELISTED: 'radié de la liste publique',
};

export function label(map: Record<string, string>, code: string | null | undefined): string {
  if (code === null || code === undefined) return '—';
  return map[code] ?? code;
}

export function date(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return value.length <= 10 ? d.toLocaleDateString('fr-FR', { timeZone: 'UTC' }) : d.toLocaleString('fr-FR');
}

export function euros(amount: number): string {
  return amount.toLocaleString('fr-FR', { style: 'currency', currency: 'EUR' });
}
