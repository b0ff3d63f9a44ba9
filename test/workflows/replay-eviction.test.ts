/**
 * Tickets replay from their history whenever the worker has evicted them from its cache (a
 * restart, a small cache under load). With a cache of one workflow and three tickets worked in
 * turn, every Update, Signal and effect is replayed over and over: no workflow task may fail, and
 * each ticket ends where its actions took it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentClient } from '../../client/incidents.js';
import { incidentWorkflowId, ticketWorkflowId } from '../../client/ticket-ids.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { settled, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';

describe('replay after cache eviction (time-skipping Temporal, a cache of one workflow)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  const policy = caroLikePolicy({ incidents: { broadcast: ['slack', 'email', 'status-page'], linkedTicketClocks: 'pause', onResolve: 'resolve-linked', service: 'Caro' } });
  before(async () => {
    env = await timeSkippingEnv();
    harness = await ticketHarness(env, { policy, activities: outboxActivities().activities, maxCachedWorkflows: 1 });
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
  });

  // A nondeterministic replay retries its workflow task for ever: the limit turns a hang into a failure.
  test('three tickets worked in turn replay without a failed workflow task', { timeout: 180_000 }, async () => {
    await harness.run(async () => {
      const ids: string[] = [];
      // Each ticket's intake settles before the next opens. With a cache of one, the next ticket's
      // first task (its opening Update waiting on the ledger write) could otherwise be evicted for
      // the last one's notification results: the SDK's core then drops the Update's answer (it logs
      // this as an SDK bug), and the time-skipping server fails the retry. Replays are the subject here.
      for (const subject of ['One', 'Two', 'Three']) {
        const { ticket } = await harness.tickets.open({ subject, requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P2' });
        await settled(env.client.workflow.getHandle(ticketWorkflowId(ticket.id)));
        ids.push(ticket.id);
      }
      for (const id of ids) await harness.tickets.act(id, 'acknowledge', { actor: 'grace' });
      for (const id of ids) await harness.tickets.act(id, 'note', { actor: 'grace', body: 'looking' });
      for (const id of ids) await harness.tickets.customerMessage(id, { body: 'Any news?' });
      for (const id of ids) await harness.tickets.act(id, 'respond', { actor: 'grace', body: 'Try the 2.3.1 build' });
      for (const id of ids) await harness.tickets.act(id, 'resolve', { actor: 'grace', resolution: 'Fixed in 2.3.1' });
      for (const id of ids) {
        const handle = env.client.workflow.getHandle(ticketWorkflowId(id));
        await settled(handle);
        const history = await handle.fetchHistory();
        const failed = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
        assert.deepEqual(failed.map((e) => e.workflowTaskFailedEventAttributes?.failure?.message), [], `ticket ${id} had failed workflow tasks`);
        assert.equal((await harness.tickets.get(id)).status, 'resolved');
      }
    });
  });

  test('an incident and its linked tickets, worked in turn, replay without a failed workflow task', { timeout: 180_000 }, async () => {
    await harness.run(async () => {
      const incidents = new IncidentClient(env.client, { taskQueue: harness.taskQueue, policy, publicUrl: 'https://support.caro.example' });
      const ids: string[] = [];
      for (const subject of ['Login fails', 'Cannot sign in']) {
        ids.push((await harness.tickets.open({ subject, requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P1' })).ticket.id);
      }
      const { incident } = await incidents.declare({ title: 'Logins fail', severity: 'critical', impact: 'Nobody can log in', tickets: ids }, 'grace');
      await harness.tickets.act(ids[0]!, 'note', { actor: 'grace', body: 'part of the incident' });
      await incidents.act(incident.id, 'postUpdate', { actor: 'grace', status: 'identified', impact: 'Nobody can log in', message: 'An expired certificate' });
      await harness.tickets.customerMessage(ids[1]!, { body: 'Still broken' });
      await incidents.act(incident.id, 'resolve', { actor: 'grace', summary: 'Certificate renewed' });
      for (const workflowId of [incidentWorkflowId(incident.id), ...ids.map(ticketWorkflowId)]) {
        const handle = env.client.workflow.getHandle(workflowId);
        await settled(handle);
        const history = await handle.fetchHistory();
        const failed = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
        assert.deepEqual(failed.map((e) => e.workflowTaskFailedEventAttributes?.failure?.message), [], `${workflowId} had failed workflow tasks`);
      }
      assert.equal((await incidents.get(incident.id)).status, 'resolved');
      for (const id of ids) assert.equal((await harness.tickets.get(id)).status, 'resolved', 'the incident resolved its linked tickets');
    });
  });
});
