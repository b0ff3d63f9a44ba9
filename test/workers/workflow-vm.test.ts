/**
 * How the ticket worker runs workflow code (ticketWorkerClass in workers/worker.ts, and
 * workers/workflow-vm.mjs): the deadlock guard over a whole activation still stops a workflow stuck
 * in a loop, fails that workflow's task with the reason and leaves the thread to the others; the
 * SDK's per-promise stack capture is off unless WORKFLOW_STACK_TRACES turns it on.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv } from '../helpers/temporal.js';
import { ticketWorkerClass, type WorkflowVmOptions } from '../../workers/worker.js';
import { ConfigError, loadConfig } from '../../workers/config.js';
import { spin } from '../fixtures/spinning-workflow.js';

const workflowsPath = fileURLToPath(new URL('../fixtures/spinning-workflow.ts', import.meta.url));

let env: TestWorkflowEnvironment;
before(async () => {
  env = await devServerEnv();
});
after(async () => {
  await env?.teardown();
});

async function withWorker<T>(taskQueue: string, vm: WorkflowVmOptions, fn: (worker: Worker) => Promise<T>): Promise<T> {
  const worker = await ticketWorkerClass(vm).create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, workflowsPath });
  return worker.runUntil(fn(worker));
}

async function taskFailures(workflowId: string): Promise<string[]> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => (e.workflowTaskFailedEventAttributes ? [e.workflowTaskFailedEventAttributes.failure?.message ?? ''] : []));
}

test('WORKFLOW_STACK_TRACES: off unless set, on or off, anything else stops the start naming the setting', () => {
  assert.equal(loadConfig({}).WORKFLOW_STACK_TRACES, false);
  assert.equal(loadConfig({ WORKFLOW_STACK_TRACES: 'on' }).WORKFLOW_STACK_TRACES, true);
  assert.equal(loadConfig({ WORKFLOW_STACK_TRACES: 'off' }).WORKFLOW_STACK_TRACES, false);
  assert.throws(
    () => loadConfig({ WORKFLOW_STACK_TRACES: 'yes' }),
    (err: unknown) => err instanceof ConfigError && err.message === 'WORKFLOW_STACK_TRACES: expected on or off (got "yes")',
  );
});

// Node 20's AsyncLocalStorage (which the SDK gives workflow code) runs on async hooks, which push a
// context for every promise job and pop it after. A workflow stuck in a loop is stuck inside such a
// job, so when the guard stops it the pop never happens, and Node aborts the process at the next
// callback ("async hook stack has become corrupted"). Measured: the SDK's own per-call guard does
// the same. Node 24 runs AsyncLocalStorage on async context frames instead, and there the guard
// fails just that task (this test).
const asyncHooksAbort = Number(process.versions.node.split('.')[0]) < 24;

test("a workflow stuck in a loop fails its task after the guard's second, and the others go on", { timeout: 120_000, skip: asyncHooksAbort && 'Node 20: a stopped workflow aborts the process (see above)' }, async () => {
  await withWorker('vm-guard', { deadlockTimeoutS: 1 }, async () => {
    const stuck = await env.client.workflow.start('spinning', { taskQueue: 'vm-guard', workflowId: 'vm-guard-stuck' });
    await stuck.signal(spin);
    // Its task is failed (and retried, and failed again) with the guard's reason.
    const deadline = Date.now() + 60_000;
    let failures: string[] = [];
    while (failures.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      failures = await taskFailures(stuck.workflowId);
    }
    assert.ok(failures.length > 0, 'the stuck workflow task never failed');
    assert.match(failures[0]!, /Script execution timed out after 1000ms/);
    // Meanwhile the same workflow thread runs another workflow through 20 activations.
    const counted = await env.client.workflow.execute('counting', { taskQueue: 'vm-guard', workflowId: 'vm-guard-counting', args: [20] });
    assert.equal(counted, 20);
    await stuck.terminate('test done');
  });
});

test('the stack-trace query: refused with the stack capture off (the default), a stack of the waiting workflow with it on', { timeout: 60_000 }, async () => {
  await withWorker('vm-stacks-off', {}, async () => {
    const handle = await env.client.workflow.start('spinning', { taskQueue: 'vm-stacks-off', workflowId: 'vm-stacks-off' });
    await assert.rejects(handle.query('__stack_trace'), /Workflow stack traces are not enabled on this worker/);
    await handle.terminate('test done');
  });
  await withWorker('vm-stacks-on', { stackTraces: true }, async () => {
    const handle = await env.client.workflow.start('spinning', { taskQueue: 'vm-stacks-on', workflowId: 'vm-stacks-on' });
    const stack = await handle.query<string>('__stack_trace');
    assert.match(stack, /spinning/);
    assert.match(stack, /spinning-workflow\.ts/);
    await handle.terminate('test done');
  });
});
