/**
 * Where a breach's lateness went, read off the workflow's history: the issue asks which part
 * (server, worker or channel) holds the time. For the timer that woke the workflow for its breach:
 *
 * - `aim`: the timer's intended fire (the workflow time of the task that set it, plus its
 *   duration) minus the due time. The workflow computes the duration from its own clock, so this is
 *   about 0 unless the timer aims past the deadline.
 * - `arm`: the server starts a timer when the workflow task that set it completes, but the
 *   workflow computed its duration at the task's start (workflow time). So a timer fires late by
 *   the time that task took: its wait in the worker for the workflow thread, its workflow code
 *   and its local activities.
 * - `fire`: the server's timer queue, from the armed fire time to the TimerFired event.
 * - `pickup`: from TimerFired to the worker starting the workflow task it caused (server dispatch,
 *   the worker's poll and slots).
 * - `notify`: from that task's start to the Slack server accepting the message (the worker's run of
 *   the task, the activity, the channel).
 *
 * aim + arm + fire + pickup + notify = lateness.
 *
 * `wakeTimeouts` counts the workflow tasks between the timer firing and the task that ran: a task
 * on the worker's sticky queue that no poll took within `stickyQueueScheduleToStartTimeout` times
 * out and is scheduled again on the ordinary queue, behind everything waiting there, with the
 * whole history.
 */
import { tsToMs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import { eventMs, eventsById } from './history-timing.js';
import type { HistoryEvent } from './same-actions-plan.js';

const { History } = proto.temporal.api.history.v1;

export const PARTS = ['aim', 'arm', 'fire', 'pickup', 'notify'] as const;
export type Part = (typeof PARTS)[number];
export type LatenessParts = Record<Part, number>;

/** The timer that woke the workflow before `arrivedAt`, and the workflow task that then started. */
function wake(events: readonly HistoryEvent[], arrivedAt: number): { fired: HistoryEvent; woke: HistoryEvent } | undefined {
  const fired = events.filter((e) => e.timerFiredEventAttributes && eventMs(e) <= arrivedAt).at(-1);
  const woke = fired && events.find((e) => e.workflowTaskStartedEventAttributes && Number(e.eventId) > Number(fired.eventId));
  return fired && woke ? { fired, woke } : undefined;
}

export function wakeTimeouts(events: readonly HistoryEvent[], arrivedAt: number): number | undefined {
  const w = wake(events, arrivedAt);
  if (!w) return undefined;
  const between = (e: HistoryEvent) => Number(e.eventId) > Number(w.fired.eventId) && Number(e.eventId) < Number(w.woke.eventId);
  return events.filter((e) => e.workflowTaskTimedOutEventAttributes && between(e)).length;
}

/**
 * What a replay at the wake would go through: the events before the task that ran the breach, the
 * workflow tasks among them (each one activation of the workflow's code on replay), and their
 * size as the server stores and sends them (protobuf bytes): what the server reads for a task
 * that carries the whole history, after a sticky timeout or for a workflow out of the cache.
 */
export function historyAtWake(events: readonly HistoryEvent[], arrivedAt: number): { events: number; tasks: number; bytes: number } | undefined {
  const w = wake(events, arrivedAt);
  if (!w) return undefined;
  const before = events.filter((e) => Number(e.eventId) < Number(w.woke.eventId));
  return {
    events: before.length,
    tasks: before.filter((e) => e.workflowTaskCompletedEventAttributes).length,
    bytes: History.encode({ events: before as proto.temporal.api.history.v1.IHistoryEvent[] }).finish().length,
  };
}

export function latenessParts(events: readonly HistoryEvent[], dueAt: number, arrivedAt: number): LatenessParts | undefined {
  const at = eventMs;
  const byId = eventsById(events);
  const w = wake(events, arrivedAt);
  if (!w) return undefined;
  const { fired, woke } = w;
  const started = byId.get(String(fired.timerFiredEventAttributes!.startedEventId));
  const attrs = started?.timerStartedEventAttributes;
  if (!started || !attrs) return undefined;
  const setBy = byId.get(String(attrs.workflowTaskCompletedEventId))?.workflowTaskCompletedEventAttributes;
  const setTaskStart = at(byId.get(String(setBy?.startedEventId)));
  const duration = tsToMs(attrs.startToFireTimeout);
  return {
    aim: setTaskStart + duration - dueAt,
    arm: at(started) - setTaskStart,
    fire: at(fired) - (at(started) + duration),
    pickup: at(woke) - at(fired),
    notify: arrivedAt - at(woke),
  };
}
