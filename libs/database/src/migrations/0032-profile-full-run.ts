import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A full run of the provider control profile no longer rewrites the profiles whose values did not
 * change (issue 14: the rewrite of 150,000 rows was what kept the job at 1.9 times its baseline
 * when the table was full, i.e. every night). Those rows keep the business time they were last
 * computed at, so the time of the last full run is kept beside the watermark, and a profile is
 * shown "as of" the later of the two (libs/sharing profiles.reader.ts): the full run confirmed it.
 * The application role may read that one column (and the job's name), nothing else of the table.
 */
export class ProfileFullRun1790000000032 implements MigrationInterface {
  name = 'ProfileFullRun1790000000032';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job_watermarks ADD COLUMN full_as_of timestamptz`);
    await q.query(`UPDATE job_watermarks SET full_as_of = as_of`);
    await q.query(`GRANT SELECT (job, full_as_of) ON job_watermarks TO bo_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE SELECT (job, full_as_of) ON job_watermarks FROM bo_app`);
    await q.query(`ALTER TABLE job_watermarks DROP COLUMN full_as_of`);
  }
}
