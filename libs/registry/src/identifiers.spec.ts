import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REGION_CODES } from './registry.constants';
import {
  isLuhnValid,
  luhnCheckDigit,
  validateCertificationCode,
  validateFormacode,
  validateFrenchDate,
  validateIsoDate,
  validateNda,
  validateNsf,
  validateRegion,
  validateRncp,
  validateRs,
  validateSiren,
  validateSiret,
  type IdentifierCheck,
} from './identifiers';

const ok = (value: string): IdentifierCheck => ({ ok: true, value });
const reason = (check: IdentifierCheck): string => (check.ok ? `(accepted as ${check.value})` : check.reason);

describe('validateSiren', () => {
  it('accepts 9 digits with a Luhn key, ignoring typed spaces', () => {
    expect(validateSiren('732829320')).toEqual(ok('732829320'));
    expect(validateSiren('542051180')).toEqual(ok('542051180'));
    expect(validateSiren(' 552 100 554 ')).toEqual(ok('552100554'));
    expect(validateSiren('552\u00a0100\u00a0554')).toEqual(ok('552100554'));
  });

  it('refuses a wrong key, a wrong length, letters and nothing, saying which', () => {
    expect(reason(validateSiren('732829321'))).toMatch(/check digit/);
    expect(reason(validateSiren('73282932'))).toMatch(/exactly 9 digits, got 8/);
    // Luhn-valid, but a SIRET is not a SIREN.
    expect(reason(validateSiren('73282932000074'))).toMatch(/exactly 9 digits, got 14/);
    expect(reason(validateSiren('73282932O'))).toMatch(/digits only/);
    expect(reason(validateSiren(''))).toMatch(/empty/);
    expect(reason(validateSiren(null))).toMatch(/empty/);
    expect(reason(validateSiren(undefined))).toMatch(/empty/);
  });
});

describe('validateSiret', () => {
  it('accepts 14 digits passing Luhn', () => {
    expect(validateSiret('73282932000074')).toEqual(ok('73282932000074'));
    expect(validateSiret('54205118000066')).toEqual(ok('54205118000066'));
    expect(validateSiret('552 100 554 00013')).toEqual(ok('55210055400013'));
    expect(validateSiret('732.829.320.00074')).toEqual(ok('73282932000074'));
  });

  it('refuses a wrong key', () => {
    expect(reason(validateSiret('73282932000079'))).toMatch(/check digit \(Luhn\)/);
    expect(reason(validateSiret('54205118000067'))).toMatch(/check digit/);
  });

  it('refuses Luhn-valid numbers of the wrong length', () => {
    expect(isLuhnValid('732829320000745')).toBe(true);
    expect(reason(validateSiret('732829320000745'))).toMatch(/exactly 14 digits, got 15/);
    expect(isLuhnValid('7328293200018')).toBe(true);
    expect(reason(validateSiret('7328293200018'))).toMatch(/exactly 14 digits, got 13/);
    expect(reason(validateSiret('732829320'))).toMatch(/exactly 14 digits, got 9/);
  });

  it('refuses letters and empty values', () => {
    expect(reason(validateSiret('732829320O0074'))).toMatch(/digits only/);
    expect(reason(validateSiret('   '))).toMatch(/empty/);
  });

  it('applies the La Poste rule: digit sum multiple of 5 instead of Luhn', () => {
    // The reference example fails Luhn and is valid all the same.
    expect(isLuhnValid('35600000049837')).toBe(false);
    expect(validateSiret('35600000049837')).toEqual(ok('35600000049837'));
    expect(validateSiret('356 000 000 49837')).toEqual(ok('35600000049837'));
    // Digit sum 46: not a multiple of 5.
    expect(reason(validateSiret('35600000049838'))).toMatch(/La Poste.*multiple of 5/);
    // Digit sum 50 while failing Luhn: valid only because it is La Poste.
    expect(isLuhnValid('35600000049878')).toBe(false);
    expect(validateSiret('35600000049878').ok).toBe(true);
    // The head office keeps a Luhn key (digit sum 26) and is accepted by name.
    expect(validateSiret('35600000000048')).toEqual(ok('35600000000048'));
    expect(validateSiret('35600000000049').ok).toBe(false);
  });
});

describe('validateNda', () => {
  it('accepts exactly 11 digits, whatever the prefix', () => {
    expect(validateNda('11755555575')).toEqual(ok('11755555575'));
    expect(validateNda('11 75 55555 75')).toEqual(ok('11755555575'));
    expect(validateNda('01971234567')).toEqual(ok('01971234567'));
    expect(validateNda('99999999999')).toEqual(ok('99999999999'));
  });

  it('refuses other lengths and letters', () => {
    expect(reason(validateNda('1175555557'))).toMatch(/exactly 11 digits, got 10/);
    expect(reason(validateNda('117555555755'))).toMatch(/exactly 11 digits, got 12/);
    expect(reason(validateNda('117555A5575'))).toMatch(/digits only/);
    expect(reason(validateNda(''))).toMatch(/empty/);
  });
});

describe('certification codes', () => {
  it('validates RNCP codes with 2 to 5 digits and an optional skills block', () => {
    expect(validateRncp('RNCP37098')).toEqual(ok('RNCP37098'));
    expect(validateRncp('RNCP37098BC01')).toEqual(ok('RNCP37098BC01'));
    expect(validateRncp('RNCP12')).toEqual(ok('RNCP12'));
    expect(validateRncp(' rncp 37098 bc01 ')).toEqual(ok('RNCP37098BC01'));
    for (const bad of ['RNCP1', 'RNCP123456', 'RNCP37098BC1', 'RNCP37098BC001', 'RNCP37098-BC01', 'RNCP', 'RS5635', '37098']) {
      expect(reason(validateRncp(bad))).toMatch(/RNCP code must be/);
    }
    expect(reason(validateRncp(''))).toMatch(/empty/);
  });

  it('validates RS codes with 1 to 5 digits', () => {
    expect(validateRs('RS5635')).toEqual(ok('RS5635'));
    expect(validateRs('RS1')).toEqual(ok('RS1'));
    expect(validateRs('rs 5635')).toEqual(ok('RS5635'));
    for (const bad of ['RS', 'RS123456', 'RS56A5', 'RNCP5635', 'R5635']) expect(reason(validateRs(bad))).toMatch(/RS code must be/);
  });

  it('accepts either kind as a certification code', () => {
    expect(validateCertificationCode('RNCP37098')).toEqual(ok('RNCP37098'));
    expect(validateCertificationCode('RNCP37098BC01')).toEqual(ok('RNCP37098BC01'));
    expect(validateCertificationCode('RS5635')).toEqual(ok('RS5635'));
    expect(reason(validateCertificationCode('CQP1234'))).toMatch(/start with "RNCP" or "RS"/);
    expect(reason(validateCertificationCode('RNCP1234567'))).toMatch(/RNCP code must be/);
    expect(reason(validateCertificationCode('RS123456'))).toMatch(/RS code must be/);
    expect(reason(validateCertificationCode(''))).toMatch(/empty/);
  });
});

describe('validateFormacode and validateNsf', () => {
  it('validates 5-digit Formacodes', () => {
    expect(validateFormacode('31054')).toEqual(ok('31054'));
    expect(validateFormacode(' 15254 ')).toEqual(ok('15254'));
    expect(reason(validateFormacode('3105'))).toMatch(/exactly 5 digits, got 4/);
    expect(reason(validateFormacode('310544'))).toMatch(/exactly 5 digits, got 6/);
    expect(reason(validateFormacode('3105A'))).toMatch(/digits only/);
  });

  it('validates NSF codes: 3 digits and an optional letter', () => {
    expect(validateNsf('312')).toEqual(ok('312'));
    expect(validateNsf('312m')).toEqual(ok('312m'));
    expect(validateNsf(' 312M ')).toEqual(ok('312m'));
    for (const bad of ['31', '3123', '312mm', 'm312', '31m']) expect(reason(validateNsf(bad))).toMatch(/NSF code must be/);
    expect(reason(validateNsf(''))).toMatch(/empty/);
  });
});

describe('validateRegion', () => {
  it('accepts the INSEE region codes of the reference data, and only those', () => {
    const file = JSON.parse(readFileSync(join(__dirname, '../../reference/data/funders.json'), 'utf8')) as { regions: { insee: string }[] };
    expect([...REGION_CODES]).toEqual(file.regions.map((r) => r.insee));
    for (const code of ['01', '06', '11', '84', '93', '94']) expect(validateRegion(code)).toEqual(ok(code));
    expect(validateRegion(' 84 ')).toEqual(ok('84'));
  });

  it('refuses departments, old regions and malformed codes', () => {
    expect(reason(validateRegion('05'))).toMatch(/not an INSEE region code/);
    expect(reason(validateRegion('82'))).toMatch(/not an INSEE region code/); // Rhône-Alpes before 2016
    expect(reason(validateRegion('99'))).toMatch(/not an INSEE region code/);
    expect(reason(validateRegion('1'))).toMatch(/must be 2 digits/);
    expect(reason(validateRegion('2A'))).toMatch(/must be 2 digits/);
    expect(reason(validateRegion('011'))).toMatch(/must be 2 digits/);
    expect(reason(validateRegion(''))).toMatch(/empty/);
  });
});

describe('Luhn helpers', () => {
  it('computes the key that completes a SIREN or a SIRET', () => {
    expect(luhnCheckDigit('73282932')).toBe('0');
    expect(luhnCheckDigit('7328293200007')).toBe('4');
    expect(luhnCheckDigit('5521005540001')).toBe('3');
    expect(() => luhnCheckDigit('12a')).toThrow(RangeError);
  });

  it('always yields a number that the validators accept', () => {
    for (let n = 0; n < 2000; n++) {
      const body = String(10_000_000 + n * 44_987);
      const siren = body + luhnCheckDigit(body);
      expect(validateSiren(siren).ok).toBe(true);
      const base = siren + String(n % 10_000).padStart(4, '0');
      expect(validateSiret(base + luhnCheckDigit(base)).ok).toBe(true);
    }
  });
});

describe('dates', () => {
  it('reads DD/MM/YYYY calendar dates into ISO', () => {
    expect(validateFrenchDate('29/02/2024')).toEqual(ok('2024-02-29'));
    expect(validateFrenchDate('31/12/2025')).toEqual(ok('2025-12-31'));
    expect(reason(validateFrenchDate('29/02/2025'))).toMatch(/does not exist/);
    expect(reason(validateFrenchDate('31/04/2025'))).toMatch(/does not exist/);
    expect(reason(validateFrenchDate('15/13/2025'))).toMatch(/does not exist/);
    expect(reason(validateFrenchDate('2025-03-15'))).toMatch(/DD\/MM\/YYYY/);
    expect(reason(validateFrenchDate('1/3/2025'))).toMatch(/DD\/MM\/YYYY/);
    expect(reason(validateFrenchDate(''))).toMatch(/empty/);
  });

  it('reads ISO YYYY-MM-DD calendar dates', () => {
    expect(validateIsoDate('2024-02-29')).toEqual(ok('2024-02-29'));
    expect(reason(validateIsoDate('2025-02-29'))).toMatch(/does not exist/);
    expect(reason(validateIsoDate('15/03/2025'))).toMatch(/YYYY-MM-DD/);
    expect(reason(validateIsoDate('2025/03/15'))).toMatch(/YYYY-MM-DD/);
    expect(reason(validateIsoDate('20250315'))).toMatch(/YYYY-MM-DD/);
  });
});
