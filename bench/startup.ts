/**
 * Start-up time of the README's run command, `npm start`, on a warm install: from the spawn to the
 * HTTP API answering its health route (GET /healthz) and the Temporal UI answering on its port.
 * Each run gets a fresh data folder (so a fresh Temporal SQLite file) and free ports, and ends by
 * stopping the whole process group (SIGTERM, as Ctrl-C would; SIGKILL after 15 s).
 *
 *   npx tsx bench/startup.ts [--runs 5] [--warmup 1] [--json FILE]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../workers/temporal-tools.js';
import { freePort } from './lib/processes.js';
import { environment } from './lib/environment.js';
import { cleanUpOnStop, median } from './lib/run.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, warmup: { type: 'string', default: '1' }, json: { type: 'string' } } });
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
const TIMEOUT_MS = 60_000;
const TARGET_MS = 10_000;

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM to the whole group (as Ctrl-C), SIGKILL after 15 s; resolves when no process of it is left, with the time that took. */
async function stopGroup(pgid: number): Promise<number> {
  const began = performance.now();
  if (!groupAlive(pgid)) return 0;
  process.kill(-pgid, 'SIGTERM');
  while (groupAlive(pgid) && performance.now() - began < 15_000) await sleep(50);
  if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
  while (groupAlive(pgid)) await sleep(50);
  return performance.now() - began;
}

interface StartupRun {
  apiMs: number;
  uiMs: number;
  readyMs: number;
  stopMs: number;
  serverUpMs?: number;
  workerMadeMs?: number;
  apiListeningMs?: number;
}

async function startOnce(): Promise<StartupRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tierline-startup-'));
  const [temporalPort, uiPort, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const began = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: PROJECT_ROOT,
    detached: true, // its own process group: npm, the launcher, the worker's node and the Temporal dev server stop together
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TIERLINE_DATA_DIR: dataDir,
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      HTTP_PORT: String(httpPort),
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    },
  });
  let output = '';
  // When npm start's own lines appear: the dev server is up (search attributes registered), the worker is made (its workflow bundle built), the API listens.
  const marks: Record<string, RegExp> = { serverUpMs: /registered search attributes/, workerMadeMs: /API token in/, apiListeningMs: /HTTP API http/ };
  const phases: Record<string, number> = {};
  child.stdout.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-4000);
    for (const [name, re] of Object.entries(marks)) if (phases[name] === undefined && re.test(output)) phases[name] = performance.now() - began;
  });
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  const pgid = child.pid!;
  let stopMs = NaN;
  // Stopped mid-run, the bench stops npm start's whole group too.
  const cleanUp = cleanUpOnStop(async () => {
    stopMs = await stopGroup(pgid);
    rmSync(dataDir, { recursive: true, force: true });
  });
  let apiMs = NaN;
  let uiMs = NaN;
  try {
    while (Number.isNaN(apiMs) || Number.isNaN(uiMs)) {
      if (child.exitCode !== null) throw new Error(`npm start exited with code ${child.exitCode}: ${output.trim().split('\n').slice(-3).join(' | ')}`);
      if (performance.now() - began > TIMEOUT_MS) throw new Error(`not ready after ${TIMEOUT_MS / 1000} s: ${output.trim().split('\n').slice(-3).join(' | ')}`);
      const [api, ui] = await Promise.all([
        Number.isNaN(apiMs) ? answers(`http://127.0.0.1:${httpPort}/healthz`) : true,
        Number.isNaN(uiMs) ? answers(`http://127.0.0.1:${uiPort}/`) : true,
      ]);
      const now = performance.now() - began;
      if (api && Number.isNaN(apiMs)) apiMs = now;
      if (ui && Number.isNaN(uiMs)) uiMs = now;
      await sleep(50);
    }
  } finally {
    await cleanUp();
  }
  return { apiMs, uiMs, readyMs: Math.max(apiMs, uiMs), stopMs, ...phases };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
for (let i = 0; i < WARMUP; i++) {
  const run = await startOnce();
  console.log(`warm-up:  API ${fmt(run.apiMs)}, UI ${fmt(run.uiMs)}, stopped in ${fmt(run.stopMs)} (not counted)`);
}
const runs: StartupRun[] = [];
for (let i = 0; i < RUNS; i++) {
  const run = await startOnce();
  runs.push(run);
  console.log(`run ${i + 1}/${RUNS}: API ${fmt(run.apiMs)}, UI ${fmt(run.uiMs)}, both ${fmt(run.readyMs)}, stopped in ${fmt(run.stopMs)}  (server up ${fmt(run.serverUpMs ?? NaN)}, worker made ${fmt(run.workerMadeMs ?? NaN)})`);
}
const medians = {
  apiMs: Math.round(median(runs.map((r) => r.apiMs))),
  uiMs: Math.round(median(runs.map((r) => r.uiMs))),
  readyMs: Math.round(median(runs.map((r) => r.readyMs))),
  stopMs: Math.round(median(runs.map((r) => r.stopMs))),
  serverUpMs: Math.round(median(runs.map((r) => r.serverUpMs ?? NaN))),
  workerMadeMs: Math.round(median(runs.map((r) => r.workerMadeMs ?? NaN))),
};
console.log(`median: API ${fmt(medians.apiMs)}, UI ${fmt(medians.uiMs)}, both ${fmt(medians.readyMs)} (target <= ${fmt(TARGET_MS)}), stop ${fmt(medians.stopMs)}`);
console.log(`  of which: dev server up and search attributes registered ${fmt(medians.serverUpMs)}, worker made (workflow bundle) ${fmt(medians.workerMadeMs - medians.serverUpMs)} more, API ${fmt(medians.apiMs - medians.workerMadeMs)} more`);
if (values.json) {
  const result = {
    ...environment(),
    command: 'npm start (node workers/launch.mjs, the worker in a child with MALLOC_ARENA_MAX=2 where glibc is the C library): Temporal dev server on a fresh SQLite file (WAL), the worker, the HTTP API',
    measured: 'spawn -> GET /healthz answers 200 and the Temporal UI answers 200; a fresh data folder and free ports per run',
    sizes: { runs: RUNS, warmup: WARMUP },
    runs: runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v)]))),
    median: medians,
    target: { readyAtMostMs: TARGET_MS, met: medians.readyMs <= TARGET_MS },
  };
  writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
}
