/**
 * Synthetic funded-actions import files (one funder's CSV), for import tests and benchmarks.
 * Same contract as the public-list generator: deterministic from the seed, streamed row by row,
 * every good row valid, bad rows injected on request and reported by line (line 1 is the header).
 */
import { Readable } from 'node:stream';
import {
  IdentifierFactory,
  type InjectedBadRow,
  PLACES,
  PLACE_WEIGHTS,
  type PlannedBadRow,
  SeededRandom,
  cumulativeWeights,
  linesToStream,
  planBadRows,
  seedToUint32,
} from './public-list-generator';
import { ACTION_CATEGORIES, ACTION_CSV_COLUMNS, ACTION_CSV_SEPARATOR, ACTION_MODALITIES, type ActionCsvColumn } from '@bo/registry';

export {
  ACTION_CATEGORIES,
  ACTION_CSV_COLUMNS,
  ACTION_CSV_SEPARATOR,
  ACTION_MODALITIES,
  type ActionCategory,
  type ActionCsvColumn,
  type ActionModality,
} from '@bo/registry';

/**
 * Columns a generated row cannot do without (DESIGN.md section 2), for the MISSING_REQUIRED_VALUE defect. Optional: providerNda (only to
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


// Module-level aliases of Math: under Jest every global lookup crosses the VM context boundary,
// which slows the generator loops several times. Plain Node is unaffected.
const { ceil, floor, min, round } = Math;


export const ACTIONS_BAD_ROW_KINDS = [
  'INVALID_SIRET',
  'NEGATIVE_HOURS',
  'UNKNOWN_CATEGORY',
  'DUPLICATE_EXTERNAL_REF',
  'WRONG_DATE_FORMAT',
  'MISSING_REQUIRED_VALUE',
] as const;
export type ActionsBadRowKind = (typeof ACTIONS_BAD_ROW_KINDS)[number];


export interface ActionProvider {
  siret: string;
  nda?: string | null;
}

export interface ActionsCsvGeneratorOptions {
  rows: number;
  seed: number | string;
  /** Providers to draw from (e.g. taken from a generated public list). Kept in memory. */
  providers?: readonly ActionProvider[];
  /** Without `providers`: how many providers to make up. Default 300. */
  providerCount?: number;
  /** Share of rows that name the NDA when the provider has one. Default 0.6. */
  ndaShare?: number;
  /** Year of the funding decisions. Default 2025. */
  year?: number;
  /** externalRef is `<prefix>-<year>-<7 digits>`. Default `ACT`. */
  refPrefix?: string;
  badRows?: Partial<Record<ActionsBadRowKind, number>>;
  /** Start with a UTF-8 byte order mark. Default false. */
  bom?: boolean;
  /** Default `\n`. */
  lineEnding?: '\n' | '\r\n';
}

const CATEGORY_WEIGHTS = cumulativeWeights([80, 6, 4, 10]);
const MODALITY_WEIGHTS = cumulativeWeights([60, 15, 25]);

/** Codes shaped like Formacodes (5 digits), in the ranges of common fields; not checked against the thesaurus. */
const FORMACODES = [
  '15254', '15234', '13254', '31054', '31734', '31854', '32154', '32654', '33054', '34554',
  '35054', '41054', '42054', '42754', '43454', '44054', '21054', '22354', '23054', '24054',
];

/** IDCC of large branches (Syntec, metallurgy, hotels and restaurants, food retail, ...). */
const IDCCS = ['1486', '3248', '1979', '2216', '0016', '1597', '2511', '0573', '1090', '2264', '0044', '2098', '1501', '0675', '2120'];

/** Days since 1970-01-01 -> `YYYY-MM-DD` (Hinnant's civil_from_days; Date is slow for millions of rows). */
function isoDate(days: number): string {
  const z = days + 719_468;
  const era = floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = floor((doe - floor(doe / 1460) + floor(doe / 36_524) - floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100));
  const mp = floor((5 * doy + 2) / 153);
  const day = doy - floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

const DAY_MS = 86_400_000;

const COL = Object.fromEntries(ACTION_CSV_COLUMNS.map((c, i) => [c, i])) as Record<ActionCsvColumn, number>;

const BAD_SIRET_VARIANTS = ['a wrong check digit', '13 digits', '15 digits'] as const;
const UNKNOWN_CATEGORIES = ['FORMATION', 'COACHING', 'BILAN', 'CONFERENCE'] as const;
const DATE_COLUMNS = ['fundingDecisionDate', 'startDate', 'endDate'] as const;
const WRONG_DATE_FORMATS = ['DD/MM/YYYY', 'YYYY/MM/DD', 'YYYYMMDD'] as const;
const MISSING_COLUMNS = ['externalRef', 'providerSiret', 'category', 'startDate', 'endDate', 'hoursPerTrainee', 'trainees'] as const;

function describeActionsBadRow(kind: ActionsBadRowKind, variant: number, goodLineBefore: number): string {
  switch (kind) {
    case 'INVALID_SIRET':
      return `providerSiret has ${BAD_SIRET_VARIANTS[variant % BAD_SIRET_VARIANTS.length]}`;
    case 'NEGATIVE_HOURS':
      return 'hoursPerTrainee is negative';
    case 'UNKNOWN_CATEGORY':
      return `category "${UNKNOWN_CATEGORIES[variant % UNKNOWN_CATEGORIES.length]}" is not one of ${ACTION_CATEGORIES.join(', ')}`;
    case 'DUPLICATE_EXTERNAL_REF':
      return `externalRef repeats the one on line ${goodLineBefore}`;
    case 'WRONG_DATE_FORMAT':
      return `${DATE_COLUMNS[variant % DATE_COLUMNS.length]} is written ${WRONG_DATE_FORMATS[floor(variant / 3) % WRONG_DATE_FORMATS.length]} instead of YYYY-MM-DD`;
    case 'MISSING_REQUIRED_VALUE':
      return `${MISSING_COLUMNS[variant % MISSING_COLUMNS.length]} is empty`;
  }
}

function reformatIsoDate(iso: string, format: (typeof WRONG_DATE_FORMATS)[number]): string {
  const [y, m, d] = iso.split('-');
  return format === 'DD/MM/YYYY' ? `${d}/${m}/${y}` : format === 'YYYY/MM/DD' ? `${y}/${m}/${d}` : `${y}${m}${d}`;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** A CSV cell: quoted only when it holds a comma, a quote or a line break. */
function cell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function money(cents: number): string {
  return `${floor(cents / 100)}.${`${cents % 100}`.padStart(2, '0')}`;
}

export class ActionsCsvGenerator {
  readonly badRows: readonly InjectedBadRow<ActionsBadRowKind>[];
  readonly columns = ACTION_CSV_COLUMNS;
  /** The providers rows are drawn from. */
  readonly providers: readonly ActionProvider[];
  private readonly plan: ReadonlyMap<number, PlannedBadRow<ActionsBadRowKind>>;
  private readonly seed: number;
  private readonly rowCount: number;
  private readonly ndaShare: number;
  private readonly year: number;
  private readonly refPrefix: string;
  private readonly bom: boolean;
  private readonly eol: string;

  constructor(options: ActionsCsvGeneratorOptions) {
    if (!Number.isInteger(options.rows) || options.rows < 0) throw new RangeError('rows must be a non-negative integer');
    this.seed = seedToUint32(options.seed);
    this.rowCount = options.rows;
    this.ndaShare = options.ndaShare ?? 0.6;
    this.year = options.year ?? 2025;
    this.refPrefix = options.refPrefix ?? 'ACT';
    this.bom = options.bom ?? false;
    this.eol = options.lineEnding ?? '\n';
    this.providers = options.providers ?? makeProviders(this.seed, options.providerCount ?? 300);
    if (this.providers.length === 0 && this.rowCount > 0) throw new RangeError('providers must not be empty');
    this.plan = planBadRows(this.seed, options.rows, options.badRows ?? {}, describeActionsBadRow);
    this.badRows = [...this.plan].map(([index, p]) => ({ line: index + 2, kind: p.kind, detail: p.detail }));
  }

  header(): string {
    return ACTION_CSV_COLUMNS.join(ACTION_CSV_SEPARATOR);
  }

  *lines(): Generator<string, void, undefined> {
    yield (this.bom ? '\uFEFF' : '') + this.header() + this.eol;
    for (const cells of this.rows()) yield cells.map(cell).join(ACTION_CSV_SEPARATOR) + this.eol;
  }

  stream(): Readable {
    return linesToStream(this.lines());
  }

  private *rows(): Generator<string[], void, undefined> {
    const random = new SeededRandom(this.seed);
    const yearStart = Date.UTC(this.year, 0, 1) / DAY_MS; // in days since the epoch
    const daysInYear = Date.UTC(this.year + 1, 0, 1) / DAY_MS - yearStart;
    let lastGoodRef = '';

    for (let index = 0; index < this.rowCount; index++) {
      const provider = random.pick(this.providers);
      const category = random.weighted(ACTION_CATEGORIES, CATEGORY_WEIGHTS);

      let certificationCode = '';
      const certRoll = random.float();
      if (category === 'APPRENTICESHIP' || category === 'VAE') certificationCode = `RNCP${random.int(30000, 39999)}`;
      else if (category === 'TRAINING' && certRoll < 0.35) {
        certificationCode = `RNCP${random.int(30000, 39999)}${random.chance(0.15) ? `BC0${random.int(1, 6)}` : ''}`;
      } else if (category === 'TRAINING' && certRoll < 0.5) certificationCode = `RS${random.int(5000, 6999)}`;
      const formacode = certificationCode === '' || random.chance(0.7) ? random.pick(FORMACODES) : '';

      let halfHours: number; // hours are whole or half
      let trainees = 1;
      let rateCents: number;
      let lengthDays: number;
      switch (category) {
        case 'TRAINING':
          halfHours = random.chance(0.8) ? 2 * random.int(7, 70) + (random.chance(0.1) ? 1 : 0) : 2 * random.int(71, 600);
          trainees = random.chance(0.6) ? 1 : random.int(2, 12);
          rateCents = random.int(1500, 8000);
          lengthDays = min(365, ceil(halfHours / 14) * random.int(1, 3));
          break;
        case 'APPRENTICESHIP':
          halfHours = 2 * random.int(400, 1400);
          rateCents = random.int(800, 1600);
          lengthDays = random.int(365, 730);
          break;
        case 'SKILLS_ASSESSMENT':
          halfHours = 2 * random.int(6, 24);
          rateCents = random.int(8000, 12000);
          lengthDays = random.int(30, 90);
          break;
        case 'VAE':
          halfHours = 2 * random.int(8, 24);
          rateCents = random.int(6000, 10000);
          lengthDays = random.int(60, 240);
          break;
      }
      const priceCents = round((halfHours / 2) * trainees * rateCents);
      const fundedCents = random.chance(0.6) ? priceCents : round(priceCents * (0.5 + random.float() / 2));

      const decision = yearStart + random.int(0, daysInYear - 1);
      const start = decision + random.int(0, 60);
      const end = start + lengthDays;

      const cells = [
        `${this.refPrefix}-${this.year}-${`${index + 1}`.padStart(7, '0')}`,
        provider.siret,
        provider.nda && random.chance(this.ndaShare) ? provider.nda : '',
        category,
        certificationCode,
        formacode,
        random.weighted(ACTION_MODALITIES, MODALITY_WEIGHTS),
        random.weighted(PLACES, PLACE_WEIGHTS).region,
        random.chance(0.05) ? '' : isoDate(decision),
        isoDate(start),
        isoDate(end),
        halfHours % 2 === 0 ? `${halfHours / 2}` : `${(halfHours - 1) / 2}.5`,
        `${trainees}`,
        money(priceCents),
        money(fundedCents),
        random.chance(0.3) ? '' : random.pick(IDCCS),
      ];

      const bad = this.plan.get(index);
      if (bad === undefined) lastGoodRef = cells[COL.externalRef];
      else this.inject(cells, bad, lastGoodRef, decision);
      yield cells;
    }
  }

  private inject(cells: string[], bad: PlannedBadRow<ActionsBadRowKind>, lastGoodRef: string, decision: number): void {
    const v = bad.variant;
    switch (bad.kind) {
      case 'INVALID_SIRET': {
        const siret = cells[COL.providerSiret];
        const variant = v % BAD_SIRET_VARIANTS.length;
        cells[COL.providerSiret] =
          variant === 0 ? siret.slice(0, 13) + `${(Number(siret[13]) + 1) % 10}` : variant === 1 ? siret.slice(0, 13) : siret + `${v % 10}`;
        break;
      }
      case 'NEGATIVE_HOURS':
        cells[COL.hoursPerTrainee] = `-${cells[COL.hoursPerTrainee]}`;
        break;
      case 'UNKNOWN_CATEGORY':
        cells[COL.category] = UNKNOWN_CATEGORIES[v % UNKNOWN_CATEGORIES.length];
        break;
      case 'DUPLICATE_EXTERNAL_REF':
        cells[COL.externalRef] = lastGoodRef;
        break;
      case 'WRONG_DATE_FORMAT': {
        const column = DATE_COLUMNS[v % DATE_COLUMNS.length];
        const iso = cells[COL[column]] || isoDate(decision); // an empty decision date gets one, wrongly written
        cells[COL[column]] = reformatIsoDate(iso, WRONG_DATE_FORMATS[floor(v / 3) % WRONG_DATE_FORMATS.length]);
        break;
      }
      case 'MISSING_REQUIRED_VALUE':
        cells[COL[MISSING_COLUMNS[v % MISSING_COLUMNS.length]]] = '';
        break;
    }
  }
}

/** Made-up providers: one NDA each, a tenth with a second NDA on the same SIRET, a few without NDA. */
function makeProviders(seed: number, count: number): ActionProvider[] {
  const random = new SeededRandom((seed ^ 0x5bd1e995) >>> 0);
  const ids = new IdentifierFactory(seed);
  const out: ActionProvider[] = [];
  while (out.length < count) {
    const siret = ids.siret(ids.nextSiren(), 1);
    const place = random.weighted(PLACES, PLACE_WEIGHTS);
    out.push({ siret, nda: random.chance(0.03) ? null : ids.nextNda(place) });
    if (out.length < count && random.chance(0.1)) out.push({ siret, nda: ids.nextNda(place) });
  }
  return out;
}

/** Shorthand: the stream of an actions file and the bad rows it contains. */
export function createActionsCsvStream(options: ActionsCsvGeneratorOptions): {
  stream: Readable;
  badRows: readonly InjectedBadRow<ActionsBadRowKind>[];
} {
  const generator = new ActionsCsvGenerator(options);
  return { stream: generator.stream(), badRows: generator.badRows };
}
