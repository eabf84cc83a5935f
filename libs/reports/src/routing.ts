import routingData from '../data/routing-rules.json';
import type { Claim, ClaimKind, ProposedRecipient, RecipientKind } from './reports.types';

/** A routing rule as data (libs/reports/data/routing-rules.json, docs/reports.md). */
export interface RoutingRule {
  code: string;
  claimKinds: ClaimKind[];
  recipient: RecipientKind;
  legalSource: string;
  reason: string;
}

export const ROUTING_RULES: readonly RoutingRule[] = routingData.rules as RoutingRule[];

export interface RoutingFacts {
  /** The provider's certifier as recorded in the registry, else the one the report names, else null. */
  certifier: { id: string; code: string; name: string } | null;
  /** The regional control service of the provider's region, when the region is known. */
  controlService: { id: string; code: string; name: string } | null;
  region: string | null;
}

/**
 * The recipients the rules propose for these claims: one per recipient organisation, with every
 * rule that led there and its reason. A recipient that cannot be named yet (no certifier known,
 * no region) is still proposed, with what is missing.
 */
export function proposeRecipients(claims: readonly Claim[], facts: RoutingFacts, rules: readonly RoutingRule[] = ROUTING_RULES): ProposedRecipient[] {
  const byKind = new Map<RecipientKind, ProposedRecipient>();
  for (const rule of rules) {
    if (!claims.some((c) => rule.claimKinds.includes(c.kind))) continue;
    const target = rule.recipient === 'CERTIFIER' ? facts.certifier : facts.controlService;
    const existing = byKind.get(rule.recipient);
    if (existing) {
      existing.rules.push(rule.code);
      existing.reason = `${existing.reason} ${rule.reason}`;
      if (!existing.legalSources.includes(rule.legalSource)) existing.legalSources.push(rule.legalSource);
      continue;
    }
    byKind.set(rule.recipient, {
      kind: rule.recipient,
      organisationId: target?.id ?? null,
      organisationCode: target?.code ?? null,
      organisationName: target?.name ?? null,
      region: rule.recipient === 'REGIONAL_CONTROL_SERVICE' ? facts.region : null,
      rules: [rule.code],
      reason: rule.reason,
      legalSources: [rule.legalSource],
      missing: target ? null : rule.recipient === 'CERTIFIER' ? 'CERTIFIER_UNKNOWN' : 'REGION_UNKNOWN',
    });
  }
  return [...byKind.values()];
}
