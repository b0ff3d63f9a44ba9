/**
 * CPU time by process, from /proc (Linux): how much of a run's work the worker process, the
 * Temporal server and the channel servers each did. On a shared machine the CPU a lifecycle costs
 * is steadier than its wall time.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** user + system CPU ms of a process (0 once it is gone). */
export function cpuMsOf(pid: number): number {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** The direct children of this process whose command name matches. */
export function childPids(name: RegExp): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && name.test(comm)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** A meter over named processes: `read()` gives CPU ms per process since the meter was made. */
export function cpuMeter(processes: Record<string, number[]>): { read(): Record<string, number> } {
  const now = () => Object.fromEntries(Object.entries(processes).map(([name, pids]) => [name, pids.reduce((n, pid) => n + cpuMsOf(pid), 0)]));
  const began = now();
  return { read: () => Object.fromEntries(Object.entries(now()).map(([name, ms]) => [name, ms - (began[name] ?? 0)])) };
}
