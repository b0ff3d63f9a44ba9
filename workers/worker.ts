/**
 * The ticket worker: the workflows bundle and the activities on one task queue.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { Worker as NodeWorker } from 'node:worker_threads';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { ThreadedVMWorkflowCreator, WorkerThreadClient } from '@temporalio/worker/lib/workflow/threaded-vm.js';
import { defaultDeadlockGuard, type DeadlockGuard } from './config.js';
import { ActivationGuardedCreator, ActivationWatch, checkSdkShape, withoutPromiseStacks, type StuckActivation } from './workflow-vm.mjs';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * How the workflow code is bundled, wherever it is (the worker's cached bundle, the tests' one, a
 * worker given only the path). The whole workflow code is preloaded: a workflow thread evaluates
 * its modules once, when it starts, and every ticket on the thread shares them. Without this the
 * SDK evaluates every module of ours and six of its own (57 of the bundle's 131) again for each
 * workflow it creates, that is for every new ticket and every replay of one that left the cache,
 * and keeps a copy per cached workflow.
 *
 * Sharing is sound because no module of ours keeps state of its own: a workflow's state lives in
 * its run (the SDK's activator and the shell's closures), module scope holds only constants and
 * pure memos (zoned-time's formatters, calendar.ts's prepared calendars), and eslint forbids
 * module-scope `let` and `var` in workflows/ and domain/. The SDK deep-freezes what the modules
 * export, so a workflow that tried to change a shared export would fail its task, not leak.
 */
export const WORKFLOW_BUNDLE_OPTIONS = { workflowsPath: WORKFLOWS_PATH, preloadModules: [WORKFLOWS_PATH], webpackConfigHook: nativeSyntax };

/** The same, as a worker given only the path takes them. */
const { workflowsPath: _path, ...BUNDLER_OPTIONS } = WORKFLOW_BUNDLE_OPTIONS;

/** webpack's configuration, as the SDK's bundler hands it over. */
type Configuration = Parameters<NonNullable<NonNullable<WorkerOptions['bundlerOptions']>['webpackConfigHook']>>[0];

/**
 * The SDK's bundler compiles our TypeScript for ES2017, which turns every object spread (the
 * core's state updates are made of them) and class field into calls of helper functions; the
 * workflow thread spent about 8 % of its time in those helpers in the overload. The workflow
 * threads run on this Node, which has all of ES2022, so the bundle keeps the syntax native.
 * The semantics are the same (spread and class fields define properties either way).
 */
export function nativeSyntax(config: Configuration): Configuration {
  for (const rule of config.module?.rules ?? []) {
    const use = rule && typeof rule === 'object' && !Array.isArray(rule.use) && typeof rule.use === 'object' ? rule.use : undefined;
    const options = use && typeof use.loader === 'string' && use.loader.includes('swc-loader') && typeof use.options === 'object' ? use.options : undefined;
    if (options?.jsc) options.jsc.target = 'es2022';
  }
  return config;
}
const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** What the workflow bundle can be built from: the project's sources and the locked dependencies. */
const SOURCE_DIRS = ['workflows', 'domain', 'activities', 'client', 'adapters', 'workers', 'policies'];

function sourceDigest(): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    for (const entry of readdirSync(path).sort()) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) visit(full);
      else if (full.endsWith('.ts')) hash.update(relative(ROOT, full)).update(readFileSync(full));
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(ROOT, dir))) visit(join(ROOT, dir));
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(lock)) hash.update(readFileSync(lock));
  return hash.update(process.version).digest('hex').slice(0, 16);
}

/** Where the bundle is kept: with the install (a build cache, like other tools' node_modules/.cache). */
export const BUNDLE_CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'tierline');

/**
 * The workflow bundle, built once per version of the sources and kept in `cacheDir`: a start
 * with unchanged code skips bundling, whatever its data folder. It is built in a child process, so
 * webpack's memory never stays in the worker's heap.
 */
export async function cachedWorkflowBundle(cacheDir = BUNDLE_CACHE_DIR): Promise<{ code: string }> {
  const file = join(cacheDir, `workflow-bundle-${sourceDigest()}.js`);
  if (!existsSync(file)) {
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'workers', 'bundle-workflows.ts'), partial], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
    renameSync(partial, file);
    for (const old of readdirSync(cacheDir)) if (/^workflow-bundle-.*\.js$/.test(old) && join(cacheDir, old) !== file) rmSync(join(cacheDir, old), { force: true });
  }
  return { code: readFileSync(file, 'utf8') };
}

/**
 * The `worker` guard's action: one line naming the stuck ticket and the setting, then `cleanUp`
 * (what must not outlive the process, such as an embedded dev server), then exit 1. The ordered
 * shutdown would wait for ever: a stuck thread never gives the worker back.
 */
export function stopWorkerProcess(timeoutS: number, cleanUp: () => Promise<void> = async () => {}): (stuck: StuckActivation) => void {
  return (stuck) => {
    console.error(stuckLine(stuck, timeoutS));
    void cleanUp()
      .catch((err: Error) => console.error(`tierline: ${err.message}`))
      .finally(() => process.exit(1));
  };
}

export function stuckLine(stuck: StuckActivation, timeoutS: number): string {
  return `tierline: workflow ${stuck.label} has held its workflow thread for ${(stuck.ms / 1000).toFixed(1)} s (WORKFLOW_DEADLOCK_TIMEOUT=${timeoutS}): stopping the worker`;
}

/** How the worker runs workflow code (see workers/workflow-vm.mjs). */
export interface WorkflowVmOptions {
  /** Seconds one activation of a workflow's code may run before the guard acts; 0: no guard. Default 5. */
  deadlockTimeoutS?: number;
  /**
   * What acts (DeadlockGuard in workers/config.ts). `task`: vm's timeout over each activation; the
   * stuck activation is stopped and its task fails (and is retried after the timeout, so that
   * ticket stays stuck), the others go on; Node starts and joins a watchdog thread for every
   * activation. `worker`: the main thread watches the workflow threads (an activation costs two
   * atomic writes) and calls `onStuck` for an activation past the timeout. A stuck thread cannot
   * be stopped from outside without stopping the worker, and every ticket on it waits; after a
   * restart the others go on until the stuck one is met again. Default: defaultDeadlockGuard().
   */
  deadlockGuard?: DeadlockGuard;
  /** The `worker` guard's action. Default: stopWorkerProcess. */
  onStuck?: (stuck: StuckActivation) => void;
  /** The SDK's per-promise stack capture, for the Temporal UI's stack-trace query. Default off. */
  stackTraces?: boolean;
}

const WORKFLOW_THREAD = new URL('./workflow-thread.mjs', import.meta.url);

/**
 * The SDK's Worker, running workflow code the way workers/workflow-vm.mjs describes:
 *
 * - The deadlock guard covers a whole activation, not each call into workflow code. The SDK runs
 *   every call under vm's `timeout`, and Node starts and joins a watchdog thread for each: about
 *   60 µs on an idle core, and a wait for the scheduler on a busy one. An activation makes four to
 *   eight calls; `npm run bench:replay` measures what that costs a replay. The `worker` guard
 *   (DeadlockGuard) starts no thread at all. With a timeout of 0 workflow code runs unguarded:
 *   code stuck in a loop then holds the workflow thread, and every ticket waits.
 * - The SDK's promise hook, which captures and source-maps a stack for every promise workflow
 *   code creates so that the UI can show where a workflow waits, is off unless asked for. A ticket
 *   always waits in the same place (its shell's loop); its state is in the `getTicket` query.
 *
 * Workflows run in the SDK's workflow threads, started from `workflow-thread.mjs`; in debug mode
 * (and so in replays) they run in this thread, where the promise hook is then left off for the
 * process's later workers too.
 */
export function ticketWorkerClass(vm: WorkflowVmOptions = {}): typeof Worker {
  const timeoutS = vm.deadlockTimeoutS ?? 5;
  const guardMs = timeoutS * 1000 || undefined;
  const deadlockGuard = vm.deadlockGuard ?? defaultDeadlockGuard();
  const stackTraces = vm.stackTraces ?? false;
  return class TicketWorker extends Worker {
    protected static override async createWorkflowCreator(...[bundle, options, logger]: Parameters<typeof Worker.createWorkflowCreator>) {
      // The SDK's own path for what tierline does not use.
      if (options.reuseV8Context === false || options.patchActivationCallback) return super.createWorkflowCreator(bundle, options, logger);
      checkSdkShape();
      const registeredActivityNames = new Set(options.activities.keys());
      // Debug mode (and so replays) runs workflow code on this thread, which cannot watch itself:
      // the `task` guard there, whichever is set.
      if (options.debugMode) {
        if (!stackTraces) withoutPromiseStacks();
        return ActivationGuardedCreator.create(bundle, guardMs as number, registeredActivityNames);
      }
      const watch = guardMs && deadlockGuard === 'worker' ? new ActivationWatch(guardMs, vm.onStuck ?? stopWorkerProcess(timeoutS)) : undefined;
      // undefined: no vm guard (vm runs a call without a timeout, so without a watchdog thread).
      const isolateExecutionTimeoutMs = (watch ? undefined : guardMs) as number;
      const clients = Array.from(
        { length: options.workflowThreadPoolSize },
        () => new WorkerThreadClient(new NodeWorker(WORKFLOW_THREAD, { workerData: { stackTraces, stamp: watch?.newBuffer() } }), logger),
      );
      await Promise.all(
        clients.map((client) =>
          client.send({ type: 'init', workflowBundle: bundle, isolateExecutionTimeoutMs, reuseV8Context: true, registeredActivityNames, hasPatchActivationCallback: false }),
        ),
      );
      const creator = new ThreadedVMWorkflowCreator(clients);
      if (watch) {
        watch.start();
        const destroy = creator.destroy.bind(creator);
        creator.destroy = async () => {
          watch.stop();
          await destroy();
        };
      }
      return creator;
    }
  };
}

/**
 * Bounds how far each JS heap of this process (the main thread's, where the SDK decodes every
 * activation and the activities run, and each workflow thread's) grows past what survived its last
 * major collection before V8 collects again: V8's `--heap-growing-percent`, which it reads at every
 * major collection, so it holds for threads started before and after the call. Left to itself V8
 * lets a heap grow up to four times its survivors on a host with 2 GiB or more of memory: in a
 * backlog of breaches that is garbage, and most of the worker's peak (bench/NOTES.md, 7 December).
 * Not a limit: a heap whose live data grows still grows. 0 leaves V8's own factor alone.
 */
export function setHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

export interface TicketWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** Each cached ticket costs about 0.25 MiB: size the cache for the open tickets expected. */
  maxCachedWorkflows?: number;
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * Workflow tasks taken from the server at once. Their workflow code runs one activation at a
   * time on the workflow thread, and a ticket's clock reads the task's start: a task that waits in
   * the worker behind others arms its timer that much late.
   */
  maxConcurrentWorkflowTasks?: number;
  /**
   * Threads that run workflow code, each with its share of the cached tickets. One runs one
   * activation at a time; more use more cores when replays hold the thread (tickets woken outside
   * the cache), at the cost of a copy of the workflow code and a heap per thread. Default 1.
   */
  workflowThreads?: number;
  /** How workflow code runs: the deadlock guard, stack traces (see ticketWorkerClass). */
  vm?: WorkflowVmOptions;
}

export async function createTicketWorker(opts: TicketWorkerOptions): Promise<Worker> {
  const TicketWorker = ticketWorkerClass(opts.vm);
  return TicketWorker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: BUNDLER_OPTIONS }),
    activities: opts.activities,
    ...(opts.maxCachedWorkflows ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...(opts.maxConcurrentWorkflowTasks ? { maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTasks } : {}),
    ...(opts.workflowThreads ? { workflowThreadPoolSize: opts.workflowThreads } : {}),
  });
}

export { NativeConnection };
