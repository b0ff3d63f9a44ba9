/**
 * Wall-clock time in an IANA time zone, computed with the built-in `Intl.DateTimeFormat` only, so
 * it runs the same in the Temporal workflow sandbox as in Node. Instants are epoch milliseconds.
 *
 * Supported range: instants of the years 1 to 9999 (Intl writes years before 1 CE without a sign).
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** The weekdays in calendar order, Monday first as support rotas are written. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  weekday: Weekday;
}

export interface LocalWallTime extends LocalDate {
  hour: number;
  minute: number;
  second?: number;
  millisecond?: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

// Building a formatter costs far more than using one, and the SLA clocks ask for the same few
// zones on every event, so each zone gets one formatter for the life of the process.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when `tz` is a time zone this runtime knows, e.g. "America/New_York" or "UTC". */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz === '') return false;
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

/**
 * Days since 1970-01-01 of a local date. Stepping over local dates as integers keeps the
 * business-hours walk free of month lengths and leap years.
 */
export function dayNumberOf(date: LocalDate): number {
  return Math.floor(wallClockMs({ ...date, hour: 0, minute: 0 }) / DAY_MS);
}

/** The local date of a day number (see dayNumberOf). */
export function dateOfDayNumber(dayNumber: number): LocalDate {
  const date = new Date(dayNumber * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The weekday of a day number; day 0, 1970-01-01, was a Thursday. */
export function weekdayOfDayNumber(dayNumber: number): Weekday {
  return WEEKDAYS[(((dayNumber + 3) % 7) + 7) % 7] as Weekday;
}

/**
 * A wall time read as if the zone were UTC. Out-of-range fields roll over as in Date.UTC, so hour
 * 24 is the next day's midnight, which is how a working interval ending at '24:00' is written.
 */
export function wallClockMs(local: LocalWallTime): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not turn the years 0-99 into 1900-1999.
  date.setUTCFullYear(local.year, local.month - 1, local.day);
  date.setUTCHours(local.hour, local.minute, local.second ?? 0, local.millisecond ?? 0);
  return date.getTime();
}

/** The wall time shown in `timeZone` at `instant`. */
export function toLocal(instant: number, timeZone: string): LocalDateTime {
  if (!Number.isFinite(instant)) {
    throw new RangeError(`toLocal: instant ${instant} is not a finite number of epoch milliseconds`);
  }
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  // Zone offsets are whole seconds, so the millisecond is the instant's own.
  const millisecond = ((instant % 1000) + 1000) % 1000;
  return { ...fields, millisecond, weekday: weekdayOfDayNumber(dayNumberOf(fields)) };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in milliseconds (New York in winter: -5h). */
export function offsetAt(instant: number, timeZone: string): number {
  return wallClockMs(toLocal(instant, timeZone)) - instant;
}

/**
 * The instant at which `timeZone`'s wall clock shows `local`.
 *
 * Wall times that happen twice or never, on the days the clocks change:
 * - In an overlap (clocks go back; 01:30 on 2026-11-01 in New York is shown twice) the earlier
 *   instant is taken: a deadline set for 01:30 should not wait for the second 01:30.
 * - In a gap (clocks jump forward; 02:30 on 2026-03-08 in New York is never shown) the wall time is
 *   read with the offset from before the jump, which lands it as far after the jump as it was
 *   after the gap's start: 02:30 becomes 03:30 EDT. This is the "compatible" rule of RFC 5545,
 *   java.time and TC39 Temporal.
 *
 * Fields out of range roll over as in Date.UTC (hour 24 is the next day's midnight).
 * Assumes a zone does not change its offset twice within one day either side of `local`, which
 * holds for the IANA data of modern times.
 */
export function fromLocal(local: LocalWallTime, timeZone: string): number {
  const wall = wallClockMs(local);
  if (!Number.isFinite(wall)) {
    throw new RangeError(`fromLocal: ${JSON.stringify(local)} is not a wall time; give whole-number date and time fields`);
  }
  // Any offset change that could make this wall time ambiguous happens between these two samples.
  const offsetBefore = offsetAt(wall - DAY_MS, timeZone);
  const offsetAfter = offsetAt(wall + DAY_MS, timeZone);
  if (offsetBefore === offsetAfter) return wall - offsetBefore;
  const earlier = wall - Math.max(offsetBefore, offsetAfter);
  const later = wall - Math.min(offsetBefore, offsetAfter);
  if (offsetAt(earlier, timeZone) === wall - earlier) return earlier;
  if (offsetAt(later, timeZone) === wall - later) return later;
  // Neither offset shows this wall time: it lies in a gap, read it with the offset before the jump.
  return wall - offsetBefore;
}
