import { localDateIn } from '@bo/controls';

const DAY = 24 * 60 * 60 * 1000;

/**
 * A day as a check's procedure judges it: the local date in the provider's region (metropolitan
 * France unless told), `offsetDays` from now. Not `new Date().toISOString()`: between 23:00 and
 * midnight UTC that is still yesterday in Paris (a receipt "today" would precede the notification),
 * and in Guadeloupe (region 01) it is still today when Paris is already tomorrow.
 */
export const localDay = (offsetDays = 0, region = '11'): string => localDateIn(region, new Date(Date.now() + offsetDays * DAY));

/** Today in metropolitan France. */
export const parisToday = (): string => localDay(0);
