/**
 * Business hours on the days around New York's 2026 clock changes (spring forward on Sunday
 * 2026-03-08, fall back on Sunday 2026-11-01): a 9-to-5 desk opens at 09:00 local time every
 * weekday, so its opening moves by an hour in UTC across each change weekend, and an SLA deadline
 * that waits over that weekend lands on Monday's local hours.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClockCalendar, WorkingInterval } from '../../../domain/sla/calendar.js';
import { addWorkingTime, isWorkingTime, nextWorkingInstant, workingTimeBetween } from '../../../domain/sla/calendar.js';
import { elapsedMs, startClock } from '../../../domain/sla/clock.js';

const HOUR = 3_600_000;
const NINE_TO_FIVE: WorkingInterval[] = [{ start: '09:00', end: '17:00' }];
const newYorkNineToFive: ClockCalendar = {
  kind: 'business-time',
  calendar: {
    timeZone: 'America/New_York',
    week: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE },
    holidays: [],
  },
};

/** 'YYYY-MM-DDTHH:MMZ' as epoch milliseconds. */
const utc = (text: string): number => Date.parse(text);
const iso = (instant: number): string => new Date(instant).toISOString().replace(':00.000Z', 'Z');

/** The working hours of one local date, as UTC instants: [opening, closing]. */
function hoursOn(date: string): [string, string] {
  const opening = nextWorkingInstant(newYorkNineToFive, utc(`${date}T00:00Z`));
  return [iso(opening), iso(addWorkingTime(newYorkNineToFive, opening, 8 * HOUR))];
}

describe('a 9-to-5 New York desk across the spring-forward weekend (2026-03-08)', () => {
  test('on Friday 2026-03-06 (EST, UTC-5) it opens at 14:00Z; on Monday 2026-03-09 (EDT, UTC-4) at 13:00Z', () => {
    assert.deepEqual(hoursOn('2026-03-06'), ['2026-03-06T14:00Z', '2026-03-06T22:00Z']);
    assert.deepEqual(hoursOn('2026-03-09'), ['2026-03-09T13:00Z', '2026-03-09T21:00Z']);
    assert.deepEqual(hoursOn('2026-03-10'), ['2026-03-10T13:00Z', '2026-03-10T21:00Z']);
  });

  test('Monday 08:59 EDT is closed and 09:00 EDT is open; 17:00 EDT is closed again', () => {
    assert.equal(isWorkingTime(newYorkNineToFive, utc('2026-03-09T12:59:59.999Z')), false);
    assert.equal(isWorkingTime(newYorkNineToFive, utc('2026-03-09T13:00Z')), true);
    assert.equal(isWorkingTime(newYorkNineToFive, utc('2026-03-09T20:59:59.999Z')), true);
    assert.equal(isWorkingTime(newYorkNineToFive, utc('2026-03-09T21:00Z')), false);
    assert.equal(workingTimeBetween(newYorkNineToFive, utc('2026-03-09T00:00Z'), utc('2026-03-10T00:00Z')), 8 * HOUR);
  });

  test('a 4-hour business target opened Friday 15:00 EST is due Monday 11:00 EDT (15:00Z): 2 hours each side of the weekend', () => {
    const opened = utc('2026-03-06T20:00Z');
    const due = addWorkingTime(newYorkNineToFive, opened, 4 * HOUR);
    assert.equal(iso(due), '2026-03-09T15:00Z');
    assert.equal(workingTimeBetween(newYorkNineToFive, opened, due), 4 * HOUR);
  });

  test('a ticket opened just after the skipped hour on Sunday starts counting at Monday 09:00 EDT', () => {
    const opened = utc('2026-03-08T07:30Z'); // 03:30 EDT, just after the jump from 02:00
    assert.equal(iso(addWorkingTime(newYorkNineToFive, opened, HOUR)), '2026-03-09T14:00Z');
  });

  test('an SLA clock started Friday counts 8 working hours by Monday 13:00 EDT and is due then', () => {
    const clock = startClock({ id: 'firstResponse', metric: 'firstResponse', targetMs: 8 * HOUR, calendar: 'desk', rule: 'test' }, newYorkNineToFive, utc('2026-03-06T18:00Z'));
    assert.equal(iso(clock.dueAt!), '2026-03-09T17:00Z');
    assert.equal(elapsedMs(clock, newYorkNineToFive, utc('2026-03-09T13:00Z')), 4 * HOUR);
  });
});

describe('a 9-to-5 New York desk across the fall-back weekend (2026-11-01)', () => {
  test('on Friday 2026-10-30 (EDT, UTC-4) it opens at 13:00Z; on Monday 2026-11-02 (EST, UTC-5) at 14:00Z', () => {
    assert.deepEqual(hoursOn('2026-10-30'), ['2026-10-30T13:00Z', '2026-10-30T21:00Z']);
    assert.deepEqual(hoursOn('2026-11-02'), ['2026-11-02T14:00Z', '2026-11-02T22:00Z']);
    assert.deepEqual(hoursOn('2026-11-03'), ['2026-11-03T14:00Z', '2026-11-03T22:00Z']);
  });

  test('Monday 08:59 EST is closed and 09:00 EST is open; 17:00 EST is closed again', () => {
    assert.equal(isWorkingTime(newYorkNineToFive, utc('2026-11-02T13:59:59.999Z')), false);
    assert.equal(isWorkingTime(newYorkNineToFive, utc('2026-11-02T14:00Z')), true);
    assert.equal(isWorkingTime(newYorkNineToFive, utc('2026-11-02T21:59:59.999Z')), true);
    assert.equal(isWorkingTime(newYorkNineToFive, utc('2026-11-02T22:00Z')), false);
    assert.equal(workingTimeBetween(newYorkNineToFive, utc('2026-11-02T00:00Z'), utc('2026-11-03T00:00Z')), 8 * HOUR);
  });

  test('a 4-hour business target opened Friday 15:00 EDT is due Monday 11:00 EST (16:00Z): 2 hours each side of the weekend', () => {
    const opened = utc('2026-10-30T19:00Z');
    const due = addWorkingTime(newYorkNineToFive, opened, 4 * HOUR);
    assert.equal(iso(due), '2026-11-02T16:00Z');
    assert.equal(workingTimeBetween(newYorkNineToFive, opened, due), 4 * HOUR);
  });

  test('a ticket opened in the repeated hour on Sunday starts counting at Monday 09:00 EST', () => {
    const opened = utc('2026-11-01T06:30Z'); // the second 01:30, in EST
    assert.equal(iso(addWorkingTime(newYorkNineToFive, opened, HOUR)), '2026-11-02T15:00Z');
  });

  test('a 24-hour target opened Thursday 09:00 EDT is due Monday 17:00 EST (22:00Z), after a 25-hour Sunday', () => {
    assert.equal(iso(addWorkingTime(newYorkNineToFive, utc('2026-10-29T13:00Z'), 24 * HOUR)), '2026-11-02T22:00Z');
  });
});

describe('whole weeks counted in one step still see the clock change', () => {
  test('three working weeks from Monday 2026-02-23 end on Friday 2026-03-13 at 17:00 EDT (21:00Z)', () => {
    assert.equal(iso(addWorkingTime(newYorkNineToFive, utc('2026-02-23T14:00Z'), 120 * HOUR)), '2026-03-13T21:00Z');
  });

  test('three working weeks from Monday 2026-10-19 end on Friday 2026-11-06 at 17:00 EST (22:00Z)', () => {
    assert.equal(iso(addWorkingTime(newYorkNineToFive, utc('2026-10-19T13:00Z'), 120 * HOUR)), '2026-11-06T22:00Z');
  });

  test('the weeks on either side of each change hold 40 working hours apiece', () => {
    assert.equal(workingTimeBetween(newYorkNineToFive, utc('2026-02-28T00:00Z'), utc('2026-03-21T00:00Z')), 120 * HOUR);
    assert.equal(workingTimeBetween(newYorkNineToFive, utc('2026-10-24T00:00Z'), utc('2026-11-14T00:00Z')), 120 * HOUR);
  });
});
