import { labelFr } from '../labels.fr';

/** Point codes in reading order: "2" before "10" (never as plain text). */
export const byPointCode = (a: { pointCode: string }, b: { pointCode: string }): number => a.pointCode.localeCompare(b.pointCode, 'en', { numeric: true });

/** " (heure de Guadeloupe)" when dates are printed on an overseas calendar; nothing in Paris time. */
export function regionNote(region: string | null, timeZone: string): string {
  return timeZone === 'Europe/Paris' ? '' : ` (heure locale, ${labelFr('region', region)})`;
}

/** A byte count as a French reader expects it ("12,4 Ko"). */
export function frenchSize(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024) return `${bytes} o`;
  const units = ['Ko', 'Mo', 'Go'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} ${units[unit]}`;
}
