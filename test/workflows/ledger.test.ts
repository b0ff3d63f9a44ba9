/**
 * The ticket workflow writes its milestones to the ticket ledger as it moves (a local activity,
 * the embedded SQLite file), on a real (time-skipping) Temporal: every timeline entry once, the
 * ticket's row as of its latest event, with its metrics.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openLedger, type TicketLedger } from '../../activities/ledger.js';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import type { TicketMetrics } from '../../domain/metrics/ticket-metrics.js';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';
import { caroLikePolicy, MINUTE } from '../fixtures/policies.js';
import { breachedTicketHistory, settled, skip, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';
import { createNotificationActivities } from '../../activities/notifications.js';
import { fileOutbox } from '../../activities/outbox.js';
import type { WorkflowHandle } from '@temporalio/client';
import { getTicketStateQuery } from '../../workflows/messages.js';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** The activity type a local activity's marker records, if the event is one. */
function markerType(e: HistoryEvent): string | undefined {
  const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString()) as { activity_type: string }).activity_type : undefined;
}

describe('the ticket ledger, written by the ticket workflow (time-skipping Temporal, SQLite)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let ledger: TicketLedger;
  const dataDir = mkdtempSync(join(tmpdir(), 'tierline-ledger-wf-'));

  before(async () => {
    env = await timeSkippingEnv();
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: createActivities(loadConfig({ TIERLINE_DATA_DIR: dataDir }), () => {}) });
    ledger = openLedger({ kind: 'sqlite', path: join(dataDir, 'ledger.db') });
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
    await ledger?.close();
  });

  test('every milestone once, and the row and metrics as of the latest event', async () => {
    await harness.run(async () => {
      const { ticket } = await harness.tickets.open({ subject: 'Build fails', requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P1' });
      const handle = env.client.workflow.getHandle(ticketWorkflowId(ticket.id));
      await skip(env, 30 * MINUTE);
      await harness.tickets.act(ticket.id, 'respond', { actor: 'grace', body: 'Clear the cache and retry' });
      await harness.tickets.act(ticket.id, 'note', { actor: 'grace', body: 'probably the 2.3 cache bug' });
      await harness.tickets.act(ticket.id, 'resolve', { actor: 'grace', resolution: 'Cache cleared' });
      await settled(handle);

      const state = await harness.tickets.state(ticket.id);
      const written = await ledger.reader.milestones(ticket.id);
      const lastMilestone = [...state.timeline].reverse().find((e) => !['note', 'notification-sent', 'notification-failed'].includes(e.type))!;
      // Everything up to the latest milestone is written (notification outcomes after it ride with the next write).
      assert.deepEqual(
        written.map((e) => e.seq),
        state.timeline.filter((e) => e.seq <= lastMilestone.seq).map((e) => e.seq).concat(written.map((e) => e.seq).filter((seq) => seq > lastMilestone.seq)),
        'the timeline up to the latest milestone, each entry once, in order',
      );
      assert.deepEqual(written.find((e) => e.seq === lastMilestone.seq), state.timeline.find((e) => e.seq === lastMilestone.seq), 'entries are stored as the timeline has them');
      assert.equal(new Set(written.map((e) => e.seq)).size, written.length);
      const [row] = await ledger.reader.tickets({ from: 0, to: Date.now() + 365 * 24 * 3600_000 }).then((rows) => rows.filter((r) => r.ticketId === ticket.id));
      assert.equal(row?.status, 'resolved');
      assert.equal(row?.priority, 'P1');
      const metrics = row?.metrics as TicketMetrics;
      assert.equal(metrics.ticketId, ticket.id);
      assert.ok(metrics.firstResponse, 'the first response time is in the metrics');
      assert.ok(Math.abs(metrics.firstResponse.calendarMs - 30 * MINUTE) < 5_000, `first response after 30 minutes of workflow time (${metrics.firstResponse.calendarMs} ms)`);
    });
  });

  test('a breach carries its ledger write in the notice; a write the ride could not make, the workflow makes itself', async () => {
    // A second worker whose notices' ledger dependency fails (a locked database), beside a ledger that works.
    const failingDir = mkdtempSync(join(tmpdir(), 'tierline-ledger-ride-'));
    const config = loadConfig({ TIERLINE_DATA_DIR: failingDir });
    const failing = createNotificationActivities({
      outbox: fileOutbox(join(failingDir, 'outbox.jsonl'), () => {}),
      publicUrl: config.publicUrl,
      teamName: 'Support',
      ledger: { record: () => Promise.reject(new Error('SQLITE_BUSY: database is locked')) },
    });
    const failingHarness = await ticketHarness(env, { policy: caroLikePolicy(), activities: { ...createActivities(config, () => {}), postThreadMessage: failing.postThreadMessage } });
    const failingLedger = openLedger({ kind: 'sqlite', path: join(failingDir, 'ledger.db') });
    try {
      for (const [h, l, carried] of [
        [harness, ledger, true],
        [failingHarness, failingLedger, false],
      ] as const) {
        await h.run(async () => {
          const intake = { subject: 'Invoices missing', requester: { email: 'kim@example.com' }, channel: 'email', priority: 'P1' } as const;
          const { workflowId, history } = await breachedTicketHistory(env, h, intake);
          const state = await env.client.workflow.getHandle(workflowId).query(getTicketStateQuery);
          const breach = state.timeline.find((e) => e.type === 'sla-breach')!;
          assert.ok((await l.reader.milestones(state.ticketId)).some((e) => e.seq === breach.seq), `the breach is in the ledger (${carried ? 'carried' : 'written by the workflow'})`);
          // The breach's timer is the last that fired; what follows it is the breach's workflow task.
          const fired = history.events!.findLastIndex((e) => e.timerFiredEventAttributes);
          const markers = history.events!.slice(fired).flatMap((e) => markerType(e) ?? []);
          assert.deepEqual(markers, carried ? ['postThreadMessage'] : ['postThreadMessage', 'recordTicketMilestones']);
        });
      }
    } finally {
      await failingHarness.shutdown();
      await failingLedger.close();
    }
  });
});
