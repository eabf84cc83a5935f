import { jcs, sha256Hex } from './canonical';
import type { Claim, ProposedRecipient } from './reports.types';

export const PACKAGE_FORMAT = 'bo.report-package/1';

/** Everything the package is built from: the report row, its parties and its pinned grounds. */
export interface PackageInput {
  report: {
    id: string;
    reference: string;
    title: string;
    claims: Claim[];
    narrative: string;
    submittedAt: string;
    submittedBy: string;
    provider: { siret: string; nda: string | null; name: string | null; region: string | null };
  };
  sender: { id: string; code: string; name: string };
  cosigners: { organisationId: string; code: string; name: string; acceptedAt: string }[];
  recipients: ProposedRecipient[];
  grounds: { id: string; kind: string; organisationId: string; content: Record<string, unknown>; contentSha256: string }[];
  attachments: { id: string; organisationId: string; sha256: string; size: number; mediaType: string; fileName: string | null; description: string | null; personalData: boolean }[];
  auditHead: { seq: number; hash: string } | null;
}

/**
 * The sealed package: one JSON document, canonical under RFC 8785, holding the report, its
 * parties, its recipients with the routing reasons, every pinned ground with its own hash (each
 * finding and evidence item hashed inside), and the head of the sender's audit chain. Its SHA-256
 * is the seal; the platform's Ed25519 key signs the hex digest. Building it again from the stored
 * rows gives the same bytes (`GET /reports/{id}/seal/verify` relies on it).
 */
export function buildPackage(input: PackageInput): { bytes: Buffer; sha256: string } {
  const grounds = [...input.grounds]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((g) => ({ id: g.id, kind: g.kind, organisationId: g.organisationId, contentSha256: g.contentSha256, content: g.content }));
  const document = {
    format: PACKAGE_FORMAT,
    report: input.report,
    sender: input.sender,
    cosigners: [...input.cosigners].sort((a, b) => (a.organisationId < b.organisationId ? -1 : 1)),
    recipients: input.recipients.map((r) => ({ kind: r.kind, organisationId: r.organisationId, organisationCode: r.organisationCode, organisationName: r.organisationName, region: r.region, rules: r.rules, reason: r.reason, legalSources: r.legalSources })),
    grounds,
    // Attachments by their hash; personal data without name or description.
    attachments: [...input.attachments]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((a) => (a.personalData ? { id: a.id, organisationId: a.organisationId, sha256: a.sha256, size: a.size, personalData: true } : { ...a })),
    senderAuditHead: input.auditHead,
  };
  const bytes = Buffer.from(jcs(document), 'utf8');
  return { bytes, sha256: sha256Hex(bytes) };
}

/** What the seal's signature covers: the package's SHA-256 as lowercase hex (UTF-8). */
export function sealSigningInput(packageSha256: string): string {
  return packageSha256;
}
