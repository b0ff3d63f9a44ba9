/**
 * Operators act on a ticket by Signal, as the Temporal UI's signal form and the Temporal CLI send
 * them: the real `temporal workflow signal` against a dev server. A signal the ticket refuses is
 * on its timeline with the reason, never dropped.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import { resolveTemporalTool } from '../../workers/temporal-tools.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { eventually } from '../helpers/api.js';
import { devServerEnv, ticketHarness, type TicketHarness } from '../helpers/temporal.js';

const run = promisify(execFile);

describe('engineer actions as Signals (the Temporal CLI against a dev server)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let cli: string;

  before(async () => {
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outboxActivities().activities });
    cli = (await resolveTemporalTool('cli'))!;
    assert.ok(cli, 'the Temporal CLI is installed (the test command installs it)');
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
  });

  const address = () => (env.connection as unknown as { options: { address: string } }).options.address;
  const signal = (ticketId: string, name: string, input: string) =>
    run(cli, ['workflow', 'signal', '--address', address(), '--namespace', env.namespace ?? 'default', '--workflow-id', ticketWorkflowId(ticketId), '--name', name, '--input', input]);
  const timelineOf = async (id: string) => (await harness.tickets.get(id)).timeline;

  test('acknowledge, note and resolve by signal change the ticket as the Updates do', async () => {
    await harness.run(async () => {
      const { ticket } = await harness.tickets.open({ subject: 'Export hangs', requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P2' });
      await signal(ticket.id, 'acknowledge', '{"actor":"grace"}');
      await eventually('the acknowledgement', async () => ((await harness.tickets.get(ticket.id)).assignee === 'grace' ? true : undefined));
      await signal(ticket.id, 'note', '{"actor":"grace","body":"Reproduced on 2.3"}');
      await signal(ticket.id, 'resolve', '{"actor":"grace","resolution":"Fixed in 2.3.1"}');
      const resolved = await eventually('the resolution', async () => {
        const t = await harness.tickets.get(ticket.id);
        return t.status === 'resolved' ? t : undefined;
      });
      assert.equal(resolved.resolution, 'Fixed in 2.3.1');
      const types = resolved.timeline.map((e) => e.type);
      assert.ok(types.includes('acknowledged') && types.includes('note') && types.includes('resolved'));
    });
  });

  test('a refused or malformed signal is on the timeline with the reason, and changes nothing else', async () => {
    await harness.run(async () => {
      const { ticket } = await harness.tickets.open({ subject: 'Typo', requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P3' });
      await harness.tickets.act(ticket.id, 'resolve', { actor: 'grace', resolution: 'Fixed' });
      await signal(ticket.id, 'acknowledge', '{"actor":"linus"}');
      await signal(ticket.id, 'escalate', '{"actor":"linus"}');
      await signal(ticket.id, 'note', '{"actor":"linus","body":"x","colour":"red"}');
      const refused = await eventually('three refusals', async () => {
        const entries = (await timelineOf(ticket.id)).filter((e) => e.type === 'refused');
        return entries.length === 3 ? entries : undefined;
      });
      assert.deepEqual(
        refused.map((e) => [e.actor, e.summary]),
        [
          ['linus', 'acknowledge refused: cannot acknowledge a resolved ticket; reopen it first'],
          ['linus', 'escalate refused: reason is required (a non-empty string)'],
          ['linus', 'note refused: unknown field colour; expected actor, body, requestId'],
        ],
      );
      const after = await harness.tickets.get(ticket.id);
      assert.equal(after.status, 'resolved');
      assert.equal(after.assignee, undefined);
    });
  });
});
