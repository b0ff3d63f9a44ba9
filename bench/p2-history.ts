/**
 * How many history events a typical P2 ticket costs: intake, auto-reply, one engineer response,
 * one customer reply, resolve, the follow-up, auto-close. Runs on the time-skipping server with
 * the outbox activities and prints the count by event type.
 *
 *   npx tsx bench/p2-history.ts
 */
import { ticketWorkflowId } from '../client/ticket-ids.js';
import { caroLikePolicy, HOUR } from '../test/fixtures/policies.js';
import { outboxActivities } from '../test/helpers/activities.js';
import { skip, ticketHarness, timeSkippingEnv } from '../test/helpers/temporal.js';
import { historyCounts } from './lib/history.js';

const env = await timeSkippingEnv();
const harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outboxActivities().activities });
try {
  await harness.run(async () => {
    const { ticket } = await harness.tickets.open({
      subject: 'Cannot change my billing address',
      description: 'The form says saved but nothing changes',
      requester: { email: 'ada@example.com' },
      channel: 'email',
      priority: 'P2',
    });
    await skip(env, 2 * HOUR);
    await harness.tickets.act(ticket.id, 'respond', { actor: 'grace', body: 'Which browser do you use?' });
    await skip(env, HOUR);
    await harness.tickets.customerMessage(ticket.id, { body: 'Firefox 140' });
    await skip(env, HOUR);
    await harness.tickets.act(ticket.id, 'resolve', { actor: 'grace', resolution: 'Fixed the form for Firefox' });
    const handle = env.client.workflow.getHandle(ticketWorkflowId(ticket.id));
    await handle.result(); // follow-up after 1 day, auto-close after 7
    const { total, byType } = await historyCounts(handle);
    console.log(`typical P2 ticket: ${total} history events`);
    for (const [name, count] of byType) console.log(`  ${String(count).padStart(3)}  ${name}`);
  });
} finally {
  await harness.shutdown();
  await env.teardown();
}
