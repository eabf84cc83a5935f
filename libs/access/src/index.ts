export * from './roles';
export * from './actor';
export * from './authenticator';
