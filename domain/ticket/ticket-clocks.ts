/**
 * The ticket's SLA clocks as a whole: which run, what they are due, and what happens when their
 * deadlines pass. Decide uses these; they return new state and never read a clock.
 */
import { parseDuration } from '../duration.js';
import { clockCalendar, resolveTargets, type TicketFacts } from '../policy/match.js';
import type { Metric } from '../policy/schema.js';
import type { ClockCalendar } from '../sla/calendar.js';
import { fireAlarm, nextAlarm, retargetClock, startClock, type ClockAlarm, type SlaClock } from '../sla/clock.js';
import type { TicketState } from './types.js';

export function factsOf(state: TicketState): TicketFacts {
  return {
    priority: state.priority,
    channel: state.intake.channel,
    plan: state.intake.plan,
    category: state.category,
    tags: state.tags,
    text: `${state.intake.subject}\n${state.intake.description}`,
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

/** Starts a clock for the metric when the policy sets a target for this ticket. */
export function startMetric(state: TicketState, metric: Metric, now: number): TicketState {
  const target = resolveTargets(state.policy, factsOf(state))[metric];
  if (!target || activeClock(state, metric)) return state;
  const count = (state.clockCounts[metric] ?? 0) + 1;
  const id = count === 1 ? metric : `${metric}#${count}`;
  const clock = startClock({ id, metric, targetMs: target.targetMs, calendar: target.calendar, rule: target.rule }, clockCalendar(state.policy, target.calendar), now);
  return { ...state, clocks: [...state.clocks, clock], clockCounts: { ...state.clockCounts, [metric]: count } };
}

export function updateClocks(state: TicketState, pick: (clock: SlaClock) => boolean, change: (clock: SlaClock, cal: ClockCalendar) => SlaClock): TicketState {
  return { ...state, clocks: state.clocks.map((clock) => (pick(clock) ? change(clock, calendarOf(state, clock)) : clock)) };
}

/** Re-evaluates every counting clock's target (after a priority change or a policy migration). */
export function retargetAll(state: TicketState): TicketState {
  const targets = resolveTargets(state.policy, factsOf(state));
  return {
    ...state,
    clocks: state.clocks.map((clock) => {
      if (clock.status !== 'running' && clock.status !== 'paused') return clock;
      const target = targets[clock.metric];
      if (!target) return { ...clock, targetMs: null, dueAt: null };
      return retargetClock(clock, clockCalendar(state.policy, target.calendar), { targetMs: target.targetMs, calendar: target.calendar, rule: target.rule });
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

export function applyAlarm(state: TicketState, alarm: ClockAlarm): TicketState {
  return updateClocks(state, (c) => c.id === alarm.clockId, (c) => fireAlarm(c, alarm, state.policy.sla.warnings.length));
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
