/**
 * A ticket's timer fires at the time it aims for, however long the workflow task that set it ran.
 * The server starts a timer when that task completes; the intake's task waits on the ledger write
 * (a local activity), and the SDK moves the workflow time on by the write's run time, so the shell
 * aims the timer again from there before the task completes (workflows/shell.ts, `WakeTimer`).
 *
 * On a dev server (real time), with the real activities of the embedded default (SQLite ledger,
 * outbox); the ledger write is held back 3 s, as a slow or busy database would hold it. Then the
 * second aim under replay: on replay the SDK may hand over local activities' results in fewer
 * activations than the first run had, and the commands must come out the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { tsToMs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import { nextWake } from '../../domain/ticket/decide.js';
import { cachedWorkflowBundle, ticketWorkerClass } from '../../workers/worker.js';
import { caroLikePolicy, HOUR } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { eventually } from '../helpers/api.js';
import { devServerEnv, ticketHarness, type TicketHarness } from '../helpers/temporal.js';

type Event = proto.temporal.api.history.v1.IHistoryEvent;
const { History } = proto.temporal.api.history.v1;
const at = (e: Event | undefined) => (e?.eventTime ? tsToMs(e.eventTime) : NaN);
const byId = (events: Event[], id: unknown) => events.find((e) => String(e.eventId) === String(id));

const SLOW_WRITE_MS = 3_000;

describe('the wake-up timer, aimed from when the task that set it ended (dev server)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  const outbox = outboxActivities();
  const { recordTicketMilestones } = outbox.activities;

  before(async () => {
    env = await devServerEnv();
    const activities = {
      ...outbox.activities,
      async recordTicketMilestones(input: Parameters<typeof recordTicketMilestones>[0]) {
        await delay(SLOW_WRITE_MS);
        return recordTicketMilestones(input);
      },
    };
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities });
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
  });

  async function historyOf(workflowId: string) {
    return History.create({ events: (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [] });
  }

  test('a timer set in a task that waited 3 s on the ledger write fires at its aim, not 3 s after', async () => {
    await harness.run(async () => {
      const { ticket } = await harness.tickets.open({ subject: 'Exports hang', requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P1' });
      const aim = nextWake(await harness.tickets.state(ticket.id))!;
      assert.equal(aim, Date.parse(ticket.openedAt) + 2 * HOUR, 'the first warning, at half of the 4 h first response');

      const workflowId = ticketWorkflowId(ticket.id);
      const { events } = await historyOf(workflowId);
      const timers = events.filter((e) => e.timerStartedEventAttributes);
      assert.equal(timers.length, 1, 'one timer');
      const attrs = timers[0]!.timerStartedEventAttributes!;
      const completed = byId(events, attrs.workflowTaskCompletedEventId);
      const started = byId(events, completed?.workflowTaskCompletedEventAttributes?.startedEventId);
      assert.ok(at(completed) - at(started) >= SLOW_WRITE_MS, `the task that set it ran ${at(completed) - at(started)} ms`);
      // The server fires it its duration after the task completed.
      const late = at(completed) + tsToMs(attrs.startToFireTimeout!) - aim;
      assert.ok(late >= 0 && late < 1_000, `fires ${late} ms after its aim (${SLOW_WRITE_MS} ms or more if aimed from the task's start)`);
      assert.equal(events.filter((e) => e.timerCanceledEventAttributes).length, 0, 'the first aim left nothing in the history');

      // The history replays through the same code: the second aim comes from the write's recorded finish.
      await ticketWorkerClass().runReplayHistory({ workflowBundle: await cachedWorkflowBundle() }, History.create({ events }), workflowId);
    });
  });

  test('tickets warned and breached on a worker that caches two of them replay the commands they gave', { timeout: 120_000 }, async () => {
    // First response in 12 s, warned at 6 and 9 s: each warning and the breach is a task with two
    // local activities (the notice to the outbox, the ledger write) and a timer to aim again.
    const policy = caroLikePolicy({
      sla: { warnings: [0.5, 0.75], targets: [{ name: 'all', when: {}, firstResponse: { within: '12s' } }] },
    });
    const small = await ticketHarness(env, { policy, activities: outbox.activities, maxCachedWorkflows: 2 });
    try {
      const opened = await small.run(() =>
        Promise.all(
          Array.from({ length: 12 }, (_, i) => small.tickets.open({ subject: `Checkout fails ${i}`, requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P0' })),
        ),
      );
      const ids = opened.map(({ ticket }) => ticket.id);
      await small.run(() =>
        eventually(
          'every breach notice',
          () => ids.every((id) => outbox.sent().some((m) => m.key.startsWith(id) && m.key.endsWith('/sla-breach'))),
          60_000,
        ),
      );
      for (const id of ids) assert.equal(outbox.sent().filter((m) => m.key.startsWith(id) && m.key.endsWith('/sla-breach')).length, 1, `${id}: one breach notice`);
      const histories = await Promise.all(ids.map(async (id) => ({ workflowId: ticketWorkflowId(id), history: await historyOf(ticketWorkflowId(id)) })));
      const failedTasks = histories.flatMap(({ history }) => history.events.filter((e) => e.workflowTaskFailedEventAttributes));
      assert.equal(failedTasks.length, 0, 'no workflow task failed, though the worker replayed them as it evicted them');
      // Aimed again: a timer number taken by a first aim that was never sent leaves a gap.
      const aimedAgain = histories.filter(({ history }) => {
        const numbers = history.events.flatMap((e) => (e.timerStartedEventAttributes ? [Number(e.timerStartedEventAttributes.timerId)] : []));
        return numbers.length < Math.max(...numbers);
      });
      assert.equal(aimedAgain.length, ids.length, 'every ticket aimed a timer again (its intake, warnings and breach each waited on local activities)');
      for (const { workflowId, history } of histories) {
        await ticketWorkerClass().runReplayHistory({ workflowBundle: await cachedWorkflowBundle() }, history, workflowId);
      }
    } finally {
      await small.shutdown();
    }
  });
});
