export * from './public-list-generator';
export * from './actions-csv-generator';
