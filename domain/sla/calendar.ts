/**
 * Business hours: when an SLA clock on business time runs. "8 AM - 6 PM EST, Monday-Friday" is a
 * BusinessCalendar in America/New_York with 08:00-18:00 on mon..fri; a lunch break is two
 * intervals on one day; a holiday closes a whole local date.
 *
 * Working time is walked one local date at a time, and whole ordinary weeks (no holiday, no clock
 * change) are counted in one step, so a P3 ticket's one-week target costs a few dozen zone
 * look-ups, not thousands.
 *
 * Days the clocks change: each interval boundary becomes an instant with fromLocal, so on
 * 2026-03-08 New York's 08:00-18:00 holds 10 hours as always (the jump is at 02:00), while a
 * 00:00-24:00 day holds 23 hours on 2026-03-08 and 25 on 2026-11-01: the hours staff actually
 * work. A boundary inside a spring-forward gap follows fromLocal (02:30 is read as 03:30); if that
 * would put a later boundary before it, the later one is moved up, so working time never runs
 * backwards.
 *
 * Calendars are treated as immutable snapshots: each is checked and prepared once, on first use.
 */
import { calendarProblems, minuteOfDay, parseDate } from './calendar-problems.js';
import type { LocalDate, Weekday } from './zoned-time.js';
import {
  DAY_MS, MINUTE_MS, WEEKDAYS, dateOfDayNumber, dayNumberOf, fromLocal, offsetAt, toLocal, weekdayOfDayNumber,
} from './zoned-time.js';

// Checking a calendar lives in calendar-problems.ts; the policy schema reaches it through here.
export { calendarProblems };

export interface WorkingInterval {
  /** 'HH:MM', local time. */
  start: string;
  /** 'HH:MM', local time, after start; '24:00' for the end of the day. */
  end: string;
}

export interface BusinessCalendar {
  /** IANA time zone, e.g. 'America/New_York'. */
  timeZone: string;
  /** Several intervals on a day are shifts with breaks between them; a missing day is closed. */
  week: Partial<Record<Weekday, WorkingInterval[]>>;
  /** Local dates 'YYYY-MM-DD', closed all day. */
  holidays: string[];
}

/** A clock counts either wall-clock time (24/7) or the working time of a calendar. */
export type ClockCalendar = { kind: 'calendar-time' } | { kind: 'business-time'; calendar: BusinessCalendar };

/** How far ahead addWorkingTime and nextWorkingInstant look for working time before giving up. */
const SEARCH_DAYS = 366;

export function isWorkingTime(cal: ClockCalendar, at: number): boolean {
  if (cal.kind === 'calendar-time') return true;
  const timeline = new WorkingTimeline(prepare(cal.calendar), at);
  // Only the spans of the local date of `at` and of the next date (see WorkingTimeline) can hold it.
  for (let day = 0; day < 2; day++) {
    if (timeline.takeDay().some((span) => span.start <= at && at < span.end)) return true;
  }
  return false;
}

/** Working milliseconds in [from, to) (0 when to <= from). Exact to the millisecond. */
export function workingTimeBetween(cal: ClockCalendar, from: number, to: number): number {
  if (cal.kind === 'calendar-time') return Math.max(0, to - from);
  if (to <= from) return 0;
  const calendar = prepare(cal.calendar);
  const timeline = new WorkingTimeline(calendar, from);
  const firstDay = timeline.day;
  const lastDay = dayNumberOf(toLocal(to, calendar.timeZone));
  let worked = 0;
  // Up to the date after that of `to`: see WorkingTimeline for why that date's hours can start earlier.
  while (timeline.day <= lastDay + 1) {
    // A week strictly between the dates of `from` and `to` lies wholly inside [from, to).
    if (timeline.day > firstDay && timeline.day + 6 < lastDay) {
      const week = timeline.skipOrdinaryWeek();
      if (week !== undefined) {
        worked += week;
        continue;
      }
    }
    for (const span of timeline.takeDay()) {
      worked += Math.max(0, Math.min(span.end, to) - Math.max(span.start, from));
    }
  }
  return worked;
}

/**
 * The earliest instant t >= from such that workingTimeBetween(cal, from, t) === amountMs; `from`
 * itself for 0. A ticket opened on Saturday with a 4h business target is due 4h after Monday's
 * opening. Throws when the calendar has no working time at all in the 366 days it searches.
 */
export function addWorkingTime(cal: ClockCalendar, from: number, amountMs: number): number {
  if (!Number.isFinite(amountMs) || amountMs < 0) {
    throw new RangeError(`addWorkingTime: amount ${amountMs} ms is not a duration; give a finite number >= 0`);
  }
  if (cal.kind === 'calendar-time' || amountMs === 0) return from + amountMs;
  const calendar = prepare(cal.calendar);
  const timeline = new WorkingTimeline(calendar, from);
  const firstDay = timeline.day;
  let remaining = amountMs;
  for (;;) {
    // Skip a whole week only when the deadline is surely past it.
    if (timeline.day > firstDay && remaining > calendar.weekMs) {
      const week = timeline.skipOrdinaryWeek();
      if (week !== undefined) {
        remaining -= week;
        continue;
      }
    }
    for (const span of timeline.takeDay()) {
      const start = Math.max(span.start, from);
      if (span.end <= start) continue;
      if (remaining <= span.end - start) return start + remaining;
      remaining -= span.end - start;
    }
    timeline.assertWorkAhead();
  }
}

/** The next instant >= at when working time begins or continues (at itself if inside working time). */
export function nextWorkingInstant(cal: ClockCalendar, at: number): number {
  if (cal.kind === 'calendar-time') return at;
  const timeline = new WorkingTimeline(prepare(cal.calendar), at);
  for (;;) {
    const span = timeline.takeDay().find((candidate) => candidate.end > at);
    if (span !== undefined) return Math.max(span.start, at);
    timeline.assertWorkAhead();
  }
}

/** A calendar ready for walking: intervals in minutes by weekday index, holidays as day numbers. */
interface PreparedCalendar {
  timeZone: string;
  hours: Record<Weekday, { startMinute: number; endMinute: number }[]>;
  holidays: Set<number>;
  /** Working time of a week with no holiday and no clock change. */
  weekMs: number;
}

/** A stretch of working time as instants, [start, end). */
interface WorkingSpan {
  start: number;
  end: number;
}

const prepared = new WeakMap<BusinessCalendar, PreparedCalendar>();

function prepare(calendar: BusinessCalendar): PreparedCalendar {
  const cached = prepared.get(calendar);
  if (cached !== undefined) return cached;
  const problems = calendarProblems(calendar);
  if (problems.length > 0) throw new Error(`invalid business calendar: ${problems.join('; ')}`);
  const hours = Object.fromEntries(WEEKDAYS.map((weekday) => [
    weekday,
    (calendar.week[weekday] ?? [])
      .map((interval) => ({
        startMinute: minuteOfDay(interval.start, false) as number,
        endMinute: minuteOfDay(interval.end, true) as number,
      }))
      .sort((a, b) => a.startMinute - b.startMinute),
  ])) as PreparedCalendar['hours'];
  const weekMinutes = Object.values(hours).flat().reduce((sum, interval) => sum + interval.endMinute - interval.startMinute, 0);
  const result: PreparedCalendar = {
    timeZone: calendar.timeZone,
    hours,
    holidays: new Set(calendar.holidays.map((holiday) => dayNumberOf(parseDate(holiday) as LocalDate))),
    weekMs: weekMinutes * MINUTE_MS,
  };
  prepared.set(calendar, result);
  return result;
}

/** A calendar's working spans in time order, read one local date at a time from an instant on. */
class WorkingTimeline {
  /**
   * The local date (day number) whose spans takeDay returns next; it starts at the date of the
   * walk's first instant. Where clocks went back across midnight (St. John's set 00:01 back to
   * 23:01 the day before, until 2011), an instant that reads as one date can already lie in the
   * next date's hours, so a walk ending at an instant looks one date further.
   */
  day: number;
  private readonly calendar: PreparedCalendar;
  /** End of the last span handed out; later spans are kept from starting before it. */
  private floor = -Infinity;
  private lastWorkingDay: number;
  private readonly offsets = new Map<number, number>();

  constructor(calendar: PreparedCalendar, from: number) {
    this.calendar = calendar;
    this.day = dayNumberOf(toLocal(from, calendar.timeZone));
    this.lastWorkingDay = this.day;
  }

  /** The working spans of the current date, then moves on to the next date. */
  takeDay(): WorkingSpan[] {
    const spans: WorkingSpan[] = [];
    for (const span of this.spansOf(this.day)) {
      const start = Math.max(span.start, this.floor);
      this.floor = Math.max(span.end, start);
      if (this.floor > start) spans.push({ start, end: this.floor });
    }
    if (spans.length > 0) this.lastWorkingDay = this.day;
    this.day += 1;
    return spans;
  }

  /** When the seven dates from the current one hold no holiday and no clock change, moves past them and returns their working time. */
  skipOrdinaryWeek(): number | undefined {
    const { day, calendar } = this;
    if (calendar.weekMs === 0 || !this.steady(day, day + 6)) return undefined;
    for (let d = day; d < day + 7; d++) if (calendar.holidays.has(d)) return undefined;
    // Steady weeks convert wall times in order, so the floor needs no update.
    this.day += 7;
    this.lastWorkingDay = this.day - 1;
    return calendar.weekMs;
  }

  /** Throws when a whole search window has passed without any working time. */
  assertWorkAhead(): void {
    if (this.day - this.lastWorkingDay <= SEARCH_DAYS) return;
    const { year, month, day } = dateOfDayNumber(this.lastWorkingDay);
    const since = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    throw new Error(
      `business calendar in ${this.calendar.timeZone} has no working time in the ${SEARCH_DAYS} days after ${since}; ` +
      'check that its holidays do not cover every working day');
  }

  private spansOf(day: number): WorkingSpan[] {
    const { calendar } = this;
    const hours = calendar.hours[weekdayOfDayNumber(day)];
    if (hours.length === 0 || calendar.holidays.has(day)) return [];
    if (this.steady(day, day)) {
      // No clock change near this date: every wall time is one fixed offset from its instant.
      const midnight = day * DAY_MS - this.offsetNear(day - 1);
      return hours.map((h) => ({ start: midnight + h.startMinute * MINUTE_MS, end: midnight + h.endMinute * MINUTE_MS }));
    }
    const date = dateOfDayNumber(day);
    const instant = (minute: number): number =>
      fromLocal({ ...date, hour: Math.floor(minute / 60), minute: minute % 60 }, calendar.timeZone);
    return hours.map((h) => ({ start: instant(h.startMinute), end: instant(h.endMinute) }));
  }

  /**
   * True when the zone keeps one offset over the dates first..last: sampled at the instants
   * numbered like local midnight of `first - 1` and of `last + 2`. Whatever the offset (-12h to
   * +14h), every working span of those dates lies between the two samples, and so do the
   * instants fromLocal samples for their wall times. The later sample must not be `last + 1`:
   * west of Greenwich, date `last` runs up to 12 hours past that instant, and Santiago's
   * midnight change on 2026-04-05 (03:00 UTC) would be missed. (No zone changes its offset and
   * back within days.)
   */
  private steady(first: number, last: number): boolean {
    return this.offsetNear(first - 1) === this.offsetNear(last + 2);
  }

  /** The zone's offset at the instant numbered like local midnight of `day`, remembered per walk. */
  private offsetNear(day: number): number {
    let offset = this.offsets.get(day);
    if (offset === undefined) {
      offset = offsetAt(day * DAY_MS, this.calendar.timeZone);
      this.offsets.set(day, offset);
    }
    return offset;
  }
}
