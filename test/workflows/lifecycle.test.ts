/**
 * The ticket lifecycle on a real (time-skipping) Temporal: pauses, re-prioritisation, next
 * response, reopen, follow-up and auto-close. The seed tables themselves are tested through the
 * pure core (test/domain); these prove the durable shell keeps the core's times to the second.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TicketRefused } from '../../client/tickets.js';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import { caroLikePolicy, HOUR } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { settled, skip, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';

const DAY = 24 * HOUR;

describe('the ticket lifecycle on a real (time-skipping) Temporal', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  const outbox = outboxActivities();
  // A reopen window shorter than the auto-close, so that "outside the window" is still resolved.
  const policy = caroLikePolicy({ followUp: { after: '1d', survey: true, reopenWindow: '3d', closeAfter: '7d' } });

  before(async () => {
    env = await timeSkippingEnv();
    harness = await ticketHarness(env, { policy, activities: outbox.activities });
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
  });

  const open = (subject: string, priority: string) =>
    harness.tickets.open({ subject, description: 'details', requester: { email: 'ada@example.com' }, channel: 'email', priority }).then((r) => r.ticket);
  const clock = async (id: string, metric: string) => (await harness.tickets.get(id)).clocks.filter((c) => c.metric === metric).at(-1)!;

  test('waiting on the customer pauses the resolution clock; their reply resumes it to the second and starts next response', async () => {
    await harness.run(async () => {
      const ticket = await open('Export fails for large projects', 'P1');
      const openedAt = Date.parse(ticket.openedAt);
      await skip(env, HOUR);
      await harness.tickets.act(ticket.id, 'respond', { actor: 'grace', body: 'Can you send the log?' });
      await skip(env, HOUR);
      const pausedView = await harness.tickets.act(ticket.id, 'setPending', { actor: 'grace', reason: 'customer' });
      assert.equal(pausedView.status, 'pending_customer');
      const pausedAt = Date.parse(pausedView.timeline.at(-1)!.at);

      await skip(env, 10 * HOUR);
      const whilePaused = await clock(ticket.id, 'resolution');
      assert.equal(whilePaused.paused, true);
      assert.equal(whilePaused.elapsedMs, pausedAt - openedAt, 'no time counted while paused');

      await harness.tickets.customerMessage(ticket.id, { body: 'Here is the log', messageId: '<log@example.com>' });
      const resumed = await waitFor(ticket.id, (v) => v.status === 'in_progress');
      const resumedAt = Date.parse(resumed.timeline.find((e) => e.type === 'resumed')!.at);
      const resolution = resumed.clocks.find((c) => c.metric === 'resolution')!;
      assert.equal(Date.parse(resolution.dueAt!), openedAt + 3 * DAY + (resumedAt - pausedAt), 'the due time moved by exactly the pause');
      const next = resumed.clocks.filter((c) => c.metric === 'nextResponse').at(-1)!;
      assert.equal(next.status, 'running');
      assert.equal(Date.parse(next.dueAt!), resumedAt + 24 * HOUR, 'next response counts from the customer message');

      // The same message delivered twice (a redelivered email) is one message.
      await harness.tickets.customerMessage(ticket.id, { body: 'Here is the log', messageId: '<log@example.com>' });
      await settled(env.client.workflow.getHandle(ticketWorkflowId(ticket.id)));
      assert.equal((await harness.tickets.get(ticket.id)).timeline.filter((e) => e.type === 'customer-message').length, 1);

      await skip(env, 25 * HOUR);
      const breached = await clock(ticket.id, 'nextResponse');
      assert.equal(Date.parse(breached.breachedAt!), resumedAt + 24 * HOUR, 'next response breaches at its deadline');
    });
  });

  test('re-prioritising recomputes every deadline; one already past breaches at once, at its own time', async () => {
    await harness.run(async () => {
      const ticket = await open('Typo in the docs', 'P3');
      const openedAt = Date.parse(ticket.openedAt);
      assert.equal(Date.parse((await clock(ticket.id, 'firstResponse')).dueAt!), openedAt + 48 * HOUR);
      await skip(env, 2 * HOUR);
      const raised = await harness.tickets.act(ticket.id, 'setPriority', { actor: 'grace', priority: 'P0', reason: 'it is the install guide' });
      const first = raised.clocks.find((c) => c.metric === 'firstResponse')!;
      assert.equal(Date.parse(first.dueAt!), openedAt + HOUR);
      assert.equal(first.breached, true);
      assert.equal(Date.parse(first.breachedAt!), openedAt + HOUR, 'the breach is dated at the new deadline, not at the change');
      const change = raised.timeline.find((e) => e.type === 'priority')!;
      assert.deepEqual((change.data as { before: Record<string, string> }).before.firstResponse, new Date(openedAt + 48 * HOUR).toISOString());
      assert.deepEqual((change.data as { after: Record<string, string> }).after.resolution, new Date(openedAt + DAY).toISOString());
    });
  });

  test('a reply inside the reopen window reopens; outside it, it does not; follow-up and auto-close on time', async () => {
    await harness.run(async () => {
      const ticket = await open('Login loop', 'P2');
      await harness.tickets.act(ticket.id, 'respond', { actor: 'grace', body: 'Clear the cookie' });
      const resolved = await harness.tickets.act(ticket.id, 'resolve', { actor: 'grace', resolution: 'Cookie cleared' });
      const resolvedAt = Date.parse(resolved.resolvedAt!);
      assert.equal(Date.parse(resolved.followUp.reopenUntil!), resolvedAt + 3 * DAY);

      await skip(env, 2 * DAY);
      await harness.tickets.customerMessage(ticket.id, { body: 'It happens again' });
      const reopened = await waitFor(ticket.id, (v) => v.status === 'in_progress');
      assert.equal(reopened.timeline.some((e) => e.type === 'reopened'), true);
      assert.equal(reopened.timeline.some((e) => e.type === 'follow-up'), true, 'the follow-up went out at 1 day');

      const again = await harness.tickets.act(ticket.id, 'resolve', { actor: 'grace', resolution: 'Fixed server-side' });
      const againAt = Date.parse(again.resolvedAt!);
      await skip(env, 4 * DAY);
      await harness.tickets.customerMessage(ticket.id, { body: 'Thanks!' });
      await settled(env.client.workflow.getHandle(ticketWorkflowId(ticket.id)));
      const late = await harness.tickets.get(ticket.id);
      assert.equal(late.status, 'resolved', 'a reply after the window stays on the resolved ticket');
      assert.equal(late.timeline.filter((e) => e.type === 'reopened').length, 1);
      const followUps = late.timeline.filter((e) => e.type === 'follow-up').map((e) => Date.parse(e.at));
      assert.equal(followUps.length, 2);
      assertSoonAfter(followUps[1]!, againAt + DAY, 'the second follow-up, 1 day after the second resolution');

      await harness.tickets.act(ticket.id, 'recordCsat', { actor: 'ada@example.com', score: 5, comment: 'quick' });
      const result = await env.client.workflow.getHandle(ticketWorkflowId(ticket.id)).result();
      assert.equal(result.status, 'closed');
      assertSoonAfter(Date.parse(result.closedAt!), againAt + 7 * DAY, 'auto-closed at the end of the window');
      assert.equal(result.csat?.score, 5);
      // A closed ticket still answers, and refuses what no longer applies.
      assert.equal((await harness.tickets.get(ticket.id)).status, 'closed');
      await assert.rejects(harness.tickets.act(ticket.id, 'respond', { actor: 'grace', body: 'hello?' }), TicketRefused);
      await assert.rejects(harness.tickets.customerMessage(ticket.id, { body: 'late' }), /is closed; it takes no more messages/);
      // The customer got: auto-reply, reply, resolution, follow-up, resolution, follow-up; once each.
      const templates = outbox.sent().filter((m) => m.key.startsWith(ticket.id) && m.channel === 'customer:email').map((m) => m.template);
      assert.deepEqual(templates, ['auto-reply', 'public-reply', 'resolution', 'follow-up', 'resolution', 'follow-up']);
    });
  });

  test('a repeated request id is applied once and answers with the ticket; an invalid update changes nothing', async () => {
    await harness.run(async () => {
      const ticket = await open('Billing question', 'P2');
      const first = await harness.tickets.act(ticket.id, 'respond', { actor: 'grace', body: 'Answer', requestId: 'r-1' });
      const repeat = await harness.tickets.act(ticket.id, 'respond', { actor: 'grace', body: 'Answer', requestId: 'r-1' });
      assert.equal(repeat.timeline.filter((e) => e.type === 'responded').length, 1);
      assert.equal(repeat.firstResponseAt, first.firstResponseAt);
      await assert.rejects(harness.tickets.act(ticket.id, 'setPriority', { actor: 'grace', priority: 'P9' }), (err: unknown) => {
        assert.ok(err instanceof TicketRefused);
        assert.match(err.reason, /P9/);
        return true;
      });
      assert.equal((await harness.tickets.get(ticket.id)).priority, 'P2');
      await settled(env.client.workflow.getHandle(ticketWorkflowId(ticket.id)));
      const replies = outbox.sent().filter((m) => m.key.startsWith(ticket.id) && m.template === 'public-reply');
      assert.equal(replies.length, 1, 'the customer got the answer once');
    });
  });

  /** Timers fire a few milliseconds after their instant (a workflow task); never before it. */
  function assertSoonAfter(actual: number, expected: number, what: string) {
    assert.ok(actual >= expected && actual < expected + 2000, `${what}: ${new Date(actual).toISOString()} vs ${new Date(expected).toISOString()}`);
  }

  async function waitFor(id: string, ok: (v: Awaited<ReturnType<TicketHarness['tickets']['get']>>) => boolean) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const view = await harness.tickets.get(id);
      if (ok(view)) return view;
      if (Date.now() > deadline) throw new Error(`ticket ${id} never reached the expected state: ${view.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});

