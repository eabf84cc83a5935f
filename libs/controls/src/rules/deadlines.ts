/**
 * Deadlines of the contradictory procedure and of corrective actions. A deadline is the last
 * millisecond of a calendar day in the provider region's time zone: a provider in La Réunion has
 * until 23:59:59.999 Réunion time, which is 19:59:59.999 UTC. Calendar arithmetic and zones are
 * luxon's (IANA zones from the runtime), never offsets probed by hand. The figures (minimum
 * days, months, zones) are data: `libs/controls/data/deadlines.json`; the response window itself
 * is the `RESPONSE_WINDOW_DAYS` setting (one default, in the configuration).
 */
import { DateTime } from 'luxon';
import deadlinesFile from '../../data/deadlines.json';
import type { Grade } from './grading';

interface DeadlinesData {
  source: Record<string, string>;
  response_window_days: { minimum: number };
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

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The start of the calendar day `input` designates in `zone`. */
function localDay(input: DateInput, zone: string): DateTime {
  if (typeof input === 'string') {
    if (!ISO_DATE.test(input)) throw new RangeError(`Not a YYYY-MM-DD date: ${input}`);
    const day = DateTime.fromISO(input, { zone });
    if (!day.isValid) throw new RangeError(`No such date: ${input}`);
    return day.startOf('day');
  }
  if (Number.isNaN(input.getTime())) throw new RangeError('Invalid date');
  return DateTime.fromJSDate(input, { zone }).startOf('day');
}

const endOf = (day: DateTime): Date => day.endOf('day').toJSDate();

/** The calendar date (`YYYY-MM-DD`) of an instant in the region's time zone. */
export function localDateIn(region: string | null | undefined, instant: Date): string {
  return localDay(instant, timeZoneFor(region)).toISODate()!;
}

/** The last millisecond of the day `date` falls on in the region's time zone. */
export function endOfDayIn(region: string | null | undefined, date: DateInput): Date {
  return endOf(localDay(date, timeZoneFor(region)));
}

/**
 * End of the provider's response window: `days` full days after the day the provider received the
 * notification (that day does not count), at the end of the last day in the region's time zone.
 * Fewer days than the minimum (7, R.6332-26) are refused.
 */
export function responseDeadline(receivedAt: DateInput, days: number, region?: string | null): Date {
  const minimum = DEADLINES.response_window_days.minimum;
  if (!Number.isInteger(days) || days < minimum) {
    throw new RangeError(`The response window must be a whole number of days, at least ${minimum}; got ${days}`);
  }
  return endOf(localDay(receivedAt, timeZoneFor(region)).plus({ days }));
}

/**
 * The end of the response window as the rules say it is, whatever dates are stored: `days`
 * (the setting, at least the legal 7) counted from the receipt, a receipt never taken as
 * earlier than the notification. Null while the receipt is not recorded (the window has not
 * started).
 */
export function responseWindowEnd(facts: { receivedOn: string | null; notifiedAt: Date | null; days: number; region?: string | null }): Date | null {
  if (!facts.receivedOn) return null;
  const notifiedOn = facts.notifiedAt ? localDateIn(facts.region, facts.notifiedAt) : facts.receivedOn;
  const from = facts.receivedOn < notifiedOn ? notifiedOn : facts.receivedOn;
  return responseDeadline(from, Math.max(facts.days, DEADLINES.response_window_days.minimum), facts.region);
}

/** Due date of a corrective action: 3 months for a major, 6 for a minor (defaults), end of that day. */
export function correctiveDueDate(grade: Grade, from: DateInput, region?: string | null, months?: number): Date {
  if (grade !== 'MAJOR_NC' && grade !== 'MINOR_NC') throw new RangeError(`No corrective action for grade ${grade}`);
  const span = months ?? DEADLINES.corrective_action_months[grade];
  if (!Number.isInteger(span) || span < 1) throw new RangeError(`Months must be a positive integer, got ${span}`);
  // luxon clamps to the end of a shorter month (31 January + 1 month = 28/29 February).
  return endOf(localDay(from, timeZoneFor(region)).plus({ months: span }));
}

/**
 * Whether a deadline is overdue at `now`: past due and not closed by then. A closure after `now`
 * does not count, so the same call answers "as of" a past date.
 */
export function isOverdue(due: Date, now: Date, closedAt?: Date | null): boolean {
  if (closedAt != null && closedAt.getTime() <= now.getTime()) return false;
  return now.getTime() > due.getTime();
}

/**
 * A date as a French reader of the region expects it ("17 mars 2026"), on the region's calendar:
 * a deadline at the end of a day in Guadeloupe prints that day, not the next one in Paris.
 */
export function frenchDateIn(region: string | null | undefined, value: DateInput): string {
  return localDay(value, timeZoneFor(region)).setLocale('fr').toFormat('d LLLL yyyy');
}

/** A date and time in the region's zone, with the zone's abbreviation ("17 mars 2026 à 23:59 (UTC-4)"). */
export function frenchDateTimeIn(region: string | null | undefined, instant: Date): string {
  const zone = timeZoneFor(region);
  const at = DateTime.fromJSDate(instant, { zone }).setLocale('fr');
  // The offset in ASCII: the PDF fonts (WinAnsi) have no U+2212 minus sign.
  const offset = `UTC${at.offset < 0 ? '-' : '+'}${Math.abs(at.offset) / 60}`;
  return `${at.toFormat("d LLLL yyyy 'à' HH:mm")}${zone === DEADLINES.default_time_zone ? '' : ` (heure locale, ${offset})`}`;
}
