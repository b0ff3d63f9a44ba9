/**
 * `npm run bench:summary`: every committed `npm run bench` result (bench/results/breach-*.json) in
 * one table, oldest first: when it ran, its sizes, and, where the baseline ran in the same run,
 * the overload's drain against the baseline's (`bound` where a side was still draining when the
 * bench stopped waiting; such runs stay out of the medians) and the CPU per breach against the
 * baseline's; the breach phase's p99 (and the baseline's), with tierline's CPU per breach there
 * (worker and server: on a 2-core host the p99 follows it, and it moves with the host's speed as
 * much as with the code), its iowait and what the Temporal server read from disk in tierline's
 * half, and the dev server's SQLite page cache (runs from 2 December on); the worker's RSS
 * settled and at its peak; the CPU model (the machine's host changes between sessions: compare
 * ratios within a run, not times across runs) and whether the server had a core of its own
 * (`--split-cores`). Then, per size, the median of the same-run overload ratios among the files
 * listed.
 *
 *   npm run bench:summary -- [--since 2026-12-01T19:00] [--open 10000]
 *
 * The files come from many versions of the code (each names its commit from 2 December 2026 on;
 * before that, the README's Performance notes and git history say which change each measured), so
 * narrow the list with --since to the runs of the code in question before reading the medians.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './lib/run.js';

interface Side {
  notified?: number;
  expected?: number;
  drainMs?: number;
  lateness?: { p99?: number };
  cpuPerBreachMs?: { worker: number; server: number; machine?: { iowaitPct?: number }; disk?: { serverReadMiB?: number } };
}
interface Result {
  when?: string;
  commit?: string;
  sizes?: { open?: number; due?: number };
  memory?: { settledRssMiB?: number; peakMiB?: number; cache?: number | string };
  machine?: { model?: string };
  /** 'split: …' when the server had a core of its own (`--split-cores`). */
  cores?: string;
  /** How the dev server was started; from 2 December on it names the SQLite page cache. */
  server?: string;
  breach?: { tierline?: Side; naive?: Side };
  overload?: { tierline?: Side; naive?: Side; ratios?: { drain?: number } };
}

const { values } = parseArgs({ options: { since: { type: 'string' }, open: { type: 'string' } } });
const since = values.since === undefined ? undefined : Date.parse(values.since);
if (since !== undefined && Number.isNaN(since)) throw new Error(`--since: expected a date and time (ISO 8601), got ${values.since}`);
const open = values.open === undefined ? undefined : Number(values.open);
if (open !== undefined && !(Number.isInteger(open) && open > 0)) throw new Error(`--open: expected a positive whole number, got ${values.open}`);

const dir = fileURLToPath(new URL('./results/', import.meta.url));
const rows = readdirSync(dir)
  .filter((f) => /^breach-.*\.json$/.test(f))
  .map((file) => ({ file, r: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Result }))
  .filter(({ r }) => r.when !== undefined && r.sizes?.open !== undefined && r.breach !== undefined)
  .filter(({ r }) => (since === undefined || Date.parse(r.when!) >= since) && (open === undefined || r.sizes!.open === open))
  .sort((a, b) => a.r.when!.localeCompare(b.r.when!));

const cpu = (s: Side | undefined) => (s?.cpuPerBreachMs ? s.cpuPerBreachMs.worker + s.cpuPerBreachMs.server : undefined);
const fixed = (x: number | undefined, digits = 2) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const whole = (x: number | undefined) => (x === undefined ? '-' : String(Math.round(x)));
const unfinished = (s: Side | undefined) => s?.notified !== undefined && s.expected !== undefined && s.notified < s.expected;
/** A drain the bench stopped waiting for is a bound, not a figure: marked with ">". */
const drain = (s: Side | undefined) => (s?.drainMs === undefined ? '-' : `${unfinished(s) ? '>' : ''}${(s.drainMs / 1000).toFixed(1)}`);
/** The overload's ratio, or nothing where either side was still draining when the bench stopped waiting. */
const drainRatio = (r: Result) => (unfinished(r.overload?.tierline) || unfinished(r.overload?.naive) ? undefined : r.overload?.ratios?.drain);

/** The dev server's SQLite page cache as the run's `server` line names it; '-' for runs before it did. */
const sqliteCache = (server: string | undefined) => {
  if (server?.includes("SQLite's default")) return '2 MiB';
  const mib = /SQLite page cache (\d+) MiB/.exec(server ?? '')?.[1];
  return mib === undefined ? '-' : `${mib} MiB`;
};

const header = ['file', 'when (UTC)', 'commit', 'CPU', 'open', 'due', 'cache', 'cores', 'overload s', 'naive s', 'ratio', 'CPU/breach ratio', 'breach p99', 'naive p99', 'breach CPU ms', 'breach iowait %', 'server read MiB', 'SQLite cache', 'RSS settled', 'peak'];
const table = rows.map(({ file, r }) => {
  const o = r.overload;
  const cpuRatio = cpu(o?.tierline) !== undefined && cpu(o?.naive) !== undefined ? cpu(o?.tierline)! / cpu(o?.naive)! : undefined;
  return [
    file.replace(/^breach-|\.json$/g, ''),
    r.when!.slice(0, 16).replace('T', ' '),
    r.commit?.replace(' with uncommitted changes', '+') ?? '-',
    (r.machine?.model ?? '-').replace(/\(R\)| Processor/g, ''),
    String(r.sizes!.open),
    String(r.sizes!.due ?? '-'),
    String(r.memory?.cache ?? '-'),
    r.cores?.startsWith('split') ? 'split' : 'shared',
    drain(o?.tierline),
    drain(o?.naive),
    drainRatio(r) === undefined && o?.ratios?.drain !== undefined ? 'bound' : fixed(drainRatio(r)),
    fixed(cpuRatio),
    whole(r.breach?.tierline?.lateness?.p99),
    whole(r.breach?.naive?.lateness?.p99),
    fixed(cpu(r.breach?.tierline), 1),
    fixed(r.breach?.tierline?.cpuPerBreachMs?.machine?.iowaitPct, 1),
    whole(r.breach?.tierline?.cpuPerBreachMs?.disk?.serverReadMiB),
    sqliteCache(r.server),
    whole(r.memory?.settledRssMiB),
    whole(r.memory?.peakMiB),
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(line(header));
for (const row of table) console.log(line(row));

const sizes = [...new Set(rows.map(({ r }) => r.sizes!.open!))].sort((a, b) => a - b);
console.log('\nsame-run overload ratios (tierline drain / baseline drain), per size:');
for (const size of sizes) {
  const ofSize = rows.filter(({ r }) => r.sizes!.open === size && r.overload?.ratios?.drain !== undefined);
  const ratios = ofSize.flatMap(({ r }) => drainRatio(r) ?? []);
  const bounds = ofSize.length - ratios.length;
  const left = bounds ? `; ${bounds} run${bounds > 1 ? 's' : ''} left out, a side still draining when the bench stopped waiting` : '';
  if (ratios.length) console.log(`  ${String(size).padStart(6)} open: median ${median(ratios).toFixed(3)} of ${ratios.length} (${ratios.map((x) => x.toFixed(3)).join(', ')}), below 1 in ${ratios.filter((x) => x < 1).length}${left}`);
}
