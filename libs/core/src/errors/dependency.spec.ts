import { dependencyFailure } from './dependency';
import { toProblem } from './problem.filter';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('dependency failures', () => {
  it('recognises PostgreSQL being down, restarting, or too slow', () => {
    expect(dependencyFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('database');
    expect(dependencyFailure(pgError('57P01', 'terminating connection due to administrator command'))).toBe('database');
    expect(dependencyFailure(pgError('57P03', 'the database system is starting up'))).toBe('database');
    expect(dependencyFailure(pgError('57014', 'canceling statement due to statement timeout'))).toBe('database');
    expect(dependencyFailure(new Error('timeout exceeded when trying to connect'))).toBe('database');
    expect(dependencyFailure(new Error('Connection terminated unexpectedly'))).toBe('database');
    // TypeORM's QueryFailedError carries the driver's error.
    expect(dependencyFailure(Object.assign(new Error('query failed'), { driverError: pgError('08006') }))).toBe('database');
    expect(dependencyFailure(new AggregateError([Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })], ''))).toBe('database');
  });

  it('recognises Redis being down', () => {
    expect(dependencyFailure(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe('queue');
    expect(dependencyFailure(Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' }))).toBe('queue');
    expect(dependencyFailure(new Error('Command timed out'))).toBe('queue');
  });

  it('leaves our own bugs and bad SQL as they are', () => {
    expect(dependencyFailure(new TypeError('x is undefined'))).toBeUndefined();
    expect(dependencyFailure(pgError('23505', 'duplicate key'))).toBeUndefined();
    expect(dependencyFailure(pgError('42P01', 'relation does not exist'))).toBeUndefined();
    expect(dependencyFailure('a string')).toBeUndefined();
  });

  it('answers 503 DEPENDENCY.UNAVAILABLE with the delay to retry after', () => {
    const problem = toProblem(pgError('57P01', 'terminating connection'), 'c1', '/api/v1/actions');
    expect(problem).toMatchObject({ status: 503, code: 'DEPENDENCY.UNAVAILABLE', dependency: 'database', retryAfterSeconds: 5, correlationId: 'c1' });
    expect(problem.detail).not.toMatch(/terminating/);
    expect(toProblem(new Error('Connection is closed.'), 'c2')).toMatchObject({ status: 503, dependency: 'queue', retryAfterSeconds: 10 });
    expect(toProblem(new TypeError('boom'), 'c3')).toMatchObject({ status: 500, code: 'INTERNAL.ERROR' });
  });
});
