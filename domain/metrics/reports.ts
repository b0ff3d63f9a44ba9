/**
 * The seeds' reports as data (Caro: "Daily: Support queue status, P0 issues; Weekly: Metrics
 * summary, top issues, KB updates needed; Monthly: Deep-dive report, trends, action items"):
 *
 * - daily: the queue as it stands at `now` (open tickets by status and priority, those breached
 *   now, the open tickets of the most urgent priority), and what the previous day brought;
 * - weekly: the previous Monday-to-Sunday week's metrics with the policy's targets (target,
 *   actual, pass/fail), top issues by category and tag, and the knowledge-base articles needed;
 * - monthly: the same for the previous calendar month, with the change of each figure against
 *   the month before it.
 *
 * Periods are whole days, weeks and months in the report time zone (see periods.ts), ending before
 * `now`; the figures describe the tickets opened in the period as their records stand. The
 * daily report's queue reads the open tickets' current state rather than their records, so it is
 * exact at `now` even when the ledger lags.
 */
import { priorityOf } from '../policy/match.js';
import type { MetricTarget, Policy } from '../policy/schema.js';
import { elapsedMs } from '../sla/clock.js';
import { calendarOf, nextDue } from '../ticket/ticket-clocks.js';
import { isOpenStatus, STATUSES, type TicketState, type TicketStatus } from '../ticket/types.js';
import { aggregate, type Aggregate, type Period, type Stats } from './aggregate.js';
import { previousDay, previousMonth, previousWeek, reportTimeZone } from './periods.js';
import { evaluateTarget, evaluateTargets, type TargetResult } from './targets.js';
import type { TicketMetrics } from './ticket-metrics.js';
import { knowledgeBaseNeeded, topCategories, topTags, type IssueCount, type KnowledgeBaseGap } from './top-issues.js';

export interface ReportHeader {
  /** `id@version` of the policy the report reads targets and priorities from. */
  policy: string;
  policyName: string;
  timeZone: string;
  generatedAt: number;
  period: Period;
}

/** An open ticket in the daily queue. */
export interface QueueTicket {
  ticketId: string;
  subject: string;
  priority: string;
  status: TicketStatus;
  tier: string;
  assignee?: string;
  openedAt: number;
  ageMs: number;
  /** A clock still counts past its deadline now (see breachedNow). */
  breached: boolean;
  /** The next deadline of a running clock not yet breached. */
  nextDue?: { clock: string; dueAt: number };
}

export interface DailyReport extends ReportHeader {
  kind: 'daily';
  queue: {
    open: number;
    unassigned: number;
    byStatus: { status: TicketStatus; tickets: number }[];
    byPriority: { priority: string; name: string; tickets: number }[];
    breachedNow: QueueTicket[];
  };
  /** The policy's most urgent priority (Caro, SIGN X: P0) and its open tickets, oldest first. */
  urgent: { priority: string; name: string; open: QueueTicket[] };
  /** The previous day: tickets opened, resolved and closed in it. */
  day: { opened: number; resolved: number; closed: number };
}

export interface PriorityStats {
  priority: string;
  name: string;
  stats: Stats;
}

export interface PeriodSummary {
  summary: Stats;
  byPriority: PriorityStats[];
  targets: TargetResult[];
  topCategories: IssueCount[];
  topTags: IssueCount[];
  knowledgeBase: KnowledgeBaseGap[];
}

export interface WeeklyReport extends ReportHeader, PeriodSummary {
  kind: 'weekly';
}

/** One figure this month against the month before. */
export interface Trend {
  label: string;
  metric: string;
  unit?: MetricTarget['unit'];
  current?: number;
  previous?: number;
  /** current - previous, when both are known. */
  delta?: number;
  /** Which way is better: shorter waits, fewer escalations and reopens, less effort; more of everything else. */
  better: 'lower' | 'higher' | 'neither';
  improved?: boolean;
}

export interface MonthlyReport extends ReportHeader, PeriodSummary {
  kind: 'monthly';
  previous: { period: Period; summary: Stats; targets: TargetResult[] };
  trends: Trend[];
}

export type Report = DailyReport | WeeklyReport | MonthlyReport;

function header(policy: Policy, now: number, period: Period): ReportHeader {
  return { policy: `${policy.id}@${policy.version}`, policyName: policy.name, timeZone: reportTimeZone(policy), generatedAt: now, period };
}

const byUrgency = (policy: Policy) => (a: string, b: string) =>
  (priorityOf(policy, a)?.urgency ?? Number.MAX_SAFE_INTEGER) - (priorityOf(policy, b)?.urgency ?? Number.MAX_SAFE_INTEGER) || (a < b ? -1 : a > b ? 1 : 0);

/** Whether a clock of the ticket still counts past its deadline at `now` (breached and not yet answered). */
export function breachedNow(state: TicketState, now: number): boolean {
  return state.clocks.some((c) =>
    (c.status === 'running' || c.status === 'paused') && c.targetMs !== null && (c.breachedAt !== undefined || elapsedMs(c, calendarOf(state, c), now) >= c.targetMs));
}

function queueTicket(state: TicketState, now: number): QueueTicket {
  const due = nextDue(state);
  return {
    ticketId: state.ticketId,
    subject: state.intake.subject,
    priority: state.priority,
    status: state.status,
    tier: state.tier,
    ...(state.assignee !== undefined ? { assignee: state.assignee } : {}),
    openedAt: state.receivedAt,
    ageMs: Math.max(0, now - state.receivedAt),
    breached: breachedNow(state, now),
    ...(due ? { nextDue: { clock: due.clock.id, dueAt: due.dueAt } } : {}),
  };
}

/**
 * The daily report. `openTickets` are the current states of the open tickets (others given are
 * left out); `records` give the previous day's activity.
 */
export function dailyReport(records: readonly TicketMetrics[], policy: Policy, now: number, openTickets: readonly TicketState[]): DailyReport {
  const timeZone = reportTimeZone(policy);
  const period = previousDay(now, timeZone);
  const open = openTickets.filter((s) => isOpenStatus(s.status)).map((s) => queueTicket(s, now)).sort((a, b) => a.openedAt - b.openedAt || (a.ticketId < b.ticketId ? -1 : 1));
  const count = <K extends string>(keys: readonly K[], of: (t: QueueTicket) => K) => keys.map((k) => ({ key: k, tickets: open.filter((t) => of(t) === k).length }));
  const priorities = [...new Set([...policy.priorities.map((p) => p.id), ...open.map((t) => t.priority)])].sort(byUrgency(policy));
  const urgent = [...policy.priorities].sort((a, b) => a.urgency - b.urgency)[0]!;
  const inDay = (at: number | undefined) => at !== undefined && at >= period.from && at < period.to;
  return {
    kind: 'daily',
    ...header(policy, now, period),
    queue: {
      open: open.length,
      unassigned: open.filter((t) => t.assignee === undefined).length,
      byStatus: count(STATUSES.filter((s) => isOpenStatus(s)), (t) => t.status).filter((e) => e.tickets > 0).map((e) => ({ status: e.key, tickets: e.tickets })),
      byPriority: count(priorities, (t) => t.priority).map((e) => ({ priority: e.key, name: priorityOf(policy, e.key)?.name ?? e.key, tickets: e.tickets })),
      breachedNow: open.filter((t) => t.breached),
    },
    urgent: { priority: urgent.id, name: urgent.name, open: open.filter((t) => t.priority === urgent.id) },
    day: {
      opened: records.filter((r) => inDay(r.openedAt)).length,
      resolved: records.filter((r) => inDay(r.resolvedAt)).length,
      closed: records.filter((r) => inDay(r.closedAt)).length,
    },
  };
}

function periodSummary(records: readonly TicketMetrics[], policy: Policy, period: Period): { agg: Aggregate; summary: PeriodSummary } {
  const agg = aggregate(records, { groupBy: ['priority'], period });
  const order = byUrgency(policy);
  return {
    agg,
    summary: {
      summary: agg.overall,
      byPriority: [...agg.groups]
        .sort((a, b) => order(a.key.priority!, b.key.priority!))
        .map((g) => ({ priority: g.key.priority!, name: priorityOf(policy, g.key.priority!)?.name ?? g.key.priority!, stats: g.stats })),
      targets: evaluateTargets(policy, agg),
      topCategories: topCategories(agg.records),
      topTags: topTags(agg.records),
      knowledgeBase: knowledgeBaseNeeded(agg.records, policy.metrics?.knowledgeBaseAfter ?? 2),
    },
  };
}

export function weeklyReport(records: readonly TicketMetrics[], policy: Policy, now: number): WeeklyReport {
  const period = previousWeek(now, reportTimeZone(policy));
  return { kind: 'weekly', ...header(policy, now, period), ...periodSummary(records, policy, period).summary };
}

/** The figures every monthly report trends, besides the policy's own targets. */
export const HEADLINE_FIGURES: readonly Omit<MetricTarget, 'op' | 'value'>[] = [
  { label: 'First response, average (business time)', metric: 'firstResponse.avg', unit: 'h' },
  { label: 'First response, 90th percentile (business time)', metric: 'firstResponse.p90', unit: 'h' },
  { label: 'Resolution, average (business time)', metric: 'resolution.avg', unit: 'h' },
  { label: 'First response within SLA', metric: 'firstResponse.withinSla', unit: '%' },
  { label: 'Resolution within SLA', metric: 'resolution.withinSla', unit: '%' },
  { label: 'Resolution rate', metric: 'resolutionRate', unit: '%' },
  { label: 'Deflection rate', metric: 'deflectionRate', unit: '%' },
  { label: 'Escalation rate', metric: 'escalationRate', unit: '%' },
  { label: 'Reopen rate', metric: 'reopenRate', unit: '%' },
  { label: 'Satisfaction (CSAT, 1-5)', metric: 'csat.avg' },
  { label: 'Customer effort (CES, 1-7)', metric: 'ces.avg' },
  { label: 'Issues to improvements', metric: 'issuesToImprovements', unit: '%' },
];

/** Shorter waits, fewer escalations and reopens, and less customer effort are better; more of everything else. */
function directionOf(metric: string): Trend['better'] {
  if (metric === 'tickets') return 'neither';
  if (/\.(avg|p50|p90)$/.test(metric) && metric !== 'csat.avg') return 'lower';
  return metric === 'escalationRate' || metric === 'reopenRate' ? 'lower' : 'higher';
}

function trend(label: string, metric: string, unit: MetricTarget['unit'] | undefined, current: number | undefined, previous: number | undefined): Trend {
  const better = directionOf(metric);
  const delta = current !== undefined && previous !== undefined ? current - previous : undefined;
  return {
    label,
    metric,
    ...(unit !== undefined ? { unit } : {}),
    ...(current !== undefined ? { current } : {}),
    ...(previous !== undefined ? { previous } : {}),
    ...(delta !== undefined ? { delta } : {}),
    better,
    ...(delta !== undefined && better !== 'neither' && delta !== 0 ? { improved: better === 'lower' ? delta < 0 : delta > 0 } : {}),
  };
}

export function monthlyReport(records: readonly TicketMetrics[], policy: Policy, now: number): MonthlyReport {
  const timeZone = reportTimeZone(policy);
  const period = previousMonth(now, timeZone, 1);
  const before = previousMonth(now, timeZone, 2);
  const current = periodSummary(records, policy, period);
  const previous = periodSummary(records, policy, before);
  const trends: Trend[] = [trend('Tickets opened', 'tickets', undefined, current.agg.overall.tickets, previous.agg.overall.tickets)];
  for (const figure of HEADLINE_FIGURES) {
    const a = evaluateTarget(figure, current.agg).actual;
    const b = evaluateTarget(figure, previous.agg).actual;
    trends.push(trend(figure.label, figure.metric, figure.unit, a, b));
  }
  current.summary.targets.forEach((t, i) => {
    trends.push(trend(`Target: ${t.label}`, t.metric, t.unit, t.actual, previous.summary.targets[i]!.actual));
  });
  return {
    kind: 'monthly',
    ...header(policy, now, period),
    ...current.summary,
    previous: { period: before, summary: previous.summary.summary, targets: previous.summary.targets },
    trends,
  };
}
