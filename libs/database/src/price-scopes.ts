/**
 * The price scopes of funded actions, as SQL fragments shared by the statement triggers that mark
 * them for any writer (migration 0034, redefined by 0036) and by the funded-actions import, which
 * marks the scopes of its own rows once per import (libs/registry actions.sql.ts). A scope is a
 * category, a year and a certification code (levels 1 and 2 of the price ladder, the provider
 * kinds' sets) or a Formacode family (levels 3 and 4); docs/pricing.md, "Runs".
 */

/** The scopes of an action row `a`: a certification and a Formacode family, in its category and year. */
const PRICE_SCOPES = [
  { scope: 'CERTIFICATION', code: (a: string) => `${a}.certification_code` },
  { scope: 'FORMACODE_FAMILY', code: (a: string) => `left(${a}.formacode, 3)` },
] as const;
const scopeRow = (a: string, s: (typeof PRICE_SCOPES)[number]) => `'${s.scope}', ${a}.category, extract(year FROM ${a}.start_date)::int, ${s.code(a)}`;

/** The scopes of an action row `a` as VALUES rows (scope, category, year, code); a missing code marks nothing (filter `code IS NOT NULL`). */
export const priceScopesOf = (a: string) => PRICE_SCOPES.map((s) => `(${scopeRow(a, s)})`).join(',\n            ');

/**
 * The same scopes of the rows of \`from\` (aliased \`a\`) matching \`where\`, as one UNION ALL of
 * (scope, category, year, code) rows without the missing codes: a scan per scope rather than a
 * VALUES list per row (cheaper over a few hundred thousand rows).
 */
export const priceScopesOfRows = (from: string, where: string) =>
  PRICE_SCOPES.map((s) => `SELECT ${scopeRow('a', s)} FROM ${from} a WHERE ${where} AND ${s.code('a')} IS NOT NULL`).join('\n   UNION ALL ');

/** What an action's price and groups depend on: an update changing none of it marks nothing. */
export const PRICE_INPUT_COLUMNS = [
  'organisation_id', 'provider_siret', 'category', 'certification_code', 'formacode', 'modality', 'region', 'start_date', 'end_date',
  'hours_per_trainee', 'trainees', 'price_excl_vat', 'branch_idcc',
] as const;

/** True when an update from row `o` to row `n` changed a value a price depends on. */
export const priceInputsChanged = (o: string, n: string) =>
  `(${PRICE_INPUT_COLUMNS.map((c) => `${o}.${c}`).join(', ')}) IS DISTINCT FROM (${PRICE_INPUT_COLUMNS.map((c) => `${n}.${c}`).join(', ')})`;

/**
 * Transaction setting under which the triggers leave the marking to the writer (migration 0036).
 * Only the import sets it, around its one statement, and marks the same scopes itself
 * (\`price_mark_scopes\`); any other writer leaves it unset.
 */
export const WRITER_MARKS_PRICE_SCOPES = 'bo.writer_marks_price_scopes';
