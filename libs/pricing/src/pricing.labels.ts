import { LABELS_FR } from '@bo/documents';
import type { AnomalyKind, AnomalyStatus, JustificationGround } from './pricing.rules';

/** French labels of the pricing codes, for exports: the one table of libs/documents, which the web UI reads too. */
export const ANOMALY_KIND_LABELS: Record<AnomalyKind, string> = LABELS_FR.anomalyKind;
export const ANOMALY_STATUS_LABELS: Record<AnomalyStatus, string> = LABELS_FR.anomalyStatus;
export const JUSTIFICATION_GROUND_LABELS: Record<JustificationGround, string> = LABELS_FR.justificationGround;
