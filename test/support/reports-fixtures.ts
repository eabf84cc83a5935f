import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { jcs, sha256Hex } from '@bo/reports';
import { TestApp } from './test-app';
import { parisToday } from './dates';

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
  options: { personalEvidence?: boolean } = {},
): Promise<{ id: string; revision: number }> {
  const created = await t.http
    .post('/api/v1/checks')
    .set(bearer(officerToken))
    .send({ method: 'DOCUMENTARY', providerSiret: siret, scopeContext: { categories: ['TRAINING'] }, contact: { name: 'Mme Durand', email: 'qualite@organisme.test' }, ...(framework ? { framework } : {}) })
    .expect(201);
  const id = created.body.id as string;
  const points = created.body.scope.points as Record<string, { applicable: boolean }>;
  // Optionally, a personal-data evidence file (an attendance sheet naming a trainee) behind the non-conformities.
  const evidence = options.personalEvidence
    ? ((await t.http.post(`/api/v1/checks/${id}/evidence`).set(bearer(officerToken)).field('personalData', 'true').attach('file', Buffer.from('%PDF-1.4\n% emargement Jean Martin\n%%EOF\n'), 'emargement-martin.pdf').expect(201)).body.id as string)
    : undefined;
  for (const [code, scope] of Object.entries(points)) {
    if (!scope.applicable) continue;
    const body = nc[code] ? { grade: nc[code], comment: `Pièce absente pour le point ${code}`, evidenceRefs: [evidence ?? `REGISTRE-${code}`] } : { grade: 'COMPLIANT' };
    await t.http.put(`/api/v1/checks/${id}/findings/${code}`).set(bearer(officerToken)).send(body).expect(200);
  }
  if (Object.keys(nc).length) {
    await t.http.post(`/api/v1/checks/${id}/notify`).set(bearer(officerToken)).send({ receivedOn: parisToday() }).expect(200);
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

/** A draft report written straight into the database, with one pinned ground backing its claim. */
export async function draftReportOf(
  t: TestApp,
  organisationCode: string,
  options: { siret: string; claim: 'SERVICE_FAIT' | 'INDICATOR'; certifierCode?: string },
): Promise<string> {
  const finding = options.claim === 'SERVICE_FAIT' ? { pointCode: 'SF-01', grade: 'MINOR_NC', comment: 'Émargements absents', evidenceRefs: [], serviceFait: true } : { pointCode: '1', grade: 'MAJOR_NC', comment: 'Information absente', evidenceRefs: [], serviceFait: false };
  const framework = { code: options.claim === 'SERVICE_FAIT' ? 'SERVICE-FAIT' : 'RNQ', version: 1 };
  const content = {
    checkId: '00000000-0000-4000-8000-000000000001', revision: 1, outcome: 'NON_COMPLIANT', completedAt: '2026-01-15T10:00:00.000Z', amendmentReason: null, versionSha256: '0'.repeat(64),
    provider: { siret: options.siret, nda: null }, framework, method: 'DOCUMENTARY', findings: [{ ...finding, sha256: sha256Hex(jcs(finding)) }], evidence: [], personalDataLegalGround: null,
  };
  const [report] = await t.db.superQuery<{ id: string }>(
    `INSERT INTO reports (organisation_id, reference, provider_siret, provider_name, provider_region, title, claims, narrative, certifier_id, created_by)
     SELECT o.id, 'SIG-T-' || substr(md5(random()::text), 1, 10), $2, 'Organisme', '84', 'Signalement de test', $3, $4,
            (SELECT id FROM organisations WHERE code = $5), (SELECT id FROM users WHERE organisation_id = o.id LIMIT 1)
       FROM organisations o WHERE o.code = $1 RETURNING id`,
    [organisationCode, options.siret, JSON.stringify([{ kind: options.claim, code: finding.pointCode }]), NARRATIVE, options.certifierCode ?? null],
  );
  await t.db.superQuery(
    `INSERT INTO report_grounds (report_id, organisation_id, kind, check_id, check_revision, framework_code, content, content_sha256, added_by, added_at)
     SELECT r.id, r.organisation_id, 'CHECK_VERSION', $2, 1, $3, $4, $5, r.created_by, now() FROM reports r WHERE r.id = $1`,
    [report.id, content.checkId, options.claim === 'SERVICE_FAIT' ? 'SERVICE-FAIT' : 'RNQ', JSON.stringify(content), sha256Hex(jcs(content))],
  );
  return report.id;
}

/** The same report submitted by a manager of its funder (sealed, its cases created, not delivered). */
export async function submittedReportOf(t: TestApp, managerToken: string, id: string): Promise<string> {
  await t.http.post(`/api/v1/reports/${id}/submit`).set(bearer(managerToken)).expect(200);
  return id;
}

/** A case of the report, moved to a handling status as if delivered and handled so far. */
export async function caseOf(t: TestApp, reportId: string, handlingStatus: string | null, deliveryStatus = 'DELIVERED'): Promise<string> {
  const [row] = await t.db.superQuery<{ id: string }>(
    `UPDATE report_cases SET handling_status = $2, delivery_status = $3 WHERE report_id = $1 RETURNING id`,
    [reportId, handlingStatus, deliveryStatus],
  );
  if (handlingStatus === 'INFO_REQUESTED') {
    await t.db.superQuery(`INSERT INTO report_case_events (case_id, organisation_id, kind, text, at) SELECT id, recipient_organisation_id, 'INFO_REQUESTED', 'Précisez', now() FROM report_cases WHERE id = $1`, [row.id]);
  }
  return row.id;
}
