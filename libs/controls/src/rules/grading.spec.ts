import { deriveOutcome, mapGrades, validateFinding, worstGrade, type Grade } from './grading';

describe('validateFinding', () => {
  it('accepts a compliant or not-applicable finding without comment or evidence', () => {
    expect(validateFinding({}, 'COMPLIANT', null, 0)).toBeNull();
    expect(validateFinding({ majorOnly: true }, 'NOT_APPLICABLE', 'Aucun stagiaire en situation de handicap', 0)).toBeNull();
    expect(validateFinding({ applicable: false }, 'NOT_APPLICABLE', undefined, 0)).toBeNull();
  });

  it('refuses a minor grade on a major-only point', () => {
    expect(validateFinding({ majorOnly: true }, 'MINOR_NC', 'partial', 1)).toBe('CHECK.MINOR_ON_MAJOR_ONLY');
    expect(validateFinding({ majorOnly: true }, 'MAJOR_NC', 'absent', 1)).toBeNull();
    expect(validateFinding({ majorOnly: false }, 'MINOR_NC', 'partial', 1)).toBeNull();
  });

  it('requires a comment on every non-conformity', () => {
    for (const grade of ['MINOR_NC', 'MAJOR_NC'] as Grade[]) {
      expect(validateFinding({}, grade, null, 1)).toBe('CHECK.NC_NEEDS_COMMENT');
      expect(validateFinding({}, grade, '   ', 1)).toBe('CHECK.NC_NEEDS_COMMENT');
    }
  });

  it('requires evidence on every non-conformity', () => {
    expect(validateFinding({}, 'MINOR_NC', 'partial', 0)).toBe('CHECK.NC_NEEDS_EVIDENCE');
    expect(validateFinding({}, 'MAJOR_NC', 'absent', 0)).toBe('CHECK.NC_NEEDS_EVIDENCE');
    expect(validateFinding({}, 'MAJOR_NC', 'absent', Number.NaN)).toBe('CHECK.NC_NEEDS_EVIDENCE');
  });

  it('needs a written justification for NOT_APPLICABLE on a point in scope, not outside it', () => {
    expect(validateFinding({}, 'NOT_APPLICABLE', null, 0)).toBe('CHECK.NA_NEEDS_JUSTIFICATION');
    expect(validateFinding({ applicable: true }, 'NOT_APPLICABLE', '   ', 0)).toBe('CHECK.NA_NEEDS_JUSTIFICATION');
    expect(validateFinding({ applicable: true }, 'NOT_APPLICABLE', 'Pas de sous-traitance', 0)).toBeNull();
    expect(validateFinding({ applicable: false }, 'NOT_APPLICABLE', null, 0)).toBeNull();
  });

  it('refuses any grade but NOT_APPLICABLE on a point outside the scope, before any other rule', () => {
    expect(validateFinding({ applicable: false }, 'COMPLIANT', null, 0)).toBe('CHECK.POINT_NOT_APPLICABLE');
    expect(validateFinding({ applicable: false, majorOnly: true }, 'MINOR_NC', null, 0)).toBe('CHECK.POINT_NOT_APPLICABLE');
  });
});

describe('deriveOutcome', () => {
  const minors = (n: number): Grade[] => Array.from({ length: n }, () => 'MINOR_NC');

  it('is NON_COMPLIANT with any major', () => {
    expect(deriveOutcome(['COMPLIANT', 'MAJOR_NC', 'NOT_APPLICABLE'])).toBe('NON_COMPLIANT');
  });

  it('is NON_COMPLIANT from the threshold of minors (default 5)', () => {
    expect(deriveOutcome([...minors(4), 'COMPLIANT'])).toBe('COMPLIANT_WITH_RESERVATIONS');
    expect(deriveOutcome(minors(5))).toBe('NON_COMPLIANT');
    expect(deriveOutcome(minors(2), 3)).toBe('COMPLIANT_WITH_RESERVATIONS');
    expect(deriveOutcome(minors(3), 3)).toBe('NON_COMPLIANT');
  });

  it('is COMPLIANT_WITH_RESERVATIONS with some minors, COMPLIANT otherwise', () => {
    expect(deriveOutcome(['COMPLIANT', 'MINOR_NC'])).toBe('COMPLIANT_WITH_RESERVATIONS');
    expect(deriveOutcome(['COMPLIANT', 'NOT_APPLICABLE', null])).toBe('COMPLIANT');
    expect(deriveOutcome([])).toBe('COMPLIANT');
  });

  it('refuses a threshold that is not a positive integer', () => {
    expect(() => deriveOutcome([], 0)).toThrow(RangeError);
    expect(() => deriveOutcome([], 2.5)).toThrow(RangeError);
  });
});

describe('worstGrade', () => {
  it('takes the worst graded source', () => {
    expect(worstGrade(['COMPLIANT', 'MINOR_NC', 'MAJOR_NC'])).toBe('MAJOR_NC');
    expect(worstGrade(['MINOR_NC', 'COMPLIANT', 'NOT_APPLICABLE'])).toBe('MINOR_NC');
    expect(worstGrade(['NOT_APPLICABLE', 'COMPLIANT'])).toBe('COMPLIANT');
    expect(worstGrade(['COMPLIANT', null])).toBe('COMPLIANT');
  });

  it('is NOT_APPLICABLE only when all sources are', () => {
    expect(worstGrade(['NOT_APPLICABLE', 'NOT_APPLICABLE'])).toBe('NOT_APPLICABLE');
    expect(worstGrade(['NOT_APPLICABLE', null])).toBeNull();
  });

  it('is ungraded without any graded source', () => {
    expect(worstGrade([null, undefined])).toBeNull();
    expect(worstGrade([])).toBeNull();
  });
});

describe('mapGrades', () => {
  it('grades each target point from all its sources, many-to-many', () => {
    const mappings = [
      { sourceCode: '1', targetCode: 'A' },
      { sourceCode: '2', targetCode: 'A' },
      { sourceCode: '2', targetCode: 'B' },
      { sourceCode: '3', targetCode: 'C' },
      { sourceCode: '4', targetCode: 'D' },
      { sourceCode: '5', targetCode: 'D' },
    ];
    const grades: Record<string, Grade | null> = { '1': 'MINOR_NC', '2': 'COMPLIANT', '4': 'NOT_APPLICABLE', '5': 'NOT_APPLICABLE' };
    expect(Object.fromEntries(mapGrades(mappings, grades))).toEqual({ A: 'MINOR_NC', B: 'COMPLIANT', C: null, D: 'NOT_APPLICABLE' });
    expect(mapGrades(mappings, new Map(Object.entries(grades))).get('A')).toBe('MINOR_NC');
  });
});
