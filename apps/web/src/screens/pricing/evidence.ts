// The frozen evidence of a price anomaly, by kind (docs/pricing.md). The API documents it as a
// free object (its shape depends on the kind), so these UI-only shapes name what the screens read.

/** The frozen evidence of a group kind (PRICE_HIGH, PRICE_EXTREME, PRICE_LOW). */
export interface GroupEvidence {
  groupKey: string;
  level: number;
  category: string;
  modality: string;
  year: number;
  certificationCode: string | null;
  formacode: string | null;
  region: string | null;
  n: number;
  providers: number;
  funders: number;
  unit: { p10: number; q1: number; median: number; q3: number; p90: number; mad: number };
  fences: { low: number; high: number; extreme: number };
  logIqr: number;
  value: number;
  percentRank: number;
}

/** CROSS_FUNDER_DISPARITY: ratio band and set sizes, never the other funders' prices. */
export interface DisparityEvidence {
  ratioBand: string;
  ownActions: number;
  otherActions: number;
  otherFunders: number;
}

/** DURATION_SHORT: this year's set against the previous year's. */
export interface ShrinkEvidence {
  hoursRatioBand: string;
  priceRatioBand: string;
  actions: number;
  funders: number;
  previousActions: number;
  previousFunders: number;
}

/** ABOVE_NPEC: the level in force and its basis. */
export interface NpecEvidence {
  basis: 'BRANCH' | 'RANGE_ACROSS_BRANCHES';
  certificationCode: string;
  idcc: string | null;
  levelEurPerYear: number;
  range: { min: number | null; max: number | null; branches: number | null };
  value: number;
  ratio: number;
}
