import TestAgent from 'supertest/lib/agent';
import { TestUser, login } from './fixtures';

const tokens = new Map<string, string>();

/** A bearer header for the user (one log-in per user and test file). */
export async function bearer(http: TestAgent, user: TestUser): Promise<Record<string, string>> {
  if (!tokens.has(user.id)) tokens.set(user.id, await login(http, user));
  return { authorization: `Bearer ${tokens.get(user.id)}` };
}

/** A one-point grid of the user's organisation (created once per organisation). */
async function gridOf(http: TestAgent, officer: TestUser): Promise<{ code: string; version: number }> {
  const code = `SHARE-GRID-${officer.organisationCode}`;
  const res = await http.post('/api/v1/frameworks').set(await bearer(http, officer)).send({ code, title: 'Grille de mutualisation', points: [{ code: 'P1', title: 'Point unique' }] });
  if (res.status === 201) return { code, version: res.body.version as number };
  const list = await http.get('/api/v1/frameworks').set(await bearer(http, officer));
  const found = (list.body as { code: string; version: number }[]).find((f) => f.code === code);
  if (!found) throw new Error(`grid ${code}: ${res.status} ${JSON.stringify(res.body)}`);
  return { code, version: found.version };
}

export interface CompletedCheckOptions {
  /** A minor non-conformity (notified and answered before completion). */
  nonConformity?: boolean;
  /** Evidence records attached to the finding, with or without personal data. */
  evidence?: { reference: string; personalData: boolean }[];
  /** Extra fields of the creation body (e.g. a duplicate decision). */
  body?: Record<string, unknown>;
  /** Leave the check as a draft. */
  draft?: boolean;
}

/** A check of a provider by the officer's organisation, completed by the manager through the API. */
export async function completedCheck(http: TestAgent, officer: TestUser, manager: TestUser, siret: string, options: CompletedCheckOptions = {}): Promise<string> {
  const framework = await gridOf(http, officer);
  const as = await bearer(http, officer);
  const created = await http
    .post('/api/v1/checks')
    .set(as)
    .send({ method: 'DOCUMENTARY', providerSiret: siret, framework, contact: { name: 'Contact OF', email: 'contact@of.test' }, ...options.body });
  if (created.status !== 201) throw new Error(`check creation: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const refs: string[] = [];
  for (const e of options.evidence ?? []) {
    const res = await http.post(`/api/v1/checks/${id}/evidence/records`).set(as).send({ reference: e.reference, description: `Pièce ${e.reference}`, personalData: e.personalData });
    if (res.status !== 201) throw new Error(`evidence: ${res.status} ${JSON.stringify(res.body)}`);
    refs.push(res.body.id as string);
  }
  const grade = options.nonConformity ? { grade: 'MINOR_NC', comment: 'Écart constaté', evidenceRefs: refs.length ? refs : ['REGISTRE-1'] } : { grade: 'COMPLIANT', evidenceRefs: refs };
  const finding = await http.put(`/api/v1/checks/${id}/findings/P1`).set(as).send(grade);
  if (finding.status !== 200) throw new Error(`finding: ${finding.status} ${JSON.stringify(finding.body)}`);
  if (options.draft) return id;
  if (options.nonConformity) {
    await http.post(`/api/v1/checks/${id}/notify`).set(as).send({}).expect(200);
    await http.post(`/api/v1/checks/${id}/provider-response`).set(as).send({ text: 'Réponse de l’organisme' }).expect(200);
  }
  const done = await http.post(`/api/v1/checks/${id}/complete`).set(await bearer(http, manager));
  if (done.status !== 200) throw new Error(`completion: ${done.status} ${JSON.stringify(done.body)}`);
  return id;
}
