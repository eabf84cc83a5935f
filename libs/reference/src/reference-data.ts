import { createHash } from 'node:crypto';
import fundersFile from '../data/funders.json';
import rnqFile from '../data/rnq-indicators.json';

export interface OrganisationSeed {
  code: string;
  kind: 'FUNDER' | 'CONTROL_SERVICE' | 'PLATFORM';
  funderKind: string | null;
  name: string;
  region: string | null;
}

/** Metropolitan regions get a Transitions Pro association each (see funders.json notes). */
const OVERSEAS = new Set(['01', '02', '03', '04', '06']);

export const PLATFORM_ORG_CODE = 'PLATFORM';

export function organisationSeeds(): OrganisationSeed[] {
  const seeds: OrganisationSeed[] = [];
  for (const o of fundersFile.opcos) seeds.push({ code: o.code, kind: 'FUNDER', funderKind: 'OPCO', name: o.name, region: null });
  for (const o of fundersFile.national) seeds.push({ code: o.code, kind: 'FUNDER', funderKind: o.kind, name: o.name, region: null });
  for (const o of fundersFile.faf) seeds.push({ code: o.code, kind: 'FUNDER', funderKind: o.kind, name: o.name, region: null });
  for (const r of fundersFile.regions) {
    seeds.push({ code: `REG-${r.insee}`, kind: 'FUNDER', funderKind: 'REGION', name: `Région ${r.name}`, region: r.insee });
    if (!OVERSEAS.has(r.insee)) {
      seeds.push({ code: `TPRO-${r.insee}`, kind: 'FUNDER', funderKind: 'TRANSITIONS_PRO', name: `Transitions Pro ${r.name}`, region: r.insee });
    }
    seeds.push({ code: `SRC-${r.insee}`, kind: 'CONTROL_SERVICE', funderKind: null, name: `Service régional de contrôle — ${r.name}`, region: r.insee });
  }
  const dgefp = fundersFile.control_services.dgefp;
  seeds.push({ code: dgefp.code, kind: 'CONTROL_SERVICE', funderKind: null, name: dgefp.name, region: null });
  seeds.push({ code: PLATFORM_ORG_CODE, kind: 'PLATFORM', funderKind: null, name: 'Plateforme (administration)', region: null });
  return seeds;
}

export const REGIONS: { insee: string; name: string }[] = fundersFile.regions;

export type RnqCategory = 'formation' | 'bilan' | 'vae' | 'apprentissage';

export interface RnqIndicator {
  number: number;
  criterion: number;
  title_fr: string;
  title_en: string;
  applies_to: RnqCategory[];
  certifying_actions_only: boolean;
  cfa_only: boolean;
  new_entrant_adapted_audit: boolean;
  conditional_on: string | null;
  nc_major_only: boolean;
  nc_can_be_minor: boolean;
  notes: string | null;
}

export const RNQ = {
  source: rnqFile.source.primary,
  criteria: rnqFile.criteria as { number: number; title_fr: string; title_en: string }[],
  indicators: rnqFile.indicators as RnqIndicator[],
};

export function referenceDigest(): string {
  return createHash('sha256').update(JSON.stringify(fundersFile)).update(JSON.stringify(rnqFile)).digest('hex');
}
