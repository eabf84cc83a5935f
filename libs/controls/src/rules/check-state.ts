/**
 * States of a quality check version:
 *
 *   DRAFT -> NOTIFIED -> RESPONDED | RESPONSE_OVERDUE -> COMPLETED
 *   RESPONSE_OVERDUE -> RESPONDED             (a late answer is still recorded, marked late)
 *   DRAFT -> COMPLETED                      (only without any non-conformity)
 *   NOTIFIED -> COMPLETED                   (once the response window closed, or without non-conformity)
 *
 * A completed version is immutable (an amendment is a new version, starting as DRAFT).
 */
import type { ErrorCode } from '@bo/core';

export type CheckState = 'DRAFT' | 'NOTIFIED' | 'RESPONDED' | 'RESPONSE_OVERDUE' | 'COMPLETED';
export const CHECK_STATES: readonly CheckState[] = ['DRAFT', 'NOTIFIED', 'RESPONDED', 'RESPONSE_OVERDUE', 'COMPLETED'];

export type TransitionError = Extract<
  ErrorCode,
  'CHECK.INVALID_TRANSITION' | 'CHECK.RESPONSE_WINDOW_OPEN' | 'CHECK.MAKER_CHECKER' | 'CHECK.FINDINGS_MISSING'
>;

export const CHECK_TRANSITIONS: Readonly<Record<CheckState, readonly CheckState[]>> = {
  DRAFT: ['NOTIFIED', 'COMPLETED'],
  NOTIFIED: ['RESPONDED', 'RESPONSE_OVERDUE', 'COMPLETED'],
  RESPONDED: ['COMPLETED'],
  RESPONSE_OVERDUE: ['RESPONDED', 'COMPLETED'],
  COMPLETED: [],
};

export interface TransitionContext {
  /** Whether the version has at least one MINOR_NC or MAJOR_NC. */
  hasNonConformities: boolean;
  /** Whether the provider's response was recorded. */
  responseReceived?: boolean;
  /** End of the response window; null or absent while the receipt date is not recorded. */
  windowClosesAt?: Date | null;
  now: Date;
  /** The user finalizing (moving to COMPLETED). */
  finalizerId?: string | null;
  /** The users who recorded the version's findings. */
  recorderIds?: readonly string[];
  /** Applicable points still without a finding. */
  missingFindings?: number;
}

function windowClosed(context: TransitionContext): boolean {
  return context.windowClosesAt != null && context.now.getTime() > context.windowClosesAt.getTime();
}

/**
 * Whether a check may move from `from` to `to`; the first rule broken, or null.
 * - NOTIFIED and COMPLETED need every applicable point graded;
 * - RESPONSE_OVERDUE only once the window closed;
 * - COMPLETED with non-conformities needs the provider's side heard: from DRAFT never, from
 *   NOTIFIED once a response arrived or the window closed;
 * - COMPLETED is done by someone who recorded none of the findings (maker-checker).
 */
export function assertTransition(from: CheckState, to: CheckState, context: TransitionContext): TransitionError | null {
  if (!CHECK_TRANSITIONS[from].includes(to)) return 'CHECK.INVALID_TRANSITION';
  if (to === 'COMPLETED' && from === 'DRAFT' && context.hasNonConformities) return 'CHECK.INVALID_TRANSITION';

  if ((to === 'NOTIFIED' || to === 'COMPLETED') && (context.missingFindings ?? 0) > 0) return 'CHECK.FINDINGS_MISSING';

  if (to === 'RESPONSE_OVERDUE' && !windowClosed(context)) return 'CHECK.RESPONSE_WINDOW_OPEN';
  // Without an answer, the window must have run, also for a check already marked overdue.
  if (to === 'COMPLETED' && (from === 'NOTIFIED' || from === 'RESPONSE_OVERDUE') && context.hasNonConformities && !context.responseReceived && !windowClosed(context)) {
    return 'CHECK.RESPONSE_WINDOW_OPEN';
  }

  if (to === 'COMPLETED') {
    if (!context.finalizerId) return 'CHECK.MAKER_CHECKER';
    if ((context.recorderIds ?? []).includes(context.finalizerId)) return 'CHECK.MAKER_CHECKER';
  }
  return null;
}
