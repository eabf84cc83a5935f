import { verify, createPublicKey } from 'node:crypto';
import { JobDispatcher, JobOutbox } from '@bo/queue';
import { canonicalJson, chainHash } from '@bo/audit';
import { TestApp, createTestApp } from '../support/test-app';
import { TestUser, createUser, login } from '../support/fixtures';

/**
 * Probe: an insider with database access cuts the tail of an organisation's audit chain, or
 * rewrites its last event and recomputes the hash with the public algorithm. Before signed
 * checkpoints both still verified. Now `/audit/verify` holds the chain against the latest signed
 * checkpoint and names the missing tail or the rewritten event; a forged checkpoint is refused.
 */
describe('security: signed audit checkpoints (issue 8 item 7)', () => {
  let t: TestApp;
  let admin: TestUser;
  let token: string;
  const auth = () => ({ authorization: `Bearer ${token}` });

  /** Appends a few events to the organisation's chain (users created by its admin). */
  async function someEvents(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const res = await t.http.post('/api/v1/users').set(auth()).send({ email: `chk.${Date.now()}.${i}@atlas.test`, displayName: 'Témoin', roles: ['officer'] });
      expect(res.status).toBe(201);
    }
  }

  beforeAll(async () => {
    t = await createTestApp({ withWorker: true });
    admin = await createUser(t.db, 'OPCO-ATLAS', ['admin']);
    token = await login(t.http, admin);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('publishes the Ed25519 public keys, and a downloaded checkpoint verifies with them alone', async () => {
    await someEvents(2);
    const created = await t.http.post('/api/v1/audit/checkpoints').set(auth());
    expect(created.status).toBe(201);
    const keys = await t.http.get('/api/v1/signing-keys');
    expect(keys.status).toBe(200);
    const key = (keys.body.keys as { keyId: string; pem: string; status: string }[]).find((k) => k.keyId === created.body.keyId)!;
    expect(key.status).toBe('active');
    const list = await t.http.get('/api/v1/audit/checkpoints').set(auth());
    expect(list.status).toBe(200);
    const cp = list.body.items[0];
    expect(cp).toMatchObject({ seq: created.body.seq, hash: created.body.hash, algorithm: 'Ed25519' });
    // Offline check, as the organisation would do with its own copy.
    expect(verify(null, Buffer.from(cp.signedBytes), createPublicKey(key.pem), Buffer.from(cp.signature, 'base64url'))).toBe(true);
    expect(JSON.parse(cp.signedBytes)).toMatchObject({ organisationId: admin.organisationId, seq: cp.seq, hash: cp.hash });
  });

  it('the worker signs every moved chain head on its schedule (job scheduler registered, the job run)', async () => {
    const schedulers = await t.app.get(JobDispatcher).queue('default').getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain('audit.checkpoint');
    await someEvents(1);
    const [head] = await t.db.superQuery<{ seq: string }>(`SELECT max(seq) AS seq FROM audit_events WHERE organisation_id = $1`, [admin.organisationId]);
    await t.app.get(JobOutbox).addNow('audit.checkpoint', { organisationId: null });
    await t.drain();
    const [cp] = await t.db.superQuery<{ seq: string }>(`SELECT max(seq) AS seq FROM audit_checkpoints WHERE organisation_id = $1`, [admin.organisationId]);
    expect(cp.seq).toBe(head.seq);
  });

  it('names a deleted tail (the last events removed by a superuser)', async () => {
    await someEvents(2);
    const cp = await t.http.post('/api/v1/audit/checkpoints').set(auth());
    expect((await t.http.get('/api/v1/audit/verify').set(auth())).body.valid).toBe(true);
    await t.db.superQuery(`DELETE FROM audit_events WHERE organisation_id = $1 AND seq >= $2`, [admin.organisationId, cp.body.seq - 1]);
    const res = await t.http.get('/api/v1/audit/verify').set(auth());
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.missingTail).toMatchObject({ fromSeq: cp.body.seq - 1, toSeq: cp.body.seq });
  });

  it('catches the last event rewritten with its hash recomputed by the public algorithm', async () => {
    const t2 = await createTestApp();
    try {
      const a = await createUser(t2.db, 'CDC', ['admin']);
      const tk = await login(t2.http, a);
      await t2.http.post('/api/v1/users').set('authorization', `Bearer ${tk}`).send({ email: `rw.${Date.now()}@cdc.test`, displayName: 'X', roles: ['officer'] });
      const cp = await t2.http.post('/api/v1/audit/checkpoints').set('authorization', `Bearer ${tk}`);
      expect(cp.status).toBe(201);
      // Rewrite the last event and recompute its hash exactly as the chain does.
      const [row] = await t2.db.superQuery<Record<string, unknown>>(`SELECT * FROM audit_events WHERE organisation_id = $1 ORDER BY seq DESC LIMIT 1`, [a.organisationId]);
      const fields = {
        organisationId: row.organisation_id as string,
        seq: Number(row.seq),
        occurredAt: (row.occurred_at as Date).toISOString(),
        actorKind: row.actor_kind as string,
        actorId: row.actor_id as string,
        actorLabel: 'someone.else@cdc.test',
        action: row.action as string,
        entityType: row.entity_type as string,
        entityId: row.entity_id as string,
        beforeDigest: row.before_digest as string,
        afterDigest: row.after_digest as string,
        details: JSON.parse(canonicalJson(row.details)),
      };
      const forged = chainHash(row.prev_hash as string, fields);
      await t2.db.superQuery(`UPDATE audit_events SET actor_label = $2, hash = $3 WHERE id = $1`, [row.id, fields.actorLabel, forged]);
      const res = await t2.http.get('/api/v1/audit/verify').set('authorization', `Bearer ${tk}`);
      expect(res.body.valid).toBe(false);
      expect(res.body.firstBrokenLink).toMatchObject({ seq: cp.body.seq });
      expect(res.body.firstBrokenLink.reason).toMatch(/signed checkpoint/);

      // Forging the checkpoint too needs the private key: a checkpoint re-signed with another key fails.
      await t2.db.superQuery(`INSERT INTO audit_checkpoints (organisation_id, seq, hash, signed_at, key_id, signature) VALUES ($1, $2, $3, now(), $4, $5)`, [
        a.organisationId,
        cp.body.seq + 1,
        forged,
        cp.body.keyId,
        Buffer.alloc(64, 7).toString('base64url'),
      ]);
      const again = await t2.http.get('/api/v1/audit/verify').set('authorization', `Bearer ${tk}`);
      expect(again.body.valid).toBe(false);
      expect(again.body.checkpointProblem).toMatch(/valid signature/);
    } finally {
      await t2.close();
    }
  });
});
