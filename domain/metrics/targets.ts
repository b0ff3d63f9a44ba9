/**
 * A policy's report targets (`metrics.targets`) against an aggregate: for each, the target as the
 * seed writes it, the actual figure in the same unit, and pass or fail. A target with a `when`
 * (P1 only, community channels only) is judged on the matching tickets of the aggregate.
 *
 * Pass and fail are decided exactly, before any rounding for display: the actual is a ratio (a
 * total over a count, tickets over tickets) compared by cross-multiplying, so 57 of 100 is not
 * "56.99999 %" below a 57 % target.
 */
import { targetMetricKind, type MetricTarget, type Policy, type TargetMetric, type TimedMetric } from '../policy/schema.js';
import { statsOf, type Aggregate, type Share, type Stats } from './aggregate.js';
import type { TicketMetrics } from './ticket-metrics.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A figure as a ratio: `num / den` in base units (milliseconds, a fraction, a score), over `basis` values. */
export interface Figure {
  num: number;
  den: number;
  /** How many tickets (or answers, or responses) the figure rests on; 0: no data. */
  basis: number;
}

export interface TargetResult {
  label: string;
  metric: TargetMetric;
  /** The target as written, e.g. `< 4 h`, `> 95 %`, `> 4.5`; `tracked` when the policy sets no value. */
  target: string;
  op?: MetricTarget['op'];
  value?: number;
  unit?: MetricTarget['unit'];
  /** Durations: business or calendar time. */
  time?: 'business' | 'calendar';
  when?: MetricTarget['when'];
  /** The actual figure in the target's unit (hours, percent, score); absent without data. */
  actual?: number;
  /** How many values the actual rests on. */
  basis: number;
  /** null: tracked without a target, or no data to judge. */
  pass: boolean | null;
}

export function evaluateTargets(policy: Policy, agg: Aggregate): TargetResult[] {
  return (policy.metrics?.targets ?? []).map((target) => evaluateTarget(target, agg));
}

export function evaluateTarget(target: MetricTarget, agg: Pick<Aggregate, 'overall' | 'records'>): TargetResult {
  const stats = target.when ? statsOf(agg.records.filter((r) => matchesWhen(r, target.when!))) : agg.overall;
  const figure = figureOf(stats, target);
  const scale = scaleOf(target);
  const hasData = figure.basis > 0 && figure.den > 0;
  // Percent as 100 * num / den, so 57 of 100 reads 57, not 56.99999999999999.
  const actual = !hasData ? undefined : target.unit === '%' ? (100 * figure.num) / figure.den : figure.num / figure.den / scale;
  const pass = !hasData || target.op === undefined || target.value === undefined ? null : holds(figure, target, scale);
  return {
    label: target.label,
    metric: target.metric,
    target: targetText(target),
    ...(target.op !== undefined ? { op: target.op } : {}),
    ...(target.value !== undefined ? { value: target.value } : {}),
    ...(target.unit !== undefined ? { unit: target.unit } : {}),
    ...(targetMetricKind(target.metric) === 'time' ? { time: target.time ?? 'business' } : {}),
    ...(target.when ? { when: target.when } : {}),
    ...(actual !== undefined ? { actual } : {}),
    basis: figure.basis,
    pass,
  };
}

export function matchesWhen(record: TicketMetrics, when: NonNullable<MetricTarget['when']>): boolean {
  if (when.priority && !when.priority.includes(record.priority)) return false;
  if (when.channel && !when.channel.includes(record.channel)) return false;
  if (when.category && !(record.category !== undefined && when.category.includes(record.category))) return false;
  if (when.tier && !when.tier.includes(record.tier)) return false;
  return true;
}

/** How many base units one unit of the target is: 3 600 000 ms per hour, 0.01 per percent, 1 per score point. */
function scaleOf(target: Pick<MetricTarget, 'metric' | 'unit'>): number {
  const unit = target.unit;
  if (unit === '%') return 0.01;
  if (unit !== undefined) return UNIT_MS[unit];
  return 1;
}

function holds(figure: Figure, target: MetricTarget, scale: number): boolean {
  // num / den  op  value, with den > 0, without dividing; percentages as 100 * num against value,
  // since 57 * 0.01 is not 0.57 in floating point.
  const left = target.unit === '%' ? 100 * figure.num : figure.num;
  const right = target.value! * (target.unit === '%' ? 1 : scale) * figure.den;
  switch (target.op!) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

const shareFigure = (s: Share): Figure => ({ num: s.count, den: s.of, basis: s.of });

/** The figure a target metric names, from a group's statistics. */
export function figureOf(stats: Stats, target: Pick<MetricTarget, 'metric' | 'time'>): Figure {
  const metric = target.metric;
  switch (metric) {
    case 'resolutionRate':
    case 'deflectionRate':
    case 'escalationRate':
    case 'reopenRate':
    case 'issuesToImprovements':
      return shareFigure(stats[metric]);
    case 'csat.satisfiedRate':
      return shareFigure(stats.csat.satisfied);
    case 'csat.avg':
      return { num: stats.csat.total, den: stats.csat.responses, basis: stats.csat.responses };
    case 'ces.avg':
      return { num: stats.ces.total, den: stats.ces.responses, basis: stats.ces.responses };
  }
  const [name, statistic] = metric.split('.') as [string, string];
  if (statistic === 'withinSla') return shareFigure(stats.withinSla[name as keyof Stats['withinSla']]);
  const dist = stats.times[name as TimedMetric][target.time ?? 'business'];
  if (dist.count === 0) return { num: 0, den: 0, basis: 0 };
  if (statistic === 'avg') return { num: dist.totalMs, den: dist.count, basis: dist.count };
  return { num: statistic === 'p50' ? dist.p50Ms! : dist.p90Ms!, den: 1, basis: dist.count };
}

/** `< 4 h`, `>= 100 %`, `> 4.5`, or `tracked`. */
export function targetText(target: Pick<MetricTarget, 'op' | 'value' | 'unit'>): string {
  if (target.op === undefined || target.value === undefined) return 'tracked';
  return `${target.op} ${target.value}${target.unit ? ` ${target.unit}` : ''}`;
}
