/**
 * The worker's settings for workflow code:
 * - WORKFLOW_DEADLOCK_TIMEOUT: the guard on each activation of workflow code, in seconds, or off
 *   (see ticketWorkerClass in workers/worker.ts; what the guard does: workflow-vm.test.ts);
 * - WORKFLOW_DEADLOCK_GUARD: what acts on it, task or worker, by default by Node's version;
 * - WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: the workflow tasks the worker takes at once (a task that
 *   waits in the worker arms its timer late; see createTicketWorker);
 * - WORKER_WORKFLOW_THREADS: the threads that run workflow code (tickets run on two, each its own).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ConfigError, defaultDeadlockGuard, loadConfig } from '../../workers/config.js';
import { cachedWorkflowBundle, createTicketWorker, ticketWorkerClass } from '../../workers/worker.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { breachedTicketHistory, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';

test('WORKFLOW_DEADLOCK_TIMEOUT: 5 s unless set, whole seconds or off, anything else stops the start naming the setting', () => {
  assert.equal(loadConfig({}).WORKFLOW_DEADLOCK_TIMEOUT, 5);
  assert.equal(loadConfig({ WORKFLOW_DEADLOCK_TIMEOUT: '30' }).WORKFLOW_DEADLOCK_TIMEOUT, 30);
  assert.equal(loadConfig({ WORKFLOW_DEADLOCK_TIMEOUT: 'off' }).WORKFLOW_DEADLOCK_TIMEOUT, 0);
  for (const wrong of ['0', '5s', '-1', 'none', '1.5']) {
    assert.throws(
      () => loadConfig({ WORKFLOW_DEADLOCK_TIMEOUT: wrong }),
      (err: unknown) => err instanceof ConfigError && err.message === `WORKFLOW_DEADLOCK_TIMEOUT: expected whole seconds from 1 to 9999, or off (got "${wrong}")`,
    );
  }
});

test('WORKFLOW_DEADLOCK_GUARD: auto picks task on Node 24 and later, worker before; task refused where Node would abort; anything else stops the start naming the setting', () => {
  assert.equal(defaultDeadlockGuard('20.20.2'), 'worker');
  assert.equal(defaultDeadlockGuard('22.11.0'), 'worker');
  assert.equal(defaultDeadlockGuard('24.21.0'), 'task');
  assert.equal(defaultDeadlockGuard('25.0.0'), 'task');
  const here = defaultDeadlockGuard();
  assert.equal(loadConfig({}).WORKFLOW_DEADLOCK_GUARD, here);
  assert.equal(loadConfig({ WORKFLOW_DEADLOCK_GUARD: 'auto' }).WORKFLOW_DEADLOCK_GUARD, here);
  assert.equal(loadConfig({ WORKFLOW_DEADLOCK_GUARD: 'worker' }).WORKFLOW_DEADLOCK_GUARD, 'worker');
  if (here === 'task') assert.equal(loadConfig({ WORKFLOW_DEADLOCK_GUARD: 'task' }).WORKFLOW_DEADLOCK_GUARD, 'task');
  else
    assert.throws(
      () => loadConfig({ WORKFLOW_DEADLOCK_GUARD: 'task' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message === `WORKFLOW_DEADLOCK_GUARD: task needs Node 24 or later (on Node ${process.versions.node} a stopped workflow aborts the whole process): use worker or auto (got "task")`,
    );
  for (const wrong of ['process', 'TASK', 'on']) {
    assert.throws(
      () => loadConfig({ WORKFLOW_DEADLOCK_GUARD: wrong }),
      (err: unknown) => err instanceof ConfigError && err.message === `WORKFLOW_DEADLOCK_GUARD: expected auto, task or worker (got "${wrong}")`,
    );
  }
});

test('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 16 unless set, a whole number of at least 2, anything else stops the start naming the setting', () => {
  assert.equal(loadConfig({}).WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, 16);
  assert.equal(loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '40' }).WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, 40);
  for (const wrong of ['1', '0', 'x', '2.5']) {
    assert.throws(
      () => loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: wrong }),
      (err: unknown) => err instanceof ConfigError && err.message.startsWith('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: ') && err.message.endsWith(`(got "${wrong}")`),
    );
  }
});

test('WORKER_WORKFLOW_THREADS: 1 unless set, a whole number from 1 to 8, anything else stops the start naming the setting', () => {
  assert.equal(loadConfig({}).WORKER_WORKFLOW_THREADS, 1);
  assert.equal(loadConfig({ WORKER_WORKFLOW_THREADS: '2' }).WORKER_WORKFLOW_THREADS, 2);
  for (const wrong of ['0', '9', 'two', '1.5', '-1']) {
    assert.throws(
      () => loadConfig({ WORKER_WORKFLOW_THREADS: wrong }),
      (err: unknown) => err instanceof ConfigError && err.message === `WORKER_WORKFLOW_THREADS: expected a whole number from 1 to 8 (got "${wrong}")`,
    );
  }
});

let env: TestWorkflowEnvironment;
let harness: TicketHarness;
before(async () => {
  env = await timeSkippingEnv();
  harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outboxActivities().activities });
});
after(async () => {
  await harness?.shutdown();
  await env?.teardown();
});

test("a breached ticket's history replays the same with the guard at 1 s and with it off", { timeout: 180_000 }, async () => {
  const { workflowId, history } = await breachedTicketHistory(env, harness, { subject: 'Export fails', description: 'Every CSV export times out', requester: { email: 'ana@example.com' }, channel: 'email', priority: 'P2' });
  const workflowBundle = await cachedWorkflowBundle();
  for (const seconds of [1, 0]) {
    // Throws DeterminismViolationError if the replay's commands differ from the history's.
    await ticketWorkerClass({ deadlockTimeoutS: seconds }).runReplayHistory({ workflowBundle }, history, workflowId);
  }
});

test('the ticket worker takes as many workflow tasks at once, and runs workflow code on as many threads, as it is given', async () => {
  const worker = await createTicketWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: 'slots-only',
    activities: outboxActivities().activities,
    workflowBundle: await cachedWorkflowBundle(),
    maxConcurrentWorkflowTasks: 3,
    workflowThreads: 2,
  });
  assert.equal(worker.options.workflowThreadPoolSize, 2);
  const slots = worker.options.tuner.workflowTaskSlotSupplier;
  // A worker holds its connection until it has run and stopped.
  const running = worker.run();
  worker.shutdown();
  await running;
  assert.deepEqual(slots.type === 'fixed-size' ? slots.numSlots : slots, 3);
});

test('tickets run on a worker with two workflow threads, each keeping its own state', { timeout: 120_000 }, async () => {
  // The SDK gives each new workflow to the thread with the fewest: two tickets, one per thread.
  const threaded = await ticketHarness(env, { policy: caroLikePolicy(), activities: outboxActivities().activities, workflowThreads: 2 });
  try {
    await threaded.run(async () => {
      const { tickets } = threaded;
      const a = (await tickets.open({ subject: 'Export hangs', requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P2' })).ticket.id;
      const b = (await tickets.open({ subject: 'Login loops', requester: { email: 'bob@example.com' }, channel: 'email', priority: 'P3' })).ticket.id;
      await tickets.act(a, 'acknowledge', { actor: 'grace' });
      await tickets.act(b, 'note', { actor: 'linus', body: 'seen on staging' });
      const [ta, tb] = await Promise.all([tickets.get(a), tickets.get(b)]);
      assert.equal(ta!.assignee, 'grace');
      assert.equal(tb!.assignee, undefined);
      assert.deepEqual(tb!.timeline.filter((e) => e.type === 'note').map((e) => e.data?.body), ['seen on staging']);
      assert.deepEqual([ta!.subject, tb!.subject], ['Export hangs', 'Login loops']);
    });
  } finally {
    await threaded.shutdown();
  }
});
