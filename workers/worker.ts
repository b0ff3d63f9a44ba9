/**
 * The ticket worker: the workflows bundle and the activities on one task queue.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
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
 * The SDK's Worker, with its deadlock guard set from WORKFLOW_DEADLOCK_TIMEOUT (the SDK does not
 * expose it). The SDK runs every call into workflow code under vm's `timeout`, and Node starts and
 * joins a watchdog thread for each such call: about 60 µs on an idle core, and a wait for the
 * scheduler on a busy one. A ticket's breach makes about twenty such calls; `npm run bench:replay`
 * measures what the guard costs a replay. With 0 (off) workflow code runs unguarded: code stuck in a
 * loop then holds the workflow thread, and every ticket waits, instead of that one ticket's task
 * failing after the timeout.
 */
export function workerWithDeadlockTimeout(seconds: number): typeof Worker {
  return class TicketWorker extends Worker {
    protected static override createWorkflowCreator(...[bundle, options, logger]: Parameters<typeof Worker.createWorkflowCreator>) {
      // undefined: vm runs the call without a timeout, so without a watchdog thread.
      const isolateExecutionTimeoutMs = seconds === 0 ? (undefined as unknown as number) : seconds * 1000;
      return super.createWorkflowCreator(bundle, { ...options, isolateExecutionTimeoutMs }, logger);
    }
  };
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
  /** Seconds one call into workflow code may run; 0: no deadlock guard (see workerWithDeadlockTimeout). Default: the SDK's 5 s. */
  deadlockTimeoutS?: number;
}

export async function createTicketWorker(opts: TicketWorkerOptions): Promise<Worker> {
  const TicketWorker = opts.deadlockTimeoutS === undefined ? Worker : workerWithDeadlockTimeout(opts.deadlockTimeoutS);
  return TicketWorker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: opts.activities,
    ...(opts.maxCachedWorkflows ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...(opts.maxConcurrentWorkflowTasks ? { maxConcurrentWorkflowTaskExecutions: opts.maxConcurrentWorkflowTasks } : {}),
  });
}

export { NativeConnection };
