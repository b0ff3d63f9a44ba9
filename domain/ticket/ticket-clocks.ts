/**
 * The ticket's SLA clocks as a whole: which run, what they are due, and what happens when their
 * deadlines pass. Decide uses these; they return new state and never read a clock.
 */
import { parseDuration } from '../duration.js';
import { clockCalendar, conditionText, resolveTargets, type TicketFacts } from '../policy/match.js';
import type { Metric, Policy } from '../policy/schema.js';
import type { ClockCalendar } from '../sla/calendar.js';
import {
  elapsedMs, fireAlarm, nextAlarm, pauseClock, resumeClock, retargetClock, startClock, type ClockAlarm, type PauseReason, type SlaClock,
} from '../sla/clock.js';
import type { TicketState } from './types.js';

export function factsOf(state: TicketState): TicketFacts {
  return {
    priority: state.priority,
    channel: state.intake.channel,
    plan: state.intake.plan,
    account: state.intake.account,
    category: state.category,
    tags: state.tags,
    text: conditionText(state.intake),
    receivedAt: state.receivedAt,
  };
}

export function calendarOf(state: TicketState, clock: SlaClock): ClockCalendar {
  return clockCalendar(state.policy, clock.calendar);
}

/** The clock of a metric that is still counting (running or paused), if any. */
export function activeClock(state: TicketState, metric: Metric): SlaClock | undefined {
  return state.clocks.find((c) => c.metric === metric && (c.status === 'running' || c.status === 'paused'));
}

/**
 * The customer-facing clocks, which an open incident stops on its linked tickets when the policy
 * says `incidents.linkedTicketClocks: pause`. Triage is the team's own clock and runs on.
 */
export const INCIDENT_PAUSED_METRICS: readonly Metric[] = ['firstResponse', 'nextResponse', 'periodicUpdate', 'resolution'];

/** The metrics whose clocks stop while the ticket is pending for `reason` (policy `pauses`), or held by an incident. */
export function pausedMetrics(state: TicketState, reason: PauseReason): readonly Metric[] {
  return reason === 'incident' ? INCIDENT_PAUSED_METRICS : state.policy.pauses[reason];
}

/** Whether a linked incident holds the ticket's customer-facing clocks now: it pauses them and is still open. */
export function incidentHolds(state: TicketState): boolean {
  return state.incident !== undefined && state.incident.pauseClocks && state.incident.resolvedAt === undefined;
}

/** Why a clock of `metric` must not run now: the pending reason first, then an open incident; undefined when it may run. */
export function holdOf(state: TicketState, metric: Metric): PauseReason | undefined {
  if (state.pending && pausedMetrics(state, state.pending.reason).includes(metric)) return state.pending.reason;
  if (incidentHolds(state) && INCIDENT_PAUSED_METRICS.includes(metric)) return 'incident';
  return undefined;
}

/**
 * Brings every counting clock in line with what holds the ticket now (its pending reason, a linked
 * incident): a held running clock pauses, a paused clock nothing holds resumes, both at `now`, to
 * the millisecond; a clock still held by another reason stays paused under that reason.
 */
export function reconcileClocks(state: TicketState, now: number): TicketState {
  return updateClocks(state, (c) => c.status === 'running' || c.status === 'paused', (clock, cal) => {
    const hold = holdOf(state, clock.metric);
    if (clock.status === 'running') return hold ? pauseClock(clock, cal, now, hold) : clock;
    if (!hold) return resumeClock(clock, cal, now);
    return clock.pausedBy === hold ? clock : { ...clock, pausedBy: hold };
  });
}

/**
 * Starts a clock for the metric when the policy sets a target for this ticket. On a pending
 * ticket, a clock its pending reason stops starts paused: a reply sent while waiting on the
 * customer restarts the periodic-update clock, but it must not run until the customer answers.
 */
export function startMetric(state: TicketState, metric: Metric, now: number): TicketState {
  const target = resolveTargets(state.policy, factsOf(state))[metric];
  if (!target || activeClock(state, metric)) return state;
  const count = (state.clockCounts[metric] ?? 0) + 1;
  const id = count === 1 ? metric : `${metric}#${count}`;
  const cal = clockCalendar(state.policy, target.calendar);
  let clock = startClock({ id, metric, targetMs: target.targetMs, calendar: target.calendar, rule: target.rule }, cal, now);
  const hold = holdOf(state, metric);
  if (hold) clock = pauseClock(clock, cal, now, hold);
  return { ...state, clocks: [...state.clocks, clock], clockCounts: { ...state.clockCounts, [metric]: count } };
}

export function updateClocks(state: TicketState, pick: (clock: SlaClock) => boolean, change: (clock: SlaClock, cal: ClockCalendar) => SlaClock): TicketState {
  return { ...state, clocks: state.clocks.map((clock) => (pick(clock) ? change(clock, calendarOf(state, clock)) : clock)) };
}

/**
 * Re-evaluates every counting clock's target (after a priority change, or a migration from
 * `previousPolicy`) at `now`. Time a clock has counted stays counted: one that moves to another
 * calendar (P0 around the clock, P2 in business hours) banks its elapsed time on the old calendar
 * at `now` and counts on the new one from then on.
 */
export function retargetAll(state: TicketState, now: number, previousPolicy: Policy = state.policy): TicketState {
  const targets = resolveTargets(state.policy, factsOf(state));
  return {
    ...state,
    clocks: state.clocks.map((clock) => {
      if (clock.status !== 'running' && clock.status !== 'paused') return clock;
      const target = targets[clock.metric];
      if (!target) return { ...clock, targetMs: null, dueAt: null };
      const before = clockCalendar(previousPolicy, clock.calendar);
      const after = clockCalendar(state.policy, target.calendar);
      const moved = clock.runningSince !== null && JSON.stringify(before) !== JSON.stringify(after);
      const banked = moved ? { ...clock, accumulatedMs: elapsedMs(clock, before, now), runningSince: now } : clock;
      return retargetClock(banked, after, { targetMs: target.targetMs, calendar: target.calendar, rule: target.rule });
    }),
  };
}

function repeatMs(state: TicketState): number | undefined {
  return state.policy.sla.repeatAfterBreach ? parseDuration(state.policy.sla.repeatAfterBreach) : undefined;
}

/** The earliest alarm of any running clock. */
export function earliestAlarm(state: TicketState): ClockAlarm | undefined {
  let earliest: ClockAlarm | undefined;
  for (const clock of state.clocks) {
    const alarm = nextAlarm(clock, calendarOf(state, clock), state.policy.sla.warnings, repeatMs(state));
    if (alarm && (!earliest || alarm.at < earliest.at)) earliest = alarm;
  }
  return earliest;
}

/**
 * Records that an alarm fired at `now`. Repeats of a breach notice that were due while the clock
 * could not announce them (paused on the customer, resolved before a reopen, or a late wake-up)
 * are not caught up one by one: the next repeat is the first one after `now`, so a clock that
 * resumes three days after its breach sends one notice, not 72.
 */
export function applyAlarm(state: TicketState, alarm: ClockAlarm, now: number): TicketState {
  const every = repeatMs(state);
  return updateClocks(state, (c) => c.id === alarm.clockId, (c) => {
    const fired = fireAlarm(c, alarm, state.policy.sla.warnings.length);
    if (!every || fired.breachedAt === undefined) return fired;
    const slotsPassed = Math.floor((now - fired.breachedAt) / every) + 1;
    return { ...fired, breachNotices: Math.max(fired.breachNotices, slotsPassed) };
  });
}

/** The earliest due time among running clocks with a deadline (for SlaDueAt and the UI). */
export function nextDue(state: TicketState): { clock: SlaClock; dueAt: number } | undefined {
  let best: { clock: SlaClock; dueAt: number } | undefined;
  for (const clock of state.clocks) {
    if (clock.status === 'running' && clock.dueAt !== null && clock.breachedAt === undefined && (!best || clock.dueAt < best.dueAt)) {
      best = { clock, dueAt: clock.dueAt };
    }
  }
  return best;
}
