/**
 * Writes the ticket's milestones to the ticket ledger as the ticket moves: a local activity (one
 * marker in the history, no extra server round trip), one write in flight at a time, each write
 * carrying every entry since the last one together with the ticket's row and metrics. Writes
 * happen when a milestone lands (not for notes or notification outcomes alone) and when the
 * ticket closes. The ledger is idempotent on (ticket, seq), and never needed to run a ticket: a
 * write that fails for good is left to `npm run ledger:rebuild`.
 */
import { log, proxyLocalActivities } from '@temporalio/workflow';
import type { LedgerActivities } from '../activities/ledger.js';
import { ledgerRecordOf } from '../domain/metrics/ledger-record.js';
import type { TicketState } from '../domain/ticket/types.js';
import { failureText } from './failure-text.js';

const ledger = proxyLocalActivities<LedgerActivities>({
  startToCloseTimeout: '10s',
  // A database outage is waited out for a few minutes; after that the rebuild restores the ledger.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 12 },
});

/** Entry types that are not milestones on their own (they ride along with the next write). */
const NOT_MILESTONES = new Set(['note', 'notification-sent', 'notification-failed', 'page-note', 'articles-suggested']);

export class LedgerWriter {
  private inFlight = false;

  /** `writtenSeq`: the last event seq already written (carried across continue-as-new). */
  constructor(
    private readonly state: () => TicketState,
    public writtenSeq = 0,
  ) {}

  private settled = false;

  idle(): boolean {
    return !this.inFlight;
  }

  /** A write just finished: the next processing point checks for entries that came in meanwhile. */
  due(): boolean {
    return this.settled;
  }

  /** Called at the shell's processing point: writes when a milestone (or the close) is not yet in the ledger. */
  sync(): void {
    if (this.inFlight) return;
    this.settled = false;
    const state = this.state();
    const pending = state.timeline.filter((e) => e.seq > this.writtenSeq);
    if (!pending.some((e) => !NOT_MILESTONES.has(e.type)) && !(state.status === 'closed' && pending.length)) return;
    this.inFlight = true;
    const upTo = state.seq;
    void ledger
      .recordTicketMilestones(ledgerRecordOf(state, pending))
      .catch((err: unknown) => {
        // Skipped for good after its retries: `npm run ledger:rebuild` restores it from the workflows.
        log.warn('ticket ledger write failed', { ticketId: state.ticketId, error: failureText(err) });
      })
      .finally(() => {
        this.writtenSeq = upTo;
        this.inFlight = false;
        this.settled = true;
      });
  }
}
