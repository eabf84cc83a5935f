import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reliance against revocation or amendment, serialised. A funder recording a reliance read the
 * check as visible, while its owner, at the same moment, revoked the share or amended the check:
 * the revocation marked the reliances it could see stale, not the one committed a moment later,
 * which stayed current on a check its funder no longer sees (or on a superseded revision).
 * Both sides now take the check's audience lock (a transaction advisory lock keyed on the check):
 * \`sharing_mark_reliances_stale\` (revocation, amendment, need-to-know) before it looks, and the
 * reliance's creation before it reads the check (libs/sharing, reliances.service.ts). Whichever
 * comes second sees what the first committed: READ COMMITTED takes a new snapshot per statement.
 */
const KEY = (check: string) => `hashtextextended('check-audience:' || ${check}::text, 0)`;

const body = (lock: boolean) => `
  CREATE OR REPLACE FUNCTION sharing_mark_reliances_stale(p_check uuid, p_reason text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    DECLARE marked integer;
    BEGIN
      ${lock ? `PERFORM pg_advisory_xact_lock(${KEY('p_check')});` : ''}
      WITH stale AS (
        UPDATE reliances r SET stale_at = app_now(), stale_reason = p_reason
         WHERE r.check_id = p_check AND r.withdrawn_at IS NULL AND r.stale_at IS NULL
           -- only the check's owner changes what others see of it
           AND EXISTS (SELECT 1 FROM checks c WHERE c.id = p_check AND c.organisation_id = app_org_id())
           AND (p_reason = 'AMENDED' OR NOT check_visible_to(p_check, r.organisation_id))
        RETURNING r.id, r.organisation_id, r.created_by, r.provider_siret
      ), notified AS (
        INSERT INTO notifications (organisation_id, user_id, kind, entity_type, entity_id, payload)
        SELECT organisation_id, created_by, 'RELIANCE_STALE', 'reliance', id::text,
               jsonb_build_object('checkId', p_check, 'reason', p_reason, 'providerSiret', provider_siret)
          FROM stale
        ON CONFLICT (kind, entity_type, entity_id, user_id) DO NOTHING
      )
      SELECT count(*) INTO marked FROM stale;
      RETURN marked;
    END $$`;

export class CheckAudienceLock1790000000031 implements MigrationInterface {
  name = 'CheckAudienceLock1790000000031';

  async up(q: QueryRunner): Promise<void> {
    await q.query(body(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(body(false));
  }
}
