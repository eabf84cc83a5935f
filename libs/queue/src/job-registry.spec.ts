import { parsePublicJobId, publicJobId, registryProblems } from './job-registry';

describe('job registry', () => {
  it('boots only when every job has exactly one handler', () => {
    expect(registryProblems([{ name: 'reference.reload', owner: 'A' }])).toEqual([]);
    expect(registryProblems([])).toEqual(['job "reference.reload" has no handler']);
    expect(registryProblems([
      { name: 'reference.reload', owner: 'A' },
      { name: 'reference.reload', owner: 'B' },
    ])).toEqual(['job "reference.reload" has 2 handlers: A, B']);
    expect(registryProblems([
      { name: 'reference.reload', owner: 'A' },
      { name: 'nope', owner: 'C' },
    ])).toEqual(['handler for unknown job "nope"']);
  });

  it('round-trips public job ids and refuses foreign queues', () => {
    expect(parsePublicJobId(publicJobId('imports', 'abc'))).toEqual({ queue: 'imports', id: 'abc' });
    expect(parsePublicJobId('elsewhere.abc')).toBeUndefined();
    expect(parsePublicJobId('noqueue')).toBeUndefined();
  });
});
