/**
 * Synthetic DGEFP public lists of training providers, in exactly the published layout
 * (/work/shared/reference/public-provider-list.md), for import tests and benchmarks.
 *
 * - Deterministic: the same options give the same bytes (seeded PRNG, no clock, no Math.random).
 * - Streaming: rows are produced one at a time; memory does not grow with `rows` (1,000,000 rows
 *   is fine). Identifiers are unique by construction (bijections of counters), not by remembering
 *   what was emitted.
 * - Every good row is valid under ./identifiers; bad rows are injected on request and reported
 *   with their line number (line 1 is the header).
 */
import { Readable } from 'node:stream';
import { LA_POSTE_SIREN, PUBLIC_LIST_COLUMNS, PUBLIC_LIST_SEPARATOR, QUALIOPI_FLAGS, type QualiopiFlag, type RegionCode, luhnCheckDigit } from '@bo/registry';

export { PUBLIC_LIST_COLUMNS, PUBLIC_LIST_SEPARATOR, QUALIOPI_FLAGS, type PublicListColumn, type QualiopiFlag } from '@bo/registry';


// Module-level aliases of Math: under Jest every global lookup crosses the VM context boundary,
// which made the generator loops several times slower. Plain Node is unaffected.
const { exp, floor, imul, trunc } = Math;

// =============================================================================================
// Seeded randomness

/** mulberry32: a tiny 32-bit PRNG, good enough for test data, identical on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a number or a string (FNV-1a for strings). */
export function seedToUint32(seed: number | string): number {
  if (typeof seed === 'number') return trunc(seed) >>> 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class SeededRandom {
  private readonly next: () => number;

  constructor(seed: number | string) {
    this.next = mulberry32(seedToUint32(seed));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[floor(this.next() * items.length)];
  }

  /** Picks with the given weights (`cumulative` from cumulativeWeights). */
  weighted<T>(items: readonly T[], cumulative: readonly number[]): T {
    const r = this.next() * cumulative[cumulative.length - 1];
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return items[lo];
  }

  /** `count` distinct integers in [min, max], ascending. */
  distinctInts(count: number, min: number, max: number): number[] {
    if (count > max - min + 1) throw new RangeError(`cannot draw ${count} distinct values in [${min}, ${max}]`);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(this.int(min, max));
    return [...chosen].sort((a, b) => a - b);
  }
}

export function cumulativeWeights(weights: readonly number[]): number[] {
  const out: number[] = [];
  let total = 0;
  for (const w of weights) out.push((total += w));
  return out;
}

// =============================================================================================
// Small French reference lists (synthetic data only: names and streets are invented mixes)

export interface Place {
  region: RegionCode;
  /** The two digits that follow the region in an NDA (`97` for the overseas departments). */
  ndaDepartment: string;
  postcodes: readonly string[];
  city: string;
  /** Rough share of providers, roughly following where training providers are. */
  weight: number;
}

const range = (prefix: string, from: number, to: number, width: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => prefix + `${from + i}`.padStart(width, '0'));

export const PLACES: readonly Place[] = [
  { region: '11', ndaDepartment: '75', postcodes: range('750', 1, 20, 2), city: 'PARIS', weight: 14 },
  { region: '11', ndaDepartment: '92', postcodes: ['92100'], city: 'BOULOGNE-BILLANCOURT', weight: 2 },
  { region: '11', ndaDepartment: '92', postcodes: ['92000'], city: 'NANTERRE', weight: 1.5 },
  { region: '11', ndaDepartment: '93', postcodes: ['93200', '93210'], city: 'SAINT-DENIS', weight: 1.5 },
  { region: '11', ndaDepartment: '94', postcodes: ['94000'], city: 'CRETEIL', weight: 1 },
  { region: '11', ndaDepartment: '78', postcodes: ['78000'], city: 'VERSAILLES', weight: 1.2 },
  { region: '11', ndaDepartment: '91', postcodes: ['91000'], city: 'EVRY-COURCOURONNES', weight: 0.8 },
  { region: '11', ndaDepartment: '95', postcodes: ['95000'], city: 'CERGY', weight: 0.8 },
  { region: '11', ndaDepartment: '77', postcodes: ['77000'], city: 'MELUN', weight: 0.7 },
  { region: '84', ndaDepartment: '69', postcodes: range('6900', 1, 9, 1), city: 'LYON', weight: 4 },
  { region: '84', ndaDepartment: '38', postcodes: ['38000', '38100'], city: 'GRENOBLE', weight: 1.5 },
  { region: '84', ndaDepartment: '42', postcodes: ['42000', '42100'], city: 'SAINT-ETIENNE', weight: 0.8 },
  { region: '84', ndaDepartment: '63', postcodes: ['63000', '63100'], city: 'CLERMONT-FERRAND', weight: 1 },
  { region: '84', ndaDepartment: '74', postcodes: ['74000'], city: 'ANNECY', weight: 0.8 },
  { region: '93', ndaDepartment: '13', postcodes: range('130', 1, 16, 2), city: 'MARSEILLE', weight: 3 },
  { region: '93', ndaDepartment: '13', postcodes: ['13100', '13090'], city: 'AIX-EN-PROVENCE', weight: 1.2 },
  { region: '93', ndaDepartment: '06', postcodes: ['06000', '06100', '06200'], city: 'NICE', weight: 1.8 },
  { region: '93', ndaDepartment: '83', postcodes: ['83000', '83100'], city: 'TOULON', weight: 0.8 },
  { region: '93', ndaDepartment: '84', postcodes: ['84000'], city: 'AVIGNON', weight: 0.6 },
  { region: '76', ndaDepartment: '31', postcodes: ['31000', '31100', '31200', '31300', '31400', '31500'], city: 'TOULOUSE', weight: 3 },
  { region: '76', ndaDepartment: '34', postcodes: ['34000', '34070', '34080'], city: 'MONTPELLIER', weight: 2 },
  { region: '76', ndaDepartment: '30', postcodes: ['30000', '30900'], city: 'NIMES', weight: 0.6 },
  { region: '76', ndaDepartment: '66', postcodes: ['66000', '66100'], city: 'PERPIGNAN', weight: 0.5 },
  { region: '75', ndaDepartment: '33', postcodes: ['33000', '33100', '33200', '33300', '33800'], city: 'BORDEAUX', weight: 3 },
  { region: '75', ndaDepartment: '87', postcodes: ['87000', '87100'], city: 'LIMOGES', weight: 0.6 },
  { region: '75', ndaDepartment: '86', postcodes: ['86000'], city: 'POITIERS', weight: 0.5 },
  { region: '75', ndaDepartment: '64', postcodes: ['64000'], city: 'PAU', weight: 0.5 },
  { region: '75', ndaDepartment: '17', postcodes: ['17000'], city: 'LA ROCHELLE', weight: 0.5 },
  { region: '32', ndaDepartment: '59', postcodes: ['59000', '59800', '59160'], city: 'LILLE', weight: 3 },
  { region: '32', ndaDepartment: '80', postcodes: ['80000', '80080', '80090'], city: 'AMIENS', weight: 0.7 },
  { region: '32', ndaDepartment: '62', postcodes: ['62000'], city: 'ARRAS', weight: 0.5 },
  { region: '44', ndaDepartment: '67', postcodes: ['67000', '67100', '67200'], city: 'STRASBOURG', weight: 2 },
  { region: '44', ndaDepartment: '51', postcodes: ['51100'], city: 'REIMS', weight: 0.7 },
  { region: '44', ndaDepartment: '54', postcodes: ['54000', '54100'], city: 'NANCY', weight: 0.7 },
  { region: '44', ndaDepartment: '57', postcodes: ['57000', '57050'], city: 'METZ', weight: 0.7 },
  { region: '52', ndaDepartment: '44', postcodes: ['44000', '44100', '44200', '44300'], city: 'NANTES', weight: 2.5 },
  { region: '52', ndaDepartment: '49', postcodes: ['49000', '49100'], city: 'ANGERS', weight: 0.9 },
  { region: '52', ndaDepartment: '72', postcodes: ['72000', '72100'], city: 'LE MANS', weight: 0.6 },
  { region: '53', ndaDepartment: '35', postcodes: ['35000', '35200', '35700'], city: 'RENNES', weight: 2 },
  { region: '53', ndaDepartment: '29', postcodes: ['29200'], city: 'BREST', weight: 0.7 },
  { region: '53', ndaDepartment: '56', postcodes: ['56000'], city: 'VANNES', weight: 0.5 },
  { region: '28', ndaDepartment: '76', postcodes: ['76000', '76100'], city: 'ROUEN', weight: 1.1 },
  { region: '28', ndaDepartment: '76', postcodes: ['76600', '76610', '76620'], city: 'LE HAVRE', weight: 0.5 },
  { region: '28', ndaDepartment: '14', postcodes: ['14000'], city: 'CAEN', weight: 0.9 },
  { region: '24', ndaDepartment: '37', postcodes: ['37000', '37100', '37200'], city: 'TOURS', weight: 0.9 },
  { region: '24', ndaDepartment: '45', postcodes: ['45000', '45100'], city: 'ORLEANS', weight: 0.9 },
  { region: '27', ndaDepartment: '21', postcodes: ['21000'], city: 'DIJON', weight: 0.9 },
  { region: '27', ndaDepartment: '25', postcodes: ['25000'], city: 'BESANCON', weight: 0.7 },
  { region: '94', ndaDepartment: '20', postcodes: ['20000', '20090'], city: 'AJACCIO', weight: 0.2 },
  { region: '94', ndaDepartment: '20', postcodes: ['20200', '20600'], city: 'BASTIA', weight: 0.2 },
  { region: '01', ndaDepartment: '97', postcodes: ['97110'], city: 'POINTE-A-PITRE', weight: 0.2 },
  { region: '01', ndaDepartment: '97', postcodes: ['97122'], city: 'BAIE-MAHAULT', weight: 0.2 },
  { region: '02', ndaDepartment: '97', postcodes: ['97200'], city: 'FORT-DE-FRANCE', weight: 0.3 },
  { region: '03', ndaDepartment: '97', postcodes: ['97300'], city: 'CAYENNE', weight: 0.15 },
  { region: '04', ndaDepartment: '97', postcodes: ['97400', '97490'], city: 'SAINT-DENIS', weight: 0.5 },
  { region: '06', ndaDepartment: '97', postcodes: ['97600'], city: 'MAMOUDZOU', weight: 0.1 },
];
export const PLACE_WEIGHTS = cumulativeWeights(PLACES.map((p) => p.weight));

const STREET_TYPES = ['RUE', 'RUE', 'RUE', 'AVENUE', 'AVENUE', 'BOULEVARD', 'PLACE', 'ALLEE', 'IMPASSE', 'CHEMIN', 'QUAI', 'ROUTE'];
const STREET_NAMES = [
  'DE LA REPUBLIQUE', 'VICTOR HUGO', 'JEAN JAURES', 'DU GENERAL DE GAULLE', 'PASTEUR', 'DES LILAS', 'DE LA GARE',
  'GAMBETTA', 'DU MARECHAL FOCH', 'DE PARIS', 'NATIONALE', 'DU MOULIN', 'DES ECOLES', 'EMILE ZOLA', 'JULES FERRY',
  "DE L'EGLISE", 'SAINT-MICHEL', 'DES TANNEURS', 'DU COMMERCE', 'ANATOLE FRANCE', 'DES CERISIERS', 'DE LA LIBERTE',
  'GEORGES CLEMENCEAU', 'DES ARTISANS', 'DU PORT', "D'ALSACE LORRAINE", 'DE LA PAIX', 'LOUISE MICHEL',
];
const ADDRESS_COMPLEMENTS = ['BAT A', 'BAT B', '2EME ETAGE', 'CS 40012', 'BP 214', 'ZA DES GRANDS CHAMPS', 'PARC TERTIAIRE'];
const SURNAMES = [
  'MARTIN', 'BERNARD', 'DUBOIS', 'THOMAS', 'ROBERT', 'RICHARD', 'PETIT', 'DURAND', 'LEROY', 'MOREAU', 'SIMON', 'LAURENT',
  'LEFEBVRE', 'MICHEL', 'GARCIA', 'DAVID', 'BERTRAND', 'ROUX', 'VINCENT', 'FOURNIER', 'MOREL', 'GIRARD', 'ANDRE',
  'MERCIER', 'BLANC', 'GUERIN', 'BOYER', 'GARNIER', 'CHEVALIER', 'FRANCOIS', 'LEGRAND', 'GAUTHIER', 'PERRIN', 'NGUYEN',
];
const FIRST_NAMES = ['CLAIRE', 'SOPHIE', 'NATHALIE', 'ISABELLE', 'JULIE', 'CAMILLE', 'PIERRE', 'NICOLAS', 'JULIEN', 'THOMAS', 'OLIVIER', 'KARIM', 'YASMINA', 'LUCAS'];
const ORG_KINDS = ['INSTITUT', 'ACADEMIE', 'CENTRE DE FORMATION', 'ECOLE', 'ASSOCIATION', 'ATELIER', 'CAMPUS', 'CFA', 'GRETA', 'MAISON'];
const ORG_TOPICS = [
  'DES METIERS DE LA SANTE', 'DU NUMERIQUE', 'DES METIERS DU BATIMENT', 'DE LA RELATION CLIENT', 'DU TRANSPORT ET DE LA LOGISTIQUE',
  'DES LANGUES', 'DU MANAGEMENT', 'DE LA SECURITE', 'DES METIERS DE BOUCHE', "DE L'HOTELLERIE RESTAURATION", 'DU COMMERCE',
  'DE LA PETITE ENFANCE', 'DES ARTS ET DU DESIGN', 'DE LA BEAUTE', 'DES ENERGIES RENOUVELABLES', 'DU SPORT',
];
const BRAND_HEADS = ['FORMA', 'PRO', 'COMPET', 'SKILL', 'CAP', 'TALENT', 'EVOL', 'SAVOIR', 'ACTI', 'NOVA', 'DIGI', 'PERFORM'];
const BRAND_TAILS = ['PLUS', 'CONSEIL', 'CAMPUS', 'SUP', 'LINK', 'ACADEMY', 'UP', 'VISION', 'LAB', 'SPHERE', 'FORMATION', 'EXPERTISE'];
const CONSULTING = ['CONSEIL', 'FORMATION', 'CONSULTING', 'ET ASSOCIES', 'FORMATION CONSEIL', 'COACHING'];
const LEGAL_FORMS = ['', '', ' SAS', ' SARL', ' SASU', ' EURL', ' SA'];

/** NSF specialities (3 digits) with their labels, among the most frequent in the list. */
export const NSF_SPECIALITIES: readonly (readonly [string, string])[] = [
  ['100', 'Formations générales'],
  ['136', 'Langues vivantes, civilisations étrangères et régionales'],
  ['221', 'Agro-alimentaire, alimentation, cuisine'],
  ['227', 'Energie, génie climatique'],
  ['230', 'Spécialités pluritechnologiques génie civil, construction, bois'],
  ['251', 'Mécanique générale et de précision, usinage'],
  ['255', 'Electricité, électronique'],
  ['311', 'Transport, manutention, magasinage'],
  ['312', 'Commerce, vente'],
  ['313', 'Finances, banque, assurances'],
  ['314', 'Comptabilité, gestion'],
  ['315', "Ressources humaines, gestion du personnel, gestion de l'emploi"],
  ['320', 'Spécialités plurivalentes de la communication'],
  ['326', "Informatique, traitement de l'information, réseaux de transmission"],
  ['330', 'Spécialités plurivalentes sanitaires et sociales'],
  ['331', 'Santé'],
  ['332', 'Travail social'],
  ['333', 'Enseignement, formation'],
  ['334', 'Accueil, hôtellerie, tourisme'],
  ['336', 'Coiffure, esthétique et autres spécialités des services aux personnes'],
  ['344', 'Sécurité des biens et des personnes, police, surveillance'],
  ['413', 'Développement des capacités comportementales et relationnelles'],
  ['415', "Développement des capacités d'orientation, d'insertion ou de réinsertion sociales et professionnelles"],
];

const FOREIGN_PLACES: readonly (readonly [country: string, city: string, postcode: string])[] = [
  ['BELGIQUE', 'BRUXELLES', '1000'],
  ['SUISSE', 'GENEVE', '1201'],
  ['LUXEMBOURG', 'LUXEMBOURG', 'L-1011'],
  ['ALLEMAGNE', 'BERLIN', '10115'],
  ['ESPAGNE', 'MADRID', '28001'],
  ['ROYAUME-UNI', 'LONDRES', 'EC1A 1BB'],
  ['CANADA', 'MONTREAL', 'H2X 1Y4'],
];
const FOREIGN_SUFFIXES = [' GMBH', ' SPRL', ' LTD', ' SA', ' SL', ' INC'];

// =============================================================================================
// Identifiers unique by construction

/** x -> (a x + b) mod m is a bijection of [0, m) when gcd(a, m) = 1: distinct counters give distinct codes. */
function affine(x: number, a: number, b: number, m: number): number {
  return (((a * x) % m) + b) % m;
}

const SIREN_BODY_SPAN = 90_000_000; // 8-digit bodies 10000000..99999999 (no leading zero)
// Near the golden ratio of the span, so that consecutive counters land far apart; prime to 2, 3
// and 5, hence to SIREN_BODY_SPAN; (span - 1) * multiplier stays below 2^53.
const SIREN_MULTIPLIER = 55_623_493;
const NDA_SPAN = 10_000_000; // the 7 digits after region + department
const NDA_MULTIPLIER = 6_180_339; // near the golden ratio of NDA_SPAN, prime to 2 and 5
/** Current NDAs use counters below this, earlier NDAs counters above: the two never collide. */
const NDA_PREVIOUS_BASE = 5_000_000;

/**
 * Hands out SIRENs, SIRETs and NDAs that are valid and never repeat within one factory, holding
 * only a few counters. Two factories with the same salt hand out the same sequence.
 */
export class IdentifierFactory {
  private sirenCounter = 0;
  private laPosteCounter = 0;
  private readonly ndaCounters = new Map<string, number>();
  private readonly previousNdaCounters = new Map<string, number>();
  private readonly ndaOffsets = new Map<string, number>();
  private readonly sirenOffset: number;
  private readonly salt: number;

  constructor(salt: number) {
    this.salt = salt >>> 0;
    this.sirenOffset = (imul(this.salt, 0x9e3779b1) >>> 0) % SIREN_BODY_SPAN;
  }

  /** A new SIREN (never La Poste's). */
  nextSiren(): string {
    for (;;) {
      const body = `${10_000_000 + affine(this.sirenCounter++, SIREN_MULTIPLIER, this.sirenOffset, SIREN_BODY_SPAN)}`;
      if (body === LA_POSTE_SIREN.slice(0, 8)) continue;
      return body + luhnCheckDigit(body);
    }
  }

  /** The SIRET of establishment number `index` (1-based) of a SIREN: NIC = 4 digits + Luhn key. */
  siret(siren: string, index: number): string {
    const base = siren + `${index}`.padStart(4, '0');
    return base + luhnCheckDigit(base);
  }

  /** A new establishment of La Poste: its SIRET has a digit sum that is a multiple of 5. */
  nextLaPosteSiret(random: SeededRandom): string {
    const base = LA_POSTE_SIREN + `${100 + this.laPosteCounter++}`.padStart(4, '0');
    let sum = 0;
    for (const c of base) sum += c.charCodeAt(0) - 48;
    const low = (5 - (sum % 5)) % 5; // 0..4; +5 also works
    return base + `${random.chance(0.5) ? low : low + 5}`;
  }

  /** A new current NDA registered in `place`. */
  nextNda(place: Place): string {
    return this.nda(place, this.ndaCounters, 0);
  }

  /** A new NDA that a provider held before (never equal to a current one). */
  nextPreviousNda(place: Place): string {
    return this.nda(place, this.previousNdaCounters, NDA_PREVIOUS_BASE);
  }

  private nda(place: Place, counters: Map<string, number>, base: number): string {
    const prefix = place.region + place.ndaDepartment;
    const n = counters.get(prefix) ?? 0;
    if (n >= NDA_PREVIOUS_BASE) throw new RangeError(`NDA space exhausted for prefix ${prefix}`);
    counters.set(prefix, n + 1);
    let offset = this.ndaOffsets.get(prefix);
    if (offset === undefined) this.ndaOffsets.set(prefix, (offset = seedToUint32(`${this.salt}:${prefix}`) % NDA_SPAN));
    return prefix + `${affine(base + n, NDA_MULTIPLIER, offset, NDA_SPAN)}`.padStart(7, '0');
  }
}

// =============================================================================================
// Formatting

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

export function formatFrenchDate(year: number, month: number, day: number): string {
  return `${pad2(day)}/${pad2(month)}/${year}`;
}

/** A quoted text cell (`"` doubled); an empty value stays an empty cell. */
function text(value: string): string {
  if (value === '') return '';
  return value.includes('"') ? `"${value.replace(/"/g, '""')}"` : `"${value}"`;
}

function flag(value: boolean | null): string {
  return value === null ? '' : value ? 'true' : 'false';
}

// =============================================================================================
// The generator


export const PUBLIC_LIST_BAD_ROW_KINDS = ['BAD_SIRET', 'BAD_NDA', 'DUPLICATE_NDA', 'BAD_REGION', 'BAD_DATE'] as const;
export type PublicListBadRowKind = (typeof PUBLIC_LIST_BAD_ROW_KINDS)[number];

export interface InjectedBadRow<K extends string> {
  /** 1-based line in the file; line 1 is the header. */
  line: number;
  kind: K;
  /** What is wrong, e.g. `siretEtablissementDeclarant "1234567890001" has 13 digits`. */
  detail: string;
}

export interface PublicListGeneratorOptions {
  rows: number;
  seed: number | string;
  /** Share of establishments (SIRETs) holding two or three NDAs. Default 0.06. */
  multiNdaShare?: number;
  /**
   * Share of non-empty Qualiopi flags that are `true`, for all categories or per category.
   * Defaults: training 0.45, skills assessment 0.06, VAE 0.05, apprenticeship 0.04.
   */
  certifiedShare?: number | Partial<Record<QualiopiFlag, number>>;
  /** Share of Qualiopi flags left empty. Default 0.03. */
  emptyFlagShare?: number;
  /** Share of rows listing earlier NDAs. Default 0.03. */
  previousNdaShare?: number;
  /** How many bad rows of each kind to inject, at positions drawn from the seed. */
  badRows?: Partial<Record<PublicListBadRowKind, number>>;
  /** Start with a UTF-8 byte order mark. Default false. */
  bom?: boolean;
  /** End every line (header included) with `;`, as the published file does. Default true. */
  trailingSeparator?: boolean;
  /** Default `\n`. */
  lineEnding?: '\n' | '\r\n';
  /** Year of publication: declaration dates fall in it and the year before. Default 2025. */
  referenceYear?: number;
}

const DEFAULT_CERTIFIED: Record<QualiopiFlag, number> = {
  actionsDeFormation: 0.45,
  bilansDeCompetences: 0.06,
  VAE: 0.05,
  actionsDeFormationParApprentissage: 0.04,
};

/** One NDA row of an establishment: everything but the per-NDA values. */
interface EstablishmentProfile {
  siren: string;
  siret: string;
  name: string;
  street: string;
  postcode: string;
  place: Place;
  foreign: readonly string[] | null;
}

interface PendingNda {
  dueIndex: number;
  profile: EstablishmentProfile;
}

/** At most this many extra NDAs wait to be written, which bounds memory. */
const MAX_PENDING = 64;

export class PublicListGenerator {
  /** Bad rows that the file will contain, by line; known before any row is generated. */
  readonly badRows: readonly InjectedBadRow<PublicListBadRowKind>[];
  readonly columns = PUBLIC_LIST_COLUMNS;
  private readonly o: ResolvedPublicListOptions;
  private readonly plan: ReadonlyMap<number, PlannedBadRow<PublicListBadRowKind>>;
  private readonly seed: number;

  constructor(options: PublicListGeneratorOptions) {
    if (!Number.isInteger(options.rows) || options.rows < 0) throw new RangeError('rows must be a non-negative integer');
    const share = options.certifiedShare;
    this.o = {
      rows: options.rows,
      multiNdaShare: options.multiNdaShare ?? 0.06,
      certifiedShare:
        typeof share === 'number'
          ? { actionsDeFormation: share, bilansDeCompetences: share, VAE: share, actionsDeFormationParApprentissage: share }
          : { ...DEFAULT_CERTIFIED, ...share },
      emptyFlagShare: options.emptyFlagShare ?? 0.03,
      previousNdaShare: options.previousNdaShare ?? 0.03,
      bom: options.bom ?? false,
      trailingSeparator: options.trailingSeparator ?? true,
      lineEnding: options.lineEnding ?? '\n',
      referenceYear: options.referenceYear ?? 2025,
    };
    this.seed = seedToUint32(options.seed);
    this.plan = planBadRows(this.seed, options.rows, options.badRows ?? {}, (kind, variant, goodLineBefore) =>
      describePublicBadRow(kind, variant, goodLineBefore, this.o.referenceYear),
    );
    this.badRows = [...this.plan].map(([index, p]) => ({ line: index + 2, kind: p.kind, detail: p.detail }));
  }

  /** The header line (without BOM or line ending). */
  header(): string {
    return this.joinCells([...PUBLIC_LIST_COLUMNS]);
  }

  /** Every line of the file, header first, each with its line ending; the first carries the BOM if asked. */
  *lines(): Generator<string, void, undefined> {
    const eol = this.o.lineEnding;
    yield (this.o.bom ? '\uFEFF' : '') + this.header() + eol;
    for (const cells of this.rows()) yield this.joinCells(cells) + eol;
  }

  /** The file as a byte stream, produced as the consumer reads. */
  stream(): Readable {
    return linesToStream(this.lines());
  }

  private joinCells(cells: string[]): string {
    return cells.join(PUBLIC_LIST_SEPARATOR) + (this.o.trailingSeparator ? PUBLIC_LIST_SEPARATOR : '');
  }

  private *rows(): Generator<string[], void, undefined> {
    const o = this.o;
    const random = new SeededRandom(this.seed);
    const ids = new IdentifierFactory(this.seed);
    const pending: PendingNda[] = [];
    let lastSiren: string | null = null;
    let lastSirenName = '';
    let lastSirenSites = 0;
    let lastGoodNda = '';

    const newProfile = (): EstablishmentProfile => {
      const place = random.weighted(PLACES, PLACE_WEIGHTS);
      let siren: string;
      let siret: string;
      let name: string;
      if (random.chance(0.00005)) {
        siren = LA_POSTE_SIREN;
        siret = ids.nextLaPosteSiret(random);
        name = 'LA POSTE';
      } else if (lastSiren !== null && lastSirenSites < 9999 && random.chance(0.04)) {
        siren = lastSiren; // another site of the previous company
        siret = ids.siret(siren, ++lastSirenSites);
        name = lastSirenName;
      } else {
        siren = ids.nextSiren();
        siret = ids.siret(siren, 1);
        name = providerName(random);
        lastSiren = siren;
        lastSirenName = name;
        lastSirenSites = 1;
      }
      const foreign = random.chance(0.003) ? foreignOrganisation(random) : null;
      return { siren, siret, name, street: street(random), postcode: random.pick(place.postcodes), place, foreign };
    };

    for (let index = 0; index < o.rows; index++) {
      const bad = this.plan.get(index);
      let profile: EstablishmentProfile;
      if (bad === undefined && pending.length > 0 && pending[0].dueIndex <= index) {
        profile = pending.shift()!.profile;
      } else {
        profile = newProfile();
        if (bad === undefined && pending.length < MAX_PENDING && random.chance(o.multiNdaShare)) {
          const extra = random.chance(0.8) ? 1 : 2;
          for (let k = 0; k < extra; k++) insertPending(pending, { dueIndex: index + random.int(1, 40), profile });
        }
      }
      const nda = ids.nextNda(profile.place);
      const cells = this.goodCells(random, ids, profile, nda);
      if (bad === undefined) {
        lastGoodNda = nda;
      } else {
        injectPublicBadValue(cells, bad, profile.siret, nda, lastGoodNda, o.referenceYear);
      }
      yield cells;
    }
  }

  private goodCells(random: SeededRandom, ids: IdentifierFactory, p: EstablishmentProfile, nda: string): string[] {
    const o = this.o;
    const previous: string[] = [];
    if (random.chance(o.previousNdaShare)) {
      const count = random.chance(0.8) ? 1 : 2;
      for (let k = 0; k < count; k++) {
        previous.push(ids.nextPreviousNda(random.chance(0.7) ? p.place : random.weighted(PLACES, PLACE_WEIGHTS)));
      }
    }
    const flags = QUALIOPI_FLAGS.map((f) => flag(random.chance(o.emptyFlagShare) ? null : random.chance(o.certifiedShare[f])));
    // Empty foreign-organisation fields are written as in the published file: the name as an
    // empty cell, the address parts as "".
    const foreign = p.foreign ? p.foreign.map(text) : ['', '""', '""', '""', '""'];

    // Declared activity (bilan pédagogique et financier); a new provider has declared nothing yet.
    const declared: string[] = [];
    if (random.chance(0.1)) {
      declared.push('', '', '', '', '', '', '', '', '', '', '', '');
    } else {
      const y = o.referenceYear;
      declared.push(
        random.chance(0.8) ? formatFrenchDate(y, random.int(1, 5), random.int(1, 28)) : formatFrenchDate(y - 1, random.int(1, 12), random.int(1, 28)),
      );
      if (random.chance(0.85)) declared.push(formatFrenchDate(y - 1, 1, 1), formatFrenchDate(y - 1, 12, 31));
      else declared.push(formatFrenchDate(y - 2, 7, 1), formatFrenchDate(y - 1, 6, 30));
      const count = random.int(1, 3);
      const first = random.int(0, NSF_SPECIALITIES.length - 1);
      for (let k = 0; k < 3; k++) {
        if (k < count) {
          const [code, label] = NSF_SPECIALITIES[(first + k * 7) % NSF_SPECIALITIES.length];
          declared.push(text(code), text(label));
        } else {
          declared.push('', '');
        }
      }
      const trainees = random.chance(0.05) ? 0 : floor(exp(random.float() * 7.5));
      const delegated = trainees === 0 || random.chance(0.7) ? 0 : random.int(0, trainees);
      declared.push(`${trainees}`, `${delegated}`, `${random.chance(0.1) ? 0 : random.int(1, 40)}`);
    }

    return [
      text(nda),
      text(previous.join(random.chance(0.5) ? ',' : ', ')),
      text(p.name),
      text(p.siren),
      text(p.siret),
      text(p.street),
      text(p.postcode),
      text(p.place.city),
      text(p.place.region),
      ...flags,
      ...foreign,
      ...declared,
    ];
  }
}

interface ResolvedPublicListOptions {
  rows: number;
  multiNdaShare: number;
  certifiedShare: Record<QualiopiFlag, number>;
  emptyFlagShare: number;
  previousNdaShare: number;
  bom: boolean;
  trailingSeparator: boolean;
  lineEnding: '\n' | '\r\n';
  referenceYear: number;
}

const COL_NDA = PUBLIC_LIST_COLUMNS.indexOf('numeroDeclarationActivite');
const COL_SIRET = PUBLIC_LIST_COLUMNS.indexOf('siretEtablissementDeclarant');
const COL_REGION = PUBLIC_LIST_COLUMNS.indexOf('adressePhysiqueOrganismeFormation.codeRegion');
const COL_LAST_DECLARATION = PUBLIC_LIST_COLUMNS.indexOf('informationsDeclarees.dateDerniereDeclaration');

const BAD_SIRET_VARIANTS = ['a wrong check digit', '13 digits', 'the letter O in place of a zero'] as const;
const BAD_NDA_VARIANTS = ['10 digits', '12 digits', 'a letter'] as const;
const BAD_REGIONS = ['99', '00', '7', '2A', '05'] as const;
const badDates = (year: number): string[] => [`${year}-03-15`, `31/02/${year}`, `15/13/${year}`, `1/3/${year}`, `00/04/${year}`];

function describePublicBadRow(kind: PublicListBadRowKind, variant: number, goodLineBefore: number, year: number): string {
  switch (kind) {
    case 'BAD_SIRET':
      return `siretEtablissementDeclarant has ${BAD_SIRET_VARIANTS[variant % BAD_SIRET_VARIANTS.length]}`;
    case 'BAD_NDA':
      return `numeroDeclarationActivite has ${BAD_NDA_VARIANTS[variant % BAD_NDA_VARIANTS.length]}`;
    case 'DUPLICATE_NDA':
      return `numeroDeclarationActivite repeats the one on line ${goodLineBefore}`;
    case 'BAD_REGION':
      return `codeRegion "${BAD_REGIONS[variant % BAD_REGIONS.length]}" is not an INSEE region code`;
    case 'BAD_DATE': {
      const dates = badDates(year);
      return `dateDerniereDeclaration "${dates[variant % dates.length]}" is not a DD/MM/YYYY calendar date`;
    }
  }
}

function injectPublicBadValue(
  cells: string[],
  bad: PlannedBadRow<PublicListBadRowKind>,
  siret: string,
  nda: string,
  lastGoodNda: string,
  year: number,
): void {
  const v = bad.variant;
  switch (bad.kind) {
    case 'BAD_SIRET': {
      const variant = v % BAD_SIRET_VARIANTS.length;
      cells[COL_SIRET] = text(
        variant === 0
          ? siret.slice(0, 13) + `${(Number(siret[13]) + 1) % 10}` // breaks Luhn and La Poste's rule alike
          : variant === 1
            ? siret.slice(0, 13)
            : siret.slice(0, 9) + 'O' + siret.slice(10), // the NIC always starts with a zero
      );
      break;
    }
    case 'BAD_NDA': {
      const variant = v % BAD_NDA_VARIANTS.length;
      cells[COL_NDA] = text(variant === 0 ? nda.slice(0, 10) : variant === 1 ? nda + `${v % 10}` : nda.slice(0, 6) + 'A' + nda.slice(7));
      break;
    }
    case 'DUPLICATE_NDA':
      cells[COL_NDA] = text(lastGoodNda);
      break;
    case 'BAD_REGION':
      cells[COL_REGION] = text(BAD_REGIONS[v % BAD_REGIONS.length]);
      break;
    case 'BAD_DATE': {
      const dates = badDates(year);
      cells[COL_LAST_DECLARATION] = dates[v % dates.length];
      break;
    }
  }
}

function insertPending(pending: PendingNda[], item: PendingNda): void {
  let i = pending.length;
  while (i > 0 && pending[i - 1].dueIndex > item.dueIndex) i--;
  pending.splice(i, 0, item);
}

export interface PlannedBadRow<K extends string> {
  kind: K;
  /** Which variant of the defect, interpreted by each generator. */
  variant: number;
  detail: string;
}

/**
 * Positions of the bad rows, drawn from their own random stream. The first row is always good,
 * so a duplicate always has an earlier good row to copy: the nearest good row above it.
 */
export function planBadRows<K extends string>(
  seed: number,
  rows: number,
  counts: Partial<Record<K, number>>,
  describe: (kind: K, variant: number, goodLineBefore: number) => string,
): Map<number, PlannedBadRow<K>> {
  const kinds = (Object.keys(counts) as K[]).sort();
  for (const k of kinds) {
    const n = counts[k];
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new RangeError(`bad row count for ${k} must be a non-negative integer`);
  }
  const total = kinds.reduce((sum, k) => sum + (counts[k] ?? 0), 0);
  const plan = new Map<number, PlannedBadRow<K>>();
  if (total === 0) return plan;
  if (total >= rows) throw new RangeError(`cannot inject ${total} bad rows in ${rows} rows (the first row stays good)`);
  const random = new SeededRandom((seed ^ 0x9e3779b9) >>> 0);
  const positions = random.distinctInts(total, 1, rows - 1);
  const bag: K[] = [];
  for (const k of kinds) for (let i = 0; i < (counts[k] ?? 0); i++) bag.push(k);
  for (let i = bag.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [bag[i], bag[j]] = [bag[j], bag[i]];
  }
  const taken = new Set(positions);
  positions.forEach((index, i) => {
    let good = index - 1;
    while (taken.has(good)) good--;
    const variant = random.int(0, 999_999);
    plan.set(index, { kind: bag[i], variant, detail: describe(bag[i], variant, good + 2) });
  });
  return plan;
}

function providerName(random: SeededRandom): string {
  const r = random.float();
  if (r < 0.3) return `${random.pick(ORG_KINDS)} ${random.pick(ORG_TOPICS)}`;
  if (r < 0.55) return `${random.pick(SURNAMES)} ${random.pick(CONSULTING)}${random.pick(LEGAL_FORMS)}`;
  if (r < 0.8) return `${random.pick(BRAND_HEADS)}${random.pick(BRAND_TAILS)}${random.pick(LEGAL_FORMS)}`;
  if (r < 0.93) return `${random.pick(FIRST_NAMES)} ${random.pick(SURNAMES)}${random.chance(0.3) ? ' EI' : ''}`; // sole traders
  if (r < 0.97) return `L'ATELIER ${random.pick(ORG_TOPICS)}${random.pick(LEGAL_FORMS)}`;
  return `ASSOCIATION "${random.pick(BRAND_HEADS)}${random.pick(BRAND_TAILS)}"`;
}

function street(random: SeededRandom): string {
  const number = random.chance(0.08) ? '' : `${random.int(1, 180)}${random.chance(0.05) ? ' BIS' : ''} `;
  const base = `${number}${random.pick(STREET_TYPES)} ${random.pick(STREET_NAMES)}`;
  if (random.chance(0.004)) return `${base}; ${random.pick(ADDRESS_COMPLEMENTS)}`; // a separator inside quotes
  return random.chance(0.1) ? `${base} ${random.pick(ADDRESS_COMPLEMENTS)}` : base;
}

function foreignOrganisation(random: SeededRandom): string[] {
  const [country, city, postcode] = random.pick(FOREIGN_PLACES);
  const name = `${random.pick(BRAND_HEADS)}${random.pick(BRAND_TAILS)}${random.pick(FOREIGN_SUFFIXES)}`;
  return [name, `${random.int(1, 99)} ${random.pick(['MAIN STREET', 'AVENUE LOUISE', 'RUE DU RHONE', 'HAUPTSTRASSE', 'CALLE MAYOR'])}`, postcode, city, country];
}

/** Turns lines into a byte stream, pulling lines only as the consumer reads (~64 KiB chunks). */
export function linesToStream(lines: Iterator<string>, chunkChars = 64 * 1024): Readable {
  return new Readable({
    read() {
      let chunk = '';
      while (chunk.length < chunkChars) {
        const next = lines.next();
        if (next.done) {
          if (chunk !== '') this.push(chunk, 'utf8');
          this.push(null);
          return;
        }
        chunk += next.value;
      }
      this.push(chunk, 'utf8');
    },
  });
}

/** Shorthand: the stream of a public list and the bad rows it contains. */
export function createPublicListStream(options: PublicListGeneratorOptions): {
  stream: Readable;
  badRows: readonly InjectedBadRow<PublicListBadRowKind>[];
} {
  const generator = new PublicListGenerator(options);
  return { stream: generator.stream(), badRows: generator.badRows };
}
