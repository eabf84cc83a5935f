import { Foundation1790000000001 } from './0001-foundation';
import { IdentityAudit1790000000002 } from './0002-identity-audit';
import { Registry1790000000003 } from './0003-registry';

/** Every migration, in order. Explicit so the same list runs compiled and under the test runner. */
export const MIGRATIONS = [Foundation1790000000001, IdentityAudit1790000000002, Registry1790000000003];
