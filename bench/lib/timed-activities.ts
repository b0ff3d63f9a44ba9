/**
 * Wraps a worker's activities to record how long each call took (the channel's share of a
 * lifecycle), by activity name or by `keyOf` its name and arguments.
 */
export function timedActivities<T extends object>(activities: T, keyOf: (name: string, args: unknown[]) => string = (name) => name): { activities: T; durations: Map<string, number[]> } {
  const durations = new Map<string, number[]>();
  const wrapped = Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => {
      if (typeof fn !== 'function') return [name, fn];
      return [
        name,
        async (...args: unknown[]) => {
          const began = performance.now();
          try {
            return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
          } finally {
            const key = keyOf(name, args);
            const list = durations.get(key) ?? [];
            list.push(performance.now() - began);
            durations.set(key, list);
          }
        },
      ];
    }),
  ) as T;
  return { activities: wrapped, durations };
}
