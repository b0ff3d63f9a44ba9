/**
 * History size, on the time-skipping server.
 *
 * 1. A typical P2 lifecycle (intake, auto-reply, acknowledge, respond, customer reply, resolve,
 *    follow-up after a day, auto-close after seven) against the same-actions baseline: the bare
 *    workflow taking exactly the timers, Updates, Signals, activities and local activities that
 *    tierline's own history shows (bench/lib/same-actions-plan.ts), driven by the same client
 *    script with the same clock moves. Target: tierline <= 1.2x the baseline's events.
 * 2. A ticket that lives for months: a customer message and an answer a day, for --days days and
 *    until the ticket has continued as new at least once; the largest run's event count must stay
 *    under 10,000.
 *
 *   npx tsx bench/p2-history.ts [--days 90] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { ticketWorkflowId } from '../client/ticket-ids.js';
import { caroLikePolicy, HOUR } from '../test/fixtures/policies.js';
import { outboxActivities } from '../test/helpers/activities.js';
import { skip, ticketHarness, timeSkippingEnv } from '../test/helpers/temporal.js';
import { historyCounts } from './lib/history.js';
import { intake, p2Lifecycle, sameActionsTarget, tierlineTarget, type Stage } from './lib/p2-lifecycle.js';
import { environment } from './lib/environment.js';
import { cleanUpOnStop } from './lib/run.js';
import { planFromHistory, planTotals } from './lib/same-actions-plan.js';
import { sameActionsActivities, sameActionsWorker } from './lib/same-actions-worker.js';

const { values } = parseArgs({ options: { days: { type: 'string', default: '90' }, json: { type: 'string' } } });
const DAYS = Number(values.days);
const MAX_DAYS = 4 * DAYS + 400;
const LIMIT = 10_000;

const env = await timeSkippingEnv();
const harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outboxActivities().activities });
const bare = await sameActionsWorker(env, sameActionsActivities());
const bareRunning = bare.worker.run();
const result: Record<string, unknown> = { ...environment(), server: 'temporal-test-server 1.40.0 (time-skipping)', policy: 'caroLikePolicy (test/fixtures/policies.ts): follow-up after 1d, auto-close after 7d' };

/**
 * A run's event count and encoded size, and the run it continued from. The test server answers
 * with the whole history whatever the page size, and a long ticket's run passes the client's
 * default 4 MiB message limit: read through a connection that takes up to 64 MiB.
 */
const historyReader = await Connection.connect({ address: env.connection.options.address, channelArgs: { 'grpc.max_receive_message_length': 64 * 2 ** 20 } });
async function runSize(workflowId: string, runId: string) {
  const { History } = proto.temporal.api.history.v1;
  let events = 0;
  let bytes = 0;
  let continuedAsNew = false;
  let continuedFrom: string | undefined;
  let startBytes = 0;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await historyReader.workflowService.getWorkflowExecutionHistory({ namespace: env.namespace ?? 'default', execution: { workflowId, runId }, maximumPageSize: 100, ...(nextPageToken ? { nextPageToken } : {}) });
    const pageEvents = page.history?.events ?? [];
    if (events === 0) {
      continuedFrom = pageEvents[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
      startBytes = History.encode({ events: pageEvents.slice(0, 1) }).finish().length;
    }
    events += pageEvents.length;
    bytes += History.encode({ events: pageEvents }).finish().length;
    continuedAsNew ||= pageEvents.some((e) => e.workflowExecutionContinuedAsNewEventAttributes);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { events, bytes, startBytes, continuedAsNew, continuedFrom };
}

// The typical P2's clock: the answer two hours after intake, the customer's reply an hour later, the resolution an hour after that.
const pause = async (after: Stage) => skip(env, after === 'opened' ? 2 * HOUR : HOUR);

const cleanUp = cleanUpOnStop(async () => {
  await historyReader.close();
  await harness.shutdown();
  bare.worker.shutdown();
  await bareRunning;
  await env.teardown();
});
try {
  await harness.run(async () => {
    const tierline = tierlineTarget(harness.tickets, env.client);
    const ticketHandle = env.client.workflow.getHandle(tierline.workflowId(await p2Lifecycle(tierline, 1, pause)));
    const plan = planFromHistory((await ticketHandle.fetchHistory()).events ?? []);
    const baseline = sameActionsTarget(env.client, bare.taskQueue, plan);
    const bareHandle = env.client.workflow.getHandle(baseline.workflowId(await p2Lifecycle(baseline, 1, pause)));
    const [tl, bl] = [await historyCounts(ticketHandle), await historyCounts(bareHandle)];

    const types = [...new Set([...tl.byType.map(([t]) => t), ...bl.byType.map(([t]) => t)])];
    const count = (c: typeof tl, type: string) => c.byType.find(([t]) => t === type)?.[1] ?? 0;
    const rows = types.map((type) => ({ type, tierline: count(tl, type), sameActions: count(bl, type) })).sort((a, b) => b.tierline - a.tierline);
    console.log(`typical P2 lifecycle: the same actions ${JSON.stringify(planTotals(plan))}`);
    console.log(`  ${'event type'.padEnd(28)} ${'tierline'.padStart(8)} ${'baseline'.padStart(8)} ${'extra'.padStart(6)}`);
    for (const r of rows) console.log(`  ${r.type.padEnd(28)} ${String(r.tierline).padStart(8)} ${String(r.sameActions).padStart(8)} ${String(r.tierline - r.sameActions).padStart(6)}`);
    console.log(`  ${'total'.padEnd(28)} ${String(tl.total).padStart(8)} ${String(bl.total).padStart(8)} ${String(tl.total - bl.total).padStart(6)}`);
    const ratio = tl.total / bl.total;
    console.log(`  ratio tierline / same-actions: ${ratio.toFixed(2)} (target <= 1.2)`);
    result.p2 = { tierlineEvents: tl.total, sameActionsEvents: bl.total, ratio, targetAtMost: 1.2, met: ratio <= 1.2, byType: rows, actions: planTotals(plan) };

    // A ticket that lives for months: a customer message each day, answered an hour later.
    const { ticket } = await harness.tickets.open(intake(2));
    const handle = env.client.workflow.getHandle(ticketWorkflowId(ticket.id));
    await harness.tickets.act(ticket.id, 'acknowledge', { actor: 'grace' });
    let days = 0;
    const firstRun = (await handle.describe()).runId;
    while ((days < DAYS || (await handle.describe()).runId === firstRun) && days < MAX_DAYS) {
      days++;
      await harness.tickets.customerMessage(ticket.id, { body: `day ${days}: still broken`, messageId: `<day-${days}@example.com>` });
      await skip(env, HOUR);
      await harness.tickets.act(ticket.id, 'respond', { actor: 'grace', body: `day ${days}: looking into it` });
      await skip(env, 23 * HOUR);
      if (days % 25 === 0) console.log(`  long ticket: day ${days}, ${(await handle.describe()).historyLength} events in the current run`);
    }
    // Every run of the ticket, newest first: each run's first event names the run it continued.
    const runs: { runId: string; events: number; bytes: number; startBytes: number; continuedAsNew: boolean }[] = [];
    for (let runId: string | undefined = (await handle.describe()).runId; runId; ) {
      const size = await runSize(handle.workflowId, runId);
      runs.push({ runId, events: size.events, bytes: size.bytes, startBytes: size.startBytes, continuedAsNew: size.continuedAsNew });
      runId = size.continuedFrom;
    }
    const largest = Math.max(...runs.map((r) => r.events));
    const timeline = (await harness.tickets.state(ticket.id)).timeline;
    // Repeats fold into one entry per clock that counts them (domain/ticket/timeline.ts).
    const repeatEntries = timeline.filter((e) => e.type === 'sla-breach-repeat');
    const hourlyRepeats = repeatEntries.reduce((n, e) => n + (Number(e.data?.['folded']) || 1), 0);
    console.log(`\nlong-lived ticket: ${days} days of daily messages and answers, ${runs.length} runs (${runs.filter((r) => r.continuedAsNew).length} continued as new)`);
    for (const r of runs.toReversed()) console.log(`  run ${r.runId.slice(0, 8)}: ${r.events} events, ${(r.bytes / 2 ** 20).toFixed(1)} MiB (start event, with the carried state: ${(r.startBytes / 1024).toFixed(0)} KiB)${r.continuedAsNew ? ', continued as new' : ', current'}`);
    const largestBytes = Math.max(...runs.map((r) => r.bytes));
    console.log(`  largest run: ${largest} events (limit ${LIMIT}), ${(largestBytes / 2 ** 20).toFixed(1)} MiB; ${hourlyRepeats} "still breached" notices, in ${repeatEntries.length} timeline entries (the resolution clock's repeatAfterBreach: 1h); ${timeline.length} timeline entries in all`);
    result.longLived = { days, runs, breachRepeats: hourlyRepeats, breachRepeatEntries: repeatEntries.length, timelineEntries: timeline.length, largestRunEvents: largest, largestRunBytes: largestBytes, limit: LIMIT, met: largest < LIMIT && runs.some((r) => r.continuedAsNew) };
  });
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await cleanUp();
}
