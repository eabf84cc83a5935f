export * from './canonical';
export * from './audit.service';
export * from './checkpoints';
export * from './checkpoint.job';
export * from './audit.module';
