/**
 * Policy conditions and target selection: ordered rules, for each metric the first match wins.
 */
import { parseDuration } from '../duration.js';
import type { ClockCalendar } from '../sla/calendar.js';
import { isWorkingTime } from '../sla/calendar.js';
import { toLocal } from '../sla/zoned-time.js';
import { METRICS, type Metric } from './constants.js';
import type { Condition, Policy, Target } from './schema.js';

/** What conditions look at: the ticket's facts at the time a rule is evaluated. */
export interface TicketFacts {
  priority: string;
  channel: string;
  plan?: string | undefined;
  account?: string | undefined;
  category?: string | undefined;
  tags: readonly string[];
  text: string;
  /** When the ticket arrived: fixed at intake, so later re-evaluations keep the same arrival. */
  receivedAt: number;
}

export type Arrival = 'business-hours' | 'after-hours' | 'weekend';

/** Arrival by the policy's default calendar: SIGN X answers after-hours and weekend mail differently. */
export function arrivalOf(policy: Policy, at: number): Arrival {
  const calendar = policy.calendars[policy.defaultCalendar];
  if (!calendar) return 'business-hours';
  const weekday = toLocal(at, calendar.timeZone).weekday;
  if (weekday === 'sat' || weekday === 'sun') return 'weekend';
  return isWorkingTime({ kind: 'business-time', calendar }, at) ? 'business-hours' : 'after-hours';
}

/** What `keywords` conditions search: the subject and the description. */
export function conditionText(intake: { subject: string; description: string }): string {
  return `${intake.subject}\n${intake.description}`;
}

/** The facts fixed at intake that conditions read (see `policyForTicket`). */
export type FixedFacts = Pick<TicketFacts, 'channel' | 'plan' | 'account' | 'tags' | 'text'>;

/** Whether `when` holds on the fixed facts: false means it never matches the ticket, whatever else changes. */
export function matchesFixed(when: Condition, facts: FixedFacts): boolean {
  if (when.channel && !when.channel.includes(facts.channel)) return false;
  if (when.plan && !(facts.plan !== undefined && when.plan.includes(facts.plan))) return false;
  if (when.account && !(facts.account !== undefined && when.account.includes(facts.account))) return false;
  if (when.tags && !when.tags.some((tag) => facts.tags.includes(tag))) return false;
  if (when.keywords) {
    const text = facts.text.toLowerCase();
    if (!when.keywords.some((word) => text.includes(word.toLowerCase()))) return false;
  }
  return true;
}

export function matches(policy: Policy, when: Condition, facts: TicketFacts): boolean {
  if (when.priority && !when.priority.includes(facts.priority)) return false;
  if (when.category && !(facts.category !== undefined && when.category.includes(facts.category))) return false;
  if (!matchesFixed(when, facts)) return false;
  if (when.received && !when.received.includes(arrivalOf(policy, facts.receivedAt))) return false;
  return true;
}

/** A target resolved for one ticket: a duration on a calendar, or none (tracked by release). */
export interface ResolvedTarget {
  metric: Metric;
  /** Milliseconds of the calendar's time; null when the target has no deadline. */
  targetMs: number | null;
  /** A calendar name of the policy or '24x7'. */
  calendar: string;
  /** The rule that set it, for the timeline ("P1 business hours"). */
  rule: string;
}

export function resolveTargets(policy: Policy, facts: TicketFacts): Partial<Record<Metric, ResolvedTarget>> {
  const out: Partial<Record<Metric, ResolvedTarget>> = {};
  policy.sla.targets.forEach((rule, index) => {
    if (!matches(policy, rule.when, facts)) return;
    for (const metric of METRICS) {
      const target: Target | undefined = rule[metric];
      if (!target || out[metric]) continue;
      out[metric] = {
        metric,
        targetMs: 'within' in target ? parseDuration(target.within)! : null,
        calendar: 'within' in target ? (target.calendar ?? policy.defaultCalendar) : '24x7',
        rule: rule.name ?? `rule ${index + 1}`,
      };
    }
  });
  return out;
}

export function clockCalendar(policy: Policy, name: string): ClockCalendar {
  const calendar = name === '24x7' ? undefined : policy.calendars[name];
  return calendar ? { kind: 'business-time', calendar } : { kind: 'calendar-time' };
}

export function priorityOf(policy: Policy, id: string) {
  return policy.priorities.find((p) => p.id === id);
}
