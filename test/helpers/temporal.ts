/**
 * Real Temporal servers for tests: the time-skipping test server for long SLA timers and the dev
 * server (with tierline's search attributes) for visibility. Both from the binaries the project
 * installs itself; the workflow bundle is built once per process.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Runtime, DefaultLogger, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Policy } from '../../domain/policy/schema.js';
import { TicketClient } from '../../client/tickets.js';
import { registerSearchAttributes } from '../../workers/register-search-attributes.js';
import { testingExecutable } from '../../workers/temporal-tools.js';
import { createTicketWorker, WORKFLOWS_PATH } from '../../workers/worker.js';
import { TICKET_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  return bundle;
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: await testingExecutable('testServer') } });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: await testingExecutable('cli'),
      searchAttributes: [...TICKET_SEARCH_ATTRIBUTES],
      extraArgs: ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'],
    },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

export interface TicketHarness {
  tickets: TicketClient;
  worker: Worker;
  taskQueue: string;
  /** Runs `fn` while the worker runs, then stops the worker. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export async function ticketHarness(
  env: TestWorkflowEnvironment,
  opts: { policy: Policy; activities: object; continueAsNewAfterEvents?: number },
): Promise<TicketHarness> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await createTicketWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: opts.activities,
    workflowBundle: await workflowBundle(),
  });
  const tickets = new TicketClient(env.client, {
    taskQueue,
    policy: opts.policy,
    ...(opts.continueAsNewAfterEvents ? { continueAsNewAfterEvents: opts.continueAsNewAfterEvents } : {}),
  });
  return { tickets, worker, taskQueue, run: (fn) => worker.runUntil(fn) };
}
