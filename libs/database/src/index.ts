export * from './data-sources';
export * from './tenant';
export * from './db.service';
export * from './system-db.service';
export * from './database.module';
export * from './db-clock';
export * from './provision';
export * from './outbox.store';
