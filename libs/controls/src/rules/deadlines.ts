/**
 * Deadlines of the contradictory procedure and of corrective actions. A deadline is the last
 * millisecond of a calendar day in the provider region's time zone: a provider in La Réunion has
 * until 23:59:59.999 Réunion time, which is 19:59:59.999 UTC. Offsets come from the runtime's
 * time-zone database (`Intl.DateTimeFormat`), so summer time is handled without a dependency.
 * The figures (days, months, zones) are data: `libs/controls/data/deadlines.json`.
 */
import deadlinesFile from '../../data/deadlines.json';
import type { Grade } from './grading';

interface DeadlinesData {
  source: Record<string, string>;
  response_window_days: { minimum: number; default: number };
  corrective_action_months: Record<'MAJOR_NC' | 'MINOR_NC', number>;
  default_time_zone: string;
  region_time_zones: Record<string, string>;
}

export const DEADLINES: DeadlinesData = deadlinesFile as DeadlinesData;

/** A calendar date: `YYYY-MM-DD` strings are read as such, `Date`s through the region's zone. */
export type DateInput = Date | string;

/** The IANA zone of an INSEE region code; the default zone (Europe/Paris) when there is no region. */
export function timeZoneFor(region: string | null | undefined): string {
  if (region == null || region === '') return DEADLINES.default_time_zone;
  const zone = DEADLINES.region_time_zones[region];
  if (!zone) throw new RangeError(`Unknown region code: ${region}`);
  return zone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(timeZone: string, instant: Date): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** Milliseconds to add to UTC to get the wall-clock time of `timeZone` at `instant`. */
export function zoneOffsetMs(timeZone: string, instant: Date): number {
  const w = wallClock(timeZone, instant);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (instant.getTime() - (((instant.getTime() % 1000) + 1000) % 1000));
}

/** The instant a wall-clock time of `timeZone` designates (the later offset wins in a repeated hour). */
function zonedToInstant(timeZone: string, year: number, month: number, day: number, h: number, mi: number, s: number, ms: number): Date {
  const wall = Date.UTC(year, month - 1, day, h, mi, s, ms);
  let instant = wall - zoneOffsetMs(timeZone, new Date(wall));
  instant = wall - zoneOffsetMs(timeZone, new Date(instant));
  return new Date(instant);
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function localDate(input: DateInput, timeZone: string): LocalDate {
  if (typeof input === 'string') {
    const m = ISO_DATE.exec(input);
    if (!m) throw new RangeError(`Not a YYYY-MM-DD date: ${input}`);
    const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
    const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
    if (check.getUTCMonth() !== date.month - 1 || check.getUTCDate() !== date.day) throw new RangeError(`No such date: ${input}`);
    return date;
  }
  if (Number.isNaN(input.getTime())) throw new RangeError('Invalid date');
  const w = wallClock(timeZone, input);
  return { year: w.year, month: w.month, day: w.day };
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Calendar months, clamped to the end of a shorter month (31 January + 1 month = 28/29 February). */
function addMonths(date: LocalDate, months: number): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { year, month, day: Math.min(date.day, lastDay) };
}

function endOfLocalDay(timeZone: string, date: LocalDate): Date {
  return zonedToInstant(timeZone, date.year, date.month, date.day, 23, 59, 59, 999);
}

/** The calendar date (`YYYY-MM-DD`) of an instant in the region's time zone. */
export function localDateIn(region: string | null | undefined, instant: Date): string {
  const d = localDate(instant, timeZoneFor(region));
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** The last millisecond of the day `date` falls on in the region's time zone. */
export function endOfDayIn(region: string | null | undefined, date: DateInput): Date {
  const zone = timeZoneFor(region);
  return endOfLocalDay(zone, localDate(date, zone));
}

/**
 * End of the provider's response window: `days` full days after the day the provider received the
 * notification (that day does not count), at the end of the last day in the region's time zone.
 * Fewer days than the minimum (7) are refused.
 */
export function responseDeadline(receivedAt: DateInput, days: number = DEADLINES.response_window_days.default, region?: string | null): Date {
  const minimum = DEADLINES.response_window_days.minimum;
  if (!Number.isInteger(days) || days < minimum) {
    throw new RangeError(`The response window must be a whole number of days, at least ${minimum}; got ${days}`);
  }
  const zone = timeZoneFor(region);
  return endOfLocalDay(zone, addDays(localDate(receivedAt, zone), days));
}

/** Due date of a corrective action: 3 months for a major, 6 for a minor (defaults), end of that day. */
export function correctiveDueDate(grade: Grade, from: DateInput, region?: string | null, months?: number): Date {
  if (grade !== 'MAJOR_NC' && grade !== 'MINOR_NC') throw new RangeError(`No corrective action for grade ${grade}`);
  const span = months ?? DEADLINES.corrective_action_months[grade];
  if (!Number.isInteger(span) || span < 1) throw new RangeError(`Months must be a positive integer, got ${span}`);
  const zone = timeZoneFor(region);
  return endOfLocalDay(zone, addMonths(localDate(from, zone), span));
}

/**
 * Whether a deadline is overdue at `now`: past due and not closed by then. A closure after `now`
 * does not count, so the same call answers "as of" a past date.
 */
export function isOverdue(due: Date, now: Date, closedAt?: Date | null): boolean {
  if (closedAt != null && closedAt.getTime() <= now.getTime()) return false;
  return now.getTime() > due.getTime();
}
