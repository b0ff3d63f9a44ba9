/**
 * The workflow code is preloaded (WORKFLOW_BUNDLE_OPTIONS in workers/worker.ts): a workflow thread
 * evaluates its modules once, and every ticket on the thread shares them. What a ticket holds stays
 * its own, in the cache and across the replays of tickets that left it.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { caroLikePolicy } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { devServerEnv, ticketHarness, workflowBundle, type TicketHarness } from '../helpers/temporal.js';
import { cachedWorkflowBundle } from '../../workers/worker.js';
import { ActivationGuardedCreator } from '../../workers/workflow-vm.mjs';

const { parseWorkflowCode } = createRequire(import.meta.url)('@temporalio/worker/lib/worker.js') as {
  parseWorkflowCode(code: string): { code: string; sourceMap: unknown; filename: string };
};

/** The bundle's modules that a workflow thread has not loaded before any workflow runs. */
async function perWorkflowModules(code: string): Promise<{ all: string[]; perWorkflow: string[] }> {
  // Ids starting with '?' are webpack's empty stand-ins for the SDK's custom converters, which
  // tierline does not set; the SDK requires them for each workflow.
  const all = [...code.matchAll(/^\/\*\*\*\/ "([^"?][^"]*)"/gm)].map((m) => m[1]!);
  const creator = (await ActivationGuardedCreator.create(parseWorkflowCode(code) as never, 1000, new Set())) as unknown as {
    context: { __webpack_module_cache__: Record<string, unknown> };
    destroy(): Promise<void>;
  };
  // Outside a workflow (no activator), the SDK's module cache answers with the shared modules only.
  const shared = creator.context.__webpack_module_cache__;
  const perWorkflow = all.filter((id) => !shared[id]);
  await creator.destroy();
  return { all, perWorkflow };
}

test('the worker and the tests bundle the workflow code preloaded: no module is evaluated per workflow', { timeout: 180_000 }, async () => {
  for (const [name, bundle] of [['the worker', await cachedWorkflowBundle()], ['the tests', await workflowBundle()]] as const) {
    const { all, perWorkflow } = await perWorkflowModules(bundle.code);
    assert.ok(all.some((id) => id.startsWith('./domain/')) && all.some((id) => id.startsWith('./workflows/')), `${name}: the bundle lists its modules`);
    assert.deepEqual(perWorkflow, [], `${name}: modules evaluated per workflow`);
  }
});

let env: TestWorkflowEnvironment;
let harness: TicketHarness;
before(async () => {
  env = await devServerEnv();
  // A cache of two for three tickets: each action below finds its ticket evicted and replays it.
  harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outboxActivities().activities, maxCachedWorkflows: 2 });
});
after(async () => {
  await harness?.shutdown();
  await env?.teardown();
});

test('tickets on one workflow thread share its modules, not their state, in the cache and after replays', { timeout: 120_000 }, async () => {
  await harness.run(async () => {
    const { tickets } = harness;
    const open = async (subject: string, priority: 'P2' | 'P3') =>
      (await tickets.open({ subject, requester: { email: 'ada@example.com' }, channel: 'email', priority })).ticket.id;
    const a = await open('Export hangs', 'P2');
    const b = await open('Invoice is wrong', 'P3');
    const c = await open('Login loops', 'P3');
    for (let round = 0; round < 2; round++) {
      await tickets.act(a, 'note', { actor: 'grace', body: `a-${round}` });
      await tickets.act(b, 'note', { actor: 'alan', body: `b-${round}` });
      await tickets.act(c, 'note', { actor: 'linus', body: `c-${round}` });
    }
    await tickets.act(a, 'acknowledge', { actor: 'grace' });
    await tickets.act(c, 'setPriority', { actor: 'linus', priority: 'P1' });

    const [ta, tb, tc] = await Promise.all([a, b, c].map((id) => tickets.get(id)));
    const notes = (t: typeof ta) => t!.timeline.filter((e) => e.type === 'note').map((e) => e.data?.body);
    assert.deepEqual(notes(ta), ['a-0', 'a-1']);
    assert.deepEqual(notes(tb), ['b-0', 'b-1']);
    assert.deepEqual(notes(tc), ['c-0', 'c-1']);
    assert.equal(ta!.assignee, 'grace');
    assert.equal(tb!.assignee, undefined);
    assert.equal(tc!.assignee, undefined);
    assert.deepEqual([ta!.priority, tb!.priority, tc!.priority], ['P2', 'P3', 'P1']);
    assert.deepEqual([ta!.subject, tb!.subject, tc!.subject], ['Export hangs', 'Invoice is wrong', 'Login loops']);
  });
});
