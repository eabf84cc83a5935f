import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public-list import ANALYZEs its staging table before applying it, as the system role; since
 * PostgreSQL 17 that needs the MAINTAIN privilege, without which the ANALYZE was skipped with a
 * notice and the apply planned its joins on a table the planner believed empty (a nested loop:
 * a first 20,000-row list took more than ten minutes; found by the import benchmark).
 */
export class StagingAnalyze1790000000023 implements MigrationInterface {
  name = 'StagingAnalyze1790000000023';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT MAINTAIN ON public_list_staging TO bo_system`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE MAINTAIN ON public_list_staging FROM bo_system`);
  }
}
