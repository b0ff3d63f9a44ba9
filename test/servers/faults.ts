/**
 * The fault queue of the local test servers: faults injected by a test, each met a number of
 * times, in injection order; a fault may be limited to one method (Slack).
 */
export interface FaultQueue<F> {
  /** The controls the servers hand to tests. */
  controls: { inject(fault: F, options?: { times?: number; method?: string }): void; clear(): void };
  /** The next fault for a call (of `method`), if any; counts it as met. */
  take(method?: string): F | undefined;
}

export function faultQueue<F>(): FaultQueue<F> {
  const pending: { fault: F; remaining: number; method?: string }[] = [];
  return {
    controls: {
      inject(fault, { times = 1, method } = {}) {
        pending.push({ fault, remaining: times, ...(method === undefined ? {} : { method }) });
      },
      clear() {
        pending.length = 0;
      },
    },
    take(method) {
      const entry = pending.find((p) => p.method === undefined || p.method === method);
      if (entry === undefined) return undefined;
      entry.remaining -= 1;
      if (entry.remaining === 0) pending.splice(pending.indexOf(entry), 1);
      return entry.fault;
    },
  };
}
