export * from './job-registry';
export * from './queue.module';
