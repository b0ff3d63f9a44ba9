/**
 * Report periods: the last complete day, week (Monday to Sunday) or month before an instant, in
 * the report's time zone. That zone is the policy's `metrics.timeZone`, else the time zone of its
 * default calendar (SIGN X and Caro: America/New_York), else UTC (the 24x7 policies).
 */
import type { Policy } from '../policy/schema.js';
import { dateOfDayNumber, dayNumberOf, fromLocal, toLocal, WEEKDAYS, weekdayOfDayNumber } from '../sla/zoned-time.js';
import type { Period } from './aggregate.js';

export function reportTimeZone(policy: Policy): string {
  return policy.metrics?.timeZone ?? policy.calendars[policy.defaultCalendar]?.timeZone ?? 'UTC';
}

/** The instant local midnight begins the date numbered `day` (see dayNumberOf). */
function startOfDay(day: number, timeZone: string): number {
  return fromLocal({ ...dateOfDayNumber(day), hour: 0, minute: 0 }, timeZone);
}

const today = (now: number, timeZone: string) => dayNumberOf(toLocal(now, timeZone));

/** The local day before the one `now` falls in. */
export function previousDay(now: number, timeZone: string): Period {
  const day = today(now, timeZone);
  return { from: startOfDay(day - 1, timeZone), to: startOfDay(day, timeZone) };
}

/** The Monday-to-Sunday week before the one `now` falls in. */
export function previousWeek(now: number, timeZone: string): Period {
  const day = today(now, timeZone);
  const monday = day - WEEKDAYS.indexOf(weekdayOfDayNumber(day));
  return { from: startOfDay(monday - 7, timeZone), to: startOfDay(monday, timeZone) };
}

/** The calendar month `back` months before the one `now` falls in (1: the previous month). */
export function previousMonth(now: number, timeZone: string, back = 1): Period {
  const local = toLocal(now, timeZone);
  const index = local.year * 12 + (local.month - 1) - back;
  const first = (i: number) => fromLocal({ year: Math.floor(i / 12), month: (i % 12) + 1, day: 1, hour: 0, minute: 0 }, timeZone);
  return { from: first(index), to: first(index + 1) };
}

/** 'YYYY-MM-DD' of an instant in the zone. */
export function localDate(instant: number, timeZone: string): string {
  const l = toLocal(instant, timeZone);
  return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
}

/** 'YYYY-MM-DD HH:MM' of an instant in the zone. */
export function localDateTime(instant: number, timeZone: string): string {
  const l = toLocal(instant, timeZone);
  return `${localDate(instant, timeZone)} ${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
}
