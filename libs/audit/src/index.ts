export * from './canonical';
export * from './audit.service';
export * from './audit.module';
