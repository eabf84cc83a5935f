import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A funded action remembers the digest of the CSV line it was last imported from (its raw values,
 * as staged), beside the digest of its normalised values. A funder re-sends its file often: the
 * lines whose raw values are those stored are recognised before any parsing, validation or
 * certification look-up, and left alone (docs/actions.md, "Re-sending a file"). Written by the
 * import only; any write through the API clears it (as it clears \`source_digest\`).
 */
export class ImportLineDigest1790000000027 implements MigrationInterface {
  name = 'ImportLineDigest1790000000027';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE funded_actions ADD COLUMN source_line_digest text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE funded_actions DROP COLUMN source_line_digest`);
  }
}
