/**
 * The same-actions baseline's plan (ADDENDA #7), read off a real tierline history: which actions
 * each trigger (the start, each Update, each Signal, each timer that fired) led to: activities by
 * channel, local activities, timers started (with their durations) and timers canceled. The bare
 * workflow in bench/workflows/same-actions.ts replays exactly these counts and nothing else.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';

export type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** What a channel send costs in the baseline: a Slack call, an SMTP message, or nothing. */
export type SendChannel = 'slack' | 'email' | 'none';

export interface PlanPhase {
  /** Activities in scheduling order, each with the channel it sends to. */
  activities: { type: string; channel: SendChannel }[];
  localActivities: number;
  timersStarted: { id: string; ms: number }[];
  timersCanceled: string[];
}

export interface SameActionsPlan {
  start: PlanPhase;
  updates: { name: string; phase: PlanPhase }[];
  signals: { name: string; phase: PlanPhase }[];
  /** By the id of the timer whose firing triggers the phase. */
  timers: Record<string, PlanPhase>;
  /** The trigger after whose actions tierline's run completed: 'start', 'update:<i>', 'signal:<i>' or 'timer:<id>'. */
  endsAfter: string;
}

/** tierline's notification activities by the channel they reach (the rest do no I/O in the baseline). */
export function channelOf(activityType: string): SendChannel {
  if (/^notify/.test(activityType)) return 'email';
  if (/(Card|ThreadMessage)$/.test(activityType)) return 'slack';
  return 'none';
}

const emptyPhase = (): PlanPhase => ({ activities: [], localActivities: 0, timersStarted: [], timersCanceled: [] });
const ms = (d: Parameters<typeof tsToMs>[0]) => Math.round(tsToMs(d));

export function planFromHistory(events: HistoryEvent[]): SameActionsPlan {
  const plan: SameActionsPlan = { start: emptyPhase(), updates: [], signals: [], timers: {}, endsAfter: 'start' };
  let current = plan.start;
  let trigger = 'start';
  for (const e of events) {
    if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      current = emptyPhase();
      trigger = `update:${plan.updates.length}`;
      plan.updates.push({ name: e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? 'update', phase: current });
    } else if (e.workflowExecutionSignaledEventAttributes) {
      current = emptyPhase();
      trigger = `signal:${plan.signals.length}`;
      plan.signals.push({ name: e.workflowExecutionSignaledEventAttributes.signalName ?? 'signal', phase: current });
    } else if (e.timerFiredEventAttributes) {
      const id = String(e.timerFiredEventAttributes.timerId);
      current = plan.timers[id] = emptyPhase();
      trigger = `timer:${id}`;
    } else if (e.activityTaskScheduledEventAttributes) {
      const type = e.activityTaskScheduledEventAttributes.activityType?.name ?? 'activity';
      current.activities.push({ type, channel: channelOf(type) });
    } else if (e.markerRecordedEventAttributes) {
      current.localActivities++;
    } else if (e.timerStartedEventAttributes) {
      current.timersStarted.push({ id: String(e.timerStartedEventAttributes.timerId), ms: ms(e.timerStartedEventAttributes.startToFireTimeout) });
    } else if (e.timerCanceledEventAttributes) {
      current.timersCanceled.push(String(e.timerCanceledEventAttributes.timerId));
    } else if (e.workflowExecutionCompletedEventAttributes) {
      plan.endsAfter = trigger;
    }
  }
  return plan;
}

/** The plan's totals: what the baseline does in all. */
export function planTotals(plan: SameActionsPlan) {
  const phases = [plan.start, ...plan.updates.map((u) => u.phase), ...plan.signals.map((s) => s.phase), ...Object.values(plan.timers)];
  const sum = (f: (p: PlanPhase) => number) => phases.reduce((n, p) => n + f(p), 0);
  const byChannel: Record<string, number> = {};
  for (const p of phases) for (const a of p.activities) byChannel[a.channel] = (byChannel[a.channel] ?? 0) + 1;
  return {
    updates: plan.updates.length,
    signals: plan.signals.length,
    activities: sum((p) => p.activities.length),
    activitiesByChannel: byChannel,
    localActivities: sum((p) => p.localActivities),
    timersStarted: sum((p) => p.timersStarted.length),
    timersFired: Object.keys(plan.timers).length,
    timersCanceled: sum((p) => p.timersCanceled.length),
  };
}
