/**
 * The registry's enumerations and column lists, declared once. The DTOs, the SQL builders, the
 * checks' scope rules, the documents' labels and the web UI all import them from here.
 *
 * Plain TypeScript with no import at all, so that the web UI (Vite) can import it too.
 */

/** Action categories of L.6313-1 (the four certification categories of Qualiopi). */
export const ACTION_CATEGORIES = ['TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'APPRENTICESHIP'] as const;
export type ActionCategory = (typeof ACTION_CATEGORIES)[number];

/** How a funded action is delivered. */
export const ACTION_MODALITIES = ['ON_SITE', 'REMOTE', 'BLENDED'] as const;
export type ActionModality = (typeof ACTION_MODALITIES)[number];

/**
 * INSEE region codes, from /work/shared/reference/funders.json `regions` (the 13 metropolitan
 * regions of 2016 and the 5 overseas regions). Their names are labels: libs/documents/src/labels.fr.ts.
 */
export const REGION_CODES = ['01', '02', '03', '04', '06', '11', '24', '27', '28', '32', '44', '52', '53', '75', '76', '84', '93', '94'] as const;
export type RegionCode = (typeof REGION_CODES)[number];
/** The overseas regions, whose deadlines run in their own time zone (libs/controls/data/deadlines.json). */
export const OVERSEAS_REGION_CODES: readonly RegionCode[] = ['01', '02', '03', '04', '06'];

/** Certification coverage of a funded action at its funding decision date. */
export const COVERAGE_STATES = ['CERTIFIED', 'NOT_CERTIFIED', 'EXEMPT', 'UNKNOWN'] as const;
export type CoverageState = (typeof COVERAGE_STATES)[number];

/** The funded-actions CSV (docs/actions.md): its columns in order, and its separator. */
export const ACTION_CSV_COLUMNS = [
  'externalRef',
  'providerSiret',
  'providerNda',
  'category',
  'certificationCode',
  'formacode',
  'modality',
  'region',
  'fundingDecisionDate',
  'startDate',
  'endDate',
  'hoursPerTrainee',
  'trainees',
  'priceExclVat',
  'amountFunded',
  'branchIdcc',
] as const;
export type ActionCsvColumn = (typeof ACTION_CSV_COLUMNS)[number];
export const ACTION_CSV_SEPARATOR = ',';

/** The DGEFP public list of providers (docs/registry.md): its columns, and its separator. */
export const PUBLIC_LIST_COLUMNS = [
  'numeroDeclarationActivite',
  'numerosDeclarationActivitePrecedent',
  'denomination',
  'siren',
  'siretEtablissementDeclarant',
  'adressePhysiqueOrganismeFormation.voie',
  'adressePhysiqueOrganismeFormation.codePostal',
  'adressePhysiqueOrganismeFormation.ville',
  'adressePhysiqueOrganismeFormation.codeRegion',
  'certifications.actionsDeFormation',
  'certifications.bilansDeCompetences',
  'certifications.VAE',
  'certifications.actionsDeFormationParApprentissage',
  'organismeEtrangerRepresente.denomination',
  'organismeEtrangerRepresente.voie',
  'organismeEtrangerRepresente.codePostal',
  'organismeEtrangerRepresente.ville',
  'organismeEtrangerRepresente.pays',
  'informationsDeclarees.dateDerniereDeclaration',
  'informationsDeclarees.debutExercice',
  'informationsDeclarees.finExercice',
  'informationsDeclarees.specialitesDeFormation.codeSpecialite1',
  'informationsDeclarees.specialitesDeFormation.libelleSpecialite1',
  'informationsDeclarees.specialitesDeFormation.codeSpecialite2',
  'informationsDeclarees.specialitesDeFormation.libelleSpecialite2',
  'informationsDeclarees.specialitesDeFormation.codeSpecialite3',
  'informationsDeclarees.specialitesDeFormation.libelleSpecialite3',
  'informationsDeclarees.nbStagiaires',
  'informationsDeclarees.nbStagiairesConfiesParUnAutreOF',
  'informationsDeclarees.effectifFormateurs',
] as const;
export type PublicListColumn = (typeof PUBLIC_LIST_COLUMNS)[number];
export const PUBLIC_LIST_SEPARATOR = ';';

/** The public list's Qualiopi flag columns, one per action category (L.6313-1). */
export const QUALIOPI_FLAGS = ['actionsDeFormation', 'bilansDeCompetences', 'VAE', 'actionsDeFormationParApprentissage'] as const;
export type QualiopiFlag = (typeof QUALIOPI_FLAGS)[number];

