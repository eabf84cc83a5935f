/**
 * The set-based SQL of funded actions: validation and upsert of an import's staging rows, and the
 * certification coverage of many actions at once. No row loops in Node: each is one statement.
 */

import { WRITER_MARKS_PRICE_SCOPES, priceInputsChanged, priceScopesOfRows } from '@bo/database';
import { isUUID } from 'class-validator';
import { ACTION_CATEGORIES, ACTION_MODALITIES, REGION_CODES } from './registry.constants';

/**
 * The import's work tables, named after the import: UNLOGGED tables of the schema \`import_work\`
 * (migration 0042), not TEMP ones, because PostgreSQL's parallel workers cannot read a session's
 * temporary tables, and the validation statement (\`CREATE_IMPORT_CHECKED_SQL\`) runs in parallel.
 * Each is created and dropped inside the import's transaction, so no other session ever sees it
 * (its catalog rows are never committed) and a failed or killed import leaves nothing behind: the
 * rollback takes the tables with it. One name per import, so that two funders' imports running at
 * once never wait on each other's catalog entries. No RLS: only the job's transaction reads them.
 */
export interface ImportWorkTables {
  /** One row per CSV record, every value as text, the line it starts on (COPY's target). */
  rows: string;
  /** The externalRefs named on more than one line, with the first of those lines. */
  repeated: string;
  /** The lines of a re-sent file that change nothing. */
  skipped: string;
  /** The distinct coverage keys of the staged rows. */
  keys: string;
  /** The coverage intervals of the import's keys. */
  spans: string;
  /** Every staged row validated: its reasons, or its typed values, digests and coverage. */
  checked: string;
}

export function importWorkTables(importId: string): ImportWorkTables {
  // Interpolated into identifiers: a UUID's hex digits and dashes only, lower-cased as PostgreSQL folds them.
  if (!isUUID(importId)) throw new Error(`not an import id: ${importId}`);
  const id = importId.replaceAll('-', '').toLowerCase();
  return { rows: `import_work.rows_${id}`, repeated: `import_work.repeated_${id}`, skipped: `import_work.skipped_${id}`, keys: `import_work.keys_${id}`, spans: `import_work.spans_${id}`, checked: `import_work.checked_${id}` };
}

/** The staging table: COPY writes into it (COPY FROM refuses RLS tables; this one has none). */
export const createStagingSql = (t: ImportWorkTables) => `
CREATE UNLOGGED TABLE ${t.rows} (
  line integer NOT NULL, shape_error text,
  external_ref text, provider_siret text, provider_nda text, category text, certification_code text, formacode text,
  modality text, region text, funding_decision_date text, start_date text, end_date text, hours_per_trainee text,
  trainees text, price_excl_vat text, amount_funded text, branch_idcc text
)`;

/** Drops the work tables before the import commits (a rollback drops them as well). */
export const dropWorkTablesSql = (t: ImportWorkTables) => `DROP TABLE IF EXISTS ${t.checked}, ${t.spans}, ${t.keys}, ${t.skipped}, ${t.repeated}, ${t.rows}`;

/** An identifier without blanks ([[:space:]] and the no-break spaces a French spreadsheet puts in long numbers), and without dots when asked. */
const stripped = (column: string, dots = true) => `regexp_replace(${column}, E'[[:space:]\\u00a0\\u2007\\u202f${dots ? '.' : ''}]', '', 'g')`;

/** The staged columns a line's digest covers, in a fixed order (reordering them changes every digest). */
const RAW_COLUMNS = [
  'external_ref', 'provider_siret', 'provider_nda', 'category', 'certification_code', 'formacode', 'modality', 'region',
  'funding_decision_date', 'start_date', 'end_date', 'hours_per_trainee', 'trainees', 'price_excl_vat', 'amount_funded', 'branch_idcc',
];

/** The raw values of a staged line as one digest (a ROW's text tells NULL from '' and needs no separator). */
const lineDigest = (alias?: string) => `md5(ROW(${RAW_COLUMNS.map((c) => (alias ? `${alias}.${c}` : c)).join(', ')})::text)`;

/**
 * The externalRefs that repeat in the file, each with the first line naming it: every line after
 * that one is reported as a repeat (a \`line > first_line\` test in \`createImportCheckedSql\`, which
 * PostgreSQL's workers run, where a window numbering the lines ran in the leader alone, after the
 * workers). Taken from every staged line: a repeated externalRef's lines are never recognised as
 * unchanged (\`createImportSkippedSql\`), so its first line is the first of the lines validated.
 */
export const createImportRepeatedSql = (t: ImportWorkTables) => `
CREATE UNLOGGED TABLE ${t.repeated} AS
SELECT nullif(btrim(external_ref), '') AS external_ref, min(line) AS first_line FROM ${t.rows}
 WHERE nullif(btrim(external_ref), '') IS NOT NULL GROUP BY 1 HAVING count(*) > 1`;

/**
 * The lines of a re-sent file that change nothing, recognised before any parsing: the action of
 * the same externalRef was imported from a line with exactly these raw values (migration 0027).
 * A line whose externalRef repeats in the file is never skipped (its duplicate must be reported),
 * nor a line of the wrong shape. Made before the intervals and the import statement, which both
 * leave these lines out (\`unrecognised\`). $1: the organisation. (The repeated externalRefs are a
 * NOT IN list: they are few, and PostgreSQL materialises the list once; as an anti-join, the
 * planner hashed the join to funded_actions under it, which a re-import made seconds after the
 * first import's commit, before autovacuum's ANALYZE, believed to be one row: minutes at 1,000,000.)
 */
export const createImportSkippedSql = (t: ImportWorkTables) => `
CREATE UNLOGGED TABLE ${t.skipped} AS
SELECT r.line FROM ${t.rows} r
  JOIN funded_actions cur ON cur.organisation_id = $1::uuid AND cur.external_ref = nullif(btrim(r.external_ref), '')
                         AND cur.source_line_digest = ${lineDigest('r')}
 WHERE r.shape_error IS NULL
   AND nullif(btrim(r.external_ref), '') NOT IN (SELECT external_ref FROM ${t.repeated})`;

/** The normalised coverage key of a staged row (SIRET, NDA, category), shared by the import and its intervals. */
const KEY_COLUMNS = `nullif(${stripped('provider_siret')}, '') AS siret,
         nullif(${stripped('provider_nda')}, '') AS nda,
         nullif(btrim(category), '') AS category`;

/**
 * The staging rows the import reads: all but the recognised lines of a re-sent file. An anti-join
 * (NOT EXISTS), never \`line NOT IN (SELECT ...)\`: PostgreSQL hashes a NOT IN list only when it fits
 * in memory, and a million recognised lines did not (at the default work_mem), so every staged row
 * rescanned the list: a 1,000,000-row re-import never finished its intervals.
 */
const unrecognised = (t: ImportWorkTables) => `${t.rows} a WHERE NOT EXISTS (SELECT FROM ${t.skipped} s WHERE s.line = a.line)`;

/**
 * A subquery fence: \`OFFSET '0'\` keeps a subquery apart (the planner never pulls up a subquery
 * with an OFFSET clause), so each of its output values is computed once per row and the
 * expressions above read plain columns (\`siret_is_valid\` and \`iso_date_or_null\` are inlined and
 * read their argument many times). Written as an untyped literal, not \`OFFSET 0\`: the integer 0
 * reaches the planner as a cast to bigint, which it takes for a real OFFSET and then never runs the
 * subquery in parallel workers; the literal is a bigint constant 0, which needs no Limit node.
 */
const FENCE = `OFFSET '0'`;

/** Normalised text of the staging rows but the recognised ones (values trimmed; empty = NULL), fenced. */
const normalised = (t: ImportWorkTables) => `
  SELECT line, shape_error,
         nullif(btrim(external_ref), '') AS external_ref,
         ${KEY_COLUMNS},
         nullif(upper(${stripped('certification_code', false)}), '') AS cert,
         nullif(${stripped('formacode')}, '') AS formacode,
         nullif(btrim(modality), '') AS modality,
         nullif(btrim(region), '') AS region,
         nullif(btrim(funding_decision_date), '') AS fdd,
         nullif(btrim(start_date), '') AS sd,
         nullif(btrim(end_date), '') AS ed,
         nullif(btrim(hours_per_trainee), '') AS hours,
         nullif(btrim(trainees), '') AS trainees,
         nullif(btrim(price_excl_vat), '') AS price,
         nullif(btrim(amount_funded), '') AS amount,
         nullif(btrim(branch_idcc), '') AS idcc,
         ${lineDigest()} AS line_digest
    FROM ${unrecognised(t)}
  ${FENCE}`;

/** A constant list as SQL literals (the values are fixed identifiers of registry.constants, never input). */
const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(',');
const REGIONS = sqlList(REGION_CODES);

/**
 * The value checks, written for speed: PostgreSQL's regular expressions pay for a bounded
 * repetition by its bound (\`^[0-9]{14}$\` costs about three times \`^[0-9]+$\`), so the lengths are
 * checked apart. Same answers, NULL for NULL (test/integration/import-checks.test.ts holds each to
 * its plain pattern, given in its comment). Once the pattern holds the value is ASCII, so its
 * octet length is its length.
 */
export const IMPORT_CHECKS = {
  /** \`expr ~ '^[0-9]{min,max}$'\` */
  digits: (expr: string, min: number, max = min) =>
    `(${min === max ? `octet_length(${expr}) = ${min}` : `octet_length(${expr}) BETWEEN ${min} AND ${max}`} AND ${expr} ~ '^[0-9]+$')`,
  /** \`expr ~ '^[0-9]{1,int}([.][0-9]{1,2})?$'\` */
  decimal: (expr: string, int: number) => `(${expr} ~ '^[0-9]+([.][0-9][0-9]?)?$' AND octet_length(split_part(${expr}, '.', 1)) <= ${int})`,
};

/** A non-negative decimal with at most `int` integer digits and 2 decimals; its reason when not. */
function decimalCheck(expr: string, field: string, int: number): string {
  return `CASE WHEN ${expr} IS NULL THEN NULL
            WHEN ${expr} ~ '^-[0-9]' THEN '${field}' || E'\\t' || '${field} must be >= 0, got "' || ${expr} || '"'
            WHEN NOT ${IMPORT_CHECKS.decimal(expr, int)} THEN '${field}' || E'\\t' || '${field} must be a number with a dot and at most 2 decimals, got "' || ${expr} || '"' END`;
}

function dateCheck(expr: string, parsed: string, field: string): string {
  return `CASE WHEN ${expr} IS NOT NULL AND ${parsed} IS NULL THEN '${field}' || E'\\t' ||
            CASE WHEN ${expr} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN '${field} ' || ${expr} || ' does not exist'
                 ELSE '${field} must be YYYY-MM-DD, got "' || ${expr} || '"' END END`;
}

const required = (expr: string, field: string) => `CASE WHEN ${expr} IS NULL THEN '${field}' || E'\\t' || '${field} is empty' END`;

/**
 * The import's distinct (SIRET, NDA, category) keys, normalised. Keys are taken from every staged
 * row, good or bad: a bad row's key only costs an unused interval. The raw keys are made distinct
 * before they are normalised (a few thousand \`regexp_replace\` instead of one per row, and no sort
 * of every row's key). A statement of its own, which PostgreSQL runs in parallel workers (the
 * intervals' statement cannot: the CTEs of \`certification_state\` keep it in one process).
 */
export const createImportKeysSql = (t: ImportWorkTables) => `
CREATE UNLOGGED TABLE ${t.keys} AS
SELECT DISTINCT k.* FROM (SELECT ${KEY_COLUMNS} FROM (SELECT DISTINCT provider_siret, provider_nda, category FROM ${unrecognised(t)}) r) k
 WHERE k.siret IS NOT NULL AND k.category IS NOT NULL`;

/**
 * The coverage intervals of the import's keys (\`createImportKeysSql\`), as a work table made
 * BEFORE the import statement and with the default planner settings: \`certification_state\` is
 * inlined, and its registry look-ups must stay index nested loops (with nested loops off they
 * became hash joins over the whole providers table, once per interval).
 */
export const createImportSpansSql = (t: ImportWorkTables) => `
CREATE UNLOGGED TABLE ${t.spans} AS
WITH ${coverageSpansSql(`SELECT siret, nda, category FROM ${t.keys}`)}
SELECT * FROM spans`;

/**
 * Validates the staging rows of an import but the recognised ones (\`skipped\`), into the work table
 * \`checked\`: per row, its reasons (one per bad field, as \`field<TAB>reason\`), or, for a good row, its
 * typed values, the digest of its normalised values and its coverage (the interval of \`spans\`
 * holding its date). A \`CREATE TABLE AS\`, because PostgreSQL runs it in parallel workers (it never
 * plans an INSERT in parallel): normalisation, checks, digests and the join to the intervals are
 * split between the workers and the leader, each sorts its share by externalRef, and the leader
 * merges them and writes the rows in externalRef order, which is the order the upsert then writes
 * its unique index in. A repeated externalRef is a join to \`repeated\` (\`createImportRepeatedSql\`).
 * The run's settings: \`IMPORT_PARALLEL_SQL\`. Fenced subqueries (\`FENCE\`): each value normalised once,
 * each date parsed once, the reasons built once.
 */
export const createImportCheckedSql = (t: ImportWorkTables) => `
CREATE UNLOGGED TABLE ${t.checked} AS
SELECT line, external_ref, siret, nda, category, cert, formacode, modality, region, fdd_d, sd_d, ed_d, hours, trainees, price, amount, idcc,
       digest, line_digest, on_date, coverage, coverage_flags, coverage_nda,
       CASE WHEN shape_error IS NOT NULL THEN ARRAY['' || E'\\t' || shape_error]
            WHEN line > first_line THEN ref_errors || ('externalRef' || E'\\t' || 'externalRef ' || external_ref || ' repeats the one on line ' || first_line) || value_errors
            ELSE ref_errors || value_errors END AS errors
  FROM (
    SELECT e.line, e.shape_error, e.external_ref, e.siret, e.nda, e.category, e.cert, e.formacode, e.modality, e.region,
           e.fdd_d, e.sd_d, e.ed_d, e.ref_errors, e.value_errors, e.line_digest, coalesce(e.fdd_d, e.sd_d) AS on_date,
           CASE WHEN e.valid THEN e.hours::numeric END AS hours, CASE WHEN e.valid THEN e.trainees::int END AS trainees,
           CASE WHEN e.valid THEN e.price::numeric END AS price, CASE WHEN e.valid THEN e.amount::numeric END AS amount,
           lpad(e.idcc, 4, '0') AS idcc,
           CASE WHEN e.valid THEN md5(concat_ws('|', e.external_ref, e.siret, e.nda, e.category, e.cert, e.formacode, e.modality, e.region,
                                                 e.fdd_d, e.sd_d, e.ed_d, e.hours::numeric, e.trainees::int, e.price::numeric,
                                                 e.amount::numeric, lpad(e.idcc, 4, '0'))) END AS digest,
           ${coverageOf('e.fdd_d')}, p.first_line
      FROM (
        SELECT r.*, r.shape_error IS NULL AND cardinality(r.ref_errors) = 0 AND cardinality(r.value_errors) = 0 AS valid
          FROM (
            SELECT d.*,
                   array_remove(ARRAY[
                     ${required('external_ref', 'externalRef')},
                     CASE WHEN length(external_ref) > 100 THEN 'externalRef' || E'\\t' || 'externalRef is longer than 100 characters' END
                   ], NULL) AS ref_errors,
                   -- (a repeated externalRef's reason comes between these two)
                   array_remove(ARRAY[
                     ${required('siret', 'providerSiret')},
                     CASE WHEN siret IS NOT NULL AND NOT siret_is_valid(siret) THEN 'providerSiret' || E'\\t' ||
                       CASE WHEN siret !~ '^[0-9]+$' THEN 'providerSiret must contain digits only, got "' || siret || '"'
                            WHEN length(siret) <> 14 THEN 'providerSiret must have exactly 14 digits, got ' || length(siret)
                            ELSE 'providerSiret ' || siret || ' fails its check digit (Luhn)' END END,
                     CASE WHEN nda IS NOT NULL AND NOT ${IMPORT_CHECKS.digits('nda', 11)} THEN 'providerNda' || E'\\t' || 'providerNda must have exactly 11 digits, got "' || nda || '"' END,
                     ${required('category', 'category')},
                     CASE WHEN category NOT IN (${sqlList(ACTION_CATEGORIES)}) THEN 'category' || E'\\t' ||
                       'category "' || category || '" is not one of ${ACTION_CATEGORIES.join(', ')}' END,
                     CASE WHEN cert IS NULL AND formacode IS NULL THEN 'certificationCode' || E'\\t' || 'certificationCode and formacode are both empty: give at least one' END,
                     CASE WHEN cert !~ '^(RNCP[0-9]{2,5}(BC[0-9]{2})?|RS[0-9]{1,5})$' THEN 'certificationCode' || E'\\t' ||
                       'certificationCode must be RNCP + 2 to 5 digits (optionally BC + 2 digits) or RS + 1 to 5 digits, got "' || cert || '"' END,
                     CASE WHEN NOT ${IMPORT_CHECKS.digits('formacode', 5)} THEN 'formacode' || E'\\t' || 'formacode must have exactly 5 digits, got "' || formacode || '"' END,
                     ${required('modality', 'modality')},
                     CASE WHEN modality NOT IN (${sqlList(ACTION_MODALITIES)}) THEN 'modality' || E'\\t' || 'modality "' || modality || '" is not one of ${ACTION_MODALITIES.join(', ')}' END,
                     ${required('region', 'region')},
                     CASE WHEN region NOT IN (${REGIONS}) THEN 'region' || E'\\t' || 'region "' || region || '" is not a 2-digit INSEE region code' END,
                     ${dateCheck('fdd', 'fdd_d', 'fundingDecisionDate')},
                     ${required('sd', 'startDate')},
                     ${dateCheck('sd', 'sd_d', 'startDate')},
                     ${dateCheck('ed', 'ed_d', 'endDate')},
                     CASE WHEN ed_d < sd_d THEN 'endDate' || E'\\t' || 'endDate ' || ed || ' is before startDate ' || sd END,
                     ${decimalCheck('hours', 'hoursPerTrainee', 8)},
                     CASE WHEN trainees ~ '^-[0-9]' THEN 'trainees' || E'\\t' || 'trainees must be >= 0, got "' || trainees || '"'
                          WHEN NOT ${IMPORT_CHECKS.digits('trainees', 1, 9)} THEN 'trainees' || E'\\t' || 'trainees must be a whole number, got "' || trainees || '"' END,
                     ${decimalCheck('price', 'priceExclVat', 12)},
                     ${required('amount', 'amountFunded')},
                     ${decimalCheck('amount', 'amountFunded', 12)},
                     CASE WHEN NOT ${IMPORT_CHECKS.digits('idcc', 1, 4)} THEN 'branchIdcc' || E'\\t' || 'branchIdcc must be an IDCC of up to 4 digits, got "' || idcc || '"' END
                   ], NULL) AS value_errors
              FROM (
                SELECT n.*, iso_date_or_null(fdd) AS fdd_d, iso_date_or_null(sd) AS sd_d, iso_date_or_null(ed) AS ed_d
                  FROM (${normalised(t)}) n
                ${FENCE}
              ) d
            ${FENCE}
          ) r
      ) e ${spanJoin('e.siret', 'e.nda', 'e.category', 'coalesce(e.fdd_d, e.sd_d)', t.spans)}
      LEFT JOIN ${t.repeated} p ON p.external_ref = e.external_ref
  ) c
 ORDER BY external_ref, line`;

/**
 * The parallel run of \`createImportCheckedSql\`, for its transaction: the planner's default costs
 * price moving a row from a worker to the leader above what it saves on the regular expressions
 * (it cannot see their cost), so a parallel plan was never chosen; the costs say that a row
 * moves cheaply. Two workers at most (PostgreSQL's default), none when the staging table is
 * smaller than \`min_parallel_table_scan_size\` (8 MB, about 60,000 rows).
 */
export const IMPORT_PARALLEL_SQL = `SELECT set_config('parallel_setup_cost', '100', true), set_config('parallel_tuple_cost', '0.001', true)`;

/**
 * Records one error per bad field of the checked rows (\`createImportCheckedSql\`) in import_errors
 * and upserts the good rows on (organisation, externalRef), for import $1 (organisation $2). A row
 * whose normalised values did not change (same digest) keeps its version and date (only its line
 * digest and coverage are refreshed), so importing the same file twice changes nothing. Answers the
 * counts (skipped lines count as accepted and unchanged) and the digest of the inserted or updated
 * ids (sorted, as the audit does). The rows are read in the order \`checked\` was written
 * (externalRef), the order of the unique index (a hash join instead was slower: the index took
 * rows at random).
 */
export const importActionsSql = (t: ImportWorkTables) => `
WITH bad AS (
  INSERT INTO import_errors (import_id, organisation_id, line, field, reason)
  SELECT DISTINCT ON (v.line, split_part(e, E'\\t', 1)) $1::uuid, $2::uuid, v.line, split_part(e, E'\\t', 1), substr(e, strpos(e, E'\\t') + 1)
    FROM ${t.checked} v CROSS JOIN LATERAL unnest(v.errors) e
   WHERE cardinality(v.errors) > 0
  ORDER BY v.line, split_part(e, E'\\t', 1)
  RETURNING line
),
up AS (
  INSERT INTO funded_actions AS f (organisation_id, external_ref, provider_siret, provider_nda, category, certification_code, formacode,
                                   modality, region, funding_decision_date, start_date, end_date, hours_per_trainee, trainees,
                                   price_excl_vat, amount_funded, branch_idcc, source_digest, source_line_digest, import_id,
                                   coverage, coverage_flags, coverage_nda, coverage_evaluated_at, coverage_own_note, coverage_own_note_id)
  SELECT $2::uuid, g.external_ref, g.siret, g.nda, g.category, g.cert, g.formacode, g.modality, g.region, g.fdd_d, g.sd_d, g.ed_d,
         g.hours, g.trainees, g.price, g.amount, g.idcc, g.digest, g.line_digest, $1::uuid,
         g.coverage, g.coverage_flags, g.coverage_nda, now(), ${ownNoteColumns('$2::uuid', 'g.siret', 'g.nda', 'g.category', 'g.on_date')}
    FROM ${t.checked} g WHERE cardinality(g.errors) = 0
  ON CONFLICT (organisation_id, external_ref) DO UPDATE SET
    provider_siret = EXCLUDED.provider_siret, provider_nda = EXCLUDED.provider_nda, category = EXCLUDED.category,
    certification_code = EXCLUDED.certification_code, formacode = EXCLUDED.formacode, modality = EXCLUDED.modality,
    region = EXCLUDED.region, funding_decision_date = EXCLUDED.funding_decision_date, start_date = EXCLUDED.start_date,
    end_date = EXCLUDED.end_date, hours_per_trainee = EXCLUDED.hours_per_trainee, trainees = EXCLUDED.trainees,
    price_excl_vat = EXCLUDED.price_excl_vat, amount_funded = EXCLUDED.amount_funded, branch_idcc = EXCLUDED.branch_idcc,
    -- Same values written differently (spaces, a dot in a SIRET): only the line digest and the
    -- coverage are refreshed; the action keeps its version, its date and the import that set it.
    source_digest = EXCLUDED.source_digest, source_line_digest = EXCLUDED.source_line_digest,
    import_id = CASE WHEN f.source_digest IS DISTINCT FROM EXCLUDED.source_digest THEN EXCLUDED.import_id ELSE f.import_id END,
    version = f.version + CASE WHEN f.source_digest IS DISTINCT FROM EXCLUDED.source_digest THEN 1 ELSE 0 END,
    updated_at = CASE WHEN f.source_digest IS DISTINCT FROM EXCLUDED.source_digest THEN now() ELSE f.updated_at END,
    coverage = EXCLUDED.coverage, coverage_flags = EXCLUDED.coverage_flags, coverage_nda = EXCLUDED.coverage_nda,
    coverage_evaluated_at = EXCLUDED.coverage_evaluated_at,
    coverage_own_note = EXCLUDED.coverage_own_note, coverage_own_note_id = EXCLUDED.coverage_own_note_id
  WHERE f.source_digest IS DISTINCT FROM EXCLUDED.source_digest OR f.source_line_digest IS DISTINCT FROM EXCLUDED.source_line_digest
  RETURNING new.id, old.id IS NULL AS inserted, old.source_digest IS DISTINCT FROM new.source_digest AS changed,
            old.id IS NULL OR old.coverage_evaluated_at IS NULL
              OR (old.coverage, old.coverage_flags, old.coverage_nda, old.coverage_own_note, old.coverage_own_note_id)
                 IS DISTINCT FROM (new.coverage, new.coverage_flags, new.coverage_nda, new.coverage_own_note, new.coverage_own_note_id) AS coverage_changed,
            old.id IS NULL OR ${priceInputsChanged('old', 'new')} AS price_inputs_changed,
            old.category AS old_category, old.start_date AS old_start_date, old.certification_code AS old_certification_code, old.formacode AS old_formacode,
            new.category, new.start_date, new.certification_code, new.formacode
),
-- The price scopes of the rows written, marked once for the whole import (migration 0036; the
-- triggers of migration 0034 skip this statement): an inserted action's, and for an update changing
-- a value its price depends on, the scopes it left and those it joined.
scopes AS (
  SELECT DISTINCT * FROM (
   ${priceScopesOfRows('up', 'a.price_inputs_changed')}
   UNION ALL ${priceScopesOfRows(`(SELECT old_category AS category, old_start_date AS start_date, old_certification_code AS certification_code,
                                        old_formacode AS formacode FROM up WHERE price_inputs_changed AND old_category IS NOT NULL)`, 'true')}
  ) s(scope, category, year, code)
),
marked AS (
  SELECT price_mark_scopes(array_agg(scope), array_agg(category), array_agg(year), array_agg(code)) AS n FROM scopes
),
checked AS (
  SELECT count(*)::int AS rows, (count(*) FILTER (WHERE cardinality(errors) = 0))::int AS accepted FROM ${t.checked}
),
skipped AS (
  SELECT count(*)::int AS n FROM ${t.skipped}
)
SELECT skipped.n AS recognised,
       checked.rows + skipped.n AS rows,
       (SELECT count(DISTINCT line) FROM bad)::int AS rejected,
       checked.accepted + skipped.n AS accepted,
       (SELECT count(*) FILTER (WHERE inserted) FROM up)::int AS inserted,
       (SELECT count(*) FILTER (WHERE NOT inserted AND changed) FROM up)::int AS updated,
       (SELECT count(*) FILTER (WHERE coverage_changed) FROM up)::int AS coverage_changed,
       (SELECT n FROM marked) AS marked_scopes,
       -- ORDER BY the uuid is the order of its text (fixed-width lowercase hex), as the audit sorts ids.
       (SELECT encode(sha256(convert_to(coalesce(string_agg(id::text, E'\\n' ORDER BY id), ''), 'UTF8')), 'hex') FROM up WHERE changed) AS affected_digest
  FROM checked, skipped`;

/**
 * Certification coverage, set-based, with ONE rule: \`certification_state\` (migration 0004), the
 * function the funding check answers with. Its answer for a SIRET, an NDA and a category only
 * changes on the dates \`certification_breakpoints\` lists (migration 0015), so it is called once per
 * interval between two breakpoints (a few per provider and category) and every action is joined to
 * the interval holding its date: the funding decision date (R.6316-8), else the start date (flag
 * START_DATE_USED). \`keys\` is a query answering (siret, nda, category) rows.
 * Defines two CTEs: \`breakpoints\` and \`spans\` (siret, nda_key, category, from_d, until_d, status,
 * state_nda, flags, exemption_flags).
 */
export function coverageSpansSql(keys: string): string {
  return `breakpoints AS (
  SELECT k.siret, k.nda, k.category, b.d AS from_d,
         lead(b.d, 1, 'infinity') OVER (PARTITION BY k.siret, k.nda, k.category ORDER BY b.d) AS until_d
    FROM (${keys}) k CROSS JOIN LATERAL certification_breakpoints(k.siret, k.nda, k.category) b(d)
),
spans AS (
  SELECT bp.siret, coalesce(bp.nda, '') AS nda_key, bp.category, bp.from_d, bp.until_d, cs.status, cs.nda::char(11) AS state_nda,
         cs.flags, CASE WHEN ex.kind IS NOT NULL THEN ARRAY['EXEMPTION_' || ex.kind] ELSE ARRAY[]::text[] END AS exemption_flags
    FROM breakpoints bp
   CROSS JOIN LATERAL certification_state(bp.siret, bp.nda, bp.category, bp.from_d) cs
    LEFT JOIN exemptions ex ON ex.id = cs.exemption_id
)`;
}

/** Joins the span holding each action's date (LEFT: a missing span leaves coverage NULL, which its NOT NULL refuses loudly). */
function spanJoin(siret: string, nda: string, category: string, onDate: string, spans = 'spans'): string {
  return `LEFT JOIN ${spans} s ON s.siret = ${siret} AND s.nda_key = coalesce(${nda}, '') AND s.category = ${category}
                   AND ${onDate} >= s.from_d AND ${onDate} < s.until_d`;
}

/**
 * The funder's own certification note on an action's date (migration 0009), a layer beside the
 * shared state: two columns, \`own_status\` and \`own_note_id\`. Notes are few: the gate (one hashed
 * set of the (organisation, category) pairs holding a note, built once per statement) comes first
 * in a CASE, which PostgreSQL never evaluates past, so \`certification_own_note\` runs only for the
 * actions of an organisation holding a note in that category. (A LATERAL join with the gate inside
 * was flattened by the planner into a join filter after the call: a look-up per action, 1.4 s per
 * 200,000 rows without a single note.)
 */
function ownNoteColumns(organisation: string, siret: string, nda: string, category: string, onDate: string): string {
  const gate = `(${organisation}, ${category}) IN (SELECT n.organisation_id, n.category FROM certification_notes n)`;
  const call = `certification_own_note(${organisation}, ${siret}, ${nda}, ${category}, ${onDate}) o`;
  return `CASE WHEN ${gate} THEN (SELECT o.status FROM ${call}) END AS own_status,
          CASE WHEN ${gate} THEN (SELECT o.note_id FROM ${call}) END AS own_note_id`;
}

/** coverage, coverage_flags, coverage_nda of an action joined to its span \`s\`. */
function coverageOf(fundingDecisionDate: string): string {
  return `s.status AS coverage,
          s.flags || CASE WHEN ${fundingDecisionDate} IS NULL THEN ARRAY['START_DATE_USED'] ELSE ARRAY[]::text[] END || s.exemption_flags AS coverage_flags,
          s.state_nda AS coverage_nda`;
}

/**
 * Run before a big coverage or import statement in the same transaction: rows written earlier in
 * that transaction are not in the planner's statistics yet (it may think funded_actions is nearly
 * empty), and a nested loop between two million-row sets would be quadratic. The lateral look-ups
 * still run as index nested loops; only the set joins go to hashes.
 */
export const PREFER_HASH_JOINS_SQL = `SELECT set_config('enable_nestloop', 'off', true)`;

/**
 * The import statement's memory, for this transaction only: its sort (duplicate externalRefs) and
 * hashes fit in memory up to a few hundred thousand rows instead of spilling to temporary files.
 * PostgreSQL's memory, not the worker's: the worker never holds rows.
 */
export const IMPORT_SETTINGS_SQL = `SELECT set_config('work_mem', '64MB', true)`;

/**
 * Around the import statement only: the price-scope triggers leave the marking to it, as it marks
 * the scopes of its own rows (\`IMPORT_ACTIONS_SQL\`, migration 0036). Reset right after, so any
 * later write of the transaction is marked by the triggers.
 */
export const IMPORT_MARKS_PRICE_SCOPES_SQL = (on: boolean) => `SELECT set_config('${WRITER_MARKS_PRICE_SCOPES}', '${on ? 'on' : ''}', true)`;

/**
 * Certification coverage of the funded actions matching `filter` (a condition on `a`, the
 * funded_actions row; parameters as the caller numbers them), for the registry's recompute. One
 * UPDATE, set-based like the import (`coverageSpansSql`); only changed rows are written.
 */
export function coverageSql(filter: string): string {
  return `
WITH target AS (
  SELECT a.id, a.organisation_id, a.provider_siret::text AS siret, a.provider_nda::text AS nda, a.category, a.funding_decision_date,
         coalesce(a.funding_decision_date, a.start_date) AS on_date
    FROM funded_actions a WHERE ${filter}
),
${coverageSpansSql('SELECT DISTINCT siret, nda, category FROM target')},
result AS (
  SELECT t.id, ${coverageOf('t.funding_decision_date')}, ${ownNoteColumns('t.organisation_id', 't.siret', 't.nda', 't.category', 't.on_date')}
    FROM target t ${spanJoin('t.siret', 't.nda', 't.category', 't.on_date')}
)
UPDATE funded_actions f
   SET coverage = r.coverage, coverage_flags = r.coverage_flags, coverage_nda = r.coverage_nda, coverage_evaluated_at = now(),
       coverage_own_note = r.own_status, coverage_own_note_id = r.own_note_id
  FROM result r
 WHERE f.id = r.id
   AND (f.coverage_evaluated_at IS NULL
        OR (f.coverage, f.coverage_flags, f.coverage_nda, f.coverage_own_note, f.coverage_own_note_id)
           IS DISTINCT FROM (r.coverage, r.coverage_flags, r.coverage_nda, r.own_status, r.own_note_id))
RETURNING f.id`;
}
