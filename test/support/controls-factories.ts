import { Actor, Role } from '@bo/access';
import { CheckProcedureService, CheckView, ChecksService, CreateCheckInput, EvidenceService, FindingsService } from '@bo/controls';
import { TestDatabase } from '@bo/testing';
import { TestUser, createUser } from './fixtures';
import { TestProvider, createProvider } from './registry-fixtures';

/** The services of the controls domain, taken from a composed test app (no HTTP in between). */
export interface ControlsServices {
  checks: ChecksService;
  findings: FindingsService;
  procedure: CheckProcedureService;
  evidence: EvidenceService;
}

/** The actor a user is once authenticated. */
export function actorOf(user: TestUser, roles: Role[] = user.roles): Actor {
  return { kind: 'user', id: user.id, organisationId: user.organisationId, organisationKind: 'FUNDER', roles, scopes: [], label: user.email };
}

/** A user of a funder, as an actor. */
export async function createActor(db: TestDatabase, organisationCode: string, roles: Role[]): Promise<Actor> {
  return actorOf(await createUser(db, organisationCode, roles));
}

/** A provider certified in the given categories since 2024. */
export async function createCertifiedProvider(db: TestDatabase, categories: string[], name?: string): Promise<TestProvider> {
  const provider = await createProvider(db, name);
  for (const category of categories) {
    await db.superQuery(`INSERT INTO certification_observations (nda, category, certified, observed_on, source) VALUES ($1, $2, true, '2024-01-01', 'MANUAL')`, [provider.nda, category]);
  }
  return provider;
}

/** A draft RNQ check of `provider` with a contact (ready to be graded and notified). */
export async function createCheck(s: ControlsServices, actor: Actor, provider: TestProvider, input: Partial<CreateCheckInput> = {}): Promise<CheckView> {
  return s.checks.create(actor, {
    method: 'DOCUMENTARY',
    providerSiret: provider.siret,
    scopeContext: { categories: ['SKILLS_ASSESSMENT'] },
    contact: { name: 'Mme Durand', email: 'qualite@organisme.test' },
    ...input,
  });
}

/** Grades every applicable point compliant, except `nc` graded as given (on a record reference as evidence). */
export async function gradeCheck(s: ControlsServices, actor: Actor, check: CheckView, nc: Record<string, 'MINOR_NC' | 'MAJOR_NC'> = {}): Promise<void> {
  for (const [code, scope] of Object.entries(check.scope.points)) {
    if (!scope.applicable) continue;
    await s.findings.recordFinding(actor, check.id, code, nc[code] ? { grade: nc[code], comment: 'Pièce absente', evidenceRefs: ['REGISTRE-2026-01'] } : { grade: 'COMPLIANT' });
  }
}
