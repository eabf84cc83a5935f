import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The job outbox: every job a request or a job asks for is a row here, written in the same
 * transaction as the state that needs it. A relay moves pending rows to BullMQ with the row's id
 * as the BullMQ job id (so a row is enqueued once, whatever crashes in between) and the worker
 * records each run's outcome on the row. `coalesce_key` lets a burst of identical requests (a
 * coverage recompute after many registry changes) share one pending or queued row.
 *
 * `bo_app` writes only through `job_outbox_enqueue` and reads only its own organisation's rows;
 * the relay and the worker use the system role.
 */
export class JobOutbox1790000000017 implements MigrationInterface {
  name = 'JobOutbox1790000000017';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        job_name text NOT NULL,
        queue text NOT NULL,
        payload jsonb NOT NULL,
        organisation_id uuid REFERENCES organisations (id),
        coalesce_key text,
        state text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DISPATCHED', 'RUNNING', 'COMPLETED', 'FAILED')),
        available_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        dispatched_at timestamptz,
        relay_attempts integer NOT NULL DEFAULT 0,
        relay_error text,
        runs integer NOT NULL DEFAULT 0,
        completions integer NOT NULL DEFAULT 0,
        started_at timestamptz,
        finished_at timestamptz,
        result jsonb,
        error text
      );
      -- What the relay scans: pending rows that are due.
      CREATE INDEX job_outbox_pending_idx ON job_outbox (available_at) WHERE state = 'PENDING';
      -- What the reconciler compares with Redis: enqueued rows not finished yet.
      CREATE INDEX job_outbox_open_idx ON job_outbox (dispatched_at) WHERE state IN ('DISPATCHED', 'RUNNING');
      -- One waiting row per coalescing key: a new request joins it instead of adding a run.
      CREATE UNIQUE INDEX job_outbox_coalesce_idx ON job_outbox (coalesce_key) WHERE state IN ('PENDING', 'DISPATCHED');
      CREATE INDEX job_outbox_organisation_idx ON job_outbox (organisation_id, created_at);

      -- The one way in for every role: inserts the row, or answers the id of the waiting row
      -- with the same coalescing key. SECURITY DEFINER so that the application role can join a
      -- platform-wide row it may not read; it may only write rows of its own organisation.
      CREATE FUNCTION job_outbox_enqueue(p_id uuid, p_job_name text, p_queue text, p_payload jsonb, p_organisation_id uuid,
                                         p_coalesce_key text, p_available_at timestamptz)
        RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
      DECLARE
        v_id uuid;
      BEGIN
        IF p_organisation_id IS NOT NULL AND session_user = 'bo_app' AND p_organisation_id IS DISTINCT FROM app_org_id() THEN
          RAISE EXCEPTION 'job_outbox: organisation % is not the caller''s', p_organisation_id USING ERRCODE = '42501';
        END IF;
        FOR attempt IN 1..3 LOOP
          INSERT INTO job_outbox (id, job_name, queue, payload, organisation_id, coalesce_key, available_at)
          VALUES (p_id, p_job_name, p_queue, p_payload, p_organisation_id, p_coalesce_key, coalesce(p_available_at, now()))
          ON CONFLICT (coalesce_key) WHERE state IN ('PENDING', 'DISPATCHED') DO NOTHING
          RETURNING id INTO v_id;
          IF v_id IS NOT NULL THEN RETURN v_id; END IF;
          -- FOR SHARE: a worker cannot start the joined row (its UPDATE to RUNNING waits) until this
          -- transaction commits, so the run sees the change that asked for it.
          SELECT id INTO v_id FROM job_outbox WHERE coalesce_key = p_coalesce_key AND state IN ('PENDING', 'DISPATCHED') FOR SHARE;
          IF v_id IS NOT NULL THEN RETURN v_id; END IF;
        END LOOP;
        RAISE EXCEPTION 'job_outbox: could not coalesce on %', p_coalesce_key;
      END $$;
      REVOKE ALL ON FUNCTION job_outbox_enqueue(uuid, text, text, jsonb, uuid, text, timestamptz) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION job_outbox_enqueue(uuid, text, text, jsonb, uuid, text, timestamptz) TO bo_app, bo_system;

      REVOKE INSERT, UPDATE, DELETE ON job_outbox FROM bo_app;
      ALTER TABLE job_outbox ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant_read ON job_outbox FOR SELECT USING (organisation_id = app_org_id());
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION job_outbox_enqueue(uuid, text, text, jsonb, uuid, text, timestamptz); DROP TABLE job_outbox`);
  }
}
