// Test-data generators (tests, benchmarks, demo-scale data sets). Never imported by production code.
export * from './public-list-generator';
export * from './actions-csv-generator';
