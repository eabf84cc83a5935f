import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public-list import ANALYZEs the registry tables it changed, as the system role (PostgreSQL
 * 17+ MAINTAIN). Without it, a registry loaded a minute earlier had no statistics: the planner took
 * the providers related to a SIRET for 225 rows and joined the certification observations by a
 * sequential scan per (SIRET, NDA, category) key, so a funded-actions import of 20,000 rows right
 * after a first public list took 40-75 s instead of 1.4 s (found by the import benchmark on a
 * fresh database; autovacuum's analyze comes too late for the import that follows the list).
 */
export class RegistryAnalyze1790000000025 implements MigrationInterface {
  name = 'RegistryAnalyze1790000000025';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT MAINTAIN ON providers, certification_observations TO bo_system`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE MAINTAIN ON providers, certification_observations FROM bo_system`);
  }
}
