import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { TestApp } from './test-app';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A narrative long enough for submission (>= 200 characters). */
export const NARRATIVE =
  "Lors du contrôle documentaire, l'organisme n'a pas été en mesure de produire les pièces attendues. " +
  "Les informations publiées sur les prérequis et les délais d'accès sont absentes ou erronées, ce qui prive les stagiaires d'une information fiable avant leur entrée en formation.";

/**
 * A completed check with the given non-conformities: the officer grades every applicable point
 * (compliant unless listed), notifies, records the provider's answer; the manager completes.
 */
export async function completedCheck(
  t: TestApp,
  officerToken: string,
  managerToken: string,
  siret: string,
  nc: Record<string, 'MINOR_NC' | 'MAJOR_NC'>,
  framework?: { code: string; version: number },
): Promise<{ id: string; revision: number }> {
  const created = await t.http
    .post('/api/v1/checks')
    .set(bearer(officerToken))
    .send({ method: 'DOCUMENTARY', providerSiret: siret, scopeContext: { categories: ['TRAINING'] }, contact: { name: 'Mme Durand', email: 'qualite@organisme.test' }, ...(framework ? { framework } : {}) })
    .expect(201);
  const id = created.body.id as string;
  const points = created.body.scope.points as Record<string, { applicable: boolean }>;
  for (const [code, scope] of Object.entries(points)) {
    if (!scope.applicable) continue;
    const body = nc[code] ? { grade: nc[code], comment: `Pièce absente pour le point ${code}`, evidenceRefs: [`REGISTRE-${code}`] } : { grade: 'COMPLIANT' };
    await t.http.put(`/api/v1/checks/${id}/findings/${code}`).set(bearer(officerToken)).send(body).expect(200);
  }
  if (Object.keys(nc).length) {
    await t.http.post(`/api/v1/checks/${id}/notify`).set(bearer(officerToken)).send({ receivedOn: new Date().toISOString().slice(0, 10) }).expect(200);
    await t.http.post(`/api/v1/checks/${id}/provider-response`).set(bearer(officerToken)).send({ text: "L'organisme conteste." }).expect(200);
  }
  const done = await t.http.post(`/api/v1/checks/${id}/complete`).set(bearer(managerToken)).expect(200);
  return { id, revision: done.body.revision as number };
}

/**
 * A recipient endpoint in front of the built-in inbox: while `down`, it answers 503; it may also
 * fail the next `failNext` requests; otherwise it passes the request through, byte for byte.
 */
export class FlakyRecipient {
  down = false;
  failNext = 0;
  requests = 0;
  private server?: Server;
  url = '';

  constructor(private readonly target: string) {}

  async start(port = Number(process.env.BO_TEST_RECIPIENT_PORT ?? 0)): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(body),
        (error: Error) => res.writeHead(502).end(error.message),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/deliveries`;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.down) return { status: 503, body: '{"error":"down"}' };
    if (this.failNext > 0) {
      this.failNext--;
      return { status: 500, body: '{"error":"failing"}' };
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
    const response = await fetch(this.target, { method: 'POST', headers, body: Buffer.concat(chunks) });
    return { status: response.status, body: await response.text() };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Listens the composed API on a port (from BO_TEST_REPORTS_PORT, default any free port) and answers the inbox URL. */
export async function listenInbox(t: TestApp): Promise<string> {
  await t.app.listen(Number(process.env.BO_TEST_REPORTS_PORT ?? 0), '127.0.0.1');
  const address = t.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${address.port}/api/v1/inbox/deliveries`;
}
