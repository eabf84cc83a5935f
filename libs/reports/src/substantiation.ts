import { NARRATIVE_MAX, NARRATIVE_MIN } from './reports.types';
import type { Claim, GroundView, ProposedRecipient, SubstantiationProblem } from './reports.types';

/**
 * What a report needs before it is submitted ("useful and substantiated", R.6316-7-1 and
 * R.6332-26): at least one ground; every claim backed by a non-conformity in a pinned check
 * version (an RNQ indicator by a non-conformity on that indicator in an RNQ check, a service-fait
 * point by one on that point) or, for a price claim, by a confirmed anomaly among the grounds; a
 * narrative of 200 to 20,000 characters; every proposed recipient known. Each problem names what
 * is missing.
 */
export function substantiationProblems(input: { claims: readonly Claim[]; grounds: readonly GroundView[]; narrative: string; recipients: readonly ProposedRecipient[] }): SubstantiationProblem[] {
  const problems: SubstantiationProblem[] = [];
  if (input.grounds.length === 0) problems.push({ code: 'REPORT.NO_GROUNDS', field: 'grounds', message: 'A report rests on at least one ground (a completed check version or a confirmed price anomaly).' });
  if (input.claims.length === 0) problems.push({ code: 'REPORT.NO_CLAIMS', field: 'claims', message: 'A report claims at least one failing (an indicator, a service-fait point or a price anomaly).' });
  input.claims.forEach((claim, i) => {
    if (!backs(claim, input.grounds)) {
      problems.push({ code: 'REPORT.NOT_SUBSTANTIATED', field: `claims[${i}]`, claim, message: unbacked(claim) });
    }
  });
  const length = [...input.narrative].length;
  if (length < NARRATIVE_MIN || length > NARRATIVE_MAX) {
    problems.push({ code: 'REPORT.NARRATIVE_LENGTH', field: 'narrative', message: `The narrative has ${length} characters; it must have ${NARRATIVE_MIN} to ${NARRATIVE_MAX}.` });
  }
  for (const r of input.recipients) {
    if (r.missing === 'CERTIFIER_UNKNOWN') problems.push({ code: 'REPORT.CERTIFIER_UNKNOWN', field: 'certifierId', message: "The provider's certifier is not recorded: name it (certifierId)." });
    if (r.missing === 'REGION_UNKNOWN') problems.push({ code: 'REPORT.REGION_UNKNOWN', field: 'provider.region', message: "The provider's region is not known: no regional control service can be named." });
  }
  return problems;
}

function backs(claim: Claim, grounds: readonly GroundView[]): boolean {
  switch (claim.kind) {
    case 'INDICATOR':
      return grounds.some((g) => g.kind === 'CHECK_VERSION' && g.frameworkCode === 'RNQ' && g.nonConformities.some((nc) => !nc.serviceFait && nc.pointCode === claim.code));
    case 'SERVICE_FAIT':
      return grounds.some((g) => g.kind === 'CHECK_VERSION' && g.nonConformities.some((nc) => nc.serviceFait && nc.pointCode === claim.code));
    case 'PRICE_ANOMALY':
      return grounds.some((g) => g.kind === 'PRICE_ANOMALY' && g.anomalyId === claim.code);
  }
}

function unbacked(claim: Claim): string {
  switch (claim.kind) {
    case 'INDICATOR':
      return `Indicator ${claim.code} is claimed, but no pinned check version records a non-conformity on it.`;
    case 'SERVICE_FAIT':
      return `Service-fait point ${claim.code} is claimed, but no pinned check version records a non-conformity on it.`;
    case 'PRICE_ANOMALY':
      return `Price anomaly ${claim.code} is claimed, but it is not among the grounds as a confirmed anomaly.`;
  }
}
