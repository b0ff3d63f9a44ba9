/**
 * One SLA clock (first response, next response, periodic update, resolution, triage): plain data
 * and the pure operations on it. A clock counts the time of its calendar (24/7 or business
 * hours) while it runs; pausing banks what has elapsed; resuming continues from the remaining
 * time, to the millisecond. Nothing here reads a clock: `now` is always passed in.
 */
import type { Metric } from '../policy/schema.js';
import { addWorkingTime, workingTimeBetween, type ClockCalendar } from './calendar.js';

export type PauseReason = 'customer' | 'vendor' | 'incident';

export interface SlaClock {
  /** Unique within the ticket: the metric, and a count for metrics that recur (`nextResponse#2`). */
  id: string;
  metric: Metric;
  /** Working milliseconds allowed; null when the target has no deadline (tracked by release). */
  targetMs: number | null;
  /** A calendar name of the ticket's policy, or '24x7'. */
  calendar: string;
  /** The policy rule that chose the target. */
  rule: string;
  status: 'running' | 'paused' | 'met' | 'stopped';
  startedAt: number;
  /** Working time counted before `runningSince` (banked at each pause). */
  accumulatedMs: number;
  /** When the clock last started running; null unless running. */
  runningSince: number | null;
  /** The instant the target is reached at the current pace; null unless running with a target. */
  dueAt: number | null;
  pausedBy?: PauseReason;
  metAt?: number;
  stoppedAt?: number;
  /** The due instant at which the clock breached (the deadline itself, not when it was seen). */
  breachedAt?: number;
  /** How many of the policy's warning points have fired. */
  warningsFired: number;
  /** The breach notice and its repeats fired so far. */
  breachNotices: number;
}

export function startClock(
  spec: { id: string; metric: Metric; targetMs: number | null; calendar: string; rule: string },
  cal: ClockCalendar,
  now: number,
): SlaClock {
  const clock: SlaClock = { ...spec, status: 'running', startedAt: now, accumulatedMs: 0, runningSince: now, dueAt: null, warningsFired: 0, breachNotices: 0 };
  return withDue(clock, cal);
}

/** Working time elapsed on the clock at `now`. */
export function elapsedMs(clock: SlaClock, cal: ClockCalendar, now: number): number {
  return clock.accumulatedMs + (clock.runningSince === null ? 0 : workingTimeBetween(cal, clock.runningSince, now));
}

/** The instant at which the clock reaches `amountMs` of elapsed working time, while running. */
function instantOfElapsed(clock: SlaClock, cal: ClockCalendar, amountMs: number): number | null {
  if (clock.runningSince === null) return null;
  return addWorkingTime(cal, clock.runningSince, Math.max(0, amountMs - clock.accumulatedMs));
}

function withDue(clock: SlaClock, cal: ClockCalendar): SlaClock {
  const dueAt = clock.status === 'running' && clock.targetMs !== null ? instantOfElapsed(clock, cal, clock.targetMs) : null;
  return { ...clock, dueAt };
}

export function pauseClock(clock: SlaClock, cal: ClockCalendar, now: number, reason: PauseReason): SlaClock {
  if (clock.status !== 'running') return clock;
  return { ...clock, status: 'paused', accumulatedMs: elapsedMs(clock, cal, now), runningSince: null, dueAt: null, pausedBy: reason };
}

export function resumeClock(clock: SlaClock, cal: ClockCalendar, now: number): SlaClock {
  if (clock.status !== 'paused') return clock;
  const { pausedBy: _, ...rest } = clock;
  return withDue({ ...rest, status: 'running', runningSince: now }, cal);
}

/** The clock's goal was reached (a response sent, the ticket resolved). */
export function meetClock(clock: SlaClock, cal: ClockCalendar, now: number): SlaClock {
  if (clock.status === 'met' || clock.status === 'stopped') return clock;
  return { ...clock, status: 'met', metAt: now, accumulatedMs: elapsedMs(clock, cal, now), runningSince: null, dueAt: null };
}

/** The clock no longer applies (the ticket closed without reaching it). */
export function stopClock(clock: SlaClock, cal: ClockCalendar, now: number): SlaClock {
  if (clock.status === 'met' || clock.status === 'stopped') return clock;
  return { ...clock, status: 'stopped', stoppedAt: now, accumulatedMs: elapsedMs(clock, cal, now), runningSince: null, dueAt: null };
}

/** A met clock that runs again (the resolution clock of a reopened ticket keeps its elapsed time). */
export function rerunClock(clock: SlaClock, cal: ClockCalendar, now: number): SlaClock {
  const { metAt: _m, stoppedAt: _s, ...rest } = clock;
  return withDue({ ...rest, status: 'running', runningSince: now }, cal);
}

/**
 * A new target for a clock that keeps its elapsed time (re-prioritised, policy migrated). A
 * deadline that now lies in the past breaches at that past instant on the next tick.
 */
export function retargetClock(clock: SlaClock, cal: ClockCalendar, spec: { targetMs: number | null; calendar: string; rule: string }): SlaClock {
  const alreadyBreached = clock.breachedAt !== undefined && spec.targetMs !== null && spec.targetMs <= (clock.targetMs ?? Infinity);
  const next: SlaClock = { ...clock, ...spec };
  if (!alreadyBreached) {
    delete next.breachedAt;
    next.breachNotices = 0;
    next.warningsFired = 0;
  }
  return withDue(next, cal);
}

/** What a running clock will announce next: a warning point, the breach, or a repeat after breach. */
export type ClockAlarm =
  | { kind: 'warning'; clockId: string; at: number; index: number; fraction: number }
  | { kind: 'breach'; clockId: string; at: number }
  | { kind: 'repeat'; clockId: string; at: number; count: number };

export function nextAlarm(clock: SlaClock, cal: ClockCalendar, warnings: readonly number[], repeatMs: number | undefined): ClockAlarm | undefined {
  if (clock.status !== 'running' || clock.targetMs === null || clock.dueAt === null) return undefined;
  if (clock.breachNotices === 0) {
    const sorted = [...warnings].sort((a, b) => a - b);
    const fraction = sorted[clock.warningsFired];
    if (fraction !== undefined) {
      const at = instantOfElapsed(clock, cal, Math.round(clock.targetMs * fraction))!;
      if (at < clock.dueAt) return { kind: 'warning', clockId: clock.id, at, index: clock.warningsFired, fraction };
    }
    return { kind: 'breach', clockId: clock.id, at: clock.dueAt };
  }
  if (!repeatMs || clock.breachedAt === undefined) return undefined;
  // Repeats count wall-clock time from the breach: "every hour while breached".
  return { kind: 'repeat', clockId: clock.id, at: clock.breachedAt + clock.breachNotices * repeatMs, count: clock.breachNotices };
}

/** Records that an alarm fired. */
export function fireAlarm(clock: SlaClock, alarm: ClockAlarm, warningCount: number): SlaClock {
  switch (alarm.kind) {
    case 'warning':
      return { ...clock, warningsFired: clock.warningsFired + 1 };
    case 'breach':
      // Warnings not yet fired are moot once the deadline has passed.
      return { ...clock, breachedAt: alarm.at, breachNotices: 1, warningsFired: warningCount };
    case 'repeat':
      return { ...clock, breachNotices: clock.breachNotices + 1 };
  }
}
