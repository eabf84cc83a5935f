import { Foundation1790000000001 } from './0001-foundation';
import { IdentityAudit1790000000002 } from './0002-identity-audit';
import { Registry1790000000003 } from './0003-registry';
import { CertificationState1790000000004 } from './0004-certification-state';
import { Actions1790000000005 } from './0005-actions';
import { Controls1790000000006 } from './0006-controls';
import { CheckProcedure1790000000007 } from './0007-check-procedure';
import { ProviderSearch1790000000008 } from './0008-provider-search';
import { RegistryAuthority1790000000009 } from './0009-registry-authority';
import { UserEnumeration1790000000010 } from './0010-user-enumeration';
import { SsoThrottleHardening1790000000011 } from './0011-sso-throttle-hardening';
import { AuditCheckpoints1790000000012 } from './0012-audit-checkpoints';
import { CheckRevisions1790000000013 } from './0013-check-revisions';
import { ImportSpeed1790000000015 } from './0015-import-speed';
import { JobOutbox1790000000017 } from './0017-job-outbox';
import { FundingCheckIndexes1790000000019 } from './0019-funding-check-indexes';
import { CertificationStateIndexes1790000000020 } from './0020-certification-state-indexes';
import { Pricing1790000000021 } from './0021-pricing';
import { Npec1790000000022 } from './0022-npec';
import { StagingAnalyze1790000000023 } from './0023-staging-analyze';
import { FundingCheckAnomalies1790000000024 } from './0024-funding-check-anomalies';
import { ImportPlanning1790000000025 } from './0025-import-planning';
import { ImportLineDigest1790000000027 } from './0027-import-line-digest';
import { Sharing1790000000030 } from './0030-sharing';
import { CheckAudienceLock1790000000031 } from './0031-check-audience-lock';
import { Reports1790000000040 } from './0040-reports';

/** Every migration, in order. Explicit so the same list runs compiled and under the test runner. */
export const MIGRATIONS = [Foundation1790000000001, IdentityAudit1790000000002, Registry1790000000003, CertificationState1790000000004, Actions1790000000005, Controls1790000000006, CheckProcedure1790000000007, ProviderSearch1790000000008, RegistryAuthority1790000000009, UserEnumeration1790000000010, SsoThrottleHardening1790000000011, AuditCheckpoints1790000000012, CheckRevisions1790000000013, ImportSpeed1790000000015, JobOutbox1790000000017, FundingCheckIndexes1790000000019, CertificationStateIndexes1790000000020, Pricing1790000000021, Npec1790000000022, StagingAnalyze1790000000023, FundingCheckAnomalies1790000000024, ImportPlanning1790000000025, ImportLineDigest1790000000027, Sharing1790000000030, CheckAudienceLock1790000000031, Reports1790000000040];
