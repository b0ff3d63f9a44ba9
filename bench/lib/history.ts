/** History event counts by type, for the benchmarks' reports. */
import type { WorkflowHandle } from '@temporalio/client';

const NAMES: Record<number, string> = {
  1: 'workflow started', 2: 'workflow completed', 5: 'workflow task scheduled', 6: 'workflow task started',
  7: 'workflow task completed', 9: 'workflow task failed', 10: 'activity scheduled', 11: 'activity started',
  12: 'activity completed', 13: 'activity failed', 17: 'timer started', 18: 'timer fired', 19: 'timer canceled',
  26: 'signaled', 28: 'continued as new', 29: 'child workflow initiated', 31: 'child workflow started',
  32: 'child workflow completed', 40: 'search attributes upserted', 41: 'update accepted', 43: 'update completed',
  46: 'workflow properties modified',
};

export async function historyCounts(handle: WorkflowHandle): Promise<{ total: number; byType: [string, number][] }> {
  const events = (await handle.fetchHistory()).events ?? [];
  const byType = new Map<string, number>();
  for (const e of events) {
    const name = NAMES[Number(e.eventType)] ?? `event type ${String(e.eventType)}`;
    byType.set(name, (byType.get(name) ?? 0) + 1);
  }
  return { total: events.length, byType: [...byType].sort((a, b) => b[1] - a[1]) };
}
