export * from './identifiers';
export * from './public-list-generator';
export * from './actions-csv-generator';
export * from './action-csv-records';
export * from './actions.service';
export * from './actions-import.service';
export * from './coverage.service';
export * from './actions.module';
