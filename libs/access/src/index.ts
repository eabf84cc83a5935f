export * from './roles';
export * from './actor';
export * from './authenticator';
export * from './access.service';
export * from './access.module';
