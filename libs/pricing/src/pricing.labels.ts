import type { AnomalyKind, AnomalyStatus, JustificationGround } from './pricing.rules';

/** French labels of the pricing codes, for exports (the web UI reads the same table). */
export const ANOMALY_KIND_LABELS: Record<AnomalyKind, string> = {
  PRICE_HIGH: 'Prix élevé',
  PRICE_EXTREME: 'Prix très élevé',
  PRICE_LOW: 'Prix bas',
  CROSS_FUNDER_DISPARITY: 'Écart de prix entre financeurs',
  DURATION_SHORT: 'Durée réduite à prix constant',
  ABOVE_NPEC: 'Au-dessus du niveau de prise en charge',
};

export const ANOMALY_STATUS_LABELS: Record<AnomalyStatus, string> = {
  OPEN: 'Ouverte',
  UNDER_REVIEW: 'En examen',
  JUSTIFIED: 'Justifiée',
  CONFIRMED: 'Confirmée',
};

export const JUSTIFICATION_GROUND_LABELS: Record<JustificationGround, string> = {
  TRAINING_NEED: 'Besoin de formation',
  PEDAGOGICAL_ENGINEERING: 'Ingénierie pédagogique',
  INNOVATION: 'Innovation des moyens mobilisés',
  OPERATING_CONDITIONS: "Conditions comparables d'exploitation",
};
