export * from './blob-store';
export * from './local-blob-store';
export * from './storage.module';
export * from './media-type';
export * from './upload-gate';
