/**
 * What the ledger is given and what it gives back. The write input is plain, serialisable data a
 * workflow can pass to an activity; the rows read back use the same names.
 */
import type { TicketStatus, TimelineEntry } from '../../domain/ticket/types.js';

/** The ticket's row as of its event `seq`: a newer seq replaces it, an older one is ignored. */
export interface LedgerTicketInput {
  /** The policy's id. */
  policy: string;
  channel: string;
  priority: string;
  tier: string;
  category?: string;
  status: TicketStatus;
  /** Epoch milliseconds, as on the timeline. */
  openedAt: number;
  resolvedAt?: number;
  closedAt?: number;
  /** The ticket's latest event seq this row reflects. */
  seq: number;
}

export interface RecordTicketMilestonesInput {
  ticketId: string;
  /** Timeline entries to record; entries already in the ledger (same ticket and seq) are skipped. */
  entries: TimelineEntry[];
  ticket: LedgerTicketInput;
  /** The per-ticket metrics record (domain/metrics' TicketMetrics), stored as JSON, opaque here. */
  metrics?: unknown;
}

/** Where the ledger is: the embedded SQLite file, or a PostgreSQL database (the URL is a secret). */
export type LedgerLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** A ticket's row as reports read it. */
export interface LedgerTicket extends Omit<LedgerTicketInput, 'seq'> {
  ticketId: string;
  updatedSeq: number;
  metrics?: unknown;
}

/** Tickets opened in [from, to) (epoch milliseconds), of one policy when given. */
export interface LedgerTicketQuery {
  from: number;
  to: number;
  policy?: string;
}

/** The query side reports use. */
export interface LedgerReader {
  /** Ordered by opening time, then ticket id. */
  tickets(query: LedgerTicketQuery): Promise<LedgerTicket[]>;
  /** The ticket's milestones in event order, as they were on its timeline. */
  milestones(ticketId: string): Promise<TimelineEntry[]>;
}
