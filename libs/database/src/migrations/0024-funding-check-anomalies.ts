import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The funding check counts the caller's price anomalies on the provider's organisation (all its
 * sites, a SIRET range like the other control facts): an index on (organisation, SIRET) of the
 * active anomalies, so that the count is an index range scan under row-level security.
 */
export class FundingCheckAnomalies1790000000024 implements MigrationInterface {
  name = 'FundingCheckAnomalies1790000000024';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX price_anomalies_provider_idx ON price_anomalies (organisation_id, provider_siret) WHERE active`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX price_anomalies_provider_idx`);
  }
}
