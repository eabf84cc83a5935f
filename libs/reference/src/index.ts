export * from './reference-data';
export * from './reference-loader';
export * from './reference.module';
export * from './reference.service';
export * from './reference-reload.job';
