export * from './test-env';
export * from './test-database';
export * from './drain-queues';
export * from './generators';
