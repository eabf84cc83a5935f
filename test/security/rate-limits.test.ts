import { createServer, Server, Socket } from 'node:net';
import request from 'supertest';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildApi } from '../../apps/api/src/bootstrap';
import { TestApp, createTestApp } from '../support/test-app';
import { TEST_PASSWORD, TestUser, createUser, login } from '../support/fixtures';

/**
 * Probes: (1) the per-address log-in counter never reset, so after 20 lifetime failures every
 * user behind one address (an office NAT) was locked out again at each typo; (2) no general rate
 * limit: a user or an API key could write, import, upload and export without bound. Limits are
 * lowered here through the config class (5 writes, 2 heavy calls a minute) to replay them.
 */
describe('security: log-in counters and rate limits (issue 8 item 4)', () => {
  let t: TestApp;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const newCheck = { method: 'REMOTE', providerSiret: '12345678901234' };

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_WRITES_PER_MINUTE: '5', RATE_LIMIT_HEAVY_PER_MINUTE: '2', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('log-in counters', () => {
    it('forgets failures after the sliding window: a shared address is not locked out at every later typo', async () => {
      const user = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
      // 21 failures from one address across many accounts (the office's typos of a day).
      for (let i = 0; i < 21; i++) await t.http.post('/api/v1/auth/login').send({ email: `typo${i}@atlas.test`, password: 'nope' });
      const blocked = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD });
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('AUTH.THROTTLED');
      // A quarter of an hour later, the window has slid past those failures.
      await t.setClockOffset(16 * 60 * 1000);
      expect((await t.http.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD })).status).toBe(200);
      // One more typo is a first failure again, not the 22nd: no block for the next user.
      expect((await t.http.post('/api/v1/auth/login').send({ email: user.email, password: 'typo' })).status).toBe(401);
      const colleague = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
      expect((await t.http.post('/api/v1/auth/login').send({ email: colleague.email, password: TEST_PASSWORD })).status).toBe(200);
      // Half an hour on, past every failure above: the next tests start with clean counters.
      await t.setClockOffset(32 * 60 * 1000);
    });

    it("resets the account's counters on success", async () => {
      const user = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 2; i++) expect((await t.http.post('/api/v1/auth/login').send({ email: user.email, password: 'wrong' })).status).toBe(401);
        expect((await t.http.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD })).status).toBe(200);
      }
    });
  });

  describe('general limits (@nestjs/throttler, Redis storage)', () => {
    let officer: TestUser;
    let colleague: TestUser;

    beforeAll(async () => {
      officer = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
      colleague = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
    });

    it('limits writes per user with a 429 problem+json and Retry-After; reads and other users go on', async () => {
      const token = await login(t.http, officer);
      for (let i = 0; i < 5; i++) expect((await t.http.post('/api/v1/checks').set(bearer(token)).send(newCheck)).status).toBe(201);
      const refused = await t.http.post('/api/v1/checks').set(bearer(token)).send(newCheck);
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body.code).toBe('REQUEST.RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect((await t.http.get('/api/v1/checks').set(bearer(token))).status).toBe(200);
      expect((await t.http.post('/api/v1/checks').set(bearer(await login(t.http, colleague))).send(newCheck)).status).toBe(201);
    });

    it('limits an API key on its own counter', async () => {
      // A manager-admin may give a key `actions:write` (scopes are bounded by the creator's roles).
      const admin = await createUser(t.db, 'OPCO-ATLAS', ['admin', 'manager']);
      const key = await t.http.post('/api/v1/api-keys').set(bearer(await login(t.http, admin))).send({ label: 'SI', scopes: ['actions:write'] });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await t.http.post('/api/v1/actions/imports').set('x-api-key', key.body.key).send({});
        statuses.push(res.status);
      }
      // Imports are heavy (2 a minute) on top of being writes: the third call is refused.
      expect(statuses.slice(0, 2)).toEqual([415, 415]);
      expect(statuses.slice(2)).toEqual([429, 429, 429, 429]);
    });

    it('holds across API processes: a second API on the same Redis shares the counters', async () => {
      const user = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
      const { app: second } = await buildApi();
      await second.init();
      await second.getHttpAdapter().getInstance().ready();
      try {
        const other = request(second.getHttpServer());
        const token = await login(t.http, user);
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) statuses.push((await (i % 2 ? other : t.http).post('/api/v1/checks').set(bearer(token)).send(newCheck)).status);
        expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
      } finally {
        await second.close();
      }
    });

    it('fails open (and never hangs) when Redis does not answer: writes go on, a warning is logged', async () => {
      // A "Redis" that accepts connections and never answers: the worst case for a hung request.
      const sockets = new Set<Socket>();
      const silent: Server = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const port = (silent.address() as { port: number }).port;
      const realRedis = process.env.REDIS_URL;
      process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
      let degraded: NestFastifyApplication | undefined;
      try {
        ({ app: degraded } = await buildApi());
        await degraded.init();
        await degraded.getHttpAdapter().getInstance().ready();
        const http = request(degraded.getHttpServer());
        const user = await createUser(t.db, 'OPCO-ATLAS', ['officer']);
        const token = await login(http, user);
        const statuses: number[] = [];
        for (let i = 0; i < 7; i++) statuses.push((await http.post('/api/v1/checks').set(bearer(token)).timeout(5000).send(newCheck)).status);
        expect(statuses).toEqual(Array(7).fill(201));
      } finally {
        process.env.REDIS_URL = realRedis;
        await degraded?.close();
        for (const s of sockets) s.destroy();
        await new Promise((r) => silent.close(r));
      }
    });
  });
});
