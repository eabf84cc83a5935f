export * from './job-registry';
export * from './job-dispatcher';
export * from './queue.module';
export * from './job-outbox';
