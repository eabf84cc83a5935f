import { AppError } from '../errors/error-codes';

/** Strong ETag of a draft: its id and its version counter. */
export function etagOf(id: string, version: number): string {
  return `"${id}.v${version}"`;
}

/**
 * Compares `If-Match` with the current ETag. A missing header is allowed (last writer wins for
 * clients that do not send it); a stale one answers 412.
 */
export function assertIfMatch(ifMatch: string | undefined, current: string): void {
  if (ifMatch === undefined || ifMatch === '*') return;
  const candidates = ifMatch.split(',').map((s) => s.trim().replace(/^W\//, ''));
  if (!candidates.includes(current)) {
    throw new AppError('REQUEST.PRECONDITION_FAILED', 'The resource changed since you read it; reload it and retry.', {
      currentEtag: current,
    });
  }
}
