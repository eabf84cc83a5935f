import { Tx } from '@bo/database';
import { BASE_OUTCOME_POINTS, BASE_RECENCY_POINTS } from './risk-score';
import { PROFILE_JOB } from './profile-requests.service';

/** A provider's profile as one caller may see it (read-time filtering by today's sharing rules). */
export interface ProfileView {
  providerSiret: string;
  /** Funders with an action of the provider starting in the last 12 months (every funder may know it). */
  fundersFunding: number;
  riskScore: number;
  parts: { exposure: number; certification: number; recency: number; outcome: number };
  /** Completed checks shared with the pool over the last 36 months, and their findings. */
  sharedChecks: number;
  sharedNonConformities: number;
  sharedMajorNonConformities: number;
  lastSharedCheck: { id: string; completedAt: string; outcome: string } | null;
  asOf: string;
}

interface ProfileRow {
  provider_siret: string;
  funders_funding: number;
  shared_checks: number;
  shared_nc_findings: number;
  shared_major_findings: number;
  last_shared_check_id: string | null;
  last_shared_completed_at: Date | null;
  last_shared_outcome: string | null;
  exposure_points: string;
  certification_points: string;
  recency_points: string;
  outcome_points: string;
  score_base: string;
  score: string;
  as_of: Date;
  confirmed_as_of: Date;
  all_visible: boolean | null;
}

/**
 * Profiles of these establishments as the transaction's organisation may see them. The job
 * stores the shared checks it used; when the caller may not see every one of them today
 * (revoked, named to others, need-to-know, or not yet recomputed), it gets the profile without
 * any shared-check input: the base score, no shared counts. Nothing then tells it that such a
 * check exists.
 */
export async function profilesFor(tx: Pick<Tx, 'query'>, sirets: readonly string[]): Promise<Map<string, ProfileView>> {
  if (!sirets.length) return new Map();
  const rows = await tx.query<ProfileRow>(
    // As of the later of its own computation and the last full run, which confirmed it unchanged.
    `SELECT p.*, (SELECT bool_and(check_visible_to(x, app_org_id())) FROM unnest(p.shared_check_ids) AS x) AS all_visible,
            greatest(p.as_of, (SELECT w.full_as_of FROM job_watermarks w WHERE w.job = '${PROFILE_JOB}')) AS confirmed_as_of
       FROM provider_control_profiles p WHERE p.provider_siret = ANY($1::char(14)[])`,
    [sirets],
  );
  return new Map(rows.map((r) => [r.provider_siret, viewOf(r)]));
}

function viewOf(r: ProfileRow): ProfileView {
  const exposure = Number(r.exposure_points);
  const certification = Number(r.certification_points);
  const shared = r.all_visible !== false;
  return {
    providerSiret: r.provider_siret,
    fundersFunding: r.funders_funding,
    riskScore: shared ? Number(r.score) : Number(r.score_base),
    parts: shared
      ? { exposure, certification, recency: Number(r.recency_points), outcome: Number(r.outcome_points) }
      : { exposure, certification, recency: BASE_RECENCY_POINTS, outcome: BASE_OUTCOME_POINTS },
    sharedChecks: shared ? r.shared_checks : 0,
    sharedNonConformities: shared ? r.shared_nc_findings : 0,
    sharedMajorNonConformities: shared ? r.shared_major_findings : 0,
    lastSharedCheck:
      shared && r.last_shared_check_id && r.last_shared_completed_at && r.last_shared_outcome
        ? { id: r.last_shared_check_id, completedAt: r.last_shared_completed_at.toISOString(), outcome: r.last_shared_outcome }
        : null,
    asOf: r.confirmed_as_of.toISOString(),
  };
}
