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
import { settled, skip, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';

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
});
