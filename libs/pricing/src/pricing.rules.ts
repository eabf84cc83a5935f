import type { ErrorCode } from '@bo/core';

export const ANOMALY_KINDS = ['PRICE_HIGH', 'PRICE_EXTREME', 'PRICE_LOW', 'CROSS_FUNDER_DISPARITY', 'DURATION_SHORT', 'ABOVE_NPEC'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export const ANOMALY_STATUSES = ['OPEN', 'UNDER_REVIEW', 'JUSTIFIED', 'CONFIRMED'] as const;
export type AnomalyStatus = (typeof ANOMALY_STATUSES)[number];

/**
 * The four grounds of R.6316-6 on which a price may differ from comparable services: the training
 * need, the pedagogical engineering, the innovation of the means used, and the operating
 * conditions (prices of analogous services under comparable conditions).
 */
export const JUSTIFICATION_GROUNDS = ['TRAINING_NEED', 'PEDAGOGICAL_ENGINEERING', 'INNOVATION', 'OPERATING_CONDITIONS'] as const;
export type JustificationGround = (typeof JUSTIFICATION_GROUNDS)[number];

const NEXT: Record<AnomalyStatus, readonly AnomalyStatus[]> = {
  OPEN: ['UNDER_REVIEW'],
  UNDER_REVIEW: ['JUSTIFIED', 'CONFIRMED'],
  JUSTIFIED: [],
  CONFIRMED: [],
};

export interface ReviewProblem {
  code: ErrorCode;
  message: string;
  field?: string;
}

/** Why a review step is refused, or undefined when it may happen. */
export function nextReviewProblem(
  current: AnomalyStatus,
  input: { status: AnomalyStatus; ground?: string | null; comment?: string | null },
): ReviewProblem | undefined {
  if (!NEXT[current].includes(input.status)) {
    return { code: 'ANOMALY.INVALID_TRANSITION', message: `An anomaly ${current} cannot become ${input.status}.`, field: 'status' };
  }
  if (input.status === 'JUSTIFIED') {
    if (!input.ground) return { code: 'ANOMALY.GROUND_REQUIRED', message: 'A justification names one of the four grounds of R.6316-6.', field: 'ground' };
    if (!input.comment?.trim()) return { code: 'ANOMALY.COMMENT_REQUIRED', message: 'A justification needs a comment.', field: 'comment' };
  }
  if (input.status === 'CONFIRMED' && !input.comment?.trim()) {
    return { code: 'ANOMALY.COMMENT_REQUIRED', message: 'A confirmation needs a comment.', field: 'comment' };
  }
  if (input.status !== 'JUSTIFIED' && input.ground) {
    return { code: 'ANOMALY.GROUND_REQUIRED', message: 'A ground is given only with a justification.', field: 'ground' };
  }
  return undefined;
}
