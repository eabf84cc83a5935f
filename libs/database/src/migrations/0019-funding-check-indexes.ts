import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the reads a funder makes all day (docs/benchmarks.md, API latency):
 * - the funding check's control facts on an organisation (its SIRETs, a range): open major
 *   non-conformities reach the caller's checks by (organisation, SIRET) in one index (the policy's
 *   condition and the range together; with two single-column indexes the planner ANDs bitmaps and
 *   reads all the organisation's checks for every question), then their open majors through a
 *   partial index; blocked payments are few, so a partial index keeps them out of the million
 *   funded actions. (A range, not `left(siret, 9)`: under row-level security a non-leakproof
 *   function cannot drive an index scan.)
 * - keyset paging of `GET /imports` on (organisation, created_at DESC, id DESC).
 */
export class FundingCheckIndexes1790000000019 implements MigrationInterface {
  name = 'FundingCheckIndexes1790000000019';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX checks_org_siret_idx ON checks (organisation_id, provider_siret);
      CREATE INDEX corrective_actions_open_major_idx ON corrective_actions (check_id) WHERE status = 'OPEN' AND grade = 'MAJOR_NC';
      CREATE INDEX funded_actions_blocked_idx ON funded_actions (provider_siret) WHERE payment_blocked;
      CREATE INDEX imports_org_keyset_idx ON imports (organisation_id, created_at DESC, id DESC);
      DROP INDEX imports_org_idx;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX imports_org_idx ON imports (organisation_id, created_at DESC);
      DROP INDEX imports_org_keyset_idx;
      DROP INDEX funded_actions_blocked_idx;
      DROP INDEX corrective_actions_open_major_idx;
      DROP INDEX checks_org_siret_idx;
    `);
  }
}
