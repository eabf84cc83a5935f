export * from './roles';
export * from './actor';
export * from './visibility';
export * from './authenticator';
export * from './access.service';
export * from './access.module';
