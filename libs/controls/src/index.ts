export * from './rules';
export * from './frameworks/builtin';
export * from './frameworks/frameworks.service';
export * from './checks/checks.service';
export * from './controls.module';
