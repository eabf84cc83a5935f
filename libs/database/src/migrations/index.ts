import { Foundation1790000000001 } from './0001-foundation';
import { IdentityAudit1790000000002 } from './0002-identity-audit';
import { Registry1790000000003 } from './0003-registry';
import { CertificationState1790000000004 } from './0004-certification-state';
import { Actions1790000000005 } from './0005-actions';
import { Controls1790000000006 } from './0006-controls';
import { CheckProcedure1790000000007 } from './0007-check-procedure';
import { ProviderSearch1790000000008 } from './0008-provider-search';
import { ImportSpeed1790000000015 } from './0015-import-speed';
import { Pricing1790000000021 } from './0021-pricing';

/** Every migration, in order. Explicit so the same list runs compiled and under the test runner. */
export const MIGRATIONS = [Foundation1790000000001, IdentityAudit1790000000002, Registry1790000000003, CertificationState1790000000004, Actions1790000000005, Controls1790000000006, CheckProcedure1790000000007, ProviderSearch1790000000008, ImportSpeed1790000000015, Pricing1790000000021];

