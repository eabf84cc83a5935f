export * from './pricing.module';
export * from './pricing.service';
export * from './pricing.rules';
export * from './price-recompute.job';
