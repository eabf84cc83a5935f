import { MigrationInterface, QueryRunner } from 'typeorm';
import { WRITER_MARKS_PRICE_SCOPES, priceInputsChanged, priceScopesOf } from '../price-scopes';

/**
 * The funded-actions import marks the price scopes of the rows it wrote itself, once per import,
 * from its own statement's rows (libs/registry actions.sql.ts): the scopes of every inserted action
 * and, for an update changing a value its price depends on, those it left and those it joined,
 * exactly what the statement triggers of migration 0034 mark. The triggers read every written row
 * back from their transition tables, about 0.5 s of a 200,000-row first import; the import already
 * holds those rows (RETURNING old and new) and hands the distinct scopes to \`price_mark_scopes\`.
 *
 * The trigger function skips its work while the transaction setting
 * \`bo.writer_marks_price_scopes\` is 'on'. Only the import sets it, around its one statement, and
 * resets it after; every other writer (the API, a script, the coverage recompute) is still marked
 * by the triggers. A writer that set it without marking would only delay the incremental price
 * recompute of its scopes to the nightly full run (which reads every action).
 *
 * \`price_mark_scopes\` is the application role's one way to write marks (the table stays closed to
 * it): it inserts the distinct non-empty scopes it is given and answers how many. Marks hold no
 * funder's data (a category, a year, a code), and a needless mark only widens the next incremental
 * run; a caller must still be a tenant's unit of work.
 */
const markAll = (table: string) => `INSERT INTO price_dirty_scopes (scope, category, year, code)
          SELECT DISTINCT s.* FROM ${table} a CROSS JOIN LATERAL (VALUES ${priceScopesOf('a')}) s(scope, category, year, code)
           WHERE s.code IS NOT NULL;`;

const triggerFunction = (skip: boolean) => `
      CREATE OR REPLACE FUNCTION price_mark_dirty_scopes() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN${
        skip
          ? `
        IF current_setting('${WRITER_MARKS_PRICE_SCOPES}', true) = 'on' THEN
          RETURN NULL; -- the import marks the scopes of its own rows (migration 0036)
        END IF;`
          : ''
      }
        IF TG_OP = 'INSERT' THEN
          ${markAll('new_rows')}
        ELSIF TG_OP = 'DELETE' THEN
          ${markAll('old_rows')}
        ELSE
          INSERT INTO price_dirty_scopes (scope, category, year, code)
          SELECT DISTINCT s.* FROM old_rows o JOIN new_rows n ON n.id = o.id
           CROSS JOIN LATERAL (VALUES ${priceScopesOf('o')}, ${priceScopesOf('n')}) s(scope, category, year, code)
           WHERE s.code IS NOT NULL AND ${priceInputsChanged('o', 'n')};
        END IF;
        RETURN NULL;
      END $$;
      REVOKE ALL ON FUNCTION price_mark_dirty_scopes() FROM PUBLIC, bo_app, bo_system;`;

export class ImportPriceScopes1790000000036 implements MigrationInterface {
  name = 'ImportPriceScopes1790000000036';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ${triggerFunction(true)}

      CREATE FUNCTION price_mark_scopes(p_scopes text[], p_categories text[], p_years integer[], p_codes text[]) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        marked integer;
      BEGIN
        IF app_org_id() IS NULL THEN
          RAISE EXCEPTION 'price_mark_scopes: no tenant' USING ERRCODE = '42501';
        END IF;
        INSERT INTO price_dirty_scopes (scope, category, year, code)
        SELECT DISTINCT s.scope, s.category, s.year, s.code FROM unnest(p_scopes, p_categories, p_years, p_codes) s(scope, category, year, code)
         WHERE s.code IS NOT NULL;
        GET DIAGNOSTICS marked = ROW_COUNT;
        RETURN marked;
      END $$;
      REVOKE ALL ON FUNCTION price_mark_scopes(text[], text[], integer[], text[]) FROM PUBLIC, bo_system;
      GRANT EXECUTE ON FUNCTION price_mark_scopes(text[], text[], integer[], text[]) TO bo_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION price_mark_scopes(text[], text[], integer[], text[]);
      ${triggerFunction(false)}
    `);
  }
}
