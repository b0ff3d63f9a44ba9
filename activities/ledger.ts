/**
 * The ticket ledger activity: a ticket's milestones and its row, written to a real SQL database
 * (the embedded SQLite file `<data dir>/ledger.db`, or PostgreSQL at `LEDGER_URL`) for reports.
 *
 * Temporal stays the source of truth: the ledger is never read to run a ticket, and
 * `npm run ledger:rebuild` writes it again from the workflows (ledger/rebuild.ts).
 *
 * Idempotency: a milestone is keyed by (ticket, event seq) and inserted with ON CONFLICT DO
 * NOTHING; the ticket's row is replaced only by a newer seq; both in one transaction. So a retry
 * after a commit whose completion never reached Temporal, a replay, or the rebuild write each
 * milestone once and never move a ticket's row back to an older state.
 */
import { ledgerRecordOf } from '../domain/metrics/ledger-record.js';
import type { TicketState } from '../domain/ticket/types.js';
import { ledgerFailure } from './ledger/failures.js';
import type { TicketLedger } from './ledger/store.js';
import type { RecordTicketMilestonesInput } from './ledger/types.js';

export { LedgerErrorType, secretsOf } from './ledger/failures.js';
export { openLedger, type TicketLedger } from './ledger/store.js';
export type { LedgerLocation, LedgerReader, LedgerTicket, LedgerTicketInput, LedgerTicketQuery, RecordTicketMilestonesInput } from './ledger/types.js';

/** The read side reports use: tickets by period (and policy), a ticket's milestones. */
export function ledgerReader(ledger: TicketLedger) {
  return ledger.reader;
}

/** What the ledger records of a ticket's state: its whole timeline and its row as of its last event. */
/** The whole ticket as the ledger records it (the rebuild's input): the same pure record the workflow writes. */
export function ledgerInputOf(state: TicketState): RecordTicketMilestonesInput {
  return ledgerRecordOf(state);
}

/** `secrets`: what no failure message may show (the PostgreSQL URL and password: `secretsOf`). */
export function createLedgerActivities(ledger: TicketLedger, secrets: readonly string[] = []) {
  return {
    /**
     * Records the entries and the ticket's row in one transaction. `written`: the milestones this
     * call added (0 on a retry or replay of entries already recorded). Fails retryably when the
     * database is down, busy or slow, for good when it refuses the write itself.
     */
    async recordTicketMilestones(input: RecordTicketMilestonesInput): Promise<{ written: number }> {
      try {
        const { written } = await ledger.record(input);
        return { written };
      } catch (err) {
        throw ledgerFailure(err, String(input?.ticketId), ledger.location, secrets);
      }
    },
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
