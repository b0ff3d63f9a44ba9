/** Small helpers the benchmarks share: percentiles and a bounded pool (what a result file says about the machine and the code: ./environment.ts). */

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
