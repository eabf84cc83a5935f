import { LABELS_FR, labelFr } from '@bo/documents';
import { ACTION_CATEGORIES, ACTION_MODALITIES, COVERAGE_STATES, REGION_CODES } from '@bo/registry';
import { CATEGORY_SOURCES, CHECK_STATES, GRADES, SCOPE_FLAGS } from './rules';
import { CHECK_METHODS } from './checks/checks.types';

/** Every code the API speaks has its French label in the one table (libs/documents/src/labels.fr.ts). */
describe('the French label table', () => {
  const cases: [keyof typeof LABELS_FR, readonly string[]][] = [
    ['grade', GRADES],
    ['outcome', ['COMPLIANT', 'COMPLIANT_WITH_RESERVATIONS', 'NON_COMPLIANT']],
    ['checkState', CHECK_STATES],
    ['method', CHECK_METHODS],
    ['category', ACTION_CATEGORIES],
    ['categorySource', CATEGORY_SOURCES],
    ['scopeFlag', SCOPE_FLAGS],
    ['modality', ACTION_MODALITIES],
    ['coverage', COVERAGE_STATES],
    ['region', REGION_CODES],
  ];

  it.each(cases)('labels every %s', (table, codes) => {
    const labels = LABELS_FR[table] as Record<string, string>;
    expect(Object.keys(labels).sort()).toEqual([...codes].sort());
    for (const code of codes) expect(labelFr(table, code)).not.toBe(code);
  });

  it('prints a dash for nothing and the code itself for an unknown one', () => {
    expect(labelFr('grade', null)).toBe('—');
    expect(labelFr('grade', 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });
});
