export * from './document-model';
export * from './pdf-renderer';
export * from './csv';
export * from './xlsx';
export * from './documents.module';
export * from './labels.fr';
export * from './templates/notification-letter.template';
export * from './templates/check-export.template';
