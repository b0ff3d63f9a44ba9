import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { BusinessCalendar, ClockCalendar, WorkingInterval } from '../../../domain/sla/calendar.js';
import {
  addWorkingTime, calendarProblems, isWorkingTime, nextWorkingInstant, workingTimeBetween,
} from '../../../domain/sla/calendar.js';
import type { LocalDateTime, Weekday } from '../../../domain/sla/zoned-time.js';
import { WEEKDAYS, fromLocal, toLocal } from '../../../domain/sla/zoned-time.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NEW_YORK = 'America/New_York';

/** The instant a wall clock in `timeZone` shows 'YYYY-MM-DD HH:MM'. */
function at(text: string, timeZone = NEW_YORK): number {
  const [year, month, day, hour, minute] = text.split(/[- :]/).map(Number) as [number, number, number, number, number];
  return fromLocal({ year, month, day, hour, minute }, timeZone);
}

/** 'YYYY-MM-DD HH:MM' (with ':SS.mmm' when not on the minute) as the wall clock in `timeZone` shows it. */
function wall(instant: number, timeZone = NEW_YORK): string {
  return wallText(toLocal(instant, timeZone));
}

function wallText(l: LocalDateTime): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const seconds = l.second || l.millisecond ? `:${two(l.second)}.${String(l.millisecond).padStart(3, '0')}` : '';
  return `${l.year}-${two(l.month)}-${two(l.day)} ${two(l.hour)}:${two(l.minute)}${seconds}`;
}

function businessTime(timeZone: string, week: BusinessCalendar['week'], holidays: string[] = []): ClockCalendar {
  return { kind: 'business-time', calendar: { timeZone, week, holidays } };
}

function weekdays(...intervals: WorkingInterval[]): BusinessCalendar['week'] {
  return { mon: intervals, tue: intervals, wed: intervals, thu: intervals, fri: intervals };
}

const wallClock: ClockCalendar = { kind: 'calendar-time' };
/** SIGN X Studio help desk: "8 AM - 6 PM EST, Monday-Friday", closed on Thanksgiving and Christmas. */
const signX = businessTime(NEW_YORK, weekdays({ start: '08:00', end: '18:00' }), ['2026-11-26', '2026-12-25']);
/** Caro's support engineer on Discord #help: "8 AM - 5 PM EST, Mon-Fri (9 hours)". */
const caro = businessTime(NEW_YORK, weekdays({ start: '08:00', end: '17:00' }));
/** A desk that closes for lunch between 12:00 and 13:00. */
const lunchBreak = businessTime(NEW_YORK, weekdays({ start: '08:00', end: '12:00' }, { start: '13:00', end: '18:00' }));
/** Every hour of every day, as business hours: must agree with the wall clock, even across DST. */
const allDay = businessTime(NEW_YORK, Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '00:00', end: '24:00' }]])));

describe('SIGN X Studio business hours (8 AM-6 PM New York, Mon-Fri)', () => {
  test('a P1 ticket opened Friday 17:00 with a 4h target is due Monday 11:00', () => {
    const due = addWorkingTime(signX, at('2026-05-15 17:00'), 4 * HOUR);
    assert.equal(wall(due), '2026-05-18 11:00');
    assert.equal(workingTimeBetween(signX, at('2026-05-15 17:00'), due), 4 * HOUR);
  });

  test('a ticket opened on Saturday is due relative to Monday 08:00', () => {
    const saturday = at('2026-05-16 10:30');
    assert.equal(wall(nextWorkingInstant(signX, saturday)), '2026-05-18 08:00');
    assert.equal(wall(addWorkingTime(signX, saturday, 4 * HOUR)), '2026-05-18 12:00');
    assert.equal(workingTimeBetween(signX, saturday, at('2026-05-18 08:00')), 0);
  });

  test('a ticket opened before hours on a weekday starts counting at 08:00', () => {
    assert.equal(wall(addWorkingTime(signX, at('2026-05-19 06:15'), 30 * MINUTE)), '2026-05-19 08:30');
  });

  test('Thanksgiving 2026-11-26 is skipped: Wednesday 16:00 + 4h is Friday 10:00', () => {
    const due = addWorkingTime(signX, at('2026-11-25 16:00'), 4 * HOUR);
    assert.equal(wall(due), '2026-11-27 10:00');
    assert.equal(workingTimeBetween(signX, at('2026-11-26 00:00'), at('2026-11-27 00:00')), 0);
    assert.equal(isWorkingTime(signX, at('2026-11-26 12:00')), false);
  });

  test('a P2 24h business target opened Monday 09:00 is due Wednesday 13:00', () => {
    assert.equal(wall(addWorkingTime(signX, at('2026-06-01 09:00'), 24 * HOUR)), '2026-06-03 13:00');
  });

  test('a P3 one-week (168h) business target spans three full weeks and 18 hours', () => {
    assert.equal(wall(addWorkingTime(signX, at('2026-06-01 08:00'), 168 * HOUR)), '2026-06-23 16:00');
  });

  test('a target that ends exactly at closing is due at 18:00, not at the next opening', () => {
    assert.equal(wall(addWorkingTime(signX, at('2026-06-01 08:00'), 10 * HOUR)), '2026-06-01 18:00');
  });

  test('a 50h target (one business week) opened after Friday close is due at the next Friday close', () => {
    assert.equal(wall(addWorkingTime(signX, at('2026-06-05 18:00'), 50 * HOUR)), '2026-06-12 18:00');
    assert.equal(wall(addWorkingTime(signX, at('2026-06-05 18:00'), 100 * HOUR)), '2026-06-19 18:00');
  });

  test('opening hours are half-open: 08:00 is working time, 18:00 is not', () => {
    assert.equal(isWorkingTime(signX, at('2026-06-01 08:00') - 1), false);
    assert.equal(isWorkingTime(signX, at('2026-06-01 08:00')), true);
    assert.equal(isWorkingTime(signX, at('2026-06-01 18:00') - 1), true);
    assert.equal(isWorkingTime(signX, at('2026-06-01 18:00')), false);
    assert.equal(isWorkingTime(signX, at('2026-06-06 12:00')), false);
  });

  test('working time is exact to the millisecond', () => {
    const from = at('2026-06-01 17:59') + 59_999;
    assert.equal(workingTimeBetween(signX, from, at('2026-06-02 08:00') + 1), 2);
    assert.equal(wall(addWorkingTime(signX, from, 2)), '2026-06-02 08:00:00.001');
  });

  test('nextWorkingInstant is the instant itself inside business hours', () => {
    const tuesday = at('2026-06-02 09:17') + 123;
    assert.equal(nextWorkingInstant(signX, tuesday), tuesday);
    assert.equal(wall(nextWorkingInstant(signX, at('2026-06-02 18:00'))), '2026-06-03 08:00');
  });
});

describe("Caro's Discord support hours (8 AM-5 PM New York, Mon-Fri)", () => {
  test('an off-hours question on Friday 20:00 with a 2h target is due Monday 10:00', () => {
    assert.equal(wall(addWorkingTime(caro, at('2026-05-15 20:00'), 2 * HOUR)), '2026-05-18 10:00');
  });

  test('a week of Caro hours is 45 working hours', () => {
    assert.equal(workingTimeBetween(caro, at('2026-05-18 00:00'), at('2026-05-25 00:00')), 45 * HOUR);
  });

  test('a one-week target and a whole year are counted with a few zone look-ups per week, not per day or minute', () => {
    const formatToParts = Intl.DateTimeFormat.prototype.formatToParts;
    let lookups = 0;
    Intl.DateTimeFormat.prototype.formatToParts = function (this: Intl.DateTimeFormat, date) {
      lookups += 1;
      return formatToParts.call(this, date);
    };
    const [friday, newYear, nextNewYear] = [at('2026-05-15 20:00'), at('2026-01-01 00:00'), at('2027-01-01 00:00')];
    const counted = (work: () => number): [number, number] => {
      lookups = 0;
      const result = work();
      return [result, lookups];
    };
    try {
      const [due, forTarget] = counted(() => addWorkingTime(caro, friday, 7 * 24 * HOUR));
      const [year, forYear] = counted(() => workingTimeBetween(caro, newYear, nextNewYear));
      assert.equal(wall(due), '2026-06-11 14:00');
      assert.ok(forTarget <= 30, `a one-week target took ${forTarget} zone look-ups`);
      assert.equal(year, 261 * 9 * HOUR);
      assert.ok(forYear <= 3 * 53, `a year took ${forYear} zone look-ups`);
    } finally {
      Intl.DateTimeFormat.prototype.formatToParts = formatToParts;
    }
  });
});

describe('lunch breaks', () => {
  test('a ticket opened at 11:00 with a 2h target waits out lunch and is due 14:00', () => {
    assert.equal(wall(addWorkingTime(lunchBreak, at('2026-06-02 11:00'), 2 * HOUR)), '2026-06-02 14:00');
  });

  test('one hour used up by noon is due at 12:00, before lunch, not after it', () => {
    assert.equal(wall(addWorkingTime(lunchBreak, at('2026-06-02 11:00'), HOUR)), '2026-06-02 12:00');
  });

  test('lunch is not working time, and a day holds 9 working hours', () => {
    assert.equal(isWorkingTime(lunchBreak, at('2026-06-02 12:30')), false);
    assert.equal(wall(nextWorkingInstant(lunchBreak, at('2026-06-02 12:30'))), '2026-06-02 13:00');
    assert.equal(workingTimeBetween(lunchBreak, at('2026-06-02 00:00'), at('2026-06-03 00:00')), 9 * HOUR);
  });
});

describe('US daylight saving changes of 2026 (March 8 and November 1)', () => {
  test('Friday 17:00 EST + 4h across spring forward is Monday 11:00 EDT (15:00 UTC)', () => {
    const due = addWorkingTime(signX, at('2026-03-06 17:00'), 4 * HOUR);
    assert.equal(due, Date.UTC(2026, 2, 9, 15, 0));
    assert.equal(workingTimeBetween(signX, at('2026-03-06 08:00'), at('2026-03-09 18:00')), 20 * HOUR);
  });

  test('Friday 17:00 EDT + 4h across fall back is Monday 11:00 EST (16:00 UTC)', () => {
    assert.equal(addWorkingTime(signX, at('2026-10-30 17:00'), 4 * HOUR), Date.UTC(2026, 10, 2, 16, 0));
  });

  test('8-18 holds 10 working hours on the days around each change, in EST and in EDT', () => {
    for (const day of ['2026-03-06', '2026-03-09', '2026-10-30', '2026-11-02']) {
      assert.equal(workingTimeBetween(signX, at(`${day} 00:00`), at(`${day} 23:59`)), 10 * HOUR, day);
    }
  });

  test('a weekday week across a change still holds 50 hours: the jumps happen on Sunday night', () => {
    assert.equal(workingTimeBetween(signX, at('2026-03-02 00:00'), at('2026-03-14 00:00')), 100 * HOUR);
    assert.equal(workingTimeBetween(signX, at('2026-10-26 00:00'), at('2026-11-07 00:00')), 100 * HOUR);
  });

  test('a round-the-clock calendar holds 23 hours on March 8 and 25 on November 1', () => {
    assert.equal(workingTimeBetween(allDay, at('2026-03-08 00:00'), at('2026-03-09 00:00')), 23 * HOUR);
    assert.equal(workingTimeBetween(allDay, at('2026-11-01 00:00'), at('2026-11-02 00:00')), 25 * HOUR);
    assert.equal(wall(addWorkingTime(allDay, at('2026-03-07 12:00'), 24 * HOUR)), '2026-03-08 13:00');
  });

  test('a night shift 00:00-06:00 holds 5 hours on March 8 and 7 on November 1', () => {
    const nights = businessTime(NEW_YORK, { sun: [{ start: '00:00', end: '06:00' }] });
    assert.equal(workingTimeBetween(nights, at('2026-03-08 00:00'), at('2026-03-09 00:00')), 5 * HOUR);
    assert.equal(workingTimeBetween(nights, at('2026-11-01 00:00'), at('2026-11-02 00:00')), 7 * HOUR);
    // The repeated 01:00-02:00 counts twice: 3h after midnight is the second 02:00, i.e. 02:00 EST.
    assert.equal(addWorkingTime(nights, at('2026-11-01 00:00'), 3 * HOUR), Date.UTC(2026, 10, 1, 7, 0));
  });

  test('a shift that starts in the skipped hour starts as fromLocal reads it: 02:30 is 03:30 EDT', () => {
    const shift = businessTime(NEW_YORK, { sun: [{ start: '02:30', end: '04:00' }] });
    assert.equal(wall(nextWorkingInstant(shift, at('2026-03-08 00:00'))), '2026-03-08 03:30');
    assert.equal(workingTimeBetween(shift, at('2026-03-08 00:00'), at('2026-03-09 00:00')), 30 * MINUTE);
  });

  test('a shift ending in the skipped hour never runs the next one backwards', () => {
    // 01:00-02:30 runs to 03:30 EDT; 03:00-04:00 then starts at 03:30, so the day holds 2 hours.
    const shifts = businessTime(NEW_YORK, { sun: [{ start: '01:00', end: '02:30' }, { start: '03:00', end: '04:00' }] });
    const sunday = at('2026-03-08 00:00');
    assert.equal(workingTimeBetween(shifts, sunday, sunday + DAY), 2 * HOUR);
    assert.equal(wall(addWorkingTime(shifts, sunday, 2 * HOUR)), '2026-03-08 04:00');
  });

  test('a boundary in the repeated hour is its first occurrence: 00:00-01:30 ends at 01:30 EDT', () => {
    const early = businessTime(NEW_YORK, { sun: [{ start: '00:00', end: '01:30' }] });
    assert.equal(workingTimeBetween(early, at('2026-11-01 00:00'), at('2026-11-02 00:00')), 90 * MINUTE);
    assert.equal(isWorkingTime(early, Date.UTC(2026, 10, 1, 6, 15)), false, '01:15 EST, the second 01:15');
  });
});

describe('other time zones', () => {
  test('Berlin 9-17: Friday 16:00 CET + 2h over the EU change is Monday 10:00 CEST', () => {
    const berlin = businessTime('Europe/Berlin', weekdays({ start: '09:00', end: '17:00' }));
    const due = addWorkingTime(berlin, at('2026-03-27 16:00', 'Europe/Berlin'), 2 * HOUR);
    assert.equal(due, Date.UTC(2026, 2, 30, 8, 0));
  });

  test('Kolkata (UTC+05:30) 09:30-18:30: Friday 18:00 + 1h is Monday 10:00 IST, 04:30 UTC', () => {
    const kolkata = businessTime('Asia/Kolkata', weekdays({ start: '09:30', end: '18:30' }));
    const due = addWorkingTime(kolkata, at('2026-06-05 18:00', 'Asia/Kolkata'), HOUR);
    assert.equal(due, Date.UTC(2026, 5, 8, 4, 30));
    assert.equal(isWorkingTime(kolkata, Date.UTC(2026, 5, 8, 4, 0)), true, '09:30 IST');
    assert.equal(isWorkingTime(kolkata, Date.UTC(2026, 5, 8, 3, 59)), false, '09:29 IST');
  });

  test("St. John's set its clocks back from 00:01 to 23:01 the day before (2010): the second Saturday 23:30 is already Sunday's hours", () => {
    const sundays = businessTime('America/St_Johns', { sun: [{ start: '00:00', end: '08:00' }] });
    const firstSundayMidnight = Date.UTC(2010, 10, 7, 2, 30); // 00:00 NDT (-02:30)
    const secondSaturday2330 = Date.UTC(2010, 10, 7, 3, 0); // 23:30 NST (-03:30), after the jump back
    assert.equal(wall(secondSaturday2330, 'America/St_Johns'), '2010-11-06 23:30');
    assert.equal(nextWorkingInstant(sundays, at('2010-11-06 12:00', 'America/St_Johns')), firstSundayMidnight);
    assert.equal(isWorkingTime(sundays, secondSaturday2330), true);
    assert.equal(workingTimeBetween(sundays, at('2010-11-06 12:00', 'America/St_Johns'), secondSaturday2330), 30 * MINUTE);
    assert.equal(workingTimeBetween(sundays, firstSundayMidnight, firstSundayMidnight + DAY), 9 * HOUR);
  });

  test('Santiago changes its clocks at midnight; a round-the-clock Saturday holds 25 hours on April 4', () => {
    const saturdays = businessTime('America/Santiago', { sat: [{ start: '00:00', end: '24:00' }] });
    const from = at('2026-04-04 00:00', 'America/Santiago');
    assert.equal(workingTimeBetween(saturdays, from, from + 2 * DAY), 25 * HOUR);
  });
});

describe('calendar-time clocks (24/7)', () => {
  test('calendar time is plain addition and subtraction', () => {
    const from = at('2026-03-07 23:00');
    assert.equal(addWorkingTime(wallClock, from, 5 * HOUR), from + 5 * HOUR);
    assert.equal(workingTimeBetween(wallClock, from, from + 5 * HOUR), 5 * HOUR);
    assert.equal(workingTimeBetween(wallClock, from, from - 1), 0);
    assert.equal(nextWorkingInstant(wallClock, from), from);
    assert.equal(isWorkingTime(wallClock, from), true);
  });

  test('a negative or non-finite amount is refused', () => {
    assert.throws(() => addWorkingTime(signX, 0, -1), /amount -1 ms is not a duration/);
    assert.throws(() => addWorkingTime(wallClock, 0, Number.NaN), /not a duration/);
  });
});

describe('calendars without working time', () => {
  const mondays: string[] = [];
  for (let monday = at('2026-01-05 12:00'); monday < at('2027-06-30 12:00'); monday += 7 * DAY) {
    mondays.push(wall(monday).slice(0, 10));
  }

  test('when every working day for over a year is a holiday, addWorkingTime says so instead of looping', () => {
    const alwaysOff = businessTime(NEW_YORK, { mon: [{ start: '08:00', end: '09:00' }] }, mondays);
    assert.throws(() => addWorkingTime(alwaysOff, at('2026-01-01 00:00'), HOUR), /no working time in the 366 days after 2026-01-01/);
    assert.throws(() => nextWorkingInstant(alwaysOff, at('2026-01-01 00:00')), /no working time in the 366 days/);
    assert.equal(workingTimeBetween(alwaysOff, at('2026-01-01 00:00'), at('2027-06-01 00:00')), 0);
  });

  test('working time 300 days away is still found', () => {
    const rare = businessTime(NEW_YORK, { mon: [{ start: '08:00', end: '09:00' }] }, mondays.slice(0, 43));
    assert.equal(wall(addWorkingTime(rare, at('2026-01-01 00:00'), HOUR)), '2026-11-02 09:00');
  });

  test('an invalid calendar is refused with its problems', () => {
    const broken = businessTime('Mars/Olympus_Mons', weekdays({ start: '08:00', end: '18:00' }));
    assert.throws(() => isWorkingTime(broken, 0), /invalid business calendar: timeZone: unknown time zone "Mars\/Olympus_Mons"/);
  });
});

describe('calendarProblems', () => {
  const valid: BusinessCalendar = { timeZone: NEW_YORK, week: weekdays({ start: '08:00', end: '18:00' }), holidays: ['2026-11-26'] };
  const problemsWith = (change: Partial<BusinessCalendar>): string[] => calendarProblems({ ...valid, ...change });

  test('the SIGN X calendar is valid', () => {
    assert.deepEqual(calendarProblems(valid), []);
  });

  test('an interval that ends before it starts names its path', () => {
    assert.deepEqual(problemsWith({ week: { mon: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '12:00' }] } }),
      ['week.mon[1]: interval 13:00-12:00 ends before it starts']);
  });

  test('empty and overlapping intervals', () => {
    assert.deepEqual(problemsWith({ week: { tue: [{ start: '09:00', end: '17:00' }, { start: '12:00', end: '12:00' }] } }),
      ['week.tue[1]: interval 12:00-12:00 is empty; end must be after start']);
    assert.deepEqual(problemsWith({ week: { wed: [{ start: '12:00', end: '13:00' }, { start: '08:00', end: '18:00' }, { start: '14:00', end: '15:00' }] } }), [
      'week.wed[1]: interval 08:00-18:00 overlaps week.wed[0] 12:00-13:00',
      'week.wed[2]: interval 14:00-15:00 overlaps week.wed[1] 08:00-18:00',
    ]);
  });

  test('intervals that touch (a shift change at 12:00) are fine', () => {
    assert.deepEqual(problemsWith({ week: { thu: [{ start: '08:00', end: '12:00' }, { start: '12:00', end: '24:00' }] } }), []);
  });

  test('times must be HH:MM; 24:00 may only end an interval', () => {
    assert.deepEqual(problemsWith({ week: { fri: [{ start: '8:00', end: '18:60' }, { start: '24:00', end: '24:00' }] } }), [
      'week.fri[0].start: "8:00" is not a time; write HH:MM from 00:00 to 23:59',
      'week.fri[0].end: "18:60" is not a time; write HH:MM from 00:01 to 24:00',
      'week.fri[1].start: "24:00" is not a time; write HH:MM from 00:00 to 23:59',
    ]);
  });

  test('unknown weekdays, a week without hours, bad holidays and an unknown zone', () => {
    assert.deepEqual(problemsWith({ week: { funday: [{ start: '08:00', end: '18:00' }] } as BusinessCalendar['week'] }), [
      'week.funday: unknown weekday; use mon, tue, wed, thu, fri, sat or sun',
      'week: no working hours on any day, so a business-time clock would never run',
    ]);
    assert.deepEqual(problemsWith({ holidays: ['2026-02-30', '26-11-26', '2028-02-29'] }), [
      'holidays[0]: "2026-02-30" is not a date; write YYYY-MM-DD, e.g. "2026-11-26"',
      'holidays[1]: "26-11-26" is not a date; write YYYY-MM-DD, e.g. "2026-11-26"',
    ]);
    assert.deepEqual(problemsWith({ timeZone: 'EST5EDT_' }),
      ['timeZone: unknown time zone "EST5EDT_"; use an IANA name such as "America/New_York"']);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties, over real calendars and random ones, in zones with and without daylight saving,
// with instants clustered around the 2026 clock changes.

const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago', 'America/St_Johns'];
const CLOCK_CHANGES = ['2026-03-08T07:00Z', '2026-11-01T06:00Z', '2026-03-29T01:00Z', '2026-10-25T01:00Z',
  '2026-04-04T15:00Z', '2026-10-03T15:30Z', '2026-04-05T03:00Z', '2026-09-06T04:00Z'].map((iso) => Date.parse(iso));
const RUNS = { numRuns: 200 };

const anInstant = fc.oneof(
  fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }),
  fc.constantFrom(...CLOCK_CHANGES).chain((change) => fc.integer({ min: change - 4 * DAY, max: change + 4 * DAY })),
);

/** Sorted, distinct quarter hours of a day, paired into working intervals ('24:00' = 96). */
function intervalsFrom(quarters: number[]): WorkingInterval[] {
  const hhmm = (q: number): string => `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`;
  const sorted = [...new Set(quarters)].sort((a, b) => a - b);
  const intervals: WorkingInterval[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) intervals.push({ start: hhmm(sorted[i] as number), end: hhmm(sorted[i + 1] as number) });
  return intervals;
}

/** A random calendar whose interval boundaries are quarter hours between `firstQuarter` and `lastQuarter`. */
function aCalendar(firstQuarter: number, lastQuarter: number): fc.Arbitrary<ClockCalendar> {
  const day = fc.array(fc.integer({ min: firstQuarter, max: lastQuarter }), { maxLength: 6 }).map(intervalsFrom);
  const holiday = fc.integer({ min: 0, max: 400 }).map((n) => new Date(Date.UTC(2026, 0, 1) + n * DAY).toISOString().slice(0, 10));
  return fc.record({
    timeZone: fc.constantFrom(...ZONES),
    week: fc.tuple(...WEEKDAYS.map(() => day)).map((days) => Object.fromEntries(days.map((d, i) => [WEEKDAYS[i] as Weekday, d]))),
    holidays: fc.array(holiday, { maxLength: 20 }),
  }).filter((calendar) => calendarProblems(calendar).length === 0)
    .map((calendar): ClockCalendar => ({ kind: 'business-time', calendar }));
}

const aClock = fc.oneof(
  fc.constantFrom(signX, caro, lunchBreak, allDay, wallClock),
  aCalendar(0, 96), // boundaries anywhere, also inside the hours the clocks skip or repeat
);
const aDuration = fc.oneof(fc.integer({ min: 0, max: DAY }), fc.integer({ min: 0, max: 400 * HOUR }));
const aSpan = fc.integer({ min: 0, max: 40 * DAY });

describe('working time properties', () => {
  test('addWorkingTime and workingTimeBetween are inverse', () => {
    fc.assert(fc.property(aClock, anInstant, aDuration, (clock, from, amount) => {
      assert.equal(workingTimeBetween(clock, from, addWorkingTime(clock, from, amount)), amount);
    }), RUNS);
  });

  test('the due instant is the earliest: it ends a millisecond of working time', () => {
    fc.assert(fc.property(aClock, anInstant, aDuration.filter((d) => d > 0), (clock, from, amount) => {
      const due = addWorkingTime(clock, from, amount);
      assert.equal(isWorkingTime(clock, due - 1), true);
      assert.equal(workingTimeBetween(clock, from, due - 1), amount - 1);
    }), RUNS);
  });

  test('workingTimeBetween is additive, monotone and never more than the time that passed', () => {
    fc.assert(fc.property(aClock, anInstant, aSpan, aSpan, (clock, a, ab, bc) => {
      const [b, c] = [a + ab, a + ab + bc];
      const [wab, wbc, wac] = [workingTimeBetween(clock, a, b), workingTimeBetween(clock, b, c), workingTimeBetween(clock, a, c)];
      assert.equal(wac, wab + wbc);
      assert.ok(wab >= 0 && wab <= b - a && wbc >= 0 && wbc <= c - b);
      assert.equal(workingTimeBetween(clock, c, a), c > a ? 0 : wac);
    }), RUNS);
  });

  test('a larger amount is never due earlier', () => {
    fc.assert(fc.property(aClock, anInstant, aDuration, aDuration, (clock, from, x, y) => {
      const [small, large] = x <= y ? [x, y] : [y, x];
      assert.ok(addWorkingTime(clock, from, small) <= addWorkingTime(clock, from, large));
    }), RUNS);
  });

  test('nextWorkingInstant is working time with none skipped before it', () => {
    fc.assert(fc.property(aClock, anInstant, (clock, instant) => {
      const next = nextWorkingInstant(clock, instant);
      assert.ok(next >= instant);
      assert.equal(isWorkingTime(clock, next), true);
      assert.equal(workingTimeBetween(clock, instant, next), 0);
      assert.equal(isWorkingTime(clock, instant), next === instant);
    }), RUNS);
  });

  test('a round-the-clock calendar in any zone counts exactly like calendar time', () => {
    fc.assert(fc.property(fc.constantFrom(...ZONES), anInstant, aSpan, aDuration, (timeZone, from, span, amount) => {
      const open = businessTime(timeZone, Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '00:00', end: '24:00' }]])));
      assert.equal(workingTimeBetween(open, from, from + span), span);
      assert.equal(addWorkingTime(open, from, amount), from + amount);
    }), RUNS);
  });

  test('agrees with counting quarter hours one by one by their wall-clock time', () => {
    // Boundaries between 05:00 and 23:00 never fall in an hour these zones skip or repeat, so the
    // plain reading "an instant works when its local time is in an interval" is exact.
    const QUARTER = 15 * MINUTE;
    fc.assert(fc.property(aCalendar(20, 92), anInstant, fc.integer({ min: 0, max: 10 * 96 }), (clock, instant, quarters) => {
      const from = instant - (instant % QUARTER);
      const to = from + quarters * QUARTER;
      if (clock.kind !== 'business-time') return;
      const { timeZone, week, holidays } = clock.calendar;
      let expected = 0;
      for (let t = from; t < to; t += QUARTER) {
        const local = toLocal(t, timeZone);
        const [date, minute] = wallText(local).split(' ') as [string, string];
        const working = !holidays.includes(date) && (week[local.weekday] ?? []).some((i) => i.start <= minute && minute < i.end);
        if (working) expected += QUARTER;
      }
      assert.equal(workingTimeBetween(clock, from, to), expected);
    }), RUNS);
  });
});
