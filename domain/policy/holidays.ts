/**
 * Holiday lists run out: a preset lists the holidays of the years it was written for, and each
 * new year's must be added before it starts. A calendar whose list has run out counts its
 * holidays as working days, silently. This names such calendars so that start-up can say so.
 * Pure: the caller hands in the time.
 */
import { toLocal } from '../sla/zoned-time.js';
import type { Policy } from './schema.js';

/** How far ahead the list must reach: the next year's holidays are due within this. */
export const HOLIDAYS_AHEAD_MS = 31 * 24 * 3_600_000;

export interface HolidaysRunningOut {
  calendar: string;
  /** The last holiday the calendar lists (YYYY-MM-DD). */
  lastListed: string;
  /** The years without a listed holiday, from the one after the last listed to the year a month from now. */
  missingYears: number[];
}

/**
 * The calendars that list holidays but none in the year that `now` plus a month falls in (in the
 * calendar's own time zone), or later. A calendar without holidays is left alone: closing on none
 * is a choice (FM-08, 24x7 calendars).
 */
export function holidaysRunningOut(policy: Pick<Policy, 'calendars'>, now: number): HolidaysRunningOut[] {
  const out: HolidaysRunningOut[] = [];
  for (const [calendar, cal] of Object.entries(policy.calendars)) {
    if (!cal.holidays.length) continue;
    const lastListed = cal.holidays.reduce((a, b) => (b > a ? b : a));
    const needed = toLocal(now + HOLIDAYS_AHEAD_MS, cal.timeZone).year;
    const missingYears: number[] = [];
    for (let year = Number(lastListed.slice(0, 4)) + 1; year <= needed; year++) missingYears.push(year);
    if (missingYears.length) out.push({ calendar, lastListed, missingYears });
  }
  return out;
}

/** The start-up line for one calendar: what it lists, and which years to add. */
export function holidaysWarning(policyId: string, out: HolidaysRunningOut): string {
  const years = out.missingYears.join(' and ').replace(/ and (?=.* and )/g, ', ');
  return `policy ${policyId}: calendar ${out.calendar} lists holidays up to ${out.lastListed}; add those of ${years} (until then it counts them as working days)`;
}
