/**
 * Validators and normalisers for the identifiers of the provider registry and of funded actions.
 * Rules: /work/shared/reference/public-provider-list.md ("Identifiers").
 *
 * Every validator accepts raw input (a CSV cell, a form field), normalises it (trims, drops the
 * spaces and dots people type inside numbers, upper-cases code prefixes) and answers either the
 * normalised value or a reason a person can act on. Validators never throw.
 */

export type IdentifierCheck = { ok: true; value: string } | { ok: false; reason: string };

type RawInput = string | null | undefined;

const valid = (value: string): IdentifierCheck => ({ ok: true, value });
const invalid = (reason: string): IdentifierCheck => ({ ok: false, reason });

import { REGION_CODES } from './registry.constants';

const REGION_CODE_SET: ReadonlySet<string> = new Set(REGION_CODES);

/** SIREN of La Poste, whose establishments do not use the Luhn key (see validateSiret). */
export const LA_POSTE_SIREN = '356000000';
/** La Poste's head office: its SIRET follows Luhn, not the "digit sum is a multiple of 5" rule. */
export const LA_POSTE_HEAD_OFFICE_SIRET = '35600000000048';

// ---------------------------------------------------------------------------------------------
// Normalisers

/** Trims and removes the spaces (including non-breaking ones) and dots typed inside a number. */
export function normalizeDigits(input: RawInput): string {
  return (input ?? '').replace(/[\s.]/g, '');
}

/** `rncp 37098 bc01` -> `RNCP37098BC01`, ` rs5635 ` -> `RS5635`. */
export function normalizeCertificationCode(input: RawInput): string {
  return (input ?? '').replace(/\s/g, '').toUpperCase();
}

/** ` 312M ` -> `312m` (NSF letters are written in lower case). */
export function normalizeNsf(input: RawInput): string {
  return (input ?? '').replace(/\s/g, '').toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Luhn

function luhnSum(digits: string, doubleFirstFromRight: boolean): number {
  let sum = 0;
  let double = doubleFirstFromRight;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum;
}

/** True when a string of digits (check digit included, last) passes the Luhn check. */
export function isLuhnValid(digits: string): boolean {
  return /^\d+$/.test(digits) && luhnSum(digits, false) % 10 === 0;
}

/**
 * The digit to append to `digits` so that the whole passes Luhn (SIREN: 8 digits -> 9th;
 * SIRET: 13 digits -> 14th).
 */
export function luhnCheckDigit(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError(`luhnCheckDigit expects digits, got "${digits}"`);
  return `${(10 - (luhnSum(digits, true) % 10)) % 10}`;
}

function digitSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += digits.charCodeAt(i) - 48;
  return sum;
}

function checkDigits(name: string, value: string, length: number): string | undefined {
  if (value === '') return `${name} is empty`;
  if (!/^\d+$/.test(value)) return `${name} must contain digits only, got "${value}"`;
  if (value.length !== length) return `${name} must have exactly ${length} digits, got ${value.length}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Validators

/** SIREN: 9 digits, Luhn key. */
export function validateSiren(input: RawInput): IdentifierCheck {
  const value = normalizeDigits(input);
  const problem = checkDigits('SIREN', value, 9);
  if (problem) return invalid(problem);
  if (!isLuhnValid(value)) return invalid(`SIREN ${value} fails its check digit (Luhn)`);
  return valid(value);
}

/**
 * SIRET: 14 digits, Luhn over all 14. La Poste (SIREN 356000000) numbers its establishments
 * without the Luhn key: one of its SIRETs is valid when the sum of its digits is a multiple of 5
 * (e.g. 35600000049837). Its head office, 35600000000048, keeps a Luhn key and fails the
 * multiple-of-5 rule, so it is accepted by name (as python-stdnum does).
 */
export function validateSiret(input: RawInput): IdentifierCheck {
  const value = normalizeDigits(input);
  const problem = checkDigits('SIRET', value, 14);
  if (problem) return invalid(problem);
  if (value.startsWith(LA_POSTE_SIREN)) {
    if (value === LA_POSTE_HEAD_OFFICE_SIRET || digitSum(value) % 5 === 0) return valid(value);
    return invalid(`SIRET ${value} of La Poste must have a digit sum that is a multiple of 5`);
  }
  if (!isLuhnValid(value)) return invalid(`SIRET ${value} fails its check digit (Luhn)`);
  return valid(value);
}

/** NDA (numéro de déclaration d'activité): exactly 11 digits. Its prefix is not checked. */
export function validateNda(input: RawInput): IdentifierCheck {
  const value = normalizeDigits(input);
  const problem = checkDigits('NDA', value, 11);
  return problem ? invalid(problem) : valid(value);
}

const RNCP = /^RNCP(\d{2,5})(BC\d{2})?$/;
const RS = /^RS\d{1,5}$/;

/** RNCP code: `RNCP` + 2 to 5 digits, optionally a skills block `BC` + 2 digits (`RNCP37098BC01`). */
export function validateRncp(input: RawInput): IdentifierCheck {
  const value = normalizeCertificationCode(input);
  if (value === '') return invalid('RNCP code is empty');
  if (!RNCP.test(value)) {
    return invalid(`RNCP code must be "RNCP" + 2 to 5 digits, optionally + "BC" + 2 digits (e.g. RNCP37098, RNCP37098BC01), got "${value}"`);
  }
  return valid(value);
}

/** RS code (Répertoire spécifique): `RS` + 1 to 5 digits (`RS5635`). */
export function validateRs(input: RawInput): IdentifierCheck {
  const value = normalizeCertificationCode(input);
  if (value === '') return invalid('RS code is empty');
  if (!RS.test(value)) return invalid(`RS code must be "RS" + 1 to 5 digits (e.g. RS5635), got "${value}"`);
  return valid(value);
}

/** A certification code: an RNCP code (with or without skills block) or an RS code. */
export function validateCertificationCode(input: RawInput): IdentifierCheck {
  const value = normalizeCertificationCode(input);
  if (value === '') return invalid('certification code is empty');
  if (value.startsWith('RNCP')) return validateRncp(value);
  if (value.startsWith('RS')) return validateRs(value);
  return invalid(`certification code must start with "RNCP" or "RS", got "${value}"`);
}

/** Formacode: 5 digits. */
export function validateFormacode(input: RawInput): IdentifierCheck {
  const value = normalizeDigits(input);
  const problem = checkDigits('Formacode', value, 5);
  return problem ? invalid(problem) : valid(value);
}

/** NSF speciality: 3 digits, optionally one letter (`312`, `312m`). */
export function validateNsf(input: RawInput): IdentifierCheck {
  const value = normalizeNsf(input);
  if (value === '') return invalid('NSF code is empty');
  if (!/^\d{3}[a-z]?$/.test(value)) return invalid(`NSF code must be 3 digits, optionally followed by one letter (e.g. 312, 312m), got "${value}"`);
  return valid(value);
}

/** Region: a 2-digit INSEE region code among REGION_CODES. */
export function validateRegion(input: RawInput): IdentifierCheck {
  const value = (input ?? '').trim();
  if (value === '') return invalid('region code is empty');
  if (!/^\d{2}$/.test(value)) return invalid(`region code must be 2 digits (INSEE), got "${value}"`);
  if (!REGION_CODE_SET.has(value)) return invalid(`region code ${value} is not an INSEE region code (${REGION_CODES.join(', ')})`);
  return valid(value);
}

// ---------------------------------------------------------------------------------------------
// Dates (the public list writes DD/MM/YYYY, the actions import YYYY-MM-DD)

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/** `DD/MM/YYYY` (the public list) -> ISO `YYYY-MM-DD`. */
export function validateFrenchDate(input: RawInput): IdentifierCheck {
  const value = (input ?? '').trim();
  if (value === '') return invalid('date is empty');
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
  if (!m) return invalid(`date must be DD/MM/YYYY, got "${value}"`);
  if (!isCalendarDate(Number(m[3]), Number(m[2]), Number(m[1]))) return invalid(`date ${value} does not exist`);
  return valid(`${m[3]}-${m[2]}-${m[1]}`);
}

/** ISO `YYYY-MM-DD` (the actions import). */
export function validateIsoDate(input: RawInput): IdentifierCheck {
  const value = (input ?? '').trim();
  if (value === '') return invalid('date is empty');
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return invalid(`date must be YYYY-MM-DD, got "${value}"`);
  if (!isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) return invalid(`date ${value} does not exist`);
  return valid(value);
}
