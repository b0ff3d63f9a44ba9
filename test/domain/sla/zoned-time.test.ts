import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DAY_MS, dateOfDayNumber, dayNumberOf, fromLocal, isValidTimeZone, offsetAt, toLocal, weekdayOfDayNumber,
} from '../../../domain/sla/zoned-time.js';

const HOUR = 3_600_000;
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago', 'America/St_Johns', 'UTC'];

describe('reading the wall clock of a support desk', () => {
  test('a ticket at 2026-03-06T22:00Z reads Friday 17:00 in New York (EST, -5h)', () => {
    assert.deepEqual(toLocal(Date.UTC(2026, 2, 6, 22, 0, 0, 250), 'America/New_York'),
      { year: 2026, month: 3, day: 6, hour: 17, minute: 0, second: 0, millisecond: 250, weekday: 'fri' });
  });

  test('Kolkata is 5h30 ahead of UTC, so 18:29 UTC on Sunday is 23:59 Sunday there', () => {
    const local = toLocal(Date.UTC(2026, 5, 7, 18, 29), 'Asia/Kolkata');
    assert.deepEqual([local.weekday, local.hour, local.minute], ['sun', 23, 59]);
    assert.equal(offsetAt(Date.UTC(2026, 5, 7), 'Asia/Kolkata'), 5.5 * HOUR);
  });

  test('instants before 1970 keep their millisecond', () => {
    assert.equal(toLocal(-1, 'UTC').millisecond, 999);
    assert.equal(toLocal(-1, 'UTC').year, 1969);
  });

  test('a non-finite instant is refused', () => {
    assert.throws(() => toLocal(Number.NaN, 'UTC'), /instant NaN is not a finite number/);
  });
});

describe('from wall time to instant', () => {
  test('an ordinary wall time has one instant', () => {
    assert.equal(fromLocal({ year: 2026, month: 5, day: 18, hour: 11, minute: 0 }, 'America/New_York'), Date.UTC(2026, 4, 18, 15, 0));
  });

  test('in the spring-forward gap (New York 2026-03-08 02:30) the time moves on by the gap, to 03:30 EDT', () => {
    const instant = fromLocal({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York');
    assert.equal(instant, Date.UTC(2026, 2, 8, 7, 30));
    assert.equal(toLocal(instant, 'America/New_York').hour, 3);
  });

  test('in the fall-back overlap (New York 2026-11-01 01:30) the earlier instant, 01:30 EDT, is taken', () => {
    assert.equal(fromLocal({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York'), Date.UTC(2026, 10, 1, 5, 30));
  });

  test("Lord Howe's half-hour change: 02:15 on 2026-10-04 does not exist and becomes 02:45", () => {
    const instant = fromLocal({ year: 2026, month: 10, day: 4, hour: 2, minute: 15 }, 'Australia/Lord_Howe');
    assert.deepEqual([toLocal(instant, 'Australia/Lord_Howe').hour, toLocal(instant, 'Australia/Lord_Howe').minute], [2, 45]);
  });

  test("hour 24 is the next day's midnight, as in a working interval ending at '24:00'", () => {
    assert.equal(
      fromLocal({ year: 2026, month: 12, day: 31, hour: 24, minute: 0 }, 'Europe/Berlin'),
      fromLocal({ year: 2027, month: 1, day: 1, hour: 0, minute: 0 }, 'Europe/Berlin'));
  });

  test('a wall time with a missing field is refused', () => {
    assert.throws(() => fromLocal({ year: 2026, month: 1, day: Number.NaN, hour: 0, minute: 0 }, 'UTC'), /is not a wall time/);
  });
});

describe('time zones and day numbers', () => {
  test('IANA names are valid; made-up names, offsets and empty strings are not', () => {
    assert.equal(isValidTimeZone('America/New_York'), true);
    assert.equal(isValidTimeZone('UTC'), true);
    assert.equal(isValidTimeZone('Mars/Olympus_Mons'), false);
    assert.equal(isValidTimeZone(''), false);
  });

  test('day 0 is Thursday 1970-01-01, and two-digit years are not taken for the 1900s', () => {
    assert.equal(weekdayOfDayNumber(0), 'thu');
    assert.equal(weekdayOfDayNumber(-1), 'wed');
    assert.deepEqual(dateOfDayNumber(dayNumberOf({ year: 2028, month: 2, day: 29 })), { year: 2028, month: 2, day: 29 });
    assert.equal(dateOfDayNumber(dayNumberOf({ year: 50, month: 6, day: 1 })).year, 50);
  });
});

describe('properties', () => {
  const anInstant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });

  test('reading an instant back gives that instant, or the earlier one of a repeated wall time', () => {
    fc.assert(fc.property(fc.constantFrom(...ZONES), anInstant, (timeZone, instant) => {
      const local = toLocal(instant, timeZone);
      const back = fromLocal(local, timeZone);
      assert.deepEqual(toLocal(back, timeZone), local);
      assert.ok(back === instant || (back < instant && instant - back <= DAY_MS));
    }), { numRuns: 300 });
  });

  test('the weekday agrees with the UTC calendar shifted by the offset', () => {
    fc.assert(fc.property(fc.constantFrom(...ZONES), anInstant, (timeZone, instant) => {
      const shifted = new Date(instant + offsetAt(instant, timeZone));
      assert.equal(toLocal(instant, timeZone).weekday, ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][shifted.getUTCDay()]);
    }), { numRuns: 300 });
  });
});
