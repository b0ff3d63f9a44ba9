/**
 * The breach scenarios, shared by `npm run bench` (full size) and the smoke test in the test
 * command (a few tickets, correctness only).
 *
 * tierline runs as `npm start` runs it (worker and API in one process, its default settings)
 * against a dev server on a SQLite file with `npm start`'s settings. The bench opens `open` tickets
 * through the ticket client, then two phases follow on the same tickets:
 *
 * - breach: `due` of them have first-response deadlines inside one minute (the others 48 h);
 * - overload (optional): `gapMinutes` later (3 unless given), every open ticket's resolution
 *   deadline falls inside one minute.
 *
 * The deadlines fall inside their minute by the policy, not by the timing of the intake: the bench
 * policy's business calendars open at whole minutes after the intake is done, and the tickets'
 * tags (due-0 … due-59, res-0 … res-59) pick business-time targets of 30 … 89 s. So every
 * deadline is exact, however long the intake took.
 *
 * The naive-breach baseline then runs the same deadlines (shifted in time) on the same server: a
 * bare workflow that sleeps until its due time and posts once to Slack.
 *
 * Lateness = the breach message's arrival at the local Slack server − its due time. Drain = the
 * last arrival − the first due time (how long a minute of deadlines took to notify).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TicketClient, type TicketFilter } from '../../client/tickets.js';
import { PolicySchema, type Policy } from '../../domain/policy/schema.js';
import { caroLikePolicy } from '../../test/fixtures/policies.js';
import { start as startSlack, type SlackServer } from '../../test/servers/slack.js';
import { startDevServer } from '../../workers/dev-server.js';
import { loadConfig, SQLITE_CACHE_MB_DEFAULT } from '../../workers/config.js';
import { arenaMax, onGlibc } from '../../workers/malloc-arenas.mjs';
import { registerSearchAttributes } from '../../workers/register-search-attributes.js';
import { PARTS, historyAtWake, latenessParts, wakeTimeouts, type LatenessParts, type Part } from './lateness-parts.js';
import { freePort, startNode, type Running } from './processes.js';
import { coreSplit, coresOf, pinToCores } from './cores.js';
import { diskReading, diskText, diskUse, type DiskUse } from './disk.js';
import { cpuMeter, machineReading, machineText, machineUse, threadReading, threadSplit, threadSplitText, type MachineUse, type ThreadSplit } from './cpu.js';
import { cleanUpOnStop, median } from './run.js';
import type { HistoryEvent } from './same-actions-plan.js';
import { ticketWorkflowId } from '../../workflows/ids.js';

export interface BreachOptions {
  /** Tickets open in all. */
  open: number;
  /** Of those, first responses due inside one minute. */
  due: number;
  /** Then every open ticket's resolution due inside one minute. */
  overload: boolean;
  /** Intake requests in flight at once. */
  concurrency: number;
  /** Seconds from the end of the intake to the calendar's opening, at least. */
  leadS: number;
  /** Run the naive baseline after tierline. */
  baseline: boolean;
  /** WORKER_MAX_CACHED_WORKFLOWS for tierline's worker; undefined: its default. */
  cache?: number;
  /** Queries to time through visibility once the tickets are open. */
  listing: boolean;
  /** The first deadline, in seconds after the calendar opens (default 30), and how many one-second slots follow (default 60). */
  firstDueS?: number;
  slots?: number;
  /** Whole minutes between the two phases' calendars (default 3). */
  gapMinutes?: number;
  /** Read where the lateness went off the histories of a sample of each run (100 workflows). */
  parts?: boolean;
  /**
   * The Temporal server on a core of its own, the worker and this process (the local Slack server)
   * on the others, from start to end (bench/lib/cores.ts). Default: all share every core.
   */
  splitCores?: boolean;
  /** TEMPORAL_SQLITE_CACHE_MB for the dev server; undefined: npm start's default. */
  sqliteCacheMiB?: number;
  log: (line: string) => void;
}

export interface LatencyStats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export interface RunFigures {
  notified: number;
  expected: number;
  /** Breach messages beyond the first for a ticket (must be 0). */
  duplicates: number;
  lateness: LatencyStats;
  drainMs: number;
  /** The run's due times: first and last (epoch ms). */
  firstDue: number;
  lastDue: number;
  /** Where the lateness went, from the histories of a sample of the run's workflows (bench/lib/lateness-parts.ts). */
  parts?: PartsSummary;
  /**
   * The breaches later than the target (breach phase): how many, the span of their due times
   * from the phase's first (s), and the parts of the latest ones, to tell a stall of a few
   * seconds (a narrow span) from a queue, and which part held them.
   */
  tail?: TailFigures;
  /**
   * CPU the run's worker process and the Temporal server spent from the phase's first due time to
   * its last notification, per breach (ms): which side of the machine's two cores a breach costs;
   * and the worker's by thread (bench/lib/cpu.ts, `threadSplit`).
   */
  cpuPerBreachMs?: CpuPerBreach;
}

/**
 * `bench`: this process, which runs the local Slack server every notice goes to (and the bench's
 * own polling). `machine`: all cores over the phase (bench/lib/cpu.ts, `machineUse`).
 */
export interface CpuPerBreach {
  worker: number;
  server: number;
  workerThreads?: ThreadSplit;
  bench?: number;
  machine?: MachineUse;
  /** The server's and the machine's disk traffic over the phase (bench/lib/disk.ts). */
  disk?: DiskUse;
}

export interface TailFigures {
  overMs: number;
  n: number;
  dueFromS?: number;
  dueToS?: number;
  /** Of the latest (up to 20). */
  parts?: PartsSummary;
}

export type PartsSummary = {
  n: number;
  /** Of the n, how many woke through a workflow task that first timed out on the sticky queue. */
  wakeTimedOut?: number;
  /** p50 and max of the history before the waking task: events, and workflow tasks (a replay's activations). */
  historyAtWake?: { events: { p50: number; max: number }; tasks: { p50: number; max: number }; bytes: { p50: number; max: number } };
} & Record<Part, { p50: number; p99: number }>;

export interface PhaseResult {
  tierline: RunFigures;
  naive?: RunFigures;
  ratios?: { p50: number; p99: number; drain: number };
}

export interface BreachResult {
  when: string;
  sizes: { open: number; due: number; overload: number; concurrency: number };
  intake: { seconds: number; perSecond: number };
  /**
   * tierline's worker process: RSS as the intake ends (mid-way between two of V8's collections,
   * so as much garbage as live data), settled (the median of the last ten one-second readings
   * before the first deadline, every ticket open and the worker quiet since the intake), and its
   * peak over the run.
   */
  memory: { openRssMiB: number; settledRssMiB: number; peakMiB: number; cache: number | 'default'; naivePeakMiB?: number };
  /** The dev server's SQLite page cache the run started it with (MiB; 0: SQLite's 2 MiB). */
  sqliteCacheMiB: number;
  /** The MALLOC_ARENA_MAX the run started tierline's worker with, as `npm start`'s launcher would. */
  mallocArenaMax: string;
  listing?: Record<string, { medianMs: number; rows: number }>;
  /** With `splitCores`: the cores each process was allowed, read back from /proc after pinning. */
  placement?: { server: string; bench: string; worker: string; naiveWorker?: string };
  breach: PhaseResult;
  overload?: PhaseResult;
}

const CHANNEL = 'C0BENCH';
/** The breach phase's target: p99 within a second (issue #8). */
const BREACH_TARGET_MS = 1_000;

export function latencyStats(xs: readonly number[]): LatencyStats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s.at(-1) ?? NaN };
}

/** p50 and p99 of each part over a sample (ms, rounded). */
export function summariseParts(sample: readonly LatenessParts[]): PartsSummary {
  const out = { n: sample.length } as PartsSummary;
  for (const part of PARTS) {
    const { p50, p99 } = latencyStats(sample.map((s) => s[part]));
    out[part] = { p50: Math.round(p50), p99: Math.round(p99) };
  }
  return out;
}

/** Up to `size` of `ids`, spread evenly over them. */
function evenSample<T>(ids: readonly T[], size = 100): T[] {
  const step = Math.max(1, ids.length / size);
  return Array.from({ length: Math.min(size, ids.length) }, (_, k) => ids[Math.floor(k * step)]!);
}

/**
 * The breaches later than `overMs`: how many, when they were due (s after the first due time), and
 * the ids of the latest `size`, latest first.
 */
export function tailOf(arrivedAt: ReadonlyMap<string, number>, dueOf: ReadonlyMap<string, number>, overMs: number, size = 20): { figures: Omit<TailFigures, 'parts'>; latest: string[] } {
  const firstDue = Math.min(...dueOf.values());
  const late = [...arrivedAt].map(([id, at]) => ({ id, late: at - dueOf.get(id)!, due: dueOf.get(id)! })).filter((b) => b.late > overMs);
  if (!late.length) return { figures: { overMs, n: 0 }, latest: [] };
  const dues = late.map((b) => (b.due - firstDue) / 1000);
  return {
    figures: { overMs, n: late.length, dueFromS: Math.min(...dues), dueToS: Math.max(...dues) },
    latest: late.sort((a, b) => b.late - a.late).slice(0, size).map((b) => b.id),
  };
}

/** The tail's line: '37 later than 1 s, due +12.0 to +14.3 s; the 20 latest: p50 of arm ...'. */
function tailLine(tail: TailFigures | undefined): string {
  if (!tail) return '';
  if (!tail.n) return `; none later than ${tail.overMs / 1000} s`;
  const parts = tail.parts ? `; the ${tail.parts.n} latest: ${partsAt(tail.parts, 'p50')}, ${partsAt(tail.parts, 'p99')}` : '';
  return `; ${tail.n} later than ${tail.overMs / 1000} s, due +${tail.dueFromS!.toFixed(1)} to +${tail.dueToS!.toFixed(1)} s${parts}`;
}

/** The lateness parts of the workflows of `picked` (notified ids): `workflowOf` names an id's workflow. */
async function sampleParts(temporal: Client, arrivedAt: Map<string, number>, dueOf: Map<string, number>, workflowOf: (id: string) => string, picked: readonly string[]): Promise<PartsSummary> {
  let wakeTimedOut = 0;
  const shapes: { events: number; tasks: number; bytes: number }[] = [];
  const parts = await pooled(picked.length, 10, async (i) => {
    const id = picked[i]!;
    const events = ((await temporal.workflow.getHandle(workflowOf(id)).fetchHistory()).events ?? []) as HistoryEvent[];
    const parts = latenessParts(events, dueOf.get(id)!, arrivedAt.get(id)!);
    if (parts && (wakeTimeouts(events, arrivedAt.get(id)!) ?? 0) > 0) wakeTimedOut++;
    const shape = parts && historyAtWake(events, arrivedAt.get(id)!);
    if (shape) shapes.push(shape);
    return parts;
  });
  const spread = (xs: number[]) => {
    const { p50, max } = latencyStats(xs);
    return { p50, max };
  };
  const historyShape = shapes.length ? { events: spread(shapes.map((s) => s.events)), tasks: spread(shapes.map((s) => s.tasks)), bytes: spread(shapes.map((s) => s.bytes)) } : undefined;
  return { ...summariseParts(parts.filter((p): p is LatenessParts => p !== undefined)), wakeTimedOut, ...(historyShape && { historyAtWake: historyShape }) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `count` jobs, at most `limit` at a time. */
export async function pooled<T>(count: number, limit: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
}

/**
 * A time zone (Etc/GMT±n) in which the instant `at` falls between 06:00 and 18:00, so a calendar
 * that opens at `at` and closes at 23:59 covers the whole minute of deadlines on one day.
 */
function zoneAround(at: number, zone?: string): { timeZone: string; hhmm: string } {
  const utcHour = new Date(at).getUTCHours();
  const shift = utcHour < 6 ? 12 - utcHour : utcHour >= 18 ? -(utcHour - 12) : 0;
  const fixed = zone === undefined ? undefined : zone === 'UTC' ? 0 : -Number(zone.slice('Etc/GMT'.length));
  const clamped = fixed ?? Math.max(-12, Math.min(12, shift));
  // Etc/GMT-3 is UTC+3 (POSIX signs).
  const timeZone = clamped === 0 ? 'UTC' : `Etc/GMT${clamped > 0 ? '-' : '+'}${Math.abs(clamped)}`;
  const local = new Date(at + clamped * 3_600_000);
  const hhmm = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  return { timeZone, hhmm };
}

/**
 * The bench policy: the Caro table, no warnings, and two calendars: `breach` opens at `opensAt`
 * (first responses of the tickets tagged due-k), `overload` `gapMinutes` later (resolutions of
 * the tickets tagged res-k).
 */
export function benchPolicy(opensAt: number, firstDueS = 30, slots = 60, gapMinutes = 3): Policy {
  const base = caroLikePolicy();
  const { timeZone, hhmm } = zoneAround(opensAt);
  const later = zoneAround(opensAt + gapMinutes * 60_000, timeZone);
  const week = (start: string) => {
    const day = [{ start, end: '23:59' }];
    return { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day };
  };
  const slotted = (tag: string, calendar: string, metric: 'firstResponse' | 'resolution') =>
    Array.from({ length: slots }, (_, k) => ({ name: `${calendar} ${k}`, when: { tags: [`${tag}-${k}`] }, [metric]: { within: `${firstDueS + k}s`, calendar } }));
  return PolicySchema.parse({
    ...base,
    id: 'bench',
    name: 'Benchmark (Caro table; calendars opening at the bench minutes)',
    calendars: { breach: { timeZone, week: week(hhmm) }, overload: { timeZone, week: week(later.hhmm) } },
    sla: {
      // One notification per breach, as the baseline's: no warnings, no repeats within the run.
      warnings: [],
      repeatAfterBreach: '1d',
      targets: [
        ...slotted('due', 'breach', 'firstResponse'),
        ...slotted('res', 'overload', 'resolution'),
        { name: 'quiet', when: {}, firstResponse: { within: '48h' }, resolution: { within: '1w' } },
      ],
    },
  });
}

/** The next whole minute at least `leadMs` away. */
function minuteAfter(leadMs: number): number {
  return Math.ceil((Date.now() + leadMs) / 60_000) * 60_000;
}

function breachesIn(slack: SlackServer, pattern: RegExp): { at: number; key: string }[] {
  return slack.received
    .filter((c) => c.method === 'chat.postMessage' && c.outcome === 'ok' && pattern.test(String(c.params.text)))
    .map((c) => {
      const payload = (c.params.metadata as { event_payload?: Record<string, string> } | undefined)?.event_payload ?? {};
      return { at: c.at, key: String(payload.idempotency_key ?? payload.key ?? '') };
    });
}

/** The history before the wake, at the p50: '20 events in 2 workflow tasks, 19.9 KiB'. */
export function historyAtWakeText(before: NonNullable<PartsSummary['historyAtWake']>): string {
  return `${before.events.p50} events in ${before.tasks.p50} workflow tasks, ${(before.bytes.p50 / 1024).toFixed(1)} KiB`;
}

/** 'p50 of aim 0, arm 99, fire 2, pickup 149, notify 71 ms'. */
function partsAt(parts: PartsSummary, q: 'p50' | 'p99'): string {
  return `${q} of ${PARTS.map((p) => `${p} ${parts[p][q]}`).join(', ')} ms`;
}

function partsLine(parts: PartsSummary | undefined): string {
  return parts ? `; ${partsAt(parts, 'p50')} (${parts.n} histories, ${parts.wakeTimedOut ?? 0} woke after a sticky timeout${parts.historyAtWake ? `; before the wake ${historyAtWakeText(parts.historyAtWake)}` : ''})` : '';
}

/**
 * Waits until `from` (a phase's first due time), then meters the CPU of the worker process and the
 * server until `done` resolves; gives it per breach.
 */
async function meteredPhase(
  from: number,
  pids: { worker: number; server: number | undefined },
  breaches: number,
  done: () => Promise<void>,
): Promise<Required<CpuPerBreach>> {
  await sleep(Math.max(0, from - Date.now()));
  const server = cpuMeter({ server: pids.server === undefined ? [] : [pids.server] });
  const threads = threadReading(pids.worker);
  const bench = process.cpuUsage();
  const machine = machineReading();
  const disk = diskReading(pids.server);
  await done();
  const per = (ms: number) => Math.round((ms / breaches) * 10) / 10;
  const used = process.cpuUsage(bench);
  const { total: worker, split } = threadSplit(pids.worker, threads);
  const workerThreads = Object.fromEntries(Object.entries(split).map(([k, v]) => [k, per(v)])) as unknown as ThreadSplit;
  return { worker: per(worker), server: per(server.read().server ?? 0), workerThreads, bench: per((used.user + used.system) / 1000), machine: machineUse(machine), disk: diskUse(disk, pids.server) };
}

function cpuLine(cpu: CpuPerBreach | undefined): string {
  if (!cpu) return '';
  const threads = cpu.workerThreads ? ` (${threadSplitText(cpu.workerThreads)})` : '';
  const others = cpu.bench !== undefined ? `, bench and Slack server ${cpu.bench} ms` : '';
  const machine = cpu.machine ? `; machine ${machineText(cpu.machine)}` : '';
  const disk = cpu.disk ? `; ${diskText(cpu.disk)}` : '';
  return `; CPU per breach: worker ${cpu.worker} ms${threads}, server ${cpu.server} ms${others}${machine}${disk}`;
}

async function waitFor(done: () => boolean, deadline: number, poll = 500): Promise<void> {
  while (!done() && Date.now() < deadline) await sleep(poll);
}

function figures(arrivals: { at: number; id: string }[], dueOf: Map<string, number>): RunFigures & { arrivedAt: Map<string, number> } {
  const seen = new Map<string, number>();
  let duplicates = 0;
  const lateness: number[] = [];
  for (const { at, id } of arrivals) {
    const due = dueOf.get(id);
    if (due === undefined) continue;
    if (seen.has(id)) {
      duplicates++;
      continue;
    }
    seen.set(id, at);
    lateness.push(at - due);
  }
  const dues = [...dueOf.values()];
  const firstDue = Math.min(...dues);
  const lastArrival = Math.max(...arrivals.filter((a) => dueOf.has(a.id)).map((a) => a.at));
  return { notified: seen.size, expected: dueOf.size, duplicates, lateness: latencyStats(lateness), drainMs: lastArrival - firstDue, firstDue, lastDue: Math.max(...dues), arrivedAt: seen };
}

export async function runBreach(opts: BreachOptions): Promise<BreachResult> {
  const { log } = opts;
  const dataDir = mkdtempSync(join(tmpdir(), 'tierline-bench-'));
  const slack = await startSlack({ channels: [CHANNEL] });
  const [port, uiPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  // The server exactly as `npm start` starts it (SQLite file, FAST_SQLITE_PRAGMAS).
  const sqliteCacheMiB = opts.sqliteCacheMiB ?? SQLITE_CACHE_MB_DEFAULT;
  const server = await startDevServer({ dataDir, ip: '127.0.0.1', port, uiPort, namespace: 'default', fastSqlite: true, sqliteCacheMiB });
  const stops: (() => Promise<unknown>)[] = [() => server.stop(), () => slack.close()];
  const cleanUp = cleanUpOnStop(async () => {
    for (const stop of stops) await stop().catch(() => undefined);
    // The dev server's SQLite file: about 750 MB after a run at 10,000 open.
    rmSync(dataDir, { recursive: true, force: true });
  });
  const result: BreachResult = {
    when: new Date().toISOString(),
    sizes: { open: opts.open, due: opts.due, overload: opts.overload ? opts.open : 0, concurrency: opts.concurrency },
    sqliteCacheMiB,
  } as BreachResult;
  const split = opts.splitCores ? coreSplit() : undefined;
  /** Pins a process to its side of the split (nothing without one) and gives back what /proc shows. */
  const place = (pid: number, side: 'server' | 'rest') => (split ? pinToCores(pid, split[side]) : '');
  try {
    if (split) {
      if (server.pid === undefined) throw new Error('--split-cores: the dev server has no process id');
      const everyCore = coresOf(process.pid);
      stops.push(async () => pinToCores(process.pid, everyCore));
      result.placement = { server: place(server.pid, 'server'), bench: place(process.pid, 'rest'), worker: '' };
      log(`split cores: the server on ${result.placement.server}, the bench (and its Slack server) on ${result.placement.bench}`);
    }
    const connection = await Connection.connect({ address: server.address });
    stops.unshift(() => connection.close());
    await registerSearchAttributes(connection, 'default');
    const temporal = new Client({ connection });
    /** A phase's parts over an even sample; in the breach phase also the tail later than the target, with its latest's parts. */
    const addParts = async (f: RunFigures, phase: string, arrivedAt: Map<string, number>, dues: Map<string, number>, workflowOf: (id: string) => string) => {
      f.parts = await sampleParts(temporal, arrivedAt, dues, workflowOf, evenSample([...arrivedAt.keys()]));
      if (phase !== 'breach') return;
      const tail = tailOf(arrivedAt, dues, BREACH_TARGET_MS);
      f.tail = { ...tail.figures, ...(tail.latest.length ? { parts: await sampleParts(temporal, arrivedAt, dues, workflowOf, tail.latest) } : {}) };
    };

    const slots = opts.slots ?? 60;
    const policyOpening = (at: number) => benchPolicy(at, opts.firstDueS ?? 30, slots, opts.gapMinutes ?? 3);
    const policyFile = join(dataDir, 'bench-policy.json');
    writeFileSync(policyFile, JSON.stringify(policyOpening(minuteAfter(0))));
    const taskQueue = 'bench-tierline';
    // npm start's launcher (workers/launch.mjs) starts the worker with these malloc arenas
    // (WORKER_MALLOC_ARENAS, or MALLOC_ARENA_MAX set by hand); the bench starts workers/start.ts
    // itself, to measure the worker's own process.
    const arenas = arenaMax(process.env, loadConfig({ WORKER_MALLOC_ARENAS: process.env.WORKER_MALLOC_ARENAS }).WORKER_MALLOC_ARENAS, onGlibc());
    result.mallocArenaMax = arenas ?? 'glibc default (WORKER_MALLOC_ARENAS=auto)';
    const tierline: Running = await startNode(
      'workers/start.ts',
      {
        ...(arenas ? { MALLOC_ARENA_MAX: arenas } : {}),
        TEMPORAL_ADDRESS: server.address,
        TIERLINE_DATA_DIR: join(dataDir, 'tierline'),
        TIERLINE_TASK_QUEUE: taskQueue,
        TIERLINE_POLICY: policyFile,
        HTTP_PORT: String(httpPort),
        TEMPORAL_METRICS_ADDRESS: 'off',
        SLACK_BOT_TOKEN: slack.token,
        SLACK_API_URL: slack.url,
        SLACK_CHANNELS: `default=${CHANNEL},support=${CHANNEL}`,
        REPORT_DAILY_CRON: 'off',
        REPORT_WEEKLY_CRON: 'off',
        REPORT_MONTHLY_CRON: 'off',
        LOG_LEVEL: 'ERROR',
        ...(opts.cache ? { WORKER_MAX_CACHED_WORKFLOWS: String(opts.cache) } : {}),
      },
      /HTTP API http/,
    );
    stops.unshift(() => tierline.stop());
    if (result.placement) result.placement.worker = place(tierline.pid, 'rest');
    // Each ticket carries the policy its intake gave it (as through the API). The first calendar
    // opens once the intake is surely done (estimated at 10 tickets a second).
    const opensAt = minuteAfter((opts.open / 10 + opts.leadS) * 1000);
    const policy = policyOpening(opensAt);
    writeFileSync(policyFile, JSON.stringify(policy));
    const tickets = new TicketClient(temporal, { taskQueue, policy });

    const quiet = opts.open - opts.due;
    const began = Date.now();
    const opened = await pooled(opts.open, opts.concurrency, async (i) => {
      const due = i >= quiet;
      const { ticket } = await tickets.open({
        subject: `Bench ticket ${i}`,
        description: 'bench',
        requester: { email: `u${i}@example.com` },
        channel: 'api',
        priority: due ? 'P1' : 'P3',
        tags: [...(due ? [`due-${(i - quiet) % slots}`] : []), ...(opts.overload ? [`res-${i % slots}`] : [])],
      });
      if ((i + 1) % 1000 === 0) log(`  opened ${i + 1}/${opts.open}`);
      return ticket;
    });
    const intakeS = (Date.now() - began) / 1000;
    result.intake = { seconds: intakeS, perSecond: opts.open / intakeS };
    log(`opened ${opts.open} tickets in ${intakeS.toFixed(1)} s (${result.intake.perSecond.toFixed(1)}/s); the first calendar opens at ${new Date(opensAt).toISOString()}`);
    if (Date.now() > opensAt - 5_000) throw new Error(`the intake ended ${((Date.now() - opensAt) / 1000).toFixed(0)} s after the calendar opened: raise --lead`);
    const dueOf = (metric: string, from: number) =>
      new Map(opened.slice(from).map((t) => [t.id, Date.parse(t.clocks.find((c) => c.metric === metric)!.dueAt!)] as [string, number]));
    const phases = [{ name: 'breach' as const, metric: 'firstResponse', dues: dueOf('firstResponse', quiet) }];
    if (opts.overload) phases.push({ name: 'overload' as const, metric: 'resolution', dues: dueOf('resolution', 0) } as never);

    if (opts.listing) {
      result.listing = {};
      const queries: Record<string, TicketFilter> = {
        'open P1s': { open: true, priority: 'P1' },
        breached: { breached: true },
        'by assignee': { assignee: 'grace' },
        'all open (first page)': { open: true },
      };
      for (const [name, filter] of Object.entries(queries)) {
        const times: number[] = [];
        let rows = 0;
        for (let r = 0; r < 5; r++) {
          const t = performance.now();
          rows = (await tickets.listPage(filter, 100)).tickets.length;
          times.push(performance.now() - t);
        }
        result.listing[name] = { medianMs: Math.round(latencyStats(times).p50), rows };
      }
      log(`listing: ${Object.entries(result.listing).map(([k, v]) => `${k} ${v.medianMs} ms`).join(', ')}`);
    }
    const openRssMiB = tierline.memory().rssMiB;
    log(`tierline worker: RSS ${openRssMiB} MiB with ${opts.open} tickets open; waiting for the deadlines`);

    const firstDue = Math.min(...phases[0]!.dues.values());
    const readings: number[] = [];
    while (Date.now() < firstDue - 1_000) {
      readings.push(tierline.memory().rssMiB);
      await sleep(1_000);
    }
    const settledRssMiB = readings.length ? Math.round(median(readings.slice(-10))) : openRssMiB;
    log(`tierline worker: RSS ${settledRssMiB} MiB settled (median of the last ten seconds before the first deadline)`);

    for (const phase of phases) {
      const pattern = new RegExp(`^${phase.metric} breached`);
      const arrivals = () => breachesIn(slack, pattern).map(({ at, key }) => ({ at, id: key.split('/')[0]! }));
      const cpu = await meteredPhase(Math.min(...phase.dues.values()), { worker: tierline.pid, server: server.pid }, phase.dues.size, () =>
        waitFor(() => new Set(arrivals().map((a) => a.id)).size >= phase.dues.size, Math.max(...phase.dues.values()) + 5 * 60_000),
      );
      await sleep(2_000); // a late duplicate would show here
      const { arrivedAt, ...f } = figures(arrivals(), phase.dues);
      f.cpuPerBreachMs = cpu;
      if (opts.parts) await addParts(f, phase.name, arrivedAt, phase.dues, ticketWorkflowId);
      result[phase.name] = { tierline: f };
      log(`tierline ${phase.name}: ${f.notified}/${f.expected} notified, p50 ${f.lateness.p50} ms, p99 ${f.lateness.p99} ms, drain ${f.drainMs} ms${partsLine(f.parts)}${tailLine(f.tail)}${cpuLine(cpu)}`);
    }
    result.memory = { openRssMiB, settledRssMiB, peakMiB: tierline.memory().peakMiB, cache: opts.cache ?? 'default' };
    await tierline.stop();

    if (opts.baseline) {
      const naiveQueue = 'bench-naive';
      const naive = await startNode(
        'bench/lib/naive-worker.ts',
        { TEMPORAL_ADDRESS: server.address, NAIVE_TASK_QUEUE: naiveQueue, SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.url, NAIVE_CHANNEL: CHANNEL },
        /naive worker ready/,
      );
      stops.unshift(() => naive.stop());
      if (result.placement) result.placement.naiveWorker = place(naive.pid, 'rest');
      // The same deadlines, shifted to begin once the naive workflows have all started.
      const count = phases.reduce((n, p) => n + p.dues.size, 0);
      const shift = Date.now() + (count / 40 + opts.leadS) * 1000 - opensAt;
      const runs = phases.flatMap((phase) => [...phase.dues].map(([id, at]) => ({ key: `${phase.name}-${id}`, dueAt: at + shift })));
      await pooled(runs.length, opts.concurrency, (i) => temporal.workflow.start('naiveBreachWorkflow', { taskQueue: naiveQueue, workflowId: `naive-${runs[i]!.key}`, args: [runs[i]!] }));
      log(`started ${runs.length} naive workflows; waiting for their deadlines`);
      if (Date.now() > opensAt + shift) log(`  (the naive workflows took longer to start than planned: their first deadlines were late to start)`);
      for (const phase of phases) {
        const dues = new Map([...phase.dues].map(([id, at]) => [`${phase.name}-${id}`, at + shift]));
        const arrivals = () => breachesIn(slack, new RegExp(`^naive breach ${phase.name}-`)).map(({ at, key }) => ({ at, id: key }));
        const cpu = await meteredPhase(Math.min(...dues.values()), { worker: naive.pid, server: server.pid }, dues.size, () =>
          waitFor(() => arrivals().length >= dues.size, Math.max(...dues.values()) + 5 * 60_000),
        );
        await sleep(2_000);
        const r = result[phase.name]!;
        const { arrivedAt, ...f } = figures(arrivals(), dues);
        f.cpuPerBreachMs = cpu;
        if (opts.parts) await addParts(f, phase.name, arrivedAt, dues, (id) => `naive-${id}`);
        r.naive = f;
        r.ratios = { p50: r.tierline.lateness.p50 / r.naive.lateness.p50, p99: r.tierline.lateness.p99 / r.naive.lateness.p99, drain: r.tierline.drainMs / r.naive.drainMs };
        log(`naive ${phase.name}: ${r.naive.notified}/${r.naive.expected} notified, p50 ${r.naive.lateness.p50} ms, p99 ${r.naive.lateness.p99} ms, drain ${r.naive.drainMs} ms${partsLine(r.naive.parts)}${tailLine(r.naive.tail)}${cpuLine(cpu)}`);
      }
      result.memory.naivePeakMiB = naive.memory().peakMiB;
    }
    return result;
  } finally {
    await cleanUp();
  }
}
