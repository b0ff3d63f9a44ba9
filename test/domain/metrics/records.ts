/**
 * Ticket metrics records built by hand, for tests of aggregates and targets whose arithmetic does
 * not need a ticket's life: every field a sensible default, the test names what matters.
 */
import type { TicketMetrics, WaitTime } from '../../../domain/metrics/ticket-metrics.js';

export const HOUR = 3_600_000;

/** A wait of `hours` on a 24x7 clock: calendar, business and SLA time alike. */
export function hours(h: number): WaitTime {
  return { calendarMs: h * HOUR, businessMs: h * HOUR, slaMs: h * HOUR, calendar: '24x7' };
}

let counter = 0;

export function aRecord(fields: Partial<TicketMetrics> = {}): TicketMetrics {
  counter += 1;
  return {
    version: 1,
    ticketId: `T-rec-${counter}`,
    policy: 'test@1',
    channel: 'email',
    priority: 'P2',
    urgency: 2,
    tier: 'support',
    tags: [],
    subject: 'A question',
    status: 'in_progress',
    open: true,
    openedAt: Date.UTC(2026, 2, 10, 12),
    asOf: Date.UTC(2026, 2, 20),
    nextResponses: [],
    sla: {},
    tierMs: {},
    pendingMs: { customer: 0, vendor: 0 },
    escalationCount: 0,
    highestTier: 'support',
    reachedEscalationTier: false,
    escalated: false,
    pageCount: 0,
    reopenCount: 0,
    deflected: false,
    selfService: 'not-offered',
    ...fields,
  };
}

/** A resolved record: resolvedAt and firstResolvedAt set, closed to the queue. */
export function resolved(fields: Partial<TicketMetrics> = {}): TicketMetrics {
  const openedAt = fields.openedAt ?? Date.UTC(2026, 2, 10, 12);
  const at = openedAt + (fields.resolution?.calendarMs ?? HOUR);
  return aRecord({ status: 'resolved', open: false, openedAt, resolvedAt: at, firstResolvedAt: at, ...fields });
}
