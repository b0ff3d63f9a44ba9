/** Small helpers the benchmarks share: percentiles, a bounded pool and clean-up on stop (what a result file says about the machine and the code: ./environment.ts). */
import { constants as osConstants } from 'node:os';

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

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Makes `cleanup` run once however the bench ends: where it ends (call the function this returns,
 * in a `finally`) or when it is stopped with SIGINT or SIGTERM. Without it a bench stopped
 * mid-run leaves its Temporal server, its workers and its data folder (about 750 MB at 10,000
 * open) behind. On a signal the bench then exits as the signal would have had it (128 + its
 * number); a second signal while the cleanup runs ends the bench at once.
 */
export function cleanUpOnStop(cleanup: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  const run = () => {
    if (!running) {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      running = cleanup();
    }
    return running;
  };
  function onSignal(signal: NodeJS.Signals) {
    console.error(`${signal}: stopping the bench's servers and workers`);
    const exit = () => process.exit(128 + osConstants.signals[signal]);
    run().then(exit, (err: unknown) => {
      console.error(`cleaning up after ${signal}: ${err instanceof Error ? err.message : String(err)}`);
      exit();
    });
  }
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return run;
}
