import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import { caroLikePolicy, HOUR, MINUTE } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { skip, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';

describe('a long ticket continues as new without losing anything', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  const outbox = outboxActivities();

  before(async () => {
    env = await timeSkippingEnv();
    // A tiny history budget, so that a handful of actions forces several continue-as-new.
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outbox.activities, continueAsNewAfterEvents: 40 });
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
  });

  test('state, clocks and notifications carry over; the breach still fires once at its deadline', async () => {
    await harness.run(async () => {
      const { ticket } = await harness.tickets.open({
        subject: 'Long-running investigation',
        description: 'Intermittent failures',
        requester: { email: 'ada@example.com' },
        channel: 'email',
        priority: 'P1',
      });
      const openedAt = Date.parse(ticket.openedAt);
      const firstRun = (await env.client.workflow.getHandle(ticketWorkflowId(ticket.id)).describe()).runId;

      await harness.tickets.act(ticket.id, 'acknowledge', { actor: 'grace' });
      for (let i = 1; i <= 12; i++) {
        await harness.tickets.act(ticket.id, 'note', { actor: 'grace', body: `finding ${i}`, requestId: `note-${i}` });
      }
      // A repeated request after continue-as-new is still recognised.
      await harness.tickets.act(ticket.id, 'note', { actor: 'grace', body: 'finding 1', requestId: 'note-1' });

      await skip(env, 4 * HOUR + 10 * MINUTE);
      const state = await harness.tickets.state(ticket.id);
      const handle = env.client.workflow.getHandle(ticketWorkflowId(ticket.id));
      const runs: string[] = [];
      let history = await handle.fetchHistory();
      assert.ok((await handle.describe()).runId !== firstRun, 'the ticket runs in a newer run');
      for (const event of history.events ?? []) if (event.workflowExecutionStartedEventAttributes?.continuedExecutionRunId) runs.push(event.workflowExecutionStartedEventAttributes.continuedExecutionRunId);
      assert.equal(runs.length, 1, 'the current run says which run it continued');
      history = await env.client.workflow.getHandle(ticketWorkflowId(ticket.id), firstRun).fetchHistory();
      assert.ok(history.events!.some((e) => e.workflowExecutionContinuedAsNewEventAttributes), 'the first run ended in continue-as-new');

      const notes = state.timeline.filter((e) => e.type === 'note');
      assert.equal(notes.length, 12, 'every note kept, the repeated request applied once');
      assert.equal(state.acknowledgedAt !== undefined, true);
      const clock = state.clocks.find((c) => c.metric === 'firstResponse')!;
      assert.equal(clock.breachedAt, openedAt + 4 * HOUR, 'the P1 first-response breach, at its deadline');
      assert.equal(state.timeline.filter((e) => e.type === 'sla-breach' && (e.data as { clock: string }).clock === 'firstResponse').length, 1);

      const keys = outbox.sent().filter((m) => m.key.startsWith(ticket.id)).map((m) => m.key);
      assert.equal(new Set(keys).size, keys.length, `no notification sent twice: ${keys.join(', ')}`);
      assert.ok(keys.some((k) => k.endsWith('/sla-breach')));
    });
  });
});
