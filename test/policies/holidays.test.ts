/**
 * Start-up names the calendars whose holiday lists have run out (domain/policy/holidays.ts): the
 * presets list the US federal holidays of 2026 and 2027, so they are fine until December 2027.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holidaysRunningOut, holidaysWarning } from '../../domain/policy/holidays.js';
import { PRESETS, loadPolicy } from '../../policies/load.js';

const cal = (timeZone: string, holidays: string[]) => ({ timeZone, week: { mon: [{ start: '09:00', end: '17:00' }] }, holidays });

test('the presets list holidays far enough ahead today, and name what runs out in December 2027', () => {
  for (const name of PRESETS) assert.deepEqual(holidaysRunningOut(loadPolicy(name), Date.UTC(2026, 11, 2)), [], name);
  // A month before 2028 the presets with holidays ask for 2028's; the others have none to ask for.
  const late = Object.fromEntries(PRESETS.map((name) => [name, holidaysRunningOut(loadPolicy(name), Date.UTC(2027, 11, 15))]));
  assert.deepEqual(late['signx'], [{ calendar: 'business-hours', lastListed: '2027-12-31', missingYears: [2028] }]);
  assert.deepEqual(late['caro'], [{ calendar: 'coverage-hours', lastListed: '2027-12-31', missingYears: [2028] }]);
  for (const name of PRESETS.filter((n) => n !== 'signx' && n !== 'caro')) assert.deepEqual(late[name], [], name);
});

test('the year is the calendar\'s own, a month ahead; a calendar without holidays is left alone', () => {
  const policy = { calendars: { tokyo: cal('Asia/Tokyo', ['2026-12-31']), la: cal('America/Los_Angeles', ['2026-12-31']), none: cal('UTC', []) } };
  // 30 November 2026, 12:00 UTC: 31 days later it is 31 December in both cities.
  assert.deepEqual(holidaysRunningOut(policy, Date.UTC(2026, 10, 30, 12)), []);
  // Four hours later: 31 days on it is already 1 January 2027 in Tokyo (UTC+9), still 31 December in Los Angeles.
  assert.deepEqual(holidaysRunningOut(policy, Date.UTC(2026, 10, 30, 16)), [{ calendar: 'tokyo', lastListed: '2026-12-31', missingYears: [2027] }]);
  // Every year since the list ended.
  assert.deepEqual(holidaysRunningOut({ calendars: { x: cal('UTC', ['2025-12-25']) } }, Date.UTC(2026, 11, 15)), [{ calendar: 'x', lastListed: '2025-12-25', missingYears: [2026, 2027] }]);
  // The latest date counts, in whatever order the list is written.
  assert.deepEqual(holidaysRunningOut({ calendars: { x: cal('UTC', ['2027-01-01', '2026-05-01']) } }, Date.UTC(2026, 11, 15)), []);
});

test('the start-up line names the policy, the calendar, the last holiday and every year to add', () => {
  const line = (years: number[]) => holidaysWarning('signx', { calendar: 'business-hours', lastListed: '2025-12-25', missingYears: years });
  assert.equal(line([2026]), 'policy signx: calendar business-hours lists holidays up to 2025-12-25; add those of 2026 (until then it counts them as working days)');
  assert.match(line([2026, 2027]), /add those of 2026 and 2027 \(/);
  assert.match(line([2025, 2026, 2027]), /add those of 2025, 2026 and 2027 \(/);
});
