import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quantiles read off an array sorted ascending, exactly as `percentile_cont` computes them
 * (PostgreSQL's percentile_cont_final_common: rows floor(p(n-1)) and ceil(p(n-1)), 0-based,
 * interpolated as lo + (hi - lo) x (p(n-1) - floor(p(n-1)))), and the same over the logarithms
 * of the values (ln is increasing: the sorted logarithms are the logarithms of the sorted values).
 * The price recompute sorts each group's prices once and reads every quantile, the log quartiles
 * and the MADs off that one array (libs/pricing price-recompute.sql.ts), instead of one sort per
 * statistic. SQL functions with a single expression: the planner inlines them. NULL or empty
 * array: NULL, like percentile_cont over no rows. Only the recompute (system role) calls them.
 */
export class PriceQuantiles1790000000033 implements MigrationInterface {
  name = 'PriceQuantiles1790000000033';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION sorted_percentile(a float8[], p float8) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN a[floor(p * (cardinality(a) - 1))::int + 1]
           + (a[ceil(p * (cardinality(a) - 1))::int + 1] - a[floor(p * (cardinality(a) - 1))::int + 1])
             * (p * (cardinality(a) - 1) - floor(p * (cardinality(a) - 1)));
      CREATE FUNCTION sorted_log_percentile(a float8[], p float8) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN ln(a[floor(p * (cardinality(a) - 1))::int + 1])
           + (ln(a[ceil(p * (cardinality(a) - 1))::int + 1]) - ln(a[floor(p * (cardinality(a) - 1))::int + 1]))
             * (p * (cardinality(a) - 1) - floor(p * (cardinality(a) - 1)));
      REVOKE ALL ON FUNCTION sorted_percentile(float8[], float8), sorted_log_percentile(float8[], float8) FROM PUBLIC, bo_app;
      GRANT EXECUTE ON FUNCTION sorted_percentile(float8[], float8), sorted_log_percentile(float8[], float8) TO bo_system;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION sorted_log_percentile(float8[], float8); DROP FUNCTION sorted_percentile(float8[], float8)`);
  }
}
