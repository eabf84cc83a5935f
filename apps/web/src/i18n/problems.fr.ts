// French messages of the API's problem+json codes (libs/core/src/errors/error-codes.ts).
// The `openapi-types` work generates the catalogue `errors.fr.ts` from the API: when it lands,
// `CATALOGUE` below points to it and this table goes.
import { ApiError } from '../api/http';
import { ERROR_MESSAGES_FR } from './errors.fr';

export const CATALOGUE: Record<string, string> = {
  'REQUEST.MALFORMED': 'La requête est mal formée.',
  'REQUEST.VALIDATION': 'Certaines valeurs sont invalides.',
  'REQUEST.PRECONDITION_FAILED': 'Ces données ont été modifiées entre-temps : rechargez la page puis recommencez.',
  'REQUEST.TOO_LARGE': 'Le fichier est trop volumineux.',
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': 'Ce type de fichier n’est pas accepté.',
  'REQUEST.RATE_LIMITED': 'Trop de requêtes : patientez quelques instants.',
  'HTTP.NOT_FOUND': 'Page ou ressource introuvable.',
  'HTTP.METHOD_NOT_ALLOWED': 'Opération non permise.',
  'IDEMPOTENCY.KEY_REUSED': 'Cette opération a déjà été envoyée avec d’autres données.',
  'IDEMPOTENCY.IN_PROGRESS': 'Cette opération est déjà en cours.',
  'INTERNAL.ERROR': 'Erreur interne du serveur. Réessayez ; si elle persiste, contactez le support.',
  'DEPENDENCY.UNAVAILABLE': 'Un service nécessaire est momentanément indisponible. Réessayez dans un instant.',
  'JOB.NOT_FOUND': 'Traitement introuvable.',
  'AUTH.UNAUTHENTICATED': 'Votre session a expiré : reconnectez-vous.',
  'AUTH.INVALID_CREDENTIALS': 'Adresse e-mail ou mot de passe incorrect.',
  'AUTH.TOKEN_INVALID': 'Votre session n’est plus valide : reconnectez-vous.',
  'AUTH.REFRESH_REUSED': 'Votre session a été révoquée par sécurité : reconnectez-vous.',
  'AUTH.THROTTLED': 'Trop de tentatives de connexion : patientez avant de réessayer.',
  'AUTH.SSO_NOT_CONFIGURED': 'La connexion unique n’est pas configurée pour cette organisation.',
  'AUTH.SSO_FAILED': 'La connexion unique a échoué.',
  'ACCESS.FORBIDDEN': 'Vous n’avez pas les droits nécessaires pour cette opération.',
  'ACCESS.SCOPE_MISSING': 'Cette clé d’API n’a pas la portée nécessaire.',
  'ORGANISATION.NOT_FOUND': 'Organisation introuvable.',
  'ORGANISATION.CODE_TAKEN': 'Ce code d’organisation est déjà pris.',
  'USER.NOT_FOUND': 'Utilisateur introuvable.',
  'USER.EMAIL_TAKEN': 'Cette adresse e-mail est déjà utilisée.',
  'USER.ROLE_NOT_ALLOWED': 'Ce rôle n’est pas permis pour ce type d’organisation.',
  'API_KEY.NOT_FOUND': 'Clé d’API introuvable.',
  'AUDIT.NOT_FOUND': 'Événement d’audit introuvable.',
  'PROVIDER.NOT_FOUND': 'Organisme introuvable dans le registre.',
  'PROVIDER.NDA_REQUIRED': 'Ce SIRET porte plusieurs NDA : précisez lequel.',
  'PROVIDER.NDA_NOT_AT_SIRET': 'Ce NDA n’est pas rattaché à ce SIRET.',
  'IMPORT.NOT_FOUND': 'Import introuvable.',
  'IMPORT.HEADER_INVALID': 'L’en-tête du fichier est invalide : aucune ligne n’a été importée.',
  'IMPORT.FILE_REQUIRED': 'Choisissez un fichier.',
  'ACTION.NOT_FOUND': 'Action financée introuvable.',
  'ACTION.INVALID': 'Action financée invalide.',
  'FRAMEWORK.NOT_FOUND': 'Référentiel introuvable.',
  'FRAMEWORK.INVALID': 'Référentiel invalide.',
  'FRAMEWORK.VERSION_EXISTS': 'Cette version du référentiel existe déjà.',
  'CHECK.NOT_FOUND': 'Contrôle introuvable.',
  'CHECK.NOT_EDITABLE': 'Ce contrôle n’est plus modifiable dans son état actuel.',
  'CHECK.INVALID_TRANSITION': 'Cette étape n’est pas possible dans l’état actuel du contrôle.',
  'CHECK.FINDINGS_MISSING': 'Des indicateurs applicables n’ont pas encore de constat.',
  'CHECK.POINT_NOT_IN_FRAMEWORK': 'Cet indicateur n’appartient pas au référentiel du contrôle.',
  'CHECK.POINT_NOT_APPLICABLE': 'Cet indicateur n’est pas applicable à ce contrôle.',
  'CHECK.MINOR_ON_MAJOR_ONLY': 'Cet indicateur ne peut donner lieu qu’à une non-conformité majeure.',
  'CHECK.NC_NEEDS_COMMENT': 'Une non-conformité doit être motivée par un commentaire.',
  'CHECK.NC_NEEDS_EVIDENCE': 'Une non-conformité doit s’appuyer sur au moins une preuve.',
  'CHECK.MAKER_CHECKER': 'Le contrôle doit être clôturé par un responsable qui n’a enregistré aucun des constats (principe des quatre yeux).',
  'CHECK.RESPONSE_WINDOW_OPEN': 'Le délai de réponse de l’organisme n’est pas écoulé et aucune réponse n’a été reçue.',
  'CHECK.CONTACT_REQUIRED': 'Renseignez le contact de l’organisme avant de notifier.',
  'CHECK.ACTION_NOT_OF_PROVIDER': 'Une action liée n’est pas une action de cet organisme.',
  'CHECK.ASSIGNEE_INVALID': 'La personne désignée ne peut pas être chargée de ce contrôle.',
  'EVIDENCE.NOT_FOUND': 'Preuve introuvable.',
  'EVIDENCE.CORRUPT': 'Le fichier de preuve est altéré : son empreinte ne correspond plus.',
  'EVIDENCE.EMPTY': 'Le fichier est vide.',
  'EVIDENCE.UNKNOWN_REFERENCE': 'Une preuve citée n’existe pas sur ce contrôle.',
  'CORRECTIVE_ACTION.NOT_FOUND': 'Action corrective introuvable.',
  'CORRECTIVE_ACTION.CLOSED': 'Cette action corrective est déjà close.',
  'CHECK.VERSION_NOT_FOUND': 'Version du contrôle introuvable.',
  'CHECK.LETTER_NOT_FOUND': 'Aucune lettre de notification pour cette version.',
};

/** French names of the request fields the API may name in `errors[].field`. */
export const FIELDS: Record<string, string> = {
  email: 'adresse e-mail',
  password: 'mot de passe',
  providerSiret: 'SIRET',
  providerNda: 'NDA',
  siret: 'SIRET',
  category: 'catégorie',
  method: 'méthode',
  actionIds: 'actions liées',
  receivedOn: 'date de réception',
  receivedAt: 'date de la réponse',
  text: 'texte',
  note: 'note',
  reason: 'motif',
  grade: 'appréciation',
  ground: 'motif de justification',
  status: 'état',
  comment: 'commentaire',
  evidenceRefs: 'preuves',
  file: 'fichier',
  size: 'taille de l’échantillon',
  seed: 'graine',
  displayName: 'nom',
  roles: 'rôles',
  label: 'libellé',
  scopes: 'portées',
  issuer: 'émetteur',
  clientId: 'identifiant client',
  clientSecret: 'secret client',
  contact: 'contact',
  'contact.email': 'e-mail du contact',
  'contact.name': 'nom du contact',
  date: 'date',
  body: 'corps de la requête',
};

/** The French message of an error: the catalogue's for a known code, never the API's English text. */
export function problemMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return 'Le serveur ne répond pas : vérifiez votre connexion puis réessayez.';
    const known = error.code ? (CATALOGUE[error.code] ?? (ERROR_MESSAGES_FR as Readonly<Record<string, string>>)[error.code]) : undefined;
    if (known) return known;
    return `Erreur inattendue (${error.status}${error.code ? ` ${error.code}` : ''}).`;
  }
  if (error instanceof TypeError) return 'Le serveur ne répond pas : vérifiez votre connexion puis réessayez.';
  return 'Erreur inattendue.';
}

/** Field errors as French lines: « SIRET : valeur invalide ». */
export function fieldMessages(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  return error.errors.map((e) => `${FIELDS[e.field] ?? e.field} : valeur invalide`);
}
