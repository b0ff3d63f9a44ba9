/**
 * Real Temporal servers for tests: the time-skipping test server for long SLA timers and the dev
 * server (with tierline's search attributes) for visibility. Both from the binaries the project
 * installs itself; the workflow bundle is built once per process.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Runtime, DefaultLogger, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Policy } from '../../domain/policy/schema.js';
import type { WorkflowHandle } from '@temporalio/client';
import { TicketClient } from '../../client/tickets.js';
import { FAST_SQLITE_PRAGMAS, sqlitePragmaArgs } from '../../workers/dev-server.js';
import { registerSearchAttributes } from '../../workers/register-search-attributes.js';
import { testingExecutable } from '../../workers/temporal-tools.js';
import { createTicketWorker, WORKFLOW_BUNDLE_OPTIONS } from '../../workers/worker.js';
import { TICKET_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import type { IntakeInput } from '../../domain/ticket/intake.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: new DefaultLogger('WARN') });
  return bundle;
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: await testingExecutable('testServer') } });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/**
 * The dev server, in memory, or on a SQLite file (as `npm start` runs it) when `dbFilename` is
 * given; `sqlitePragmas` replaces `npm start`'s (FAST_SQLITE_PRAGMAS).
 */
export async function devServerEnv(opts: { dbFilename?: string; sqlitePragmas?: readonly string[] } = {}): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: await testingExecutable('cli'),
      ...(opts.dbFilename ? { dbFilename: opts.dbFilename } : {}),
      searchAttributes: [...TICKET_SEARCH_ATTRIBUTES],
      extraArgs: sqlitePragmaArgs(opts.sqlitePragmas ?? FAST_SQLITE_PRAGMAS),
    },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

export interface TicketHarness {
  tickets: TicketClient;
  taskQueue: string;
  /**
   * Runs `fn` while the harness's worker polls. One worker serves the whole file: the
   * time-skipping server keeps a stopped worker's sticky queue and stalls its clock on it, so a
   * worker per test would hang the next test's sleep.
   */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Stops the worker (call in `after`, before the environment's teardown). */
  shutdown(): Promise<void>;
  /** Another worker on the same task queue, for tests that stop and start workers themselves. */
  newWorker(): Promise<Worker>;
}

export async function ticketHarness(
  env: TestWorkflowEnvironment,
  opts: { policy: Policy; activities: object; continueAsNewAfterEvents?: number; maxCachedWorkflows?: number; workflowThreads?: number },
): Promise<TicketHarness> {
  const taskQueue = `test-${randomUUID()}`;
  const newWorker = async () =>
    createTicketWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: opts.activities,
      workflowBundle: await workflowBundle(),
      ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
      ...(opts.workflowThreads !== undefined ? { workflowThreads: opts.workflowThreads } : {}),
    });
  const tickets = new TicketClient(env.client, {
    taskQueue,
    policy: opts.policy,
    ...(opts.continueAsNewAfterEvents ? { continueAsNewAfterEvents: opts.continueAsNewAfterEvents } : {}),
  });
  const worker = await newWorker();
  let failure: unknown;
  const running = worker.run().catch((err: unknown) => {
    failure = err;
  });
  return {
    tickets,
    taskQueue,
    newWorker,
    async run(fn) {
      const result = await fn();
      if (failure) throw failure;
      return result;
    },
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

/**
 * A real history of a ticket opened and left to breach its first response, on a time-skipping
 * server: for replaying it (the worker-settings test, `npm run bench:replay`).
 */
export async function breachedTicketHistory(env: TestWorkflowEnvironment, harness: TicketHarness, intake: IntakeInput) {
  const { ticket } = await harness.tickets.open(intake);
  const dueAt = ticket.clocks.find((c) => c.metric === 'firstResponse')?.dueAt;
  if (!dueAt) throw new Error('the ticket has no first-response deadline');
  await skip(env, Date.parse(dueAt) - (await env.currentTimeMs()) + 60_000);
  const handle = env.client.workflow.getHandle(ticketWorkflowId(ticket.id));
  await settled(handle);
  if (!(await harness.tickets.get(ticket.id)).timeline.some((e) => e.type === 'sla-breach')) throw new Error(`ticket ${ticket.id} did not breach`);
  return { workflowId: handle.workflowId, history: await handle.fetchHistory() };
}

/**
 * Events a workflow task's completion records after its WorkflowTaskCompleted: the commands it
 * gave. A history that ends in these (after a completed task) has nothing left to process.
 */
const COMMAND_EVENTS = [
  'timerStartedEventAttributes',
  'timerCanceledEventAttributes',
  'activityTaskScheduledEventAttributes',
  'activityTaskCancelRequestedEventAttributes',
  'markerRecordedEventAttributes',
  'upsertWorkflowSearchAttributesEventAttributes',
  'workflowPropertiesModifiedEventAttributes',
  'workflowExecutionUpdateAcceptedEventAttributes',
  'workflowExecutionUpdateCompletedEventAttributes',
  'signalExternalWorkflowExecutionInitiatedEventAttributes',
  'requestCancelExternalWorkflowExecutionInitiatedEventAttributes',
  'startChildWorkflowExecutionInitiatedEventAttributes',
] as const;
const CLOSING_EVENTS = [
  'workflowExecutionCompletedEventAttributes',
  'workflowExecutionFailedEventAttributes',
  'workflowExecutionCanceledEventAttributes',
  'workflowExecutionTerminatedEventAttributes',
  'workflowExecutionContinuedAsNewEventAttributes',
  'workflowExecutionTimedOutEventAttributes',
] as const;

type Event = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/**
 * Whether a history shows its workflow at rest: closed, or its last workflow task completed with
 * nothing recorded after it but that task's own commands. A signal, a fired timer, an activity's
 * result or a task still running (its local activities in flight) means busy.
 */
function atRest(events: readonly Event[]): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (CLOSING_EVENTS.some((k) => e[k] != null)) return true;
    if (e.workflowTaskCompletedEventAttributes) return true;
    if (!COMMAND_EVENTS.some((k) => e[k] != null)) return false;
  }
  return false;
}

/**
 * Waits until a workflow has nothing in flight: no pending activity, no workflow task, a history
 * at rest (see `atRest`; the time-skipping server does not report a task that a worker holds
 * open while its local activities run) and that stopped growing. For assertions about what one
 * more message adds.
 */
export async function settled(handle: WorkflowHandle, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const { raw } = await handle.describe();
    const length = Number(raw.workflowExecutionInfo?.historyLength ?? 0);
    const busy = (raw.pendingActivities?.length ?? 0) > 0 || raw.pendingWorkflowTask != null || !atRest((await handle.fetchHistory()).events ?? []);
    if (!busy && length === last) return length;
    if (Date.now() > deadline) throw new Error(`workflow ${handle.workflowId} did not settle in ${timeoutMs} ms`);
    last = busy ? -1 : length;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Moves a time-skipping server's clock forward by `ms`, in steps of at most an hour of workflow
 * time (`stepMs`: bigger for a server with nothing running yet, to reach a scenario's year), each
 * call bounded in real time. The Java test server answers the client's 30 s keepalive pings with
 * GOAWAY "too many pings", and a call caught in that can hang for good: a step that takes too long
 * is abandoned and the clock read again, so the skip ends at its target either way.
 */
export async function skip(env: TestWorkflowEnvironment, ms: number, stepMs = 3_600_000): Promise<void> {
  const target = (await bounded(env, () => env.currentTimeMs())) + ms;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const now = await bounded(env, () => env.currentTimeMs());
    if (now >= target) return;
    await bounded(env, () => env.sleep(Math.min(stepMs, target - now))).catch((err: unknown) => {
      if (!(err instanceof StepTimeout)) throw err;
    });
  }
  throw new Error(`could not move the test server's clock by ${ms} ms`);
}

/**
 * Moves a time-skipping server's clock forward to `at` (it only goes forward). A jump of over a
 * month is a scenario's first, into its year (scenario-year.ts), before anything runs: it goes in
 * steps of a year, where a running scenario moves an hour at a time.
 */
export async function skipTo(env: TestWorkflowEnvironment, at: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (!(at > now)) throw new Error(`the scenario starts at ${new Date(at).toISOString()}, but the server is already at ${new Date(now).toISOString()}`);
  const hour = 3_600_000;
  await skip(env, at - now, at - now > 31 * 24 * hour ? 366 * 24 * hour : hour);
}

class StepTimeout extends Error {}

/** Runs one call to the test server, giving up after 20 s of real time (then tries again once). */
async function bounded<T>(env: TestWorkflowEnvironment, call: () => Promise<T>): Promise<T> {
  for (let round = 0; ; round++) {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // The race, not only the abort: a call stuck on a dead stream may not even settle on abort.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new StepTimeout('test server call took over 20 s'));
        reject(new StepTimeout('test server call took over 20 s'));
      }, 20_000);
    });
    try {
      return await Promise.race([env.connection.withAbortSignal(controller.signal, call), timeout]);
    } catch (err) {
      if (!controller.signal.aborted || round > 0) throw controller.signal.aborted ? new StepTimeout(String(err)) : err;
    } finally {
      clearTimeout(timer);
    }
  }
}
