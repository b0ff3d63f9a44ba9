/**
 * The year the dated SIGN X scenarios run in (scenario-year.ts): 2026 while their dates are ahead,
 * then a later year with 2026's calendar, so every date keeps its weekday and the preset's dated
 * text moves with it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scenarioYear } from './scenario-year.js';

const FRIDAY_DEC_4 = Date.UTC(2026, 11, 4, 21, 30, 0);

test('2026 while the scenario is still ahead by the lead', () => {
  const s = scenarioYear(FRIDAY_DEC_4, Date.UTC(2026, 11, 1, 12, 0, 0));
  assert.equal(s.year, 2026);
  assert.equal(s.at(11, 4, 21, 30), FRIDAY_DEC_4);
  assert.equal(s.text("holidays: ['2026-12-25']"), "holidays: ['2026-12-25']");
  // Within the lead (30 minutes by default) it has passed.
  assert.notEqual(scenarioYear(FRIDAY_DEC_4, FRIDAY_DEC_4 - 10 * 60_000).year, 2026);
});

test('once passed, the first later year with 2026 calendar: same weekdays, no 29 February, the dates moved', () => {
  const s = scenarioYear(FRIDAY_DEC_4, Date.UTC(2026, 11, 5));
  assert.equal(s.year, 2037);
  for (const [month, day] of [[0, 1], [0, 5], [2, 8], [10, 1], [11, 4], [11, 25], [11, 28]] as const) {
    assert.equal(new Date(s.at(month, day)).getUTCDay(), new Date(Date.UTC(2026, month, day)).getUTCDay(), `${month + 1}/${day}`);
  }
  assert.equal(s.text("start: '2026-01-05', holidays: ['2026-12-25']"), "start: '2037-01-05', holidays: ['2037-12-25']");
  // And the one after it, later still.
  assert.equal(scenarioYear(FRIDAY_DEC_4, Date.UTC(2037, 11, 5)).year, 2043);
});
