import { Tx } from '@bo/database';
import { canonicalJson, sha256 } from '@bo/audit';
import { Grade, correctiveDueDate, isNonConformity } from '../rules';

const SEVERITY: Record<Grade, number> = { NOT_APPLICABLE: 0, COMPLIANT: 0, MINOR_NC: 1, MAJOR_NC: 2 };

/**
 * Whether an amended version adds or worsens a non-conformity compared with the previous
 * completed version: then the provider must be notified again before completion.
 */
export function addsOrWorsensNonConformity(previous: { pointCode: string; grade: Grade }[], current: { point_code: string; grade: Grade }[]): boolean {
  const before = new Map(previous.map((f) => [f.pointCode, SEVERITY[f.grade]]));
  return current.some((f) => isNonConformity(f.grade) && SEVERITY[f.grade] > (before.get(f.point_code) ?? 0));
}

/** Freezes the completed version: the whole check view, its evidence and the provider's answers. */
export async function freezeVersion(
  tx: Tx,
  check: { id: string; organisationId: string; revision: number; outcome: string; completedAt: Date; completedBy: string; amendmentReason: string | null },
  view: unknown,
): Promise<string> {
  const evidence = await tx.query(
    `SELECT id, kind, purpose, sha256, size, media_type, file_name, record_reference, description, personal_data, uploaded_by, uploaded_at
       FROM check_evidence WHERE check_id = $1 ORDER BY uploaded_at, id`,
    [check.id],
  );
  const responses = await tx.query(
    `SELECT id, text, evidence_ids, received_at, late, recorded_by, recorded_at FROM check_responses WHERE check_id = $1 AND revision = $2 ORDER BY received_at`,
    [check.id, check.revision],
  );
  const snapshot = JSON.parse(canonicalJson({ check: view, evidence: evidence.map(evidenceOf), responses: responses.map(responseOf) }));
  const digest = sha256(canonicalJson(snapshot));
  await tx.query(
    `INSERT INTO check_versions (check_id, organisation_id, revision, outcome, completed_at, completed_by, amendment_reason, snapshot, snapshot_sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [check.id, check.organisationId, check.revision, check.outcome, check.completedAt, check.completedBy, check.amendmentReason, JSON.stringify(snapshot), digest],
  );
  return digest;
}

/**
 * One corrective action per non-conformity of the version, due 3 months (major) or 6 (minor)
 * after completion, at end of day in the provider region's time zone. Open actions of earlier
 * versions for the same points are closed as superseded.
 */
export async function openCorrectiveActions(
  tx: Tx,
  check: { id: string; organisationId: string; revision: number; region: string | null },
  findings: { point_code: string; grade: Grade; comment: string | null }[],
  completedAt: Date,
): Promise<number> {
  const nonConformities = findings.filter((f) => isNonConformity(f.grade));
  await tx.query(
    `UPDATE corrective_actions SET status = 'CLOSED', closed_at = $3, closure_note = 'Remplacée par la version ' || $2 || ' du contrôle'
      WHERE check_id = $1 AND revision < $2 AND status = 'OPEN'`,
    [check.id, check.revision, completedAt],
  );
  if (!nonConformities.length) return 0;
  const rows = nonConformities.map((f) => ({
    pointCode: f.point_code,
    grade: f.grade,
    description: f.comment ?? '',
    dueAt: correctiveDueDate(f.grade, completedAt, check.region).toISOString(),
  }));
  await tx.query(
    `INSERT INTO corrective_actions (check_id, organisation_id, revision, point_code, grade, description, due_at)
     SELECT $1, $2, $3, r."pointCode", r.grade, r.description, r."dueAt"
       FROM jsonb_to_recordset($4::jsonb) AS r("pointCode" text, grade text, description text, "dueAt" timestamptz)
     ON CONFLICT (check_id, revision, point_code) DO NOTHING`,
    [check.id, check.organisationId, check.revision, JSON.stringify(rows)],
  );
  return rows.length;
}

/**
 * Missing *service fait* proof blocks payment of the check's linked actions; a later completed
 * check whose service-fait points are all compliant lifts it. The block follows the latest
 * completed check that graded service-fait points on the action.
 */
export async function applyPaymentBlocks(
  check: { id: string; revision: number },
  findings: { point_code: string; grade: Grade }[],
  serviceFaitCodes: ReadonlySet<string>,
  setBlock: (blocked: boolean, reason: string | null) => Promise<{ updated: number; wereBlocked: number }>,
): Promise<{ blocked: number; lifted: number }> {
  const graded = findings.filter((f) => serviceFaitCodes.has(f.point_code));
  if (!graded.length) return { blocked: 0, lifted: 0 };
  const missing = graded.filter((f) => isNonConformity(f.grade)).map((f) => f.point_code).sort();
  const reason = missing.length ? `Preuves de service fait manquantes ou non conformes : ${missing.join(', ')} (contrôle ${check.id}, version ${check.revision})` : null;
  const result = await setBlock(missing.length > 0, reason);
  return missing.length ? { blocked: result.updated, lifted: 0 } : { blocked: 0, lifted: result.wereBlocked };
}

type Row = Record<string, unknown>;
const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v));

/** An evidence row as the API speaks it (camelCase, numbers); old snapshots kept snake_case. */
export function evidenceOf(r: Row) {
  return {
    id: r.id as string,
    kind: r.kind as string,
    purpose: r.purpose as string,
    sha256: (r.sha256 ?? null) as string | null,
    size: r.size === null || r.size === undefined ? null : Number(r.size),
    mediaType: (r.mediaType ?? r.media_type ?? null) as string | null,
    fileName: (r.fileName ?? r.file_name ?? null) as string | null,
    recordReference: (r.recordReference ?? r.record_reference ?? null) as string | null,
    description: (r.description ?? null) as string | null,
    personalData: Boolean(r.personalData ?? r.personal_data),
    uploadedBy: (r.uploadedBy ?? r.uploaded_by ?? null) as string | null,
    uploadedAt: iso(r.uploadedAt ?? r.uploaded_at),
  };
}

/** A provider response row as the API speaks it; old snapshots kept snake_case. */
export function responseOf(r: Row) {
  return {
    id: r.id as string,
    text: r.text as string,
    evidenceIds: (r.evidenceIds ?? r.evidence_ids ?? []) as string[],
    receivedAt: iso(r.receivedAt ?? r.received_at)!,
    late: Boolean(r.late),
    recordedBy: (r.recordedBy ?? r.recorded_by ?? null) as string | null,
    recordedAt: iso(r.recordedAt ?? r.recorded_at),
  };
}
