export * from './scope';
export * from './grading';
export * from './check-state';
export * from './deadlines';
export * from './sampling';
