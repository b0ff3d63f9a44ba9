/**
 * `npm run bench`: breach lateness and the overload drain, tierline against the naive-breach
 * baseline in the same run, on the same dev server and local Slack server (see
 * bench/lib/breach-scenario.ts for how the deadlines are set).
 *
 *   npm run bench -- [--open 1000] [--due 200] [--gap 1] [--no-overload] [--concurrency 50]
 *                    [--lead 30] [--cache N] [--no-baseline] [--no-listing] [--split-cores]
 *                    [--sqlite-cache MiB] [--json FILE]
 *
 * breach: --open tickets open, --due of them with first responses due inside one minute; target
 * p99 ≤ 1 s. overload, --gap minutes later: every open ticket's resolution due inside one minute;
 * target: drains faster than the baseline. Memory of tierline's worker and listing times through
 * visibility are taken with every ticket open.
 *
 * The defaults finish within ten minutes on two cores. The issue's scale (10,000 open, 2,000 due)
 * takes about fifty: `--open 10000 --due 2000 --lead 200 --gap 3` (the intake needs the lead, and
 * the breach phase's backlog the gap).
 *
 * --sqlite-cache: the dev server's own SQLite page cache (TEMPORAL_SQLITE_CACHE_MB; default npm
 * start's).
 *
 * --split-cores: the Temporal server on the first core, the worker and the bench (with its local
 * Slack server) on the others, as where the server runs on machines of its own; each core's use is
 * printed per phase. Default: every process shares every core.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { historyAtWakeText, runBreach, type RunFigures } from './lib/breach-scenario.js';
import { PARTS } from './lib/lateness-parts.js';
import { machineText, threadSplitText } from './lib/cpu.js';
import { defaultDeadlockGuard, HEAP_GROWTH_DEFAULT } from '../workers/config.js';
import { FAST_SQLITE_PRAGMAS } from '../workers/dev-server.js';
import { environment } from './lib/environment.js';
import { diskText } from './lib/disk.js';

const { values } = parseArgs({
  options: {
    open: { type: 'string', default: '1000' },
    due: { type: 'string', default: '200' },
    gap: { type: 'string', default: '1' },
    'no-overload': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '50' },
    lead: { type: 'string', default: '30' },
    cache: { type: 'string' },
    'sqlite-cache': { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    'no-listing': { type: 'boolean', default: false },
    'split-cores': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const open = Number(values.open);
const due = Number(values.due);
if (!(Number.isInteger(open) && open > 0)) throw new Error('--open: expected a positive whole number');
if (!(Number.isInteger(due) && due > 0 && due <= open)) throw new Error('--due: expected a whole number from 1 to --open');
const sqliteCache = values['sqlite-cache'] === undefined ? undefined : Number(values['sqlite-cache']);
if (sqliteCache !== undefined && !(Number.isInteger(sqliteCache) && sqliteCache >= 0)) throw new Error('--sqlite-cache: expected whole MiB, 0 or more');
const gapMinutes = Number(values.gap);
if (!(Number.isInteger(gapMinutes) && gapMinutes > 0)) throw new Error('--gap: expected a positive whole number of minutes');

const result = await runBreach({
  open,
  due,
  overload: !values['no-overload'],
  concurrency: Number(values.concurrency),
  leadS: Number(values.lead),
  gapMinutes,
  baseline: !values['no-baseline'],
  listing: !values['no-listing'],
  parts: true,
  splitCores: values['split-cores'],
  ...(values.cache ? { cache: Number(values.cache) } : {}),
  ...(sqliteCache !== undefined ? { sqliteCacheMiB: sqliteCache } : {}),
  log: (line) => console.log(line),
});

// The run's own `when` (its start) stays; the rest of what it was measured with is every bench's.
const { when: _finished, ...measuredWith } = environment();
const record = {
  ...result,
  ...measuredWith,
  server: `temporal server start-dev as npm start runs it: SQLite file, ${FAST_SQLITE_PRAGMAS.join(' ')}, eager activities on, SQLite page cache ${sqliteCacheText(result.sqliteCacheMiB)}`,
  // Settings of tierline's worker taken from this process's environment (bench/lib/processes.ts).
  workflowDeadlockTimeout: process.env.WORKFLOW_DEADLOCK_TIMEOUT ?? '5 (default, per activation)',
  workflowDeadlockGuard: process.env.WORKFLOW_DEADLOCK_GUARD ?? `auto (default: ${defaultDeadlockGuard()} on this Node)`,
  workflowStackTraces: process.env.WORKFLOW_STACK_TRACES ?? 'off (default)',
  workerMaxConcurrentWorkflowTasks: process.env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS ?? '16 (default)',
  workerWorkflowThreads: process.env.WORKER_WORKFLOW_THREADS ?? '1 (default)',
  workerHeapGrowth: process.env.WORKER_HEAP_GROWTH ?? `${HEAP_GROWTH_DEFAULT} (default, percent)`,
  // What else the measured processes ran with, when a run tries a flag of Node's (glibc's arenas
  // in the worker: the result's mallocArenaMax).
  benchNodeArgs: process.env.BENCH_NODE_ARGS || 'none',
  gapMinutes,
  cores: result.placement ? 'split: the server on a core of its own, the worker and the bench on the others (placement)' : 'shared: every process on every core',
};
/** A run that had not notified every breach when the bench stopped waiting drained later than its figure says. */
const unfinished = (runs: Record<string, RunFigures | undefined>) =>
  Object.entries(runs)
    .filter(([, r]) => r && r.notified < r.expected)
    .map(([name, r]) => ` (${name}: ${r!.notified} of ${r!.expected} notified when the bench stopped waiting, so the ratios are bounds)`)
    .join('');
const row = (name: string, r: RunFigures) =>
  `  ${name.padEnd(18)} ${`${r.notified}/${r.expected}`.padStart(11)} ${String(r.duplicates).padStart(4)} ${String(r.lateness.p50).padStart(7)} ${String(r.lateness.p99).padStart(7)} ${String(r.lateness.max).padStart(7)} ${String(r.drainMs).padStart(8)}`;
console.log(`\n${open} tickets open; lateness = due time -> breach message accepted by the Slack server (ms)`);
console.log(`  ${'phase / run'.padEnd(18)} ${'notified'.padStart(11)} ${'dup'.padStart(4)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)} ${'drain'.padStart(8)}`);
for (const name of ['breach', 'overload'] as const) {
  const phase = result[name];
  if (!phase) continue;
  console.log(row(`${name} tierline`, phase.tierline));
  if (phase.naive) console.log(row(`${name} naive`, phase.naive));
  if (phase.ratios) console.log(`  ${name} tierline / naive: p50 ${phase.ratios.p50.toFixed(2)}, p99 ${phase.ratios.p99.toFixed(2)}, drain ${phase.ratios.drain.toFixed(2)}${unfinished({ tierline: phase.tierline, naive: phase.naive })}`);
}
console.log(`\nwhere the lateness went, p50 / p99 over a sample of each run's histories (ms; bench/lib/lateness-parts.ts)`);
console.log(`  ${'phase / run'.padEnd(18)} ${PARTS.map((p) => p.padStart(17)).join('')}  woke after a sticky timeout, history before the wake (p50)`);
for (const name of ['breach', 'overload'] as const) {
  for (const run of ['tierline', 'naive'] as const) {
    const parts = result[name]?.[run]?.parts;
    if (parts) console.log(`  ${`${name} ${run}`.padEnd(18)} ${PARTS.map((p) => `${parts[p].p50} / ${parts[p].p99}`.padStart(17)).join('')}  ${parts.wakeTimedOut ?? 0} of ${parts.n}${parts.historyAtWake ? `, ${historyAtWakeText(parts.historyAtWake)}` : ''}`);
  }
}
console.log(`\nCPU per breach from the phase's first due time to its last notification (ms; user + system, from /proc)`);
for (const name of ['breach', 'overload'] as const) {
  for (const run of ['tierline', 'naive'] as const) {
    const cpu = result[name]?.[run]?.cpuPerBreachMs;
    if (!cpu) continue;
    console.log(`  ${`${name} ${run}`.padEnd(18)} worker ${String(cpu.worker).padStart(6)}  server ${String(cpu.server).padStart(6)}  both ${String(Math.round((cpu.worker + cpu.server) * 10) / 10).padStart(6)}${cpu.workerThreads ? `   worker's threads: ${threadSplitText(cpu.workerThreads)}` : ''}`);
    if (cpu.machine) console.log(`  ${''.padEnd(18)} bench and Slack server ${cpu.bench} ms; the machine: ${machineText(cpu.machine)}`);
    if (cpu.disk) console.log(`  ${''.padEnd(18)} ${diskText(cpu.disk)}`);
  }
}
console.log(`  tierline worker RSS: ${result.memory.openRssMiB} MiB as the intake ended, ${result.memory.settledRssMiB} MiB settled with every ticket open, peak ${result.memory.peakMiB} MiB (cache ${result.memory.cache})${result.memory.naivePeakMiB ? `; naive worker peak ${result.memory.naivePeakMiB} MiB` : ''}`);
console.log(`  intake ${result.intake.perSecond.toFixed(1)} tickets/s at concurrency ${values.concurrency}`);
if (result.placement) console.log(`  cores: server ${result.placement.server}, worker ${result.placement.worker}, bench ${result.placement.bench}${result.placement.naiveWorker ? `, naive worker ${result.placement.naiveWorker}` : ''}`);
if (result.listing) for (const [name, l] of Object.entries(result.listing)) console.log(`  list ${name}: ${l.medianMs} ms (median of 5, ${l.rows} rows)`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(record, null, 2)}\n`);
process.exit(0);

function sqliteCacheText(mib: number): string {
  return mib === 0 ? "SQLite's default (2 MiB)" : `${mib} MiB (cache_size)`;
}
