/**
 * The registry's part of the funding check, as SQL to compose into ONE set-based statement.
 *
 * The statement starts from a set of questions `q (idx, siret char(14), siren char(9), nda text,
 * category text, date date)`; these joins add, per question, the certification state (by the one
 * rule, `certification_state`, migration 0004), the observation it rests on, the establishments
 * the answer is about (the SIRET's, or the organisation's other sites when the state rests on
 * one), the exemptions in force, and the caller's blocked payments on the organisation (funded
 * actions, under the caller's row-level security). Each join is indexed (migrations 0003, 0019).
 * On tables under row-level security, the organisation's sites are a RANGE of SIRETs, never
 * `left(siret, 9) = siren`: `left` is not leakproof, so PostgreSQL may not use it before the
 * policy's own condition, and an expression index on it stays unused (a scan of every row).
 *
 * The columns they expose, for the caller's SELECT list: `fc_state.*`, `fc_obs.*`,
 * `fc_activity.{ndas, in_registry, listed, last_declaration_date}`, `fc_exemptions.list` and
 * `fc_blocked.{actions, amount}`.
 */

/** A timestamptz as JavaScript's `toISOString()` writes it (UTC, milliseconds, `Z`). */
export const isoTimestamp = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const FUNDING_FACTS_JOINS = `
  CROSS JOIN LATERAL certification_state(q.siret::text, q.nda, q.category, q.date) fc_state
  LEFT JOIN certification_observations fc_obs ON fc_obs.id = fc_state.observation_id
  CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(
             'nda', p.nda, 'siret', p.siret, 'name', p.name, 'listed', p.listed,
             'delistedAt', ${isoTimestamp('p.delisted_at')}, 'lastDeclarationDate', p.last_declaration_date::text
           ) ORDER BY p.nda), '[]'::json) AS ndas,
           coalesce(array_agg(p.nda), '{}') AS nda_list,
           count(*) > 0 AS in_registry,
           coalesce(bool_or(p.listed), false) AS listed,
           max(p.last_declaration_date)::text AS last_declaration_date
      FROM (SELECT * FROM providers WHERE siret = q.siret AND NOT ('OTHER_SITE' = ANY (fc_state.flags))
            UNION ALL
            SELECT * FROM providers WHERE siren = q.siren AND 'OTHER_SITE' = ANY (fc_state.flags)) p
  ) fc_activity
  CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(
             'id', e.id, 'kind', e.kind, 'siren', e.siren, 'nda', e.nda, 'categories', e.categories,
             'validFrom', e.valid_from::text, 'validUntil', e.valid_until::text, 'legalSource', e.legal_source, 'note', e.note
           ) ORDER BY e.valid_from DESC, e.id), '[]'::json) AS list
      FROM exemptions e
     WHERE (e.siren = q.siren OR e.nda = ANY (fc_activity.nda_list))
       AND q.category = ANY (e.categories)
       AND e.valid_from <= q.date AND (e.valid_until IS NULL OR e.valid_until >= q.date)
  ) fc_exemptions
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS actions, coalesce(sum(fa.amount_funded), 0)::float8 AS amount
      FROM funded_actions fa
     WHERE fa.payment_blocked AND fa.provider_siret BETWEEN (q.siren || '00000')::char(14) AND (q.siren || '99999')::char(14)
  ) fc_blocked`;

/**
 * The certification part of the answer (`certification` in the API), from `fc_state` and `fc_obs`,
 * as the arguments of its `json_build_object(...)`: the caller appends its own keys.
 */
export const FUNDING_CERTIFICATION_FIELDS = `
    'status', fc_state.status, 'nda', fc_state.nda, 'observationId', fc_state.observation_id::text,
    'exemptionId', fc_state.exemption_id, 'flags', fc_state.flags,
    'observation', CASE WHEN fc_obs.id IS NULL THEN NULL ELSE json_build_object(
      'id', fc_obs.id::text, 'nda', fc_obs.nda, 'category', fc_obs.category, 'certified', fc_obs.certified,
      'observedOn', fc_obs.observed_on::text, 'validUntil', fc_obs.valid_until::text, 'source', fc_obs.source,
      'certifier', fc_obs.certifier, 'reference', fc_obs.reference, 'importId', fc_obs.import_id,
      'evidenceSha256', fc_obs.evidence_sha256, 'recordedAt', ${isoTimestamp('fc_obs.recorded_at')}, 'ownNote', false) END`;

/** The declared activity part of the answer (`activity`). */
export const FUNDING_ACTIVITY_JSON = `json_build_object(
    'inRegistry', fc_activity.in_registry, 'listed', fc_activity.listed,
    'lastDeclarationDate', fc_activity.last_declaration_date, 'ndas', fc_activity.ndas)`;

/** The caller's blocked payments on the organisation (`controls.blockedPayments`). */
export const FUNDING_BLOCKED_JSON = `json_build_object('actions', fc_blocked.actions, 'amountFunded', fc_blocked.amount)`;
