/**
 * Tickets live for weeks, so a worker of today replays histories that the code of an earlier day
 * wrote. Each file of test/fixtures/histories is such a history, recorded by
 * scripts/record-ticket-history.ts on the commit it names; replaying it through today's workflow
 * code must give the commands it recorded (the SDK throws DeterminismViolationError otherwise).
 *
 * - policy-whole.json (df0261d): a ticket that carried its whole policy, before tickets kept only
 *   the part that can apply to them: opened under targets by tag, breached, answered, raised,
 *   migrated to a new policy version, resolved and followed up.
 * - policy-part.json: the same life on the code that keeps only the part (2 December 2026).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import proto from '@temporalio/proto';
import { cachedWorkflowBundle, ticketWorkerClass } from '../../workers/worker.js';

const { History } = proto.temporal.api.history.v1;
const DIR = new URL('../fixtures/histories/', import.meta.url);

interface Recorded {
  commit: string;
  workflowId: string;
  status: string;
  events: number;
  history: string;
}

const recorded = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

test('the recorded histories are there', () => {
  assert.ok(recorded.includes('policy-whole.json'), recorded.join(', '));
});

for (const file of recorded) {
  test(`${file} replays through today's workflow code`, { timeout: 120_000 }, async () => {
    const { commit, workflowId, events, history: base64 } = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as Recorded;
    const history = History.decode(Buffer.from(base64, 'base64'));
    assert.equal(history.events.length, events, `${file} (recorded on ${commit}) is whole`);
    await ticketWorkerClass().runReplayHistory({ workflowBundle: await cachedWorkflowBundle() }, history, workflowId);
  });
}

test('policy-whole.json is what it says: the start event carries the whole policy, and the ticket migrated', () => {
  const { history: base64 } = JSON.parse(readFileSync(new URL('policy-whole.json', DIR), 'utf8')) as Recorded;
  const history = History.decode(Buffer.from(base64, 'base64'));
  const input = history.events[0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  const { policy } = JSON.parse(Buffer.from(input.data!).toString()) as { policy: { description?: string; sla: { targets: { when: { tags?: string[] } }[] } } };
  assert.ok(policy.description, 'the prose a ticket no longer carries');
  assert.ok(policy.sla.targets.some((t) => t.when.tags?.includes('gold')), 'a target that cannot apply to a silver ticket');
  const updates = history.events.flatMap((e) => (e.workflowExecutionUpdateAcceptedEventAttributes ? [e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name] : []));
  assert.ok(updates.includes('migratePolicy'), updates.join(', '));
});
