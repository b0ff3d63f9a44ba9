/**
 * Records a ticket's history for the replay test (`test/workflows/replay-recorded.test.ts`): a
 * ticket under a policy with targets by tag, some unnamed, opened, breached, acknowledged,
 * answered, raised to P1, moved onto a new version of its policy, resolved and followed up, on the
 * time-skipping server. Run on the code whose histories must keep replaying, before changing the
 * workflow, and commit the file it writes:
 *
 *   TEMPORAL_TEST_SERVER=.tools/venv/bin/temporal-test-server npx tsx scripts/record-ticket-history.ts NAME
 *
 * writes `test/fixtures/histories/NAME.json`: the history's protobuf bytes (base64), the commit it
 * was recorded on and the ticket's status at the end.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import proto from '@temporalio/proto';
import { TicketClient } from '../client/tickets.js';
import { HOUR, MINUTE, tieredPolicy } from '../test/fixtures/policies.js';
import { outboxActivities } from '../test/helpers/activities.js';
import { settled, skip, ticketHarness, timeSkippingEnv } from '../test/helpers/temporal.js';

const name = process.argv[2];
if (!name) throw new Error('usage: record-ticket-history.ts NAME');
const env = await timeSkippingEnv();
const outbox = outboxActivities();
const harness = await ticketHarness(env, { policy: tieredPolicy(), activities: outbox.activities });
try {
  await harness.run(async () => {
    const tickets = new TicketClient(env.client, { taskQueue: harness.taskQueue, policy: tieredPolicy() });
    const { ticket } = await tickets.open({ subject: 'Exports are slow', description: 'Every CSV export takes minutes', requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P2', tags: ['silver'] });
    await skip(env, 31 * MINUTE);
    await tickets.act(ticket.id, 'acknowledge', { actor: 'grace' });
    await tickets.act(ticket.id, 'respond', { actor: 'grace', body: 'Looking into it.' });
    await tickets.act(ticket.id, 'setPriority', { actor: 'grace', priority: 'P1' });
    await tickets.act(ticket.id, 'migratePolicy', { actor: 'admin', policy: tieredPolicy(2) });
    await skip(env, 2 * HOUR);
    await tickets.act(ticket.id, 'resolve', { actor: 'grace', resolution: 'Fixed the export query' });
    await skip(env, 26 * HOUR);
    const handle = env.client.workflow.getHandle(`ticket-${ticket.id}`);
    await settled(handle);
    const view = await tickets.get(ticket.id);
    const history = await handle.fetchHistory();
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const file = new URL(`../test/fixtures/histories/${name}.json`, import.meta.url);
    // The history as the server stores and sends it (protobuf), base64 in a JSON envelope.
    const bytes = proto.temporal.api.history.v1.History.encode(history).finish();
    writeFileSync(file, `${JSON.stringify({ commit, workflowId: handle.workflowId, status: view.status, events: history.events?.length, history: Buffer.from(bytes).toString('base64') }, null, 1)}\n`);
    console.log(`${file.pathname}: ${history.events?.length} events, ticket ${view.status}, timeline ${view.timeline.map((e) => e.type).join(' ')}`);
  });
} finally {
  await harness.shutdown();
  await env.teardown();
}
