import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accent- and case-insensitive provider search ("rhone competences" finds "Rhône Compétences"):
 * a stored search key with a trigram index. `unaccent` is not IMMUTABLE (its dictionary could
 * change), so a wrapper naming the dictionary explicitly is declared IMMUTABLE for the index.
 */
export class ProviderSearch1790000000008 implements MigrationInterface {
  name = 'ProviderSearch1790000000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS unaccent;
      CREATE FUNCTION search_key(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;
      ALTER TABLE providers ADD COLUMN search_name text GENERATED ALWAYS AS (search_key(name)) STORED;
      DROP INDEX providers_name_trgm_idx;
      CREATE INDEX providers_search_name_trgm_idx ON providers USING gin (search_name gin_trgm_ops);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX providers_search_name_trgm_idx;
      ALTER TABLE providers DROP COLUMN search_name;
      DROP FUNCTION search_key(text);
      CREATE INDEX providers_name_trgm_idx ON providers USING gin (name gin_trgm_ops);
    `);
  }
}
