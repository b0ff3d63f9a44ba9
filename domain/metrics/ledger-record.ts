/**
 * What the ticket ledger records of a ticket: its timeline entries (the milestones), its row, and
 * its metrics. Pure, so the ticket workflow builds it as it goes and the rebuild builds the very
 * same record from the workflow's state: the metrics are taken as of the ticket's latest event,
 * never as of the moment the record is built.
 */
import type { TicketState, TimelineEntry } from '../ticket/types.js';
import { ticketMetrics, type TicketMetrics } from './ticket-metrics.js';

export interface LedgerRecord {
  ticketId: string;
  entries: TimelineEntry[];
  ticket: {
    policy: string;
    channel: string;
    priority: string;
    tier: string;
    category?: string;
    status: TicketState['status'];
    openedAt: number;
    resolvedAt?: number;
    closedAt?: number;
    seq: number;
  };
  metrics: TicketMetrics;
}

export function ledgerRecordOf(state: TicketState, entries: TimelineEntry[] = state.timeline): LedgerRecord {
  const asOf = state.timeline[state.timeline.length - 1]?.at ?? state.receivedAt;
  return {
    ticketId: state.ticketId,
    entries,
    ticket: {
      policy: state.policy.id,
      channel: state.intake.channel,
      priority: state.priority,
      tier: state.tier,
      ...(state.category !== undefined ? { category: state.category } : {}),
      status: state.status,
      openedAt: state.receivedAt,
      ...(state.resolvedAt !== undefined ? { resolvedAt: state.resolvedAt } : {}),
      ...(state.closedAt !== undefined ? { closedAt: state.closedAt } : {}),
      seq: state.seq,
    },
    metrics: ticketMetrics(state, asOf),
  };
}
