/**
 * The status-update cadence per severity, to the millisecond: "Next Update: [Time]" is a promise;
 * the commander is reminded before it falls due, and a missed update is overdue after the grace.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nextWake } from '../../../domain/incident/decide.js';
import { loadPolicy } from '../../../policies/load.js';
import { caroLikePolicy } from '../../fixtures/policies.js';
import { HOUR, IncidentRun, MINUTE, T0, only, typesOf, utc } from './incident-run.js';

const trkv = loadPolicy('trkv');

describe('TRKV cadence: Critical every hour, Major every 4 hours, Minor every 12 hours', () => {
  const table = [
    { severity: 'critical', every: HOUR, remind: 15 * MINUTE, grace: 15 * MINUTE },
    { severity: 'major', every: 4 * HOUR, remind: 30 * MINUTE, grace: HOUR },
    { severity: 'minor', every: 12 * HOUR, remind: HOUR, grace: 3 * HOUR },
  ] as const;

  for (const { severity, every, remind, grace } of table) {
    test(`${severity}: reminded ${remind / MINUTE} min before the update due ${every / HOUR} h after the last, overdue ${grace / MINUTE} min after it`, () => {
      const incident = new IncidentRun(trkv, T0, { severity });
      const due = T0 + every;
      assert.equal(incident.state.updates[0]?.nextUpdateAt, due);
      assert.equal(nextWake(incident.state), due - remind);
      assert.deepEqual(incident.tickAt(due - remind - 1), []);
      const reminded = incident.tickAt(due - remind);
      assert.deepEqual(only(reminded, 'remindCommander').map((r) => [r.commander, utc(r.dueAt)]), [['alice', utc(due)]]);
      assert.equal(nextWake(incident.state), due + grace);
      assert.deepEqual(incident.tickAt(due + grace - 1), []);
      const overdue = incident.tickAt(due + grace);
      assert.deepEqual(typesOf(overdue), ['updateOverdue'], 'TRKV has no paging plan: it notifies');
      assert.deepEqual([only(overdue, 'updateOverdue')[0]?.dueAt, only(overdue, 'updateOverdue')[0]?.paging], [due, undefined]);
      assert.equal(nextWake(incident.state), undefined, 'one notice per missed update');
      assert.deepEqual(incident.tickAt(due + 10 * every), []);
    });
  }

  test('an update resets the cadence from its own instant', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'critical' });
    const posted = T0 + 20 * MINUTE + 1234;
    incident.update({}, posted);
    assert.deepEqual(incident.state.cadence, { nextUpdateAt: posted + HOUR, remindAt: posted + 45 * MINUTE, overdueAt: posted + 75 * MINUTE, reminded: false, overdue: false });
    assert.equal(nextWake(incident.state), posted + 45 * MINUTE);
  });

  test('an update after the overdue notice starts a fresh cadence', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'critical' });
    incident.tickAt(T0 + 2 * HOUR);
    assert.equal(incident.state.cadence?.overdue, true);
    incident.update({}, T0 + 2 * HOUR + MINUTE);
    assert.equal(nextWake(incident.state), T0 + 3 * HOUR + MINUTE - 15 * MINUTE);
  });

  test('a late wake-up past the grace sends the overdue notice only: a reminder would come too late', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'critical' });
    const effects = incident.tickAt(T0 + HOUR + 20 * MINUTE);
    assert.deepEqual(typesOf(effects), ['updateOverdue']);
    assert.deepEqual(incident.state.timeline.at(-1)?.data, { dueAt: T0 + HOUR, overdueAt: T0 + HOUR + 15 * MINUTE });
  });

  test('an update promised sooner than the reminder lead needs no reminder; it is overdue after the grace', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'critical', nextUpdateIn: '10m' });
    assert.equal(incident.state.updates[0]?.nextUpdateAt, T0 + 10 * MINUTE);
    assert.equal(nextWake(incident.state), T0 + 25 * MINUTE);
    assert.deepEqual(typesOf(incident.wake()), ['updateOverdue']);
  });

  test('the status update says when the next one comes', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'major', nextUpdateIn: '2h30m' });
    assert.match(only(incident.effects, 'broadcastUpdate')[0]!.text, /\nNext Update: 2026-03-10 16:30 UTC$/);
  });
});

describe('the default severities of a policy that names none', () => {
  test('critical every 30 min (reminded at 20, overdue at 35), major every hour, minor every 4 hours', () => {
    const policy = caroLikePolicy();
    const expected = { critical: [20 * MINUTE, 35 * MINUTE], major: [45 * MINUTE, 75 * MINUTE], minor: [3.5 * HOUR, 4.5 * HOUR] } as const;
    for (const [severity, [remindAt, overdueAt]] of Object.entries(expected)) {
      const incident = new IncidentRun(policy, T0, { severity });
      assert.deepEqual([incident.state.cadence?.remindAt, incident.state.cadence?.overdueAt], [T0 + remindAt, T0 + overdueAt], severity);
      assert.deepEqual(only(incident.effects, 'broadcastUpdate').map((b) => b.channel), ['slack', 'status-page']);
    }
  });
});
