export * from './document-model';
export * from './pdf-renderer';
export * from './csv';
export * from './documents.module';
