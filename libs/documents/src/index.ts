export * from './document-model';
export * from './pdf-renderer';
export * from './csv';
export * from './xlsx';
export * from './documents.module';
