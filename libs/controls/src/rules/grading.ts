/**
 * Findings and outcome of a quality check: what a grade may be, the outcome derived at completion,
 * and the grade a mapped point takes from its sources.
 */
import type { ErrorCode } from '@bo/core';

export type Grade = 'COMPLIANT' | 'MINOR_NC' | 'MAJOR_NC' | 'NOT_APPLICABLE';
export const GRADES: readonly Grade[] = ['COMPLIANT', 'MINOR_NC', 'MAJOR_NC', 'NOT_APPLICABLE'];

export type Outcome = 'COMPLIANT' | 'COMPLIANT_WITH_RESERVATIONS' | 'NON_COMPLIANT';

export type FindingError = Extract<
  ErrorCode,
  'CHECK.MINOR_ON_MAJOR_ONLY' | 'CHECK.NC_NEEDS_COMMENT' | 'CHECK.NC_NEEDS_EVIDENCE' | 'CHECK.POINT_NOT_APPLICABLE' | 'CHECK.NA_NEEDS_JUSTIFICATION'
>;

/** Default number of minor non-conformities that makes a check non-compliant (a setting). */
export const DEFAULT_MINOR_THRESHOLD = 5;

/** The parts of a point's rules grading needs; `framework_points.rules` carries `majorOnly`. */
export interface GradingRules {
  /** The point can only give rise to a major non-conformity (RNQ `nc_major_only`). */
  majorOnly?: boolean;
  /** Whether the check's scope covers the point; taken as true when absent. */
  applicable?: boolean;
}

/** Point codes in reading order: "2" before "10", "SF-2" before "SF-10" (never as plain text). */
export function comparePointCodes(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function isNonConformity(grade: Grade | null | undefined): grade is 'MINOR_NC' | 'MAJOR_NC' {
  return grade === 'MINOR_NC' || grade === 'MAJOR_NC';
}

/**
 * Whether a finding may be recorded; the first rule broken, or null.
 * - a point outside the scope can only be NOT_APPLICABLE (its reason comes from the scope);
 * - a major-only point cannot be graded minor;
 * - every non-conformity needs a non-blank comment and at least one piece of evidence.
 * - NOT_APPLICABLE on a point in scope is the officer's judgement against the scope rules: it
 *   needs a written justification (the comment).
 */
export function validateFinding(
  rules: GradingRules,
  grade: Grade,
  comment: string | null | undefined,
  evidenceCount: number,
): FindingError | null {
  if (rules.applicable === false && grade !== 'NOT_APPLICABLE') return 'CHECK.POINT_NOT_APPLICABLE';
  if (rules.majorOnly === true && grade === 'MINOR_NC') return 'CHECK.MINOR_ON_MAJOR_ONLY';
  if (grade === 'NOT_APPLICABLE' && rules.applicable !== false && (!comment || comment.trim() === '')) return 'CHECK.NA_NEEDS_JUSTIFICATION';
  if (isNonConformity(grade)) {
    if (!comment || comment.trim() === '') return 'CHECK.NC_NEEDS_COMMENT';
    if (!(evidenceCount >= 1)) return 'CHECK.NC_NEEDS_EVIDENCE';
  }
  return null;
}

/**
 * The outcome of a check version from its grades: any major -> NON_COMPLIANT; else at least
 * `minorThreshold` minors -> NON_COMPLIANT; else any minor -> COMPLIANT_WITH_RESERVATIONS; else
 * COMPLIANT. Ungraded (null) and NOT_APPLICABLE points do not count.
 */
export function deriveOutcome(grades: Iterable<Grade | null | undefined>, minorThreshold = DEFAULT_MINOR_THRESHOLD): Outcome {
  if (!Number.isInteger(minorThreshold) || minorThreshold < 1) {
    throw new RangeError(`minorThreshold must be a positive integer, got ${minorThreshold}`);
  }
  let minors = 0;
  for (const grade of grades) {
    if (grade === 'MAJOR_NC') return 'NON_COMPLIANT';
    if (grade === 'MINOR_NC') minors += 1;
  }
  if (minors >= minorThreshold) return 'NON_COMPLIANT';
  if (minors > 0) return 'COMPLIANT_WITH_RESERVATIONS';
  return 'COMPLIANT';
}

const SEVERITY: Record<Exclude<Grade, 'NOT_APPLICABLE'>, number> = { COMPLIANT: 0, MINOR_NC: 1, MAJOR_NC: 2 };

/**
 * The grade of a mapped point from the grades of its sources (null = ungraded source):
 * the worst graded one (MAJOR_NC > MINOR_NC > COMPLIANT); NOT_APPLICABLE only when every source
 * is NOT_APPLICABLE; null (ungraded) when no source has a grade other than NOT_APPLICABLE and
 * not all of them are NOT_APPLICABLE, or when there is no source.
 */
export function worstGrade(grades: Iterable<Grade | null | undefined>): Grade | null {
  let worst: Exclude<Grade, 'NOT_APPLICABLE'> | null = null;
  let sources = 0;
  let notApplicable = 0;
  for (const grade of grades) {
    sources += 1;
    if (grade === 'NOT_APPLICABLE') notApplicable += 1;
    else if (grade != null && (worst === null || SEVERITY[grade] > SEVERITY[worst])) worst = grade;
  }
  if (worst !== null) return worst;
  if (sources > 0 && notApplicable === sources) return 'NOT_APPLICABLE';
  return null;
}

/** One link of a mapping set: a point of the source grid feeds a point of the target grid. */
export interface PointMapping {
  sourceCode: string;
  targetCode: string;
}

/**
 * Grades of the target grid's points from the source grid's, through a many-to-many mapping set.
 * Every target point named in the mapping gets an entry (null when ungraded); a source without a
 * grade in `sourceGrades` counts as ungraded.
 */
export function mapGrades(
  mappings: readonly PointMapping[],
  sourceGrades: ReadonlyMap<string, Grade | null> | Readonly<Record<string, Grade | null>>,
): Map<string, Grade | null> {
  const lookup = (code: string): Grade | null =>
    sourceGrades instanceof Map ? (sourceGrades.get(code) ?? null) : ((sourceGrades as Record<string, Grade | null>)[code] ?? null);
  const sourcesByTarget = new Map<string, Set<string>>();
  for (const { sourceCode, targetCode } of mappings) {
    const sources = sourcesByTarget.get(targetCode) ?? new Set<string>();
    sources.add(sourceCode);
    sourcesByTarget.set(targetCode, sources);
  }
  const result = new Map<string, Grade | null>();
  for (const [target, sources] of sourcesByTarget) result.set(target, worstGrade([...sources].map(lookup)));
  return result;
}
