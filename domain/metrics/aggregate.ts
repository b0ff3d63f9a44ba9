/**
 * Aggregates of ticket metrics records, overall and per group (priority, channel, tier, category,
 * policy, or a combination), over a period.
 *
 * - Period: a record belongs to [from, to) by the instant the ticket opened; every figure
 *   describes those tickets as their records stand (a ticket opened in the period and still open
 *   counts as open, and its resolution time is not in yet).
 * - Durations keep their count and total, so group averages weighted by their counts give the
 *   overall average exactly. Percentiles do not combine across groups: each is computed from its
 *   own group's values.
 * - Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank
 *   ceil(p/100 * n) (1-based), always one of the observed values; p50 of 1, 2, 3, 4 is 2.
 * - Rates are shares with their numerator and denominator kept (`count` of `of`); `rate` is absent
 *   when the denominator is 0, so an empty group never reads as 0 % or 100 %.
 */
import { METRICS, type Metric, type TimedMetric } from '../policy/schema.js';
import type { TicketMetrics, WaitTime } from './ticket-metrics.js';

/** A satisfied survey answer: 4 or 5 out of 5 (the "satisfaction rate" of the TRKV seed). */
export const SATISFIED_CSAT = 4;

export interface Distribution {
  count: number;
  totalMs: number;
  avgMs?: number;
  p50Ms?: number;
  p90Ms?: number;
  minMs?: number;
  maxMs?: number;
}

/** `count` of `of`; `rate` = count / of in [0, 1]. */
export interface Share {
  count: number;
  of: number;
  rate?: number;
}

/** Survey answers: how many, their sum and mean. */
export interface Score {
  responses: number;
  total: number;
  avg?: number;
}

/** The three measures of one kind of wait (see ticket-metrics.ts): wall clock, business time, SLA clock. */
export interface WaitStats {
  calendar: Distribution;
  business: Distribution;
  sla: Distribution;
}

export interface Stats {
  tickets: number;
  open: number;
  /** Tickets that stand resolved (or closed after a resolution). */
  resolved: number;
  duplicates: number;
  /** First response, resolution and triage: one value per ticket that reached it; next response: one per answer. */
  times: Record<TimedMetric, WaitStats>;
  /** Tickets whose SLA metric is decided, and those within target (per ticket: all its clocks of the metric). */
  withinSla: Record<Metric, Share>;
  /** Clocks standing breached, and warnings fired, per metric, summed over tickets. */
  breaches: Record<Metric, number>;
  warnings: Record<Metric, number>;
  /** Resolved tickets of all tickets but duplicates. */
  resolutionRate: Share;
  /** Tickets resolved by self-service ("this solved it") of all tickets. */
  deflectionRate: Share;
  /** Escalated tickets (see TicketMetrics.escalated) of all tickets. */
  escalationRate: Share;
  /** Tickets reopened at least once of the tickets resolved at least once. */
  reopenRate: Share;
  csat: Score & { satisfied: Share };
  ces: Score;
  /** Tickets whose engineering issue is closed, of the tickets linked to one. */
  issuesToImprovements: Share;
}

export const GROUP_DIMENSIONS = ['priority', 'channel', 'tier', 'category', 'policy'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

/** The value a record without a category is grouped under. */
export const NONE = '(none)';

export interface Group {
  key: Partial<Record<GroupDimension, string>>;
  stats: Stats;
}

export interface Period {
  from: number;
  to: number;
}

export interface Aggregate {
  period?: Period;
  groupBy: GroupDimension[];
  overall: Stats;
  /** One per combination of the groupBy values that occurs, ordered by those values. */
  groups: Group[];
  /** The records aggregated (after the period filter): targets with a `when` are evaluated on their subset. */
  records: TicketMetrics[];
}

export function inPeriod(record: TicketMetrics, period: Period | undefined): boolean {
  return period === undefined || (record.openedAt >= period.from && record.openedAt < period.to);
}

export function aggregate(records: readonly TicketMetrics[], opts: { groupBy?: GroupDimension[]; period?: Period } = {}): Aggregate {
  const groupBy = opts.groupBy ?? [];
  const chosen = records.filter((r) => inPeriod(r, opts.period));
  const byKey = new Map<string, { key: Group['key']; records: TicketMetrics[] }>();
  for (const record of chosen) {
    const key = Object.fromEntries(groupBy.map((d) => [d, dimensionOf(record, d)])) as Group['key'];
    const id = JSON.stringify(groupBy.map((d) => key[d]));
    const group = byKey.get(id) ?? { key, records: [] };
    group.records.push(record);
    byKey.set(id, group);
  }
  const groups = [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => ({ key: g.key, stats: statsOf(g.records) }));
  return { ...(opts.period ? { period: opts.period } : {}), groupBy, overall: statsOf(chosen), groups, records: chosen };
}

export function dimensionOf(record: TicketMetrics, dimension: GroupDimension): string {
  switch (dimension) {
    case 'category':
      return record.category ?? NONE;
    default:
      return record[dimension];
  }
}

/** The statistics of a set of records (no period filter, no grouping). */
export function statsOf(records: readonly TicketMetrics[]): Stats {
  const waits = (pick: (r: TicketMetrics) => readonly WaitTime[]): WaitStats => {
    const all = records.flatMap(pick);
    return {
      calendar: distribution(all.map((w) => w.calendarMs)),
      business: distribution(all.map((w) => w.businessMs)),
      sla: distribution(all.flatMap((w) => (w.slaMs === undefined ? [] : [w.slaMs]))),
    };
  };
  const one = (w: WaitTime | undefined) => (w ? [w] : []);
  const times: Record<TimedMetric, WaitStats> = {
    triage: waits((r) => one(r.triage)),
    firstResponse: waits((r) => one(r.firstResponse)),
    nextResponse: waits((r) => r.nextResponses),
    resolution: waits((r) => one(r.resolution)),
  };
  const perMetric = <T>(f: (metric: Metric) => T) => Object.fromEntries(METRICS.map((m) => [m, f(m)])) as Record<Metric, T>;
  const count = (pred: (r: TicketMetrics) => boolean) => records.filter(pred).length;
  const csats = records.flatMap((r) => (r.csat === undefined ? [] : [r.csat]));
  const effort = records.flatMap((r) => (r.ces === undefined ? [] : [r.ces]));
  const linked = records.filter((r) => r.engineeringIssue !== undefined);
  const notDuplicates = records.filter((r) => r.duplicateOf === undefined);
  const everResolved = records.filter((r) => r.firstResolvedAt !== undefined);
  return {
    tickets: records.length,
    open: count((r) => r.open),
    resolved: count((r) => r.resolvedAt !== undefined),
    duplicates: records.length - notDuplicates.length,
    times,
    withinSla: perMetric((m) => {
      const decided = records.flatMap((r) => (r.sla[m]?.withinSla === undefined ? [] : [r.sla[m]!.withinSla!]));
      return share(decided.filter(Boolean).length, decided.length);
    }),
    breaches: perMetric((m) => records.reduce((sum, r) => sum + (r.sla[m]?.breaches ?? 0), 0)),
    warnings: perMetric((m) => records.reduce((sum, r) => sum + (r.sla[m]?.warnings ?? 0), 0)),
    resolutionRate: share(notDuplicates.filter((r) => r.resolvedAt !== undefined).length, notDuplicates.length),
    deflectionRate: share(count((r) => r.deflected), records.length),
    escalationRate: share(count((r) => r.escalated), records.length),
    reopenRate: share(everResolved.filter((r) => r.reopenCount > 0).length, everResolved.length),
    csat: { ...score(csats), satisfied: share(csats.filter((s) => s >= SATISFIED_CSAT).length, csats.length) },
    ces: score(effort),
    issuesToImprovements: share(linked.filter((r) => r.engineeringIssue!.state === 'closed').length, linked.length),
  };
}

export function share(count: number, of: number): Share {
  return of === 0 ? { count, of } : { count, of, rate: count / of };
}

function score(values: readonly number[]): Score {
  const total = values.reduce((a, b) => a + b, 0);
  return values.length === 0 ? { responses: 0, total } : { responses: values.length, total, avg: total / values.length };
}

/** Nearest-rank percentile of ascending `sorted` (non-empty): the value at rank ceil(p/100 * n). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values; check the count first');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const totalMs = sorted.reduce((a, b) => a + b, 0);
  if (sorted.length === 0) return { count: 0, totalMs };
  return {
    count: sorted.length,
    totalMs,
    avgMs: totalMs / sorted.length,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
  };
}
