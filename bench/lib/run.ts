/** Small helpers the benchmarks share: percentiles, a bounded pool, and what a result file says about the machine. */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Nearest-rank percentiles of a sample (ms or any unit). */
export function percentiles(xs: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

export const median = (xs: number[]): number => percentiles(xs).p50;

/** Runs `count` jobs, at most `limit` at a time; results in job order. */
export async function pool<T>(count: number, limit: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let taken = 0;
  const lane = async () => {
    for (let i = taken++; i < count; i = taken++) results[i] = await job(i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return results;
}

/** The machine and the versions a result was measured with (for the JSON files in bench/results). */
export function environment(): Record<string, unknown> {
  return {
    when: new Date().toISOString(),
    commit: sourceVersion(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    versions: { node: process.versions.node, temporalSdk: '1.24.0', temporalCli: '1.9.1', temporalServer: '1.32.0', temporalTestServer: '1.40.0' },
  };
}

/**
 * The commit a result was measured at, and whether the code differed from it (changes to tracked
 * files other than bench/results, where the runs write, and the Markdown documents): so a result
 * file says which code it measured.
 */
export function sourceVersion(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const head = git('rev-parse', '--short', 'HEAD');
    const changed = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/results', ':(exclude)*.md');
    return changed ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
