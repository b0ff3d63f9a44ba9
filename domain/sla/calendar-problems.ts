/**
 * Checking a business calendar before any clock runs on it: one message per problem, each with
 * the path of the bad field, so a policy file is refused with all its mistakes at once.
 */
import type { BusinessCalendar, WorkingInterval } from './calendar.js';
import type { LocalDate } from './zoned-time.js';
import { WEEKDAYS, dateOfDayNumber, dayNumberOf, isValidTimeZone } from './zoned-time.js';

/**
 * What is wrong with a calendar, one message per problem with its path
 * (e.g. "week.mon[1]: interval 13:00-12:00 ends before it starts"). Empty when it is valid.
 */
export function calendarProblems(cal: BusinessCalendar): string[] {
  const problems: string[] = [];
  if (!isValidTimeZone(cal.timeZone)) {
    problems.push(`timeZone: unknown time zone ${JSON.stringify(cal.timeZone)}; use an IANA name such as "America/New_York"`);
  }
  problems.push(...weekProblems(cal.week), ...holidayProblems(cal.holidays));
  return problems;
}

function weekProblems(week: unknown): string[] {
  if (typeof week !== 'object' || week === null || Array.isArray(week)) {
    return ['week: expected working intervals by weekday, e.g. { mon: [{ start: "08:00", end: "18:00" }] }'];
  }
  const problems: string[] = [];
  let intervalCount = 0;
  for (const [key, intervals] of Object.entries(week)) {
    if (!(WEEKDAYS as readonly string[]).includes(key)) {
      problems.push(`week.${key}: unknown weekday; use mon, tue, wed, thu, fri, sat or sun`);
      continue;
    }
    if (!Array.isArray(intervals)) {
      problems.push(`week.${key}: expected a list of intervals like { start: "08:00", end: "18:00" }`);
      continue;
    }
    const valid: { index: number; start: number; end: number; text: string }[] = [];
    intervals.forEach((interval: Partial<WorkingInterval>, index) => {
      const path = `week.${key}[${index}]`;
      const start = minuteOfDay(interval?.start, false);
      const end = minuteOfDay(interval?.end, true);
      if (start === undefined) problems.push(`${path}.start: ${JSON.stringify(interval?.start)} is not a time; write HH:MM from 00:00 to 23:59`);
      if (end === undefined) problems.push(`${path}.end: ${JSON.stringify(interval?.end)} is not a time; write HH:MM from 00:01 to 24:00`);
      if (start === undefined || end === undefined) return;
      const text = `${interval.start}-${interval.end}`;
      if (end < start) problems.push(`${path}: interval ${text} ends before it starts`);
      else if (end === start) problems.push(`${path}: interval ${text} is empty; end must be after start`);
      else valid.push({ index, start, end, text });
    });
    // In start order, an interval overlaps another exactly when it starts before the furthest end so far.
    valid.sort((a, b) => a.start - b.start);
    let furthest: (typeof valid)[number] | undefined;
    for (const interval of valid) {
      if (furthest !== undefined && interval.start < furthest.end) {
        const [first, second] = furthest.index < interval.index ? [furthest, interval] : [interval, furthest];
        problems.push(`week.${key}[${second.index}]: interval ${second.text} overlaps week.${key}[${first.index}] ${first.text}`);
      }
      if (furthest === undefined || interval.end > furthest.end) furthest = interval;
    }
    intervalCount += intervals.length;
  }
  if (intervalCount === 0) problems.push('week: no working hours on any day, so a business-time clock would never run');
  return problems;
}

function holidayProblems(holidays: unknown): string[] {
  if (!Array.isArray(holidays)) return ['holidays: expected a list of local dates like "2026-11-26"'];
  return holidays.flatMap((holiday: unknown, index) =>
    parseDate(holiday) === undefined
      ? [`holidays[${index}]: ${JSON.stringify(holiday)} is not a date; write YYYY-MM-DD, e.g. "2026-11-26"`]
      : []);
}

/** Minutes after midnight of an 'HH:MM' time; '24:00' only where an interval may end. */
export function minuteOfDay(text: unknown, isEnd: boolean): number | undefined {
  if (typeof text !== 'string' || !/^\d\d:\d\d$/.test(text)) return undefined;
  const minutes = Number(text.slice(0, 2)) * 60 + Number(text.slice(3));
  const valid = Number(text.slice(3)) < 60 && (isEnd ? minutes > 0 && minutes <= 24 * 60 : minutes < 24 * 60);
  return valid ? minutes : undefined;
}

/** A 'YYYY-MM-DD' date that exists (no 2026-02-30), or undefined. */
export function parseDate(text: unknown): LocalDate | undefined {
  const match = typeof text === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) : null;
  if (match === null) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  // Date arithmetic rolls 2026-02-30 over to March; a real date survives the round trip.
  const again = dateOfDayNumber(dayNumberOf(date));
  return again.month === date.month && again.day === date.day ? date : undefined;
}
