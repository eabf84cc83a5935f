import { SERVICE_FAIT_CODE, SERVICE_FAIT_POINT_CODES, isNonConformity } from '@bo/controls';
import type { CheckVersionView } from '@bo/controls';
import { decimalStrings, jcs, sha256Hex } from './canonical';

/** A ground's frozen content as the report keeps it (and seals it). */
export interface PinnedContent {
  content: Record<string, unknown>;
  contentSha256: string;
  frameworkCode: string | null;
}

interface SnapshotFinding {
  pointCode: string;
  grade: string;
  comment: string | null;
  evidenceRefs: string[];
}

interface SnapshotEvidence {
  id: string;
  kind: string;
  purpose: string;
  sha256: string | null;
  size: number | null;
  mediaType: string | null;
  fileName: string | null;
  recordReference: string | null;
  description: string | null;
  personalData: boolean;
}

interface Snapshot {
  check: { id: string; providerSiret: string; providerNda: string | null; framework: { code: string; version: number }; jointServiceFait?: boolean; method: string; findings: SnapshotFinding[] };
  evidence: SnapshotEvidence[];
}

/** Whether a point of a check of this framework belongs to the service-fait checklist. */
export function isServiceFaitPoint(frameworkCode: string, pointCode: string): boolean {
  // A joint control grades the checklist's points beside its own framework's (RNQ codes are numbers).
  return frameworkCode === SERVICE_FAIT_CODE || SERVICE_FAIT_POINT_CODES.includes(pointCode);
}

/**
 * A completed check version as a ground: its findings each with their hash, and its evidence.
 * Personal-data evidence is listed by hash only (no name, description or reference), unless the
 * owning funder's manager includes it with a stated legal ground.
 */
export function pinCheckVersion(version: CheckVersionView, personalDataLegalGround: string | null): PinnedContent {
  const snapshot = version.snapshot as Snapshot;
  const check = snapshot.check;
  const frameworkCode = check.framework.code;
  const findings = [...check.findings]
    .sort((a, b) => (a.pointCode < b.pointCode ? -1 : a.pointCode > b.pointCode ? 1 : 0))
    .map((f) => {
      const finding = { pointCode: f.pointCode, grade: f.grade, comment: f.comment ?? null, evidenceRefs: f.evidenceRefs ?? [], serviceFait: isServiceFaitPoint(frameworkCode, f.pointCode) };
      return { ...finding, sha256: sha256Hex(jcs(finding)) };
    });
  const evidence = (snapshot.evidence ?? []).map((e) => {
    const hash = e.sha256 ?? sha256Hex(e.recordReference ?? e.id);
    if (e.personalData && !personalDataLegalGround) return { id: e.id, kind: e.kind, sha256: hash, personalData: true, included: false };
    return { id: e.id, kind: e.kind, purpose: e.purpose, sha256: hash, size: e.size, mediaType: e.mediaType, fileName: e.fileName, recordReference: e.recordReference, description: e.description, personalData: e.personalData, included: true };
  });
  const content = {
    checkId: version.checkId,
    revision: version.revision,
    outcome: version.outcome,
    completedAt: version.completedAt,
    amendmentReason: version.amendmentReason,
    versionSha256: version.snapshotSha256,
    provider: { siret: check.providerSiret, nda: check.providerNda },
    framework: { code: frameworkCode, version: check.framework.version },
    method: check.method,
    findings,
    evidence,
    personalDataLegalGround,
  };
  return { content, contentSha256: sha256Hex(jcs(content)), frameworkCode };
}

/** The non-conformities of a pinned check version (from its content). */
export function nonConformitiesOf(content: Record<string, unknown>): { pointCode: string; grade: string; comment: string | null; serviceFait: boolean }[] {
  const findings = (content.findings ?? []) as { pointCode: string; grade: string; comment: string | null; serviceFait: boolean }[];
  return findings.filter((f) => isNonConformity(f.grade as never)).map((f) => ({ pointCode: f.pointCode, grade: f.grade, comment: f.comment, serviceFait: f.serviceFait }));
}

/** A confirmed price anomaly as a ground, its amounts and ratios as decimal strings. */
export function pinAnomaly(anomaly: { id: string; kind: string; status: string; providerSiret: string; category: string; certificationCode: string | null; year: number; evidence: Record<string, unknown>; methodVersion: string; runId: string; review: unknown }): PinnedContent {
  const content = {
    anomalyId: anomaly.id,
    kind: anomaly.kind,
    status: anomaly.status,
    providerSiret: anomaly.providerSiret,
    category: anomaly.category,
    certificationCode: anomaly.certificationCode,
    year: anomaly.year,
    methodVersion: anomaly.methodVersion,
    runId: anomaly.runId,
    evidence: decimalStrings(anomaly.evidence),
    review: anomaly.review,
  };
  return { content, contentSha256: sha256Hex(jcs(content)), frameworkCode: null };
}
