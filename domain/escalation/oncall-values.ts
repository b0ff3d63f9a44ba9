/**
 * The values of an on-call schedule as people write them, read into numbers: local times 'HH:MM',
 * local dates 'YYYY-MM-DD', instants with a zone, and rotation periods ('weekly', '12h'). Each
 * reader returns undefined for text it cannot read; the schema turns that into a message.
 */
import { parseDuration } from '../duration.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, dateOfDayNumber, dayNumberOf, wallClockMs } from '../sla/zoned-time.js';

/** A handoff or window start: 'HH:MM' from 00:00 to 23:59. */
export const HANDOFF_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** A window end: 'HH:MM' from 00:00 to 24:00. */
export const WINDOW_END_PATTERN = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

/** Minutes after local midnight of 'HH:MM' (24:00 is 1440), or undefined when it is not such a time. */
export function minuteOfDay(text: string): number | undefined {
  const match = WINDOW_END_PATTERN.exec(text);
  if (!match) return undefined;
  const hour = Number(match[1] ?? match[3]);
  const minute = Number(match[2] ?? match[4]);
  return hour * 60 + minute;
}

/** Day number (days since 1970-01-01) of a calendar date 'YYYY-MM-DD', or undefined when there is no such date. */
export function parseLocalDate(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  const dayNumber = dayNumberOf(date);
  const back = dateOfDayNumber(dayNumber);
  return back.year === date.year && back.month === date.month && back.day === date.day ? dayNumber : undefined;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of an ISO 8601 instant with a zone designator ('2026-03-09T13:00:00Z', '...-04:00'), or undefined. */
export function parseInstant(text: string): number | undefined {
  const match = INSTANT.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  if (parseLocalDate(`${year}-${month}-${day}`) === undefined) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) return undefined;
  const wall = wallClockMs({
    year: Number(year), month: Number(month), day: Number(day), hour: Number(hour), minute: Number(minute),
    second: Number(second ?? 0), millisecond: Number((fraction ?? '0').padEnd(3, '0')),
  });
  if (zone === 'Z') return wall;
  const sign = zone!.startsWith('-') ? -1 : 1;
  const [offsetHours, offsetMinutes] = zone!.slice(1).split(':').map(Number) as [number, number];
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  return wall - sign * (offsetHours * HOUR_MS + offsetMinutes * MINUTE_MS);
}

/** How often a rotation hands off: every `days` local days, or `perDay` times a day every `hours` hours. */
export type RotationPeriod = { kind: 'days'; days: number } | { kind: 'hours'; hours: number; perDay: number };

/** The period of `every`, or undefined when it is not one a rotation can keep on the local clock. */
export function rotationPeriod(every: string): RotationPeriod | undefined {
  if (every === 'daily') return { kind: 'days', days: 1 };
  if (every === 'weekly') return { kind: 'days', days: 7 };
  const ms = parseDuration(every);
  if (ms === undefined || ms <= 0) return undefined;
  if (ms % DAY_MS === 0) return { kind: 'days', days: ms / DAY_MS };
  if (ms % HOUR_MS === 0 && DAY_MS % ms === 0) return { kind: 'hours', hours: ms / HOUR_MS, perDay: DAY_MS / ms };
  return undefined;
}
