// French formats: dates dd/MM/yyyy, money `1 234,50 €`, SIRET grouped `812 345 676 00124`.
// Intl's fr-FR uses a narrow no-break space (U+202F) as group separator: kept, it renders as a
// space and never breaks a number across lines.

const money = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const integer = new Intl.NumberFormat('fr-FR');
const dateFmt = new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Paris' });
const dateTimeFmt = new Intl.DateTimeFormat('fr-FR', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Paris',
});

export const DASH = '—';

export function euros(amount: number | string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return DASH;
  return money.format(Number(amount));
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? DASH : integer.format(n);
}

/** A calendar date `YYYY-MM-DD` (read as such, no time zone shift) or an instant, as dd/MM/yyyy. */
export function date(value: string | null | undefined): string {
  if (!value) return DASH;
  const ymd = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (ymd) return `${ymd[3]}/${ymd[2]}/${ymd[1]}`;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : dateFmt.format(d);
}

export function dateTime(value: string | null | undefined): string {
  if (!value) return DASH;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : dateTimeFmt.format(d).replace(' ', ' à ');
}

/** SIRET `81234567600124` -> `812 345 676 00124` (SIREN in threes, then the NIC). */
export function siret(value: string | null | undefined): string {
  if (!value) return DASH;
  const v = value.replace(/\s/g, '');
  if (!/^\d{14}$/.test(v)) return value;
  return `${v.slice(0, 3)} ${v.slice(3, 6)} ${v.slice(6, 9)} ${v.slice(9)}`;
}

/** SIREN `812345676` -> `812 345 676`. */
export function siren(value: string | null | undefined): string {
  if (!value) return DASH;
  return /^\d{9}$/.test(value) ? `${value.slice(0, 3)} ${value.slice(3, 6)} ${value.slice(6)}` : value;
}

/** NDA (11 digits) `84691234567` -> `84 69 12345 67` as on the declaration receipts. */
export function nda(value: string | null | undefined): string {
  if (!value) return DASH;
  return /^\d{11}$/.test(value) ? `${value.slice(0, 2)} ${value.slice(2, 4)} ${value.slice(4, 9)} ${value.slice(9)}` : value;
}

/** Today as YYYY-MM-DD in Paris. */
export function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return DASH;
  if (n < 1024) return `${integer.format(n)} o`;
  if (n < 1024 * 1024) return `${integer.format(Math.round(n / 102.4) / 10)} Ko`;
  return `${integer.format(Math.round(n / 104857.6) / 10)} Mo`;
}
