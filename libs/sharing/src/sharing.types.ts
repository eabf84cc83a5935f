import type { ShareMode } from '@bo/access';

export interface OrganisationRef {
  id: string;
  code: string;
  name: string;
}

export interface SharingSettingsView {
  defaultMode: 'PRIVATE' | 'POOL';
  needToKnow: boolean;
  needToKnowYears: number;
  duplicateWindowMonths: number;
  planWindowMonths: number;
  updatedAt: string | null;
}

/** Who sees a check besides its owner, as data (the web UI puts it in words). */
export interface CheckAudienceView {
  checkId: string;
  state: string;
  mode: ShareMode;
  /** Named funders (mode NAMED). */
  funders: OrganisationRef[];
  /** Pool narrowed to funders with a funded action of the provider in the last N years (the owner's need-to-know), or null. */
  needToKnowYears: number | null;
  /** Funders that mandated the owning body and see the check through their mandate, whatever its share. */
  mandatingFunders: OrganisationRef[];
  /** A share applies once the check is completed (and again after an amendment is completed). */
  effective: boolean;
  /** Active reliances of other funders on the check. */
  reliances: number;
  changedAt: string | null;
  changedBy: string | null;
}

export interface SharedEvidenceView {
  id: string;
  kind: 'FILE' | 'RECORD';
  purpose: string;
  personalData: boolean;
  /** FULL, or EXISTENCE_AND_HASH for personal-data evidence of another organisation. */
  disclosure: 'FULL' | 'EXISTENCE_AND_HASH';
  sha256: string | null;
  size: number | null;
  mediaType: string | null;
  fileName: string | null;
  recordReference: string | null;
  description: string | null;
  uploadedAt: string;
}

/** A check as another organisation may read it (the owner reads it the same way here). */
export interface SharedCheckView {
  id: string;
  owner: OrganisationRef;
  /** OWN, SHARED (pool or named) or MANDATE (a body's check seen by its mandating funder). */
  access: 'OWN' | 'SHARED' | 'MANDATE';
  providerSiret: string;
  providerNda: string | null;
  method: string;
  framework: { code: string; version: number };
  state: string;
  outcome: string | null;
  revision: number;
  categories: string[];
  completedAt: string | null;
  createdAt: string;
  findings: { pointCode: string; grade: string; comment: string | null }[];
  evidence: SharedEvidenceView[];
  correctiveActions: { pointCode: string; grade: string; dueAt: string; status: string }[];
  /** The caller's active reliance on it, if any. */
  myReliance: { id: string; stale: boolean; staleReason: string | null } | null;
}
