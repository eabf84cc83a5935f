import { assertTestDatabaseName } from './test-env';

describe('test database guard', () => {
  it('refuses a database whose name does not say test', () => {
    expect(() => assertTestDatabaseName('bo')).toThrow(/must contain "test"/);
    expect(() => assertTestDatabaseName('production')).toThrow();
    expect(() => assertTestDatabaseName('bo_test_abc')).not.toThrow();
  });
});
