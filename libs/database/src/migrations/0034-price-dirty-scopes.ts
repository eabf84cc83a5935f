import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What changed in the funded actions since the last price recompute, for a run limited to the
 * groups touched (issue 15, libs/pricing price-recompute.sql.ts). A scope is a category, a year
 * and a certification code (the ladder's levels 1 and 2, and the provider kinds' sets) or a
 * Formacode family (levels 3 and 4): every group of a level lies inside one scope.
 *
 * Statement triggers on funded_actions mark, set-based, the scopes of every inserted or deleted
 * action, and of an updated one both the scopes it left and those it joined, when a value its price
 * or its groups depend on changed (a coverage refresh marks nothing). Any writer is covered (the
 * import, the API, a script). Plain rows, no key: concurrent imports never wait on each other's
 * marks; the recompute consumes the marks its snapshot sees (DELETE ... RETURNING) and leaves the
 * ones committed after it for the next run. The trigger function runs as its owner (the
 * application and system roles have no right on the table).
 */
/** The two scopes of an action row `a` (a missing code marks nothing). */
const scopesOf = (a: string) => `('CERTIFICATION', ${a}.category, extract(year FROM ${a}.start_date)::int, ${a}.certification_code),
            ('FORMACODE_FAMILY', ${a}.category, extract(year FROM ${a}.start_date)::int, left(${a}.formacode, 3))`;
/** Marks the scopes of every row of a transition table (inserted or deleted rows). */
const markAll = (table: string) => `INSERT INTO price_dirty_scopes (scope, category, year, code)
          SELECT DISTINCT s.* FROM ${table} a CROSS JOIN LATERAL (VALUES ${scopesOf('a')}) s(scope, category, year, code)
           WHERE s.code IS NOT NULL;`;
/** What an action's price and groups depend on: an update changing none of it marks nothing. */
const PRICED = (a: string) =>
  `(${['organisation_id', 'provider_siret', 'category', 'certification_code', 'formacode', 'modality', 'region', 'start_date', 'end_date',
    'hours_per_trainee', 'trainees', 'price_excl_vat', 'branch_idcc'].map((c) => `${a}.${c}`).join(', ')})`;

export class PriceDirtyScopes1790000000034 implements MigrationInterface {
  name = 'PriceDirtyScopes1790000000034';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE price_dirty_scopes (
        scope text NOT NULL CHECK (scope IN ('CERTIFICATION', 'FORMACODE_FAMILY')),
        category text NOT NULL,
        year integer NOT NULL,
        code text NOT NULL,
        marked_at timestamptz NOT NULL DEFAULT now()
      );
      REVOKE ALL ON price_dirty_scopes FROM PUBLIC, bo_app, bo_system;
      GRANT SELECT, DELETE ON price_dirty_scopes TO bo_system;

      CREATE FUNCTION price_mark_dirty_scopes() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${markAll('new_rows')}
        ELSIF TG_OP = 'DELETE' THEN
          ${markAll('old_rows')}
        ELSE
          INSERT INTO price_dirty_scopes (scope, category, year, code)
          SELECT DISTINCT s.* FROM old_rows o JOIN new_rows n ON n.id = o.id
           CROSS JOIN LATERAL (VALUES ${scopesOf('o')}, ${scopesOf('n')}) s(scope, category, year, code)
           WHERE s.code IS NOT NULL AND ${PRICED('o')} IS DISTINCT FROM ${PRICED('n')};
        END IF;
        RETURN NULL;
      END $$;
      REVOKE ALL ON FUNCTION price_mark_dirty_scopes() FROM PUBLIC, bo_app, bo_system;

      CREATE TRIGGER funded_actions_price_inserted AFTER INSERT ON funded_actions
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION price_mark_dirty_scopes();
      CREATE TRIGGER funded_actions_price_updated AFTER UPDATE ON funded_actions
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION price_mark_dirty_scopes();
      CREATE TRIGGER funded_actions_price_deleted AFTER DELETE ON funded_actions
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION price_mark_dirty_scopes();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER funded_actions_price_deleted ON funded_actions;
      DROP TRIGGER funded_actions_price_updated ON funded_actions;
      DROP TRIGGER funded_actions_price_inserted ON funded_actions;
      DROP FUNCTION price_mark_dirty_scopes();
      DROP TABLE price_dirty_scopes;
    `);
  }
}
