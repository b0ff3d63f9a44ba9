/**
 * Business-hours clocks on a real (time-skipping) Temporal, with the SIGN X preset: a help desk
 * open 08:00-18:00 America/New_York on weekdays, US holidays closed. The timers wait over a
 * weekend and over Christmas and still fire at the working-time deadline, to the millisecond.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadPolicy } from '../../policies/load.js';
import { HOUR } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { scenarioYear } from '../helpers/scenario-year.js';
import { skipTo, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';

// The year the scenarios run in: 2026 while their dates are ahead, else a later year with its calendar.
const scenario = scenarioYear(Date.UTC(2026, 11, 4, 21, 30, 0));

describe('SIGN X business hours on a real (time-skipping) Temporal', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;

  before(async () => {
    env = await timeSkippingEnv();
    harness = await ticketHarness(env, { policy: scenario.policy(loadPolicy('signx')), activities: outboxActivities().activities });
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
  });

  const open = (subject: string, channel: string, priority?: string) =>
    harness.tickets.open({ subject, description: 'details', requester: { email: 'ops@example.com' }, channel, ...(priority ? { priority } : {}) }).then((r) => r.ticket);
  const firstResponse = async (id: string) => (await harness.tickets.get(id)).clocks.find((c) => c.metric === 'firstResponse')!;

  test('a P1 opened late on a Friday, and weekend email, wait over the weekend; Christmas is skipped', async () => {
    await harness.run(async () => {
      // Friday 2026-12-04 16:30 New York (EST): an hour and a half of working time left that day.
      const friday = scenario.at(11, 4, 21, 30, 0);
      await skipTo(env, friday);
      const p1 = await open('High error rate on uploads', 'chat', 'P1');
      const drift = Date.parse(p1.openedAt) - friday; // the few ms between "until" and the start
      const p1Due = scenario.at(11, 7, 15, 30, 0) + drift; // Monday 10:30 New York
      assert.equal(Date.parse((await firstResponse(p1.id)).dueAt!), p1Due);
      assert.equal((await firstResponse(p1.id)).calendar, 'business-hours');

      // Saturday 12:00 New York: weekend email is answered within 24 wall-clock hours.
      const saturday = scenario.at(11, 5, 17, 0, 0);
      await skipTo(env, saturday);
      const weekend = await open('Cannot export PDF', 'email', 'P2');
      const weekendDue = Date.parse(weekend.openedAt) + 24 * HOUR;
      assert.equal(Date.parse((await firstResponse(weekend.id)).dueAt!), weekendDue);
      assert.equal((await firstResponse(weekend.id)).rule, 'Weekend email');

      await skipTo(env, scenario.at(11, 7, 16, 0, 0));
      const p1Clock = await firstResponse(p1.id);
      assert.equal(Date.parse(p1Clock.breachedAt!), p1Due, 'P1 breached at Monday 10:30 New York, not during the weekend');
      const warnings = (await harness.tickets.state(p1.id)).timeline
        .filter((e) => e.type === 'sla-warning' && (e.data as { clock: string }).clock === 'firstResponse')
        .map((e) => (e.data as { at: number }).at - drift);
      // 50 % (2 h) = Monday 08:30, 75 % (3 h) = 09:30, 90 % (3.6 h) = 10:06, New York.
      assert.deepEqual(warnings, [scenario.at(11, 7, 13, 30, 0), scenario.at(11, 7, 14, 30, 0), scenario.at(11, 7, 15, 6, 0)]);
      assert.equal(Date.parse((await firstResponse(weekend.id)).breachedAt!), weekendDue, 'weekend email breached on Sunday');
      // Closed, so their hourly breach reminders do not run through the next test's weeks.
      for (const t of [p1, weekend]) await harness.tickets.act(t.id, 'close', { actor: 'grace' });
    });
  });

  test('a P1 opened on Christmas Eve afternoon waits over Christmas and the weekend', async () => {
    await harness.run(async () => {
      const eve = scenario.at(11, 24, 21, 0, 0); // Thursday 16:00 New York
      await skipTo(env, eve);
      const ticket = await open('Performance issues on the dashboard', 'chat', 'P1');
      const due = scenario.at(11, 28, 15, 0, 0) + (Date.parse(ticket.openedAt) - eve); // Monday 10:00 New York
      assert.equal(Date.parse((await firstResponse(ticket.id)).dueAt!), due);
      await skipTo(env, scenario.at(11, 28, 14, 0, 0));
      assert.equal((await firstResponse(ticket.id)).breached, false, 'not breached on Monday 09:00');
      await skipTo(env, scenario.at(11, 28, 16, 0, 0));
      assert.equal(Date.parse((await firstResponse(ticket.id)).breachedAt!), due);
    });
  });
});
