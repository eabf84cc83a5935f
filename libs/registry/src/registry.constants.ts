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
 * regions of 2016 and the 5 overseas regions), with their names.
 */
export const REGIONS = [
  { code: '01', name: 'Guadeloupe', overseas: true },
  { code: '02', name: 'Martinique', overseas: true },
  { code: '03', name: 'Guyane', overseas: true },
  { code: '04', name: 'La Réunion', overseas: true },
  { code: '06', name: 'Mayotte', overseas: true },
  { code: '11', name: 'Île-de-France', overseas: false },
  { code: '24', name: 'Centre-Val de Loire', overseas: false },
  { code: '27', name: 'Bourgogne-Franche-Comté', overseas: false },
  { code: '28', name: 'Normandie', overseas: false },
  { code: '32', name: 'Hauts-de-France', overseas: false },
  { code: '44', name: 'Grand Est', overseas: false },
  { code: '52', name: 'Pays de la Loire', overseas: false },
  { code: '53', name: 'Bretagne', overseas: false },
  { code: '75', name: 'Nouvelle-Aquitaine', overseas: false },
  { code: '76', name: 'Occitanie', overseas: false },
  { code: '84', name: 'Auvergne-Rhône-Alpes', overseas: false },
  { code: '93', name: "Provence-Alpes-Côte d'Azur", overseas: false },
  { code: '94', name: 'Corse', overseas: false },
] as const;
export const REGION_CODES = ['01', '02', '03', '04', '06', '11', '24', '27', '28', '32', '44', '52', '53', '75', '76', '84', '93', '94'] as const;
export type RegionCode = (typeof REGION_CODES)[number];

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
