/**
 * `npm start`'s launcher (workers/launch.mjs): the worker's process starts with glibc's malloc
 * arenas capped (WORKER_MALLOC_ARENAS, default 2), in a child where the setting needs one, and the
 * launcher ends as that child ends. The real entry point, `node workers/launch.mjs`, in a process
 * of its own with its own dev server, API and data folder; read back from /proc.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { descendantsOf } from '../../bench/lib/cpu.js';
import { freePort } from '../helpers/api.js';
import { alive, cmdline, environOf } from '../helpers/proc.js';
import { ConfigError, loadConfig } from '../../workers/config.js';
import { MALLOC_ARENAS_DEFAULT, arenaMax, onGlibc } from '../../workers/malloc-arenas.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAUNCHER = join(ROOT, 'workers/launch.mjs');

/** glibc's libc is mapped into this process (read apart from the launcher's own test). */
const glibcHere = process.platform === 'linux' && readFileSync('/proc/self/maps', 'utf8').includes('/libc.so.6');

test('WORKER_MALLOC_ARENAS: 2 unless set, auto for glibc\'s own, a whole number from 1 to 64, anything else stops the start naming the setting', () => {
  assert.equal(MALLOC_ARENAS_DEFAULT, 2);
  assert.equal(loadConfig({}).WORKER_MALLOC_ARENAS, 2);
  assert.equal(loadConfig({ WORKER_MALLOC_ARENAS: 'auto' }).WORKER_MALLOC_ARENAS, 0);
  assert.equal(loadConfig({ WORKER_MALLOC_ARENAS: '1' }).WORKER_MALLOC_ARENAS, 1);
  assert.equal(loadConfig({ WORKER_MALLOC_ARENAS: '64' }).WORKER_MALLOC_ARENAS, 64);
  for (const wrong of ['0', '65', '100', '2.5', '-1', 'off', '02']) {
    assert.throws(
      () => loadConfig({ WORKER_MALLOC_ARENAS: wrong }),
      (err: unknown) => err instanceof ConfigError && err.message === `WORKER_MALLOC_ARENAS: expected a whole number of arenas from 1 to 64, or auto (got "${wrong}")`,
    );
  }
});

test('the arenas the worker runs with: MALLOC_ARENA_MAX set by hand wins, else the setting; nothing where the C library is not glibc or the setting is auto', () => {
  assert.equal(arenaMax({}, 2, true), '2');
  assert.equal(arenaMax({}, 0, true), undefined);
  assert.equal(arenaMax({ MALLOC_ARENA_MAX: '4' }, 2, true), '4');
  assert.equal(arenaMax({ MALLOC_ARENA_MAX: '4' }, 0, true), '4');
  assert.equal(arenaMax({ MALLOC_ARENA_MAX: '' }, 2, true), '2');
  assert.equal(arenaMax({}, 2, false), undefined);
  assert.equal(arenaMax({ MALLOC_ARENA_MAX: '4' }, 2, false), undefined);
  // Told apart from the C library mapped into this process.
  assert.equal(onGlibc(), glibcHere);
});

test('a wrong WORKER_MALLOC_ARENAS stops npm start with one line naming it, before any other process starts', () => {
  const run = spawnSync(process.execPath, [LAUNCHER], { cwd: ROOT, env: { ...process.env, WORKER_MALLOC_ARENAS: 'lots' }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 2, run.stderr);
  assert.equal(run.stderr, 'tierline: WORKER_MALLOC_ARENAS: expected a whole number of arenas from 1 to 64, or auto (got "lots")\n');
  assert.equal(run.stdout, '');
});

/** `node workers/launch.mjs` on a fresh data folder and free ports, up to its API answering. */
async function launch(extra: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tierline-launch-'));
  const [httpPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  // This process's environment without a Temporal to connect to or arenas of its own, then the test's.
  const { MALLOC_ARENA_MAX: _arenas, TEMPORAL_ADDRESS: _address, ...inherited } = process.env;
  const env = {
    ...inherited,
    TIERLINE_DATA_DIR: dataDir,
    HTTP_PORT: String(httpPort),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    TEMPORAL_METRICS_ADDRESS: 'off',
    REPORT_DAILY_CRON: 'off',
    REPORT_WEEKLY_CRON: 'off',
    REPORT_MONTHLY_CRON: 'off',
    ...extra,
  };
  const child = spawn(process.execPath, [LAUNCHER], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  while (!/HTTP API http/.test(output)) {
    assert.equal(child.exitCode, null, `npm start ended before its API was up:\n${output}`);
    await sleep(100);
  }
  const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
  assert.equal(health.status, 200);
  const processes = descendantsOf(child.pid!);
  const server = processes.find((pid) => cmdline(pid).includes('start-dev'));
  assert.ok(server, `no dev server among npm start's processes:\n${output}`);
  /** The process that runs the worker and the API: the one that listens on the API's port. */
  const listener = [child.pid!, ...processes].find((pid) => listensOn(pid, httpPort));
  assert.ok(listener, `no process of npm start listens on ${httpPort}`);
  return { child, exited, output: () => output, processes, listener, dataDir };
}

const readlinkSafe = (path: string) => {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
};

/** Whether `pid` holds the listening socket of `port` on 127.0.0.1 (/proc/net/tcp against its fds). */
function listensOn(pid: number, port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set(
    readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
      .map((f) => f[9]),
  );
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      const target = readlinkSafe(`/proc/${pid}/fd/${fd}`);
      return target !== undefined && inodes.has(target.match(/^socket:\[(\d+)\]$/)?.[1]);
    });
  } catch {
    return false;
  }
}

test('npm start runs the worker in a child with MALLOC_ARENA_MAX=2, passes it SIGTERM, and ends as it ends, leaving nothing running', { skip: !glibcHere && 'glibc only', timeout: 120_000 }, async () => {
  const run = await launch({});
  try {
    // The launcher itself kept glibc's own arenas; its one node child runs the worker and the API.
    assert.equal(environOf(run.child.pid!).MALLOC_ARENA_MAX, undefined);
    assert.notEqual(run.listener, run.child.pid);
    assert.equal(environOf(run.listener).MALLOC_ARENA_MAX, '2');
    assert.ok(cmdline(run.listener).some((a) => a.endsWith('workers/launch.mjs')), cmdline(run.listener).join(' '));
    run.child.kill('SIGTERM');
    const { code, signal } = await run.exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, run.output());
    assert.match(run.output(), /tierline: stopping\.\.\./);
    for (let i = 0; i < 50 && run.processes.some(alive); i++) await sleep(100);
    assert.deepEqual(run.processes.filter(alive), [], `left running: ${run.processes.filter(alive).map((p) => cmdline(p).join(' ')).join('\n')}`);
  } finally {
    run.child.kill('SIGKILL');
    for (const pid of run.processes.filter(alive)) process.kill(pid, 'SIGKILL');
    rmSync(run.dataDir, { recursive: true, force: true });
  }
});

for (const [name, extra, expected] of [
  ['WORKER_MALLOC_ARENAS=auto', { WORKER_MALLOC_ARENAS: 'auto' }, undefined],
  ['MALLOC_ARENA_MAX set by hand', { MALLOC_ARENA_MAX: '3' }, '3'],
] as const) {
  test(`with ${name}, npm start runs the worker in its own process, with no child to start`, { timeout: 120_000 }, async () => {
    const run = await launch(extra);
    try {
      assert.equal(run.listener, run.child.pid);
      assert.equal(environOf(run.listener).MALLOC_ARENA_MAX, expected);
      // Its only child is the dev server.
      assert.deepEqual(
        run.processes.filter((pid) => cmdline(pid)[0] === process.execPath),
        [],
      );
      run.child.kill('SIGINT');
      const { code } = await run.exited;
      assert.equal(code, 0, run.output());
    } finally {
      run.child.kill('SIGKILL');
      for (const pid of run.processes.filter(alive)) process.kill(pid, 'SIGKILL');
      rmSync(run.dataDir, { recursive: true, force: true });
    }
  });
}
