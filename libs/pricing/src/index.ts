export * from './pricing.module';
export * from './pricing.service';
export * from './pricing.rules';
export * from './price-recompute.job';
export * from './pricing.labels';
export * from './npec.service';
