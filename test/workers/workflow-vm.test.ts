/**
 * How the ticket worker runs workflow code (ticketWorkerClass in workers/worker.ts, and
 * workers/workflow-vm.mjs): the `task` deadlock guard over a whole activation still stops a
 * workflow stuck in a loop, fails that workflow's task with the reason and leaves the thread to the
 * others; the `worker` guard watches from the main thread, lets ordinary work through, and stops
 * the worker process with a line naming a stuck workflow; the SDK's per-promise stack capture is
 * off unless WORKFLOW_STACK_TRACES turns it on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv } from '../helpers/temporal.js';
import { stuckLine, ticketWorkerClass, type WorkflowVmOptions } from '../../workers/worker.js';
import { ActivationWatch, type StuckActivation } from '../../workers/workflow-vm.mjs';
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

test('the watch of the `worker` guard: reports an activation it has seen running for the timeout, once, and never one that moved on', () => {
  const stuck: StuckActivation[] = [];
  const watch = new ActivationWatch(1000, (s) => stuck.push(s), 100);
  const buffer = watch.newBuffer();
  const words = new Int32Array(buffer, 0, 2);
  const label = new TextEncoder().encode('ticket T-1 (run r-1)');
  new Uint8Array(buffer, 8).set(label);
  Atomics.store(words, 1, label.length);
  // Idle (even): never reported, however long.
  watch.check(0);
  watch.check(5000);
  // Running (odd) from the check at 5,000: reported at 6,000 and not before, and only once.
  Atomics.add(words, 0, 1);
  watch.check(5000);
  watch.check(5999);
  assert.deepEqual(stuck, []);
  watch.check(6000);
  watch.check(9000);
  assert.deepEqual(stuck, [{ label: 'ticket T-1 (run r-1)', ms: 1000 }]);
  // Activations that come and go between checks (seq moved) are never stuck, even if one runs now.
  Atomics.add(words, 0, 2);
  watch.check(9500);
  Atomics.add(words, 0, 2);
  watch.check(10_400);
  Atomics.add(words, 0, 2);
  watch.check(11_300);
  assert.equal(stuck.length, 1);
  // The count wraps past 2^31 and keeps its parity: still seen.
  Atomics.store(words, 0, 2 ** 31 - 1);
  watch.check(20_000);
  watch.check(21_000);
  assert.equal(stuck.length, 2);
  assert.equal(stuckLine(stuck[1]!, 5), 'tierline: workflow ticket T-1 (run r-1) has held its workflow thread for 1.0 s (WORKFLOW_DEADLOCK_TIMEOUT=5): stopping the worker');
});

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

test("the `task` guard: a workflow stuck in a loop fails its task after the guard's second, and the others go on", { timeout: 120_000, skip: asyncHooksAbort && 'Node 20: a stopped workflow aborts the process (see above)' }, async () => {
  await withWorker('vm-guard', { deadlockTimeoutS: 1, deadlockGuard: 'task' }, async () => {
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

test('the `worker` guard: ordinary workflows run under it; one stuck in a loop stops the worker process with a line naming it', { timeout: 120_000 }, async () => {
  const taskQueue = 'vm-watch';
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../fixtures/stuck-worker.ts', import.meta.url))], {
    env: { ...process.env, STUCK_WORKER_ADDRESS: env.address, STUCK_WORKER_QUEUE: taskQueue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  try {
    while (!stdout.includes('ready')) {
      if (child.exitCode !== null) assert.fail(`the worker exited before it was ready: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // 20 activations, each watched, none stuck.
    assert.equal(await env.client.workflow.execute('counting', { taskQueue, workflowId: 'vm-watch-counting', args: [20] }), 20);
    assert.equal(child.exitCode, null, 'the worker stopped on ordinary work');
    const stuck = await env.client.workflow.start('spinning', { taskQueue, workflowId: 'vm-watch-stuck' });
    await stuck.signal(spin);
    const [code] = await exited;
    assert.equal(code, 1);
    const lines = stderr.split('\n').filter((l) => l.startsWith('tierline: workflow '));
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, new RegExp(`^tierline: workflow spinning vm-watch-stuck \\(run ${stuck.firstExecutionRunId}\\) has held its workflow thread for [1-9]\\.\\d s \\(WORKFLOW_DEADLOCK_TIMEOUT=1\\): stopping the worker$`));
    await stuck.terminate('test done');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('the globals: a workflow cannot replace one; one it adds is removed before another ticket runs, and reported', { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  // The workflow thread's stderr reaches this process's through a pipe.
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    lines.push(...String(chunk).split('\n').filter((l) => l.startsWith('tierline: workflow ')));
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    await withWorker('vm-globals', {}, async () => {
      const adding = await env.client.workflow.start('addingGlobal', { taskQueue: 'vm-globals', workflowId: 'vm-globals-adding', args: ['tierlineStray'] });
      while (!(await adding.fetchHistory()).events?.some((e) => e.workflowTaskCompletedEventAttributes)) await new Promise((r) => setTimeout(r, 50));
      // Another ticket on the same thread does not see it.
      assert.equal(await env.client.workflow.execute('readingGlobal', { taskQueue: 'vm-globals', workflowId: 'vm-globals-reading', args: ['tierlineStray'] }), 'undefined');
      // Nor does the one that added it, on its next activation: it was removed, not kept aside.
      await adding.signal(spin);
      assert.equal(await adding.result(), 'undefined');
      for (let i = 0; i < 100 && !lines.length; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(lines, [
        'tierline: workflow vm-globals-adding added the global(s) tierlineStray to the workflow context that every ticket on its thread shares; removed, so that no other ticket sees them (workflow code keeps its state in the workflow)',
      ]);

      const assigning = await env.client.workflow.start('assigningGlobal', { taskQueue: 'vm-globals', workflowId: 'vm-globals-assigning' });
      let failures: string[] = [];
      while (!failures.length) failures = await taskFailures(assigning.workflowId);
      assert.match(failures[0]!, /Cannot assign to read only property 'Date'/);
      await assigning.terminate('test done');
      // The others still have theirs.
      assert.equal(await env.client.workflow.execute('counting', { taskQueue: 'vm-globals', workflowId: 'vm-globals-counting', args: [3] }), 3);
    });
  } finally {
    process.stderr.write = write;
  }
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
