/**
 * CPU time by process, from /proc (Linux): how much of a run's work the worker process, the
 * Temporal server and the channel servers each did. On a shared machine the CPU a lifecycle costs
 * is steadier than its wall time.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** The name and user + system CPU ms in a /proc stat file (a process's or a thread's); undefined once it is gone. */
function statOf(path: string): { name: string; ms: number } | undefined {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return undefined;
  }
}

/** user + system CPU ms of a process (0 once it is gone). */
export function cpuMsOf(pid: number): number {
  return statOf(`/proc/${pid}/stat`)?.ms ?? 0;
}

/** Every process now running: its id, its parent's and its command name (from /proc/PID/stat). */
function processTable(): { pid: number; ppid: number; comm: string }[] {
  const table: { pid: number; ppid: number; comm: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      table.push({ pid: Number(entry), ppid, comm });
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

/** The direct children of this process whose command name matches. */
export function childPids(name: RegExp): number[] {
  return processTable()
    .filter((p) => p.ppid === process.pid && name.test(p.comm))
    .map((p) => p.pid);
}

/** Every process below `pid`: its children, theirs, and so on. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of processTable()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const found: number[] = [];
  for (let queue = [pid]; queue.length; ) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

/** A meter over named processes: `read()` gives CPU ms per process since the meter was made. */
export function cpuMeter(processes: Record<string, number[]>): { read(): Record<string, number> } {
  const now = () => Object.fromEntries(Object.entries(processes).map(([name, pids]) => [name, pids.reduce((n, pid) => n + cpuMsOf(pid), 0)]));
  const began = now();
  return { read: () => Object.fromEntries(Object.entries(now()).map(([name, ms]) => [name, ms - (began[name] ?? 0)])) };
}

/** user + system CPU ms of each live thread of a process, with its name (Linux: /proc/PID/task). */
export function threadCpuMs(pid: number): Map<number, { name: string; ms: number }> {
  const threads = new Map<number, { name: string; ms: number }>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    const stat = statOf(`/proc/${pid}/task/${tid}/stat`);
    if (stat) threads.set(Number(tid), stat);
  }
  return threads;
}

/**
 * Where a Node worker process's CPU went between two readings, by thread (ms):
 * - `main`: the JavaScript main thread (activities, the SDK's activation and completion traffic);
 * - `workflowThread`: the busiest other Node thread, which in a Temporal worker is its workflow
 *   thread (Node does not name its threads: the rest are V8's helpers, `otherNode`);
 * - `core`: the SDK's Rust core (its `workflow-proces…` and `tokio-runtime-w…` threads);
 * - `exited`: threads that ended between the readings (the deadlock guard's watchdog threads,
 *   one per guarded call into workflow code), the process's total less its live threads.
 */
export interface ThreadSplit {
  main: number;
  workflowThread: number;
  otherNode: number;
  core: number;
  other: number;
  exited: number;
}

/** The process's CPU between the readings (`total`), and its split by thread. */
export function threadSplit(pid: number, before: { total: number; threads: Map<number, { name: string; ms: number }> }): { total: number; split: ThreadSplit } {
  const total = cpuMsOf(pid) - before.total;
  const split: ThreadSplit = { main: 0, workflowThread: 0, otherNode: 0, core: 0, other: 0, exited: 0 };
  const node: number[] = [];
  let live = 0;
  for (const [tid, { name, ms }] of threadCpuMs(pid)) {
    const used = ms - (before.threads.get(tid)?.ms ?? 0);
    live += used;
    if (tid === pid) split.main += used;
    else if (name === 'node') node.push(used);
    else if (/^(workflow-proces|tokio-runtime-w)/.test(name)) split.core += used;
    else split.other += used;
  }
  node.sort((a, b) => b - a);
  split.workflowThread = node[0] ?? 0;
  split.otherNode = node.slice(1).reduce((a, b) => a + b, 0);
  split.exited = Math.max(0, total - live);
  return { total, split };
}

/** One line of a split: `main 6.4, workflow thread 5.1, V8 helpers 1.3, core 3.5, other 0, exited 0`. */
export function threadSplitText(t: ThreadSplit): string {
  return `main ${t.main}, workflow thread ${t.workflowThread}, V8 helpers ${t.otherNode}, core ${t.core}, other ${t.other}, exited ${t.exited}`;
}

/** A reading to give `threadSplit` later. */
export function threadReading(pid: number): { total: number; threads: Map<number, { name: string; ms: number }> } {
  return { total: cpuMsOf(pid), threads: threadCpuMs(pid) };
}

/** CPU time since boot (ms) of all cores together (/proc/stat's `cpu` line) or of one (`cpuN`). */
interface CoreTimes {
  total: number;
  idle: number;
  iowait: number;
  steal: number;
}

/** The machine's CPU time since boot: all cores together, and each core. */
export interface MachineReading extends CoreTimes {
  cores: Record<string, CoreTimes>;
}

function coreTimes(line: string): CoreTimes {
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is in user already)
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const [, , , idle = 0, iowait = 0, , , steal = 0] = fields;
  return { total: fields.reduce((a, b) => a + b, 0) * TICK_MS, idle: idle * TICK_MS, iowait: iowait * TICK_MS, steal: steal * TICK_MS };
}

export function machineReading(): MachineReading {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const cores = lines.filter((l) => /^cpu\d+ /.test(l)).map((l) => [l.slice(0, l.indexOf(' ')), coreTimes(l)] as const);
  return { ...coreTimes(lines[0]!), cores: Object.fromEntries(cores) };
}

/**
 * How the machine's cores were used between a reading and now, in per cent of all cores' time:
 * `busy` (running anything: the measured processes, the bench and its channel servers, anyone
 * else), `iowait` (idle while disk I/O was outstanding), `steal` (taken by the hypervisor). A phase
 * whose `busy` stays well under 100 is held by waiting, not by CPU. `coreBusyPct`: each core's
 * busy share of its own time, by its name in /proc/stat (`cpu0`, `cpu1`, ...): with the server and
 * the worker on cores of their own (`--split-cores`), which of them was full.
 */
export interface MachineUse {
  busyPct: number;
  iowaitPct: number;
  stealPct: number;
  coreBusyPct?: Record<string, number>;
}

function use(before: CoreTimes, now: CoreTimes): Omit<MachineUse, 'coreBusyPct'> {
  const total = now.total - before.total || 1;
  const pct = (ms: number) => Math.round((ms / total) * 1000) / 10;
  const idle = now.idle - before.idle;
  const iowait = now.iowait - before.iowait;
  const steal = now.steal - before.steal;
  return { busyPct: pct(total - idle - iowait - steal), iowaitPct: pct(iowait), stealPct: pct(steal) };
}

export function machineUse(before: MachineReading): MachineUse {
  const now = machineReading();
  const cores = Object.entries(now.cores).flatMap(([name, c]) => (before.cores[name] ? [[name, use(before.cores[name], c).busyPct] as const] : []));
  return { ...use(before, now), coreBusyPct: Object.fromEntries(cores) };
}

/** One line of a phase's machine use: `busy 93.1 % of all cores (cpu0 99.2, cpu1 87.0), iowait 0.4 %, steal 0 %`. */
export function machineText(m: MachineUse): string {
  const cores = m.coreBusyPct ? ` (${Object.entries(m.coreBusyPct).map(([name, busy]) => `${name} ${busy}`).join(', ')})` : '';
  return `busy ${m.busyPct} % of all cores${cores}, iowait ${m.iowaitPct} %, steal ${m.stealPct} %`;
}
