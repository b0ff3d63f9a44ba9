/**
 * tierline's own Prometheus metrics, counted where they happen: in the ticket workflow, from the
 * timeline entries each step of the core adds. They go out through the SDK's workflow
 * `metricMeter`, which emits nothing while a workflow replays, so a worker restart, a cache
 * eviction or a second worker never counts a ticket's history twice. The Runtime's Prometheus
 * exporter (workers/metrics.ts) serves them next to the SDK's own metrics.
 *
 * `ticketMeasurements` is the pure part (what a step adds); `meterTicketStep` emits it.
 */
import { metricMeter } from '@temporalio/workflow';
import { METRICS } from '../domain/policy/constants.js';
import type { Policy } from '../domain/policy/schema.js';
import type { TicketEvent } from '../domain/ticket/commands.js';
import type { TicketState } from '../domain/ticket/types.js';

/** Counters: each increases by one per timeline entry of its kind. */
export const TICKET_COUNTERS = {
  opened: { name: 'tierline_tickets_opened_total', help: 'Tickets opened, by priority and channel' },
  resolved: { name: 'tierline_tickets_resolved_total', help: 'Tickets resolved (again after a reopen), by priority and channel' },
  slaWarnings: { name: 'tierline_sla_warnings_total', help: 'SLA warnings (a clock reached a warning fraction of its target), by metric and priority' },
  slaBreaches: { name: 'tierline_sla_breaches_total', help: 'SLA breaches (first notice only, not the repeats), by metric and priority' },
  pages: { name: 'tierline_pages_total', help: 'On-call pages started, acknowledged and exhausted, by priority' },
  notifications: { name: 'tierline_notifications_total', help: 'Notifications sent or failed for good, by channel' },
} as const;

/** Histograms, in seconds of calendar time from when the ticket was received. */
export const TICKET_HISTOGRAMS = {
  firstResponse: { name: 'tierline_first_response_seconds', help: 'Time from receipt to the first response, by priority (calendar seconds)' },
  resolution: { name: 'tierline_resolution_seconds', help: 'Time from receipt to each resolution, by priority (calendar seconds)' },
} as const;

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Support SLAs run from minutes (a P0's first response) to weeks (a low priority's resolution). */
export const SLA_BUCKETS_SECONDS: readonly number[] = [
  MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR,
  DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 28 * DAY,
];

export type TicketCounter = keyof typeof TICKET_COUNTERS;
export type TicketHistogram = keyof typeof TICKET_HISTOGRAMS;
export type Labels = Record<string, string>;

export type TicketMeasurement =
  | { kind: 'counter'; metric: TicketCounter; labels: Labels }
  | { kind: 'histogram'; metric: TicketHistogram; seconds: number; labels: Labels };

const PAGE_EVENTS: Record<string, string> = { 'page-started': 'started', 'page-acknowledged': 'acknowledged', 'page-exhausted': 'exhausted' };

/**
 * The `channel` of a notification outcome: where a sent one went (workflows/effects.ts reports the
 * delivery's channel), and the queue a failed one was in (a failure has no delivery).
 */
const NOTIFICATION_CHANNELS = {
  sent: ['slack', 'email', 'discord', 'outbox'],
  failed: ['customer', 'team', 'page', 'vendor'],
} as const;

/**
 * Every label set the ticket counters can take under `policy`, to start them at 0: Prometheus's
 * `increase()` counts from a series' first sample, so a series that first appears at 1 (the first
 * P0 breach after a worker restart) would count as nothing.
 */
export function ticketCounterSeries(policy: Policy): { metric: TicketCounter; labels: Labels }[] {
  const out: { metric: TicketCounter; labels: Labels }[] = [];
  for (const { id: priority } of policy.priorities) {
    for (const { id: channel } of policy.channels) {
      out.push({ metric: 'opened', labels: { priority, channel } }, { metric: 'resolved', labels: { priority, channel } });
    }
    for (const metric of METRICS) out.push({ metric: 'slaWarnings', labels: { metric, priority } }, { metric: 'slaBreaches', labels: { metric, priority } });
    for (const event of Object.values(PAGE_EVENTS)) out.push({ metric: 'pages', labels: { event, priority } });
  }
  for (const [outcome, channels] of Object.entries(NOTIFICATION_CHANNELS)) {
    for (const channel of channels) out.push({ metric: 'notifications', labels: { outcome, channel } });
  }
  return out;
}

/** A clock's metric: `nextResponse#3` counts as `nextResponse`. */
function clockMetric(state: TicketState, clockId: unknown): string {
  const id = String(clockId);
  return state.clocks.find((c) => c.id === id)?.metric ?? id.replace(/#\d+$/, '');
}

/**
 * What one step added, as measurements: the entries of `after`'s timeline numbered past
 * `before`'s (every entry when `before` is undefined: a ticket just opened), and a first response
 * when `after` has one that `before` had not. `event` is the step's event: a notification outcome
 * carries the channel its entry does not.
 */
export function ticketMeasurements(before: TicketState | undefined, after: TicketState, event?: TicketEvent): TicketMeasurement[] {
  const out: TicketMeasurement[] = [];
  const priority = after.priority;
  const channel = after.intake.channel;
  const since = before?.seq ?? 0;
  for (const entry of after.timeline) {
    if (entry.seq <= since) continue;
    switch (entry.type) {
      case 'opened':
        out.push({ kind: 'counter', metric: 'opened', labels: { priority, channel } });
        break;
      case 'resolved':
        out.push({ kind: 'counter', metric: 'resolved', labels: { priority, channel } });
        out.push({ kind: 'histogram', metric: 'resolution', seconds: Math.max(0, entry.at - after.receivedAt) / 1000, labels: { priority } });
        break;
      case 'sla-warning':
        out.push({ kind: 'counter', metric: 'slaWarnings', labels: { metric: clockMetric(after, entry.data?.['clock']), priority } });
        break;
      case 'sla-breach':
        out.push({ kind: 'counter', metric: 'slaBreaches', labels: { metric: clockMetric(after, entry.data?.['clock']), priority } });
        break;
      case 'page-started':
      case 'page-acknowledged':
      case 'page-exhausted':
        out.push({ kind: 'counter', metric: 'pages', labels: { event: PAGE_EVENTS[entry.type]!, priority } });
        break;
      case 'notification-sent':
      case 'notification-failed':
        out.push({
          kind: 'counter',
          metric: 'notifications',
          labels: { outcome: entry.type === 'notification-sent' ? 'sent' : 'failed', channel: event?.type === 'notificationOutcome' ? event.channel : 'unknown' },
        });
        break;
    }
  }
  if (after.firstResponseAt !== undefined && before?.firstResponseAt === undefined) {
    out.push({ kind: 'histogram', metric: 'firstResponse', seconds: Math.max(0, after.firstResponseAt - after.receivedAt) / 1000, labels: { priority } });
  }
  return out;
}

/**
 * Emits what the step from `before` to `after` added; returns `after`, the state counted so far.
 * Called from the ticket workflow's `step` (workflow context: the meter's instruments can only be
 * made there).
 */
export function meterTicketStep(before: TicketState | undefined, after: TicketState, event?: TicketEvent): TicketState {
  if (before === after) return after;
  for (const m of ticketMeasurements(before, after, event)) {
    if (m.kind === 'counter') {
      const { name, help } = TICKET_COUNTERS[m.metric];
      metricMeter.createCounter(name, undefined, help).add(1, m.labels);
    } else {
      const { name, help } = TICKET_HISTOGRAMS[m.metric];
      metricMeter.createHistogram(name, 'float', 's', help).record(m.seconds, m.labels);
    }
  }
  return after;
}
