import { JOB_DEFINITIONS, parsePublicJobId, publicJobId, registryProblems } from './job-registry';

const ALL = Object.keys(JOB_DEFINITIONS).map((name) => ({ name, owner: `${name}-handler` }));

describe('job registry', () => {
  it('boots only when every declared job has exactly one handler', () => {
    expect(registryProblems(ALL)).toEqual([]);
    expect(registryProblems(ALL.filter((h) => h.name !== 'reference.reload'))).toEqual(['job "reference.reload" has no handler']);
    expect(registryProblems([...ALL, { name: 'reference.reload', owner: 'B' }])).toEqual([
      'job "reference.reload" has 2 handlers: reference.reload-handler, B',
    ]);
    expect(registryProblems([...ALL, { name: 'nope', owner: 'C' }])).toEqual(['handler for unknown job "nope"']);
  });

  it('round-trips public job ids and refuses foreign queues', () => {
    expect(parsePublicJobId(publicJobId('imports', 'abc'))).toEqual({ queue: 'imports', id: 'abc' });
    expect(parsePublicJobId('elsewhere.abc')).toBeUndefined();
    expect(parsePublicJobId('noqueue')).toBeUndefined();
  });
});
