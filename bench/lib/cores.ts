/**
 * Which cores a process may run on (Linux): `--split-cores` gives the Temporal server a core of its
 * own and the worker (with the bench, which runs the local Slack server) the others, as a
 * deployment does where the server runs on machines of its own. Then the side that is full shows
 * which one holds the drain, where on shared cores the two only add up.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The cores a process may run on, as /proc gives them (`0`, `1`, `0-1`). */
export function coresOf(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
  if (!list) throw new Error(`no Cpus_allowed_list in /proc/${pid}/status`);
  return list;
}

/**
 * Restricts every thread of a process to `cores` (`taskset -a -c -p`); the threads it starts later
 * inherit it. Gives back the list /proc then shows.
 */
export function pinToCores(pid: number, cores: string): string {
  execFileSync('taskset', ['-a', '-c', '-p', cores, String(pid)], { stdio: 'ignore' });
  return coresOf(pid);
}

/** The split: the server on the first core, everything else on the rest. Needs two cores at least. */
export function coreSplit(): { server: string; rest: string } {
  const n = cpus().length;
  if (n < 2) throw new Error(`--split-cores needs two cores at least; this machine has ${n}`);
  return { server: '0', rest: n === 2 ? '1' : `1-${n - 1}` };
}
