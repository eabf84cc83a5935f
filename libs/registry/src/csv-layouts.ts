/**
 * The two CSV layouts the registry reads (the DGEFP public list of training providers and a
 * funder's funded actions) and the closed value sets their rows use. Production code and the
 * test-data generators (libs/testing/src/generators) both take them from here.
 */

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

export const QUALIOPI_FLAGS = ['actionsDeFormation', 'bilansDeCompetences', 'VAE', 'actionsDeFormationParApprentissage'] as const;
export type QualiopiFlag = (typeof QUALIOPI_FLAGS)[number];

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

export const ACTION_CATEGORIES = ['TRAINING', 'SKILLS_ASSESSMENT', 'VAE', 'APPRENTICESHIP'] as const;
export type ActionCategory = (typeof ACTION_CATEGORIES)[number];
export const ACTION_MODALITIES = ['ON_SITE', 'REMOTE', 'BLENDED'] as const;
export type ActionModality = (typeof ACTION_MODALITIES)[number];

/**
 * Columns a row cannot do without (DESIGN.md section 2). Optional: providerNda (only to
 * disambiguate), fundingDecisionDate (certification falls back to the start date), branchIdcc,
 * and one of certificationCode / formacode (an action has one and/or the other).
 */
export const ACTION_REQUIRED_COLUMNS: readonly ActionCsvColumn[] = [
  'externalRef',
  'providerSiret',
  'category',
  'modality',
  'region',
  'startDate',
  'endDate',
  'hoursPerTrainee',
  'trainees',
  'priceExclVat',
  'amountFunded',
];
