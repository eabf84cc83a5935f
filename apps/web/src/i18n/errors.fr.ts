/**
 * French catalogue of the API's errors, for the web UI: every problem+json `code` of the API and
 * the field errors of its request validation. English text of the API never reaches the screen
 * for a known code.
 *
 * `ErrorCode` comes from the generated API types (apps/web/src/api/schema.d.ts), so the compiler
 * refuses a catalogue without a message for a code; errors.fr.spec.ts also walks the API's own
 * map (ERROR_STATUS in libs/core). To add a code: add it to ERROR_STATUS, run `npm run api:types`,
 * then write its French message here (see docs/web.md, « Contrat d'API et traductions »).
 */
import type { components } from '../api/schema';

export type ErrorCode = components['schemas']['ErrorCode'];
export type Problem = components['schemas']['ProblemDto'];
export type ApiFieldError = components['schemas']['FieldErrorDto'];

/** One French sentence per error code, written for a quality officer or a manager. */
export const ERROR_MESSAGES_FR: { readonly [C in ErrorCode]: string } = {
  // request shape
  'REQUEST.MALFORMED': 'La demande est illisible : le contenu envoyé n’est pas dans le format attendu.',
  'REQUEST.VALIDATION': 'Certains champs sont manquants ou invalides. Corrigez les champs signalés puis réessayez.',
  'REQUEST.PRECONDITION_FAILED':
    'Ces données ont été modifiées par quelqu’un d’autre depuis leur ouverture. Rechargez la page pour voir la dernière version, puis refaites votre modification.',
  'REQUEST.TOO_LARGE': 'Le fichier ou le contenu envoyé est trop volumineux.',
  'REQUEST.URI_TOO_LONG': 'L’adresse demandée est trop longue.',
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': 'Ce type de fichier ou de contenu n’est pas accepté.',
  'REQUEST.RATE_LIMITED': 'Trop de demandes en peu de temps. Patientez quelques instants puis réessayez.',
  'HTTP.NOT_FOUND': 'Cette page ou cette ressource n’existe pas.',
  'HTTP.METHOD_NOT_ALLOWED': 'Cette opération n’est pas possible sur cette ressource.',
  'IDEMPOTENCY.KEY_REUSED':
    'Cette demande a déjà été envoyée avec un contenu différent. Rechargez la page avant de recommencer.',
  'IDEMPOTENCY.IN_PROGRESS': 'Cette demande est déjà en cours de traitement. Patientez quelques secondes.',
  // platform
  'INTERNAL.ERROR':
    'Une erreur inattendue s’est produite. Réessayez ; si elle persiste, transmettez l’identifiant de corrélation au support.',
  'DEPENDENCY.UNAVAILABLE': 'Le service est momentanément indisponible. Réessayez dans quelques minutes.',
  'JOB.NOT_FOUND': 'Ce traitement est introuvable ou n’est plus conservé.',
  // identity and access
  'AUTH.UNAUTHENTICATED': 'Votre session a expiré ou vous n’êtes pas connecté. Veuillez vous reconnecter.',
  'AUTH.INVALID_CREDENTIALS': 'Adresse e-mail ou mot de passe incorrect.',
  'AUTH.TOKEN_INVALID': 'Votre session n’est plus valide. Veuillez vous reconnecter.',
  'AUTH.REFRESH_REUSED':
    'Par sécurité, votre session a été fermée (elle a été reprise ailleurs). Veuillez vous reconnecter.',
  'AUTH.THROTTLED': 'Trop de tentatives de connexion. Patientez quelques minutes avant de réessayer.',
  'AUTH.SSO_NOT_CONFIGURED': 'La connexion unique (SSO) n’est pas configurée pour cet organisme.',
  'AUTH.SSO_FAILED':
    'La connexion unique (SSO) a échoué : votre identité n’a pas pu être vérifiée ou ne correspond à aucun utilisateur.',
  'ACCESS.FORBIDDEN': 'Votre rôle ne vous permet pas d’effectuer cette opération.',
  'ACCESS.SCOPE_MISSING': 'Cette clé d’API n’a pas les droits nécessaires pour cette opération.',
  'ORGANISATION.NOT_FOUND': 'Organisation introuvable.',
  'ORGANISATION.CODE_TAKEN': 'Ce code d’organisation est déjà utilisé.',
  'USER.NOT_FOUND': 'Utilisateur introuvable.',
  'USER.EMAIL_TAKEN': 'Un utilisateur existe déjà avec cette adresse e-mail.',
  'USER.ROLE_NOT_ALLOWED':
    'Ce rôle ne peut pas être attribué ici (il n’est pas prévu pour ce type d’organisation, ou vous ne pouvez pas retirer votre propre rôle d’administrateur ni désactiver votre compte).',
  'API_KEY.NOT_FOUND': 'Clé d’API introuvable.',
  'API_KEY.SCOPE_NOT_ALLOWED': 'Votre organisation ou votre rôle ne permet pas de donner ce droit à une clé d’API.',
  'AUDIT.NOT_FOUND': 'Le journal d’audit est vide : rien à certifier pour l’instant.',
  // registry
  'PROVIDER.NOT_FOUND': 'Organisme de formation introuvable pour ce SIRET.',
  'PROVIDER.NDA_REQUIRED':
    'Cet établissement a plusieurs numéros de déclaration d’activité (NDA) : précisez celui qui est concerné.',
  'PROVIDER.NDA_NOT_AT_SIRET':
    'Ce numéro de déclaration d’activité (NDA) n’est pas déclaré pour cet établissement (SIRET).',
  'PROVIDER.NOT_CERTIFIER': 'Seul le certificateur de cet organisme peut enregistrer sa certification.',
  'PROVIDER.DOCUMENT_REQUIRED': 'Joignez d’abord le document qui fonde ce constat (décision, attestation).',
  'PROVIDER.CERTIFIER_INVALID': 'Ce certificateur n’est pas une organisation de type certificateur.',
  'IMPORT.NOT_FOUND': 'Import introuvable.',
  'IMPORT.HEADER_INVALID':
    'La ligne d’en-tête du fichier ne correspond pas au modèle attendu (colonnes manquantes, en trop ou mal nommées). Aucune ligne n’a été importée.',
  'IMPORT.FILE_REQUIRED': 'Joignez un fichier à importer.',
  'IMPORT.TOO_MANY_LINES': 'Le fichier compte trop de lignes : découpez-le en plusieurs envois.',
  'ACTION.NOT_FOUND': 'Action de formation financée introuvable.',
  'ACTION.INVALID': 'Cette action de formation financée n’est pas valide : corrigez les champs signalés.',
  // controls
  'FRAMEWORK.NOT_FOUND': 'Référentiel introuvable (code ou version inconnus).',
  'FRAMEWORK.INVALID': 'Ce référentiel n’est pas valide : corrigez les éléments signalés.',
  'CHECK.NOT_FOUND': 'Contrôle introuvable.',
  'CHECK.NOT_EDITABLE': 'Ce contrôle n’est plus un brouillon : il ne peut plus être modifié.',
  'CHECK.INVALID_TRANSITION': 'Cette étape n’est pas possible dans l’état actuel du contrôle.',
  'CHECK.FINDINGS_MISSING':
    'Chaque indicateur applicable doit avoir un constat avant de clôturer le contrôle.',
  'CHECK.POINT_NOT_IN_FRAMEWORK': 'Cet indicateur n’existe pas dans le référentiel utilisé par ce contrôle.',
  'CHECK.POINT_NOT_APPLICABLE':
    'Cet indicateur est hors du périmètre du contrôle : seul « non applicable » peut être enregistré.',
  'CHECK.MINOR_ON_MAJOR_ONLY':
    'Cet indicateur ne peut donner lieu qu’à une non-conformité majeure, pas à une non-conformité mineure.',
  'CHECK.NC_NEEDS_COMMENT': 'Une non-conformité doit être motivée par un commentaire.',
  'CHECK.NC_NEEDS_EVIDENCE': 'Une non-conformité doit s’appuyer sur au moins une pièce justificative.',
  'CHECK.NA_NEEDS_JUSTIFICATION': 'Un indicateur du périmètre déclaré non applicable doit être justifié par écrit.',
  'CHECK.RECEIPT_ALREADY_RECORDED': 'La date de réception est déjà enregistrée : corrigez-la en indiquant le motif.',
  'CHECK.MAKER_CHECKER':
    'Un contrôle doit être clôturé par une personne qui n’a enregistré aucun de ses constats (principe des quatre yeux).',
  'CHECK.RESPONSE_WINDOW_OPEN':
    'Le délai de réponse de l’organisme n’est pas écoulé et aucune réponse n’a été enregistrée : le contrôle ne peut pas encore être clôturé.',
  'CHECK.CONTACT_REQUIRED': 'Renseignez le contact de l’organisme avant d’envoyer la notification.',
  'CHECK.ACTION_NOT_OF_PROVIDER': 'Une des actions choisies n’a pas été dispensée par cet organisme.',
  'CHECK.ASSIGNEE_INVALID':
    'La personne désignée doit être chargée de contrôle, responsable ou auditeur de votre organisation.',
  'EVIDENCE.NOT_FOUND': 'Pièce justificative introuvable.',
  'EVIDENCE.CORRUPT':
    'Le fichier conservé ne correspond plus à son empreinte : il est altéré. Signalez-le à l’administrateur de la plateforme.',
  'EVIDENCE.EMPTY': 'Le fichier est vide.',
  'EVIDENCE.UNKNOWN_REFERENCE': 'Une des pièces justificatives citées n’appartient pas à ce contrôle.',
  'CORRECTIVE_ACTION.NOT_FOUND': 'Action corrective introuvable.',
  'CORRECTIVE_ACTION.CLOSED': 'Cette action corrective est déjà close.',
  'CHECK.VERSION_NOT_FOUND': 'Cette version du contrôle n’existe pas.',
  'CHECK.LETTER_NOT_FOUND': 'Aucun courrier de notification n’a encore été produit pour ce contrôle.',
  // pricing
  'CHECK.DUPLICATE_CONTROL':
    'Des contrôles récents de cet organisme par d’autres financeurs vous sont visibles : choisissez de les réutiliser, de les compléter ou de recontrôler, et motivez ce choix.',
  'SHARING.CHECK_NOT_COMPLETED': 'Seul un contrôle terminé peut être partagé.',
  'SHARING.FUNDER_INVALID': 'Les destinataires d’un partage doivent être d’autres financeurs, actifs.',
  'SHARING.NOT_A_FUNDER': 'Seul un financeur peut faire cette opération de mutualisation.',
  'RELIANCE.NOT_FOUND': 'Appui introuvable.',
  'RELIANCE.CHECK_NOT_COMPLETED': 'On ne s’appuie que sur un contrôle terminé.',
  'RELIANCE.ALREADY_RELIED': 'Votre organisation s’appuie déjà sur ce contrôle.',
  'RELIANCE.OWN_CHECK': 'Un contrôle de votre organisation compte déjà comme le vôtre : inutile de vous appuyer dessus.',
  'MANDATE.NOT_FOUND': 'Mandat introuvable.',
  'MANDATE.BODY_INVALID': 'Le mandataire doit être un organisme mandaté (R.6316-7) actif.',
  'MANDATE.DATES_INVALID': 'La fin du mandat ne peut pas précéder son début.',
  'LEAD_FUNDER.ALREADY_LEAD': 'Votre organisation est déjà chef de file pour cet organisme.',
  'LEAD_FUNDER.CLAIM_PENDING': 'Votre demande pour être chef de file est déjà en attente d’arbitrage.',
  'LEAD_FUNDER.CLAIM_NOT_FOUND': 'Demande de chef de file introuvable.',
  'LEAD_FUNDER.CLAIM_SETTLED': 'Cette demande de chef de file a déjà été arbitrée.',
  'ANOMALY.NOT_FOUND': 'Anomalie de prix introuvable.',
  'ANOMALY.INVALID_TRANSITION':
    'Cette anomalie ne peut pas passer à cet état (ordre : ouverte, en cours d’examen, puis justifiée ou confirmée).',
  'ANOMALY.GROUND_REQUIRED':
    'Une justification doit citer l’un des quatre motifs prévus par l’article R.6316-6 du Code du travail (et seulement une justification).',
  'ANOMALY.COMMENT_REQUIRED': 'Motivez votre décision par un commentaire.',
  // reports
  'REPORT.NOT_FOUND': 'Signalement introuvable.',
  'REPORT.NOT_DRAFT': 'Ce signalement a été soumis et scellé : il ne peut plus être modifié.',
  'REPORT.OWNER_ONLY': 'Seul le financeur auteur du signalement peut faire cette opération.',
  'REPORT.NOT_SUBSTANTIATED': 'Un manquement invoqué n’est étayé par aucune non-conformité d’une version de contrôle retenue (ou par aucune anomalie confirmée) : ajoutez le fondement ou retirez le manquement.',
  'REPORT.NO_GROUNDS': 'Un signalement repose sur au moins un fondement : une version de contrôle terminée ou une anomalie de prix confirmée.',
  'REPORT.NO_CLAIMS': 'Indiquez au moins un manquement (indicateur, point de service fait ou anomalie de prix).',
  'REPORT.NARRATIVE_LENGTH': 'L’exposé des faits doit compter entre 200 et 20 000 caractères.',
  'REPORT.CERTIFIER_UNKNOWN': 'Le certificateur de l’organisme n’est pas connu : désignez-le avant de soumettre.',
  'REPORT.REGION_UNKNOWN': 'La région de l’organisme n’est pas connue : aucun service régional de contrôle ne peut être désigné.',
  'REPORT.GROUND_INVALID': 'Ce fondement ne peut pas être retenu : il faut une version terminée d’un contrôle de cet organisme, ou une anomalie de prix confirmée de cet organisme.',
  'REPORT.COSIGNER_INVALID': 'Ce financeur ne peut pas cosigner : seuls les financeurs qui financent ou ont contrôlé l’organisme peuvent être invités.',
  'REPORT.NOT_INVITED': 'Votre organisation n’est pas invitée à cosigner ce signalement.',
  'REPORT.NOT_COSIGNER': 'Acceptez d’abord l’invitation à cosigner pour ajouter vos fondements.',
  'REPORT.PERSONAL_DATA_GROUND': 'Seul un responsable du financeur propriétaire du contrôle peut inclure des pièces à caractère personnel, en indiquant la base légale.',
  'REPORT.NOT_SUBMITTED': 'Ce signalement n’a pas encore été soumis.',
  'CASE.NOT_FOUND': 'Dossier de signalement introuvable.',
  'CASE.INVALID_TRANSITION': 'Cette opération n’est pas possible dans l’état actuel du dossier.',
  'CASE.OUTCOME_NOT_ALLOWED': 'Cette suite ne peut pas être donnée par votre organisation.',
  'INBOX.SIGNATURE_INVALID': 'La signature de l’envoi est invalide.',
  'INBOX.TIMESTAMP_INVALID': 'L’horodatage de l’envoi est absent ou hors de la fenêtre admise (rejeu refusé).',
  'INBOX.DELIVERY_UNKNOWN': 'Cet envoi ne correspond à aucun signalement scellé adressé à votre organisation.',
  'INBOX.KEY_REUSED': 'Cette clé d’idempotence a déjà servi pour un autre contenu.',
};

/** French labels of the request fields (the last named segment of a field path). */
export const FIELD_LABELS_FR: Readonly<Record<string, string>> = {
  action: 'action',
  actionIds: 'actions contrôlées',
  allowInsecureLoopback: 'autoriser le bouclage local non chiffré',
  amountFunded: 'montant financé',
  assigneeId: 'personne chargée du contrôle',
  body: 'contenu de la demande',
  branchIdcc: 'convention collective (IDCC)',
  callbackUrl: 'adresse de retour',
  categories: 'catégories d’action',
  category: 'catégorie d’action',
  certificationCode: 'code de certification',
  certified: 'certifié',
  certifier: 'certificateur',
  clientId: 'identifiant client',
  clientSecret: 'secret client',
  code: 'code',
  comment: 'commentaire',
  contact: 'contact de l’organisme',
  cursor: 'position dans la liste',
  date: 'date',
  description: 'description',
  disabled: 'désactivé',
  displayName: 'nom affiché',
  email: 'adresse e-mail',
  endDate: 'date de fin',
  evidenceIds: 'pièces justificatives',
  evidenceRefs: 'pièces justificatives',
  externalRef: 'référence externe',
  file: 'fichier',
  firstAdmin: 'premier administrateur',
  force: 'forcer',
  formacode: 'Formacode',
  framework: 'référentiel',
  from: 'du',
  funderKind: 'type de financeur',
  fundingDecisionDate: 'date de décision de financement',
  grade: 'appréciation',
  grading: 'barème',
  ground: 'motif de justification',
  hoursPerTrainee: 'heures par stagiaire',
  issuer: 'émetteur (issuer)',
  items: 'lignes',
  jointServiceFait: 'service fait conjoint',
  kind: 'type',
  label: 'libellé',
  legalSource: 'source juridique',
  limit: 'nombre par page',
  majorOnly: 'non-conformité majeure uniquement',
  method: 'méthode de contrôle',
  minorThreshold: 'seuil de non-conformités mineures',
  modality: 'modalité',
  mode: 'mode',
  name: 'nom',
  nda: 'numéro de déclaration d’activité (NDA)',
  note: 'note',
  observedOn: 'date d’observation',
  pairs: 'correspondances',
  password: 'mot de passe',
  personalData: 'données personnelles',
  points: 'indicateurs',
  priceExclVat: 'prix HT',
  providerNda: 'NDA de l’organisme',
  providerSiret: 'SIRET de l’organisme',
  purpose: 'objet',
  q: 'recherche',
  reason: 'motif',
  receivedAt: 'date de réception',
  receivedOn: 'date de réception',
  redirectUri: 'adresse de redirection',
  reference: 'référence',
  refreshToken: 'jeton de session',
  region: 'région',
  roles: 'rôles',
  scopeContext: 'périmètre du contrôle',
  scopes: 'droits de la clé',
  seed: 'graine de l’échantillonnage',
  siret: 'SIRET',
  siren: 'SIREN',
  size: 'taille de l’échantillon',
  source: 'référentiel source',
  sourceCode: 'code source',
  startDate: 'date de début',
  state: 'état',
  status: 'statut',
  stratifyBy: 'stratification',
  summary: 'synthèse',
  target: 'référentiel cible',
  targetCode: 'code cible',
  text: 'texte',
  title: 'titre',
  to: 'au',
  trainees: 'nombre de stagiaires',
  type: 'type',
  validFrom: 'valable à partir du',
  validUntil: 'valable jusqu’au',
  version: 'version',
};

/** French label of a field path: `items[2].hoursPerTrainee` -> « lignes n° 3 › heures par stagiaire ». */
export function fieldLabelFr(path: string): string {
  const parts: string[] = [];
  for (const segment of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    const name = match ? match[1] : segment;
    const indexes = match ? [...match[2].matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]) + 1) : [];
    const label = name === '' ? '' : (FIELD_LABELS_FR[name] ?? name);
    parts.push([label, ...indexes.map((i) => `n° ${i}`)].filter(Boolean).join(' '));
  }
  const joined = parts.filter(Boolean).join(' › ');
  return joined.charAt(0).toUpperCase() + joined.slice(1);
}

/** The numbers in class-validator's English message (limits of maxLength, min, arrayMaxSize...). */
function numbersIn(message: string): string[] {
  return message.match(/-?\d+(?:\.\d+)?/g) ?? [];
}
const last = (message: string, fallback = '?') => numbersIn(message).at(-1) ?? fallback;

/**
 * French message of each class-validator constraint the API uses, by constraint name. `label` is
 * the French field label; `message` is the API's English message (limits are read from it).
 */
export const CONSTRAINT_MESSAGES_FR: Readonly<Record<string, (label: string, message: string) => string>> = {
  isDefined: (l) => `${l} : ce champ est obligatoire.`,
  isNotEmpty: (l) => `${l} : ce champ est obligatoire.`,
  isString: (l) => `${l} : un texte est attendu.`,
  isInt: (l) => `${l} : un nombre entier est attendu.`,
  isNumber: (l) => `${l} : un nombre est attendu (au plus deux décimales pour un montant).`,
  isBoolean: (l) => `${l} : la valeur doit être oui ou non.`,
  isIn: (l) => `${l} : cette valeur ne fait pas partie des choix possibles.`,
  isEnum: (l) => `${l} : cette valeur ne fait pas partie des choix possibles.`,
  isUuid: (l) => `${l} : identifiant invalide.`,
  isUUID: (l) => `${l} : identifiant invalide.`,
  isEmail: (l) => `${l} : adresse e-mail invalide.`,
  isUrl: (l) => `${l} : adresse web (URL) invalide.`,
  isObject: (l) => `${l} : un objet est attendu.`,
  isArray: (l) => `${l} : une liste est attendue.`,
  isDateString: (l) => `${l} : date invalide (format attendu : jj/mm/aaaa).`,
  isIso8601: (l) => `${l} : date invalide (format attendu : jj/mm/aaaa).`,
  isISO8601: (l) => `${l} : date invalide (format attendu : jj/mm/aaaa).`,
  isSiret: (l) => `${l} : un SIRET compte exactement 14 chiffres.`,
  matches: (l) => `${l} : format invalide.`,
  // class-validator names the bound that failed: "longer than or equal to N" / "shorter than or equal to N".
  isLength: (l, m) =>
    /shorter/.test(m)
      ? `${l} : doit compter au plus ${last(m)} caractères.`
      : `${l} : doit compter au moins ${last(m)} caractères.`,
  minLength: (l, m) => `${l} : doit compter au moins ${last(m)} caractères.`,
  maxLength: (l, m) => `${l} : doit compter au plus ${last(m)} caractères.`,
  min: (l, m) => `${l} : doit être supérieur ou égal à ${last(m)}.`,
  max: (l, m) => `${l} : doit être inférieur ou égal à ${last(m)}.`,
  arrayMinSize: (l, m) => `${l} : choisissez au moins ${last(m)} élément(s).`,
  arrayMaxSize: (l, m) => `${l} : au plus ${last(m)} élément(s).`,
  arrayUnique: (l) => `${l} : chaque élément ne doit figurer qu’une fois.`,
  arrayNotEmpty: (l) => `${l} : choisissez au moins un élément.`,
  nestedValidation: (l) => `${l} : contenu invalide.`,
  whitelistValidation: (l) => `${l} : ce champ n’est pas attendu ici.`,
  unknownValue: (l) => `${l} : contenu inattendu.`,
};

/** Field paths whose `matches` constraint has a precise French explanation. */
const FORMAT_BY_FIELD: Readonly<Record<string, string>> = {
  siret: 'un SIRET compte exactement 14 chiffres',
  providerSiret: 'un SIRET compte exactement 14 chiffres',
  siren: 'un SIREN compte exactement 9 chiffres',
  nda: 'un numéro de déclaration d’activité compte exactement 11 chiffres',
  providerNda: 'un numéro de déclaration d’activité compte exactement 11 chiffres',
  region: 'code de région sur 2 chiffres attendu',
  branchIdcc: 'code IDCC de 1 à 4 chiffres attendu',
  code: 'lettres majuscules, chiffres et tirets uniquement',
  cursor: 'position de liste invalide ; rechargez la liste',
};
const DATE_FIELDS = /(?:date|Date|On|From|Until|At)$|^(?:from|to)$/;

/** French message of one field error of a problem (`errors[]`). */
export function translateFieldError(error: ApiFieldError): string {
  const label = fieldLabelFr(error.field);
  const name = /([A-Za-z]+)(?:\[\d+\])*$/.exec(error.field)?.[1] ?? error.field;
  if (error.constraint === 'matches') {
    if (FORMAT_BY_FIELD[name]) return `${label} : ${FORMAT_BY_FIELD[name]}.`;
    if (DATE_FIELDS.test(name)) return `${label} : date invalide (format attendu : jj/mm/aaaa).`;
  }
  const known = error.constraint ? CONSTRAINT_MESSAGES_FR[error.constraint] : undefined;
  if (known) return known(label, error.message);
  // Business-rule field errors (no validator constraint): the problem's code says what is wrong.
  return `${label} : valeur refusée.`;
}

export interface TranslatedProblem {
  /** The French message for the problem's code (or a generic one for an unknown code). */
  message: string;
  /** One French message per field at fault, with the field path (for placing it next to its input). */
  fields: { field: string; label: string; message: string }[];
}

/** Translates a problem+json body; an unknown code falls back to a French message by status. */
export function translateProblem(problem: Pick<Problem, 'code' | 'status'> & { errors?: ApiFieldError[] }): TranslatedProblem {
  const message =
    (ERROR_MESSAGES_FR as Readonly<Record<string, string>>)[problem.code] ?? fallbackByStatus(problem.status);
  const fields = (problem.errors ?? []).map((e) => ({ field: e.field, label: fieldLabelFr(e.field), message: translateFieldError(e) }));
  return { message, fields };
}

function fallbackByStatus(status: number): string {
  if (status === 401) return ERROR_MESSAGES_FR['AUTH.UNAUTHENTICATED'];
  if (status === 403) return ERROR_MESSAGES_FR['ACCESS.FORBIDDEN'];
  if (status === 404) return ERROR_MESSAGES_FR['HTTP.NOT_FOUND'];
  if (status === 409) return 'Cette opération n’est pas possible dans l’état actuel des données. Rechargez la page.';
  if (status === 422) return 'Cette opération contrevient à une règle de gestion.';
  if (status === 429) return ERROR_MESSAGES_FR['REQUEST.RATE_LIMITED'];
  if (status >= 500) return ERROR_MESSAGES_FR['INTERNAL.ERROR'];
  return ERROR_MESSAGES_FR['REQUEST.VALIDATION'];
}

/** What the UI may catch: an `ApiError` of `api/http.ts` (status, code, field errors) or anything else. */
interface CaughtProblem {
  status: number;
  code?: string;
  errors?: ApiFieldError[];
}

function isProblem(error: unknown): error is CaughtProblem {
  return error instanceof Error && typeof (error as Partial<CaughtProblem>).status === 'number';
}

const UNREACHABLE = 'Le serveur ne répond pas : vérifiez votre connexion puis réessayez.';

/** The French message of anything a screen caught: the code's sentence, never the API's English. */
export function errorMessageFr(error: unknown): string {
  if (isProblem(error)) return error.status === 0 ? UNREACHABLE : translateProblem({ code: error.code as ErrorCode, status: error.status }).message;
  if (error instanceof TypeError) return UNREACHABLE;
  return 'Erreur inattendue.';
}

/** The French lines of a caught problem's field errors (« SIRET de l'organisme : … »). */
export function fieldErrorsFr(error: unknown): string[] {
  return isProblem(error) ? (error.errors ?? []).map(translateFieldError) : [];
}
