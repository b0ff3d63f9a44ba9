/**
 * Where a workflow's wall time went, read off its history's event times: waiting for a worker to
 * pick up a workflow task (server and worker slots), running workflow tasks (worker), waiting for
 * and running activities (channel), and the count of workflow tasks. Summed per history; the
 * benchmarks report the medians over a sample.
 */
import { tsToMs } from '@temporalio/common/lib/time.js';
import type { HistoryEvent } from './same-actions-plan.js';

export interface HistoryTiming {
  wallMs: number;
  workflowTasks: number;
  workflowTaskQueueMs: number;
  workflowTaskRunMs: number;
  activityQueueMs: number;
  activityRunMs: number;
}

/** An event's time (epoch ms); NaN for a missing event. */
export const eventMs = (e: HistoryEvent | undefined): number => (e?.eventTime ? tsToMs(e.eventTime) : NaN);

/** A history's events by id (ids as strings: the SDK's are Longs). */
export const eventsById = (events: readonly HistoryEvent[]): Map<string, HistoryEvent> => new Map(events.map((e) => [String(e.eventId), e]));

export function historyTiming(events: HistoryEvent[]): HistoryTiming {
  const at = eventMs;
  const byId = eventsById(events);
  const timing: HistoryTiming = { wallMs: at(events.at(-1)) - at(events[0]), workflowTasks: 0, workflowTaskQueueMs: 0, workflowTaskRunMs: 0, activityQueueMs: 0, activityRunMs: 0 };
  for (const e of events) {
    if (e.workflowTaskStartedEventAttributes) {
      timing.workflowTasks++;
      timing.workflowTaskQueueMs += at(e) - at(byId.get(String(e.workflowTaskStartedEventAttributes.scheduledEventId)));
    } else if (e.workflowTaskCompletedEventAttributes) {
      timing.workflowTaskRunMs += at(e) - at(byId.get(String(e.workflowTaskCompletedEventAttributes.startedEventId)));
    } else if (e.activityTaskStartedEventAttributes) {
      timing.activityQueueMs += at(e) - at(byId.get(String(e.activityTaskStartedEventAttributes.scheduledEventId)));
    } else if (e.activityTaskCompletedEventAttributes) {
      timing.activityRunMs += at(e) - at(byId.get(String(e.activityTaskCompletedEventAttributes.startedEventId)));
    }
  }
  return timing;
}

/** The median of each figure over a sample of histories. */
export function medianTiming(sample: HistoryTiming[]): HistoryTiming {
  const mid = (f: (t: HistoryTiming) => number) => {
    const xs = sample.map(f).sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)] ?? NaN;
  };
  return {
    wallMs: mid((t) => t.wallMs),
    workflowTasks: mid((t) => t.workflowTasks),
    workflowTaskQueueMs: mid((t) => t.workflowTaskQueueMs),
    workflowTaskRunMs: mid((t) => t.workflowTaskRunMs),
    activityQueueMs: mid((t) => t.activityQueueMs),
    activityRunMs: mid((t) => t.activityRunMs),
  };
}
