import { REGIONS } from '@bo/reference';
import {
  DEADLINES,
  correctiveDueDate,
  endOfDayIn,
  isOverdue,
  localDateIn,
  responseDeadline,
  responseWindowEnd,
  frenchDateIn,
  frenchDateTimeIn,
  timeZoneFor,
} from './deadlines';

const iso = (d: Date) => d.toISOString();

describe('deadlines.json', () => {
  it('gives a time zone to every region of the reference, with the overseas ones as documented', () => {
    for (const region of REGIONS) expect(typeof timeZoneFor(region.insee)).toBe('string');
    expect(Object.keys(DEADLINES.region_time_zones).sort()).toEqual(REGIONS.map((r) => r.insee).sort());
    expect(timeZoneFor('01')).toBe('America/Guadeloupe');
    expect(timeZoneFor('02')).toBe('America/Martinique');
    expect(timeZoneFor('03')).toBe('America/Cayenne');
    expect(timeZoneFor('04')).toBe('Indian/Reunion');
    expect(timeZoneFor('06')).toBe('Indian/Mayotte');
    expect(timeZoneFor('94')).toBe('Europe/Paris');
    expect(timeZoneFor(null)).toBe('Europe/Paris');
  });

  it('refuses an unknown region rather than guessing its zone', () => {
    expect(() => timeZoneFor('99')).toThrow(RangeError);
  });

  it('holds the default figures and their sources', () => {
    // Only the legal minimum: the window's length has one default, RESPONSE_WINDOW_DAYS.
    expect(DEADLINES.response_window_days).toEqual({ minimum: 7 });
    expect(DEADLINES.corrective_action_months).toEqual({ MAJOR_NC: 3, MINOR_NC: 6 });
    expect(DEADLINES.source.corrective_actions).toContain('LEGIARTI000047653706');
  });
});

describe('endOfDayIn', () => {
  it('ends the day at 23:59:59.999 local time, winter and summer, in Paris', () => {
    expect(iso(endOfDayIn('11', '2026-03-10'))).toBe('2026-03-10T22:59:59.999Z');
    expect(iso(endOfDayIn('11', '2026-07-01'))).toBe('2026-07-01T21:59:59.999Z');
    // The day summer time starts and the day it ends.
    expect(iso(endOfDayIn('11', '2026-03-29'))).toBe('2026-03-29T21:59:59.999Z');
    expect(iso(endOfDayIn('11', '2026-10-25'))).toBe('2026-10-25T22:59:59.999Z');
  });

  it('uses the overseas zones', () => {
    expect(iso(endOfDayIn('01', '2026-03-10'))).toBe('2026-03-11T03:59:59.999Z');
    expect(iso(endOfDayIn('02', '2026-03-10'))).toBe('2026-03-11T03:59:59.999Z');
    expect(iso(endOfDayIn('03', '2026-03-10'))).toBe('2026-03-11T02:59:59.999Z');
    expect(iso(endOfDayIn('04', '2026-03-10'))).toBe('2026-03-10T19:59:59.999Z');
    expect(iso(endOfDayIn('06', '2026-03-10'))).toBe('2026-03-10T20:59:59.999Z');
  });

  it('reads an instant on the calendar of the region', () => {
    const lateEvening = new Date('2026-03-10T23:30:00Z');
    expect(localDateIn('11', lateEvening)).toBe('2026-03-11');
    expect(iso(endOfDayIn('11', lateEvening))).toBe('2026-03-11T22:59:59.999Z');
    expect(localDateIn('01', lateEvening)).toBe('2026-03-10');
    expect(iso(endOfDayIn('01', lateEvening))).toBe('2026-03-11T03:59:59.999Z');
    expect(localDateIn('04', new Date('2026-03-10T20:30:00Z'))).toBe('2026-03-11');
  });

  it('refuses malformed dates', () => {
    expect(() => endOfDayIn('11', '2026-02-30')).toThrow(RangeError);
    expect(() => endOfDayIn('11', '10/03/2026')).toThrow(RangeError);
    expect(() => endOfDayIn('11', new Date('nope'))).toThrow(RangeError);
  });
});

describe('responseDeadline', () => {
  it('gives at least 7 full days after the day of receipt, ending at the end of the last day', () => {
    expect(iso(responseDeadline('2026-03-02', 7, '11'))).toBe('2026-03-09T22:59:59.999Z');
    expect(iso(responseDeadline(new Date('2026-03-02T08:15:00Z'), 7, '11'))).toBe('2026-03-09T22:59:59.999Z');
    expect(iso(responseDeadline('2026-03-25', 7, '11'))).toBe('2026-04-01T21:59:59.999Z');
    expect(iso(responseDeadline('2026-03-02', 15, '04'))).toBe('2026-03-17T19:59:59.999Z');
  });

  it('takes the receipt day on the provider calendar', () => {
    // 2 March 22:00 in Guadeloupe is already 3 March in Paris.
    expect(iso(responseDeadline(new Date('2026-03-03T02:00:00Z'), 7, '01'))).toBe('2026-03-10T03:59:59.999Z');
  });

  it('refuses a window shorter than the minimum', () => {
    expect(() => responseDeadline('2026-03-02', 6, '11')).toThrow(RangeError);
    expect(() => responseDeadline('2026-03-02', 7.5, '11')).toThrow(RangeError);
  });
});

describe('correctiveDueDate', () => {
  it('defaults to 3 months for a major and 6 for a minor, end of day', () => {
    expect(iso(correctiveDueDate('MAJOR_NC', '2026-01-15', '11'))).toBe('2026-04-15T21:59:59.999Z');
    expect(iso(correctiveDueDate('MINOR_NC', '2026-01-15', '11'))).toBe('2026-07-15T21:59:59.999Z');
    expect(iso(correctiveDueDate('MAJOR_NC', '2026-01-15', '03'))).toBe('2026-04-16T02:59:59.999Z');
  });

  it('clamps to the end of a shorter month', () => {
    expect(iso(correctiveDueDate('MAJOR_NC', '2026-11-30', '11'))).toBe('2027-02-28T22:59:59.999Z');
    expect(iso(correctiveDueDate('MINOR_NC', '2027-08-31', '11'))).toBe('2028-02-29T22:59:59.999Z');
  });

  it('accepts another span, and refuses grades without corrective action', () => {
    expect(iso(correctiveDueDate('MINOR_NC', '2026-01-15', '11', 2))).toBe('2026-03-15T22:59:59.999Z');
    expect(() => correctiveDueDate('COMPLIANT', '2026-01-15', '11')).toThrow(RangeError);
    expect(() => correctiveDueDate('NOT_APPLICABLE', '2026-01-15', '11')).toThrow(RangeError);
  });
});

describe('isOverdue', () => {
  const due = new Date('2026-04-15T21:59:59.999Z');

  it('is overdue only once the due instant has passed', () => {
    expect(isOverdue(due, due)).toBe(false);
    expect(isOverdue(due, new Date(due.getTime() + 1))).toBe(true);
  });

  it('is not overdue once closed, but is as of a date before the closure', () => {
    const closed = new Date('2026-05-01T10:00:00Z');
    expect(isOverdue(due, new Date('2026-06-01T00:00:00Z'), closed)).toBe(false);
    expect(isOverdue(due, new Date('2026-04-20T00:00:00Z'), closed)).toBe(true);
    expect(isOverdue(due, new Date('2026-06-01T00:00:00Z'), null)).toBe(true);
  });
});

describe('overseas deadlines, printed on the provider region calendar', () => {
  // Receipt on 2 March 2026, 15-day window: the last day is 17 March in every region.
  const overseas: [string, string, string][] = [
    ['01', 'Guadeloupe', '2026-03-18T03:59:59.999Z'],
    ['02', 'Martinique', '2026-03-18T03:59:59.999Z'],
    ['03', 'Guyane', '2026-03-18T02:59:59.999Z'],
    ['04', 'La Réunion', '2026-03-17T19:59:59.999Z'],
    ['06', 'Mayotte', '2026-03-17T20:59:59.999Z'],
  ];

  it.each(overseas)('region %s (%s): the deadline ends on the 17th local time and prints as the 17th', (region, _name, instant) => {
    const due = responseDeadline('2026-03-02', 15, region);
    expect(iso(due)).toBe(instant);
    expect(localDateIn(region, due)).toBe('2026-03-17');
    expect(frenchDateIn(region, due)).toBe('17 mars 2026');
    expect(frenchDateTimeIn(region, due)).toMatch(/^17 mars 2026 à 23:59 \(heure locale, UTC[+-]\d+\)$/);
  });

  it('covers every overseas region of the reference', () => {
    const notParis = REGIONS.filter((r) => timeZoneFor(r.insee) !== 'Europe/Paris').map((r) => r.insee).sort();
    expect(notParis).toEqual(overseas.map(([r]) => r));
  });

  it('shows that printing in Paris would be wrong for the Antilles and Guyane', () => {
    const due = responseDeadline('2026-03-02', 15, '01');
    expect(frenchDateIn(null, due)).toBe('18 mars 2026');
    expect(frenchDateIn('11', responseDeadline('2026-03-02', 15, '11'))).toBe('17 mars 2026');
  });
});

describe('responseWindowEnd', () => {
  it('counts from the receipt, never from before the notification, with at least the legal 7 days', () => {
    const notifiedAt = new Date('2026-03-10T09:00:00Z');
    expect(responseWindowEnd({ receivedOn: null, notifiedAt, days: 15, region: '11' })).toBeNull();
    expect(iso(responseWindowEnd({ receivedOn: '2026-03-12', notifiedAt, days: 15, region: '11' })!)).toBe('2026-03-27T22:59:59.999Z');
    // A receipt stored a month before the notification does not cut the window.
    expect(iso(responseWindowEnd({ receivedOn: '2026-02-10', notifiedAt, days: 15, region: '11' })!)).toBe('2026-03-25T22:59:59.999Z');
    expect(iso(responseWindowEnd({ receivedOn: '2026-03-10', notifiedAt, days: 3, region: '11' })!)).toBe('2026-03-17T22:59:59.999Z');
  });
});
