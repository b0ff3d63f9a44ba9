/**
 * Writes the ticket's milestones to the ticket ledger as the ticket moves: a local activity (one
 * marker in the history, no extra server round trip), one write in flight at a time, each write
 * carrying every entry since the last one together with the ticket's row and metrics. Writes
 * happen when a milestone lands (not for notes or notification outcomes alone) and when the
 * ticket closes. The ledger is idempotent on (ticket, seq), and never needed to run a ticket: a
 * write that fails for good is left to `npm run ledger:rebuild`.
 *
 * A write due at a processing point where an SLA notice starts rides in the notice's own local
 * activity (`offer`, see EffectRunner.teamMessage): a breach is then one local activity and two
 * activations of the workflow code instead of two and three. If the ride does not report the
 * write done (the database failed it, or the notice failed for good), the next processing point
 * makes it on its own, with the ledger's retries.
 */
import { log, proxyLocalActivities } from '@temporalio/workflow';
import type { LedgerActivities, RecordTicketMilestonesInput } from '../activities/ledger.js';
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

/** A write due now, offered to a send that starts at this processing point. */
export interface LedgerRide {
  record: RecordTicketMilestonesInput;
  /** The send takes the write: call the returned function with whether the ledger reported it written. */
  carry(): (written: boolean) => void;
}

export class LedgerWriter {
  private inFlight = false;
  private settled = false;
  /** The write offered at this processing point, and whether a send took it. */
  private offered: { record: RecordTicketMilestonesInput; upTo: number; carried: boolean } | undefined;

  /** `writtenSeq`: the last event seq already written (carried across continue-as-new). */
  constructor(
    private readonly state: () => TicketState,
    public writtenSeq = 0,
  ) {}

  idle(): boolean {
    return !this.inFlight;
  }

  /** A write just finished: the next processing point checks for entries that came in meanwhile. */
  due(): boolean {
    return this.settled;
  }

  /**
   * At the processing point, before the sends start: the write due now (a milestone, or the
   * close, not yet in the ledger), if any, for a send to carry. `sync()`, after the sends, makes
   * it on its own unless a send took it.
   */
  offer(): LedgerRide | undefined {
    this.offered = undefined;
    const write = this.dueWrite();
    if (!write) return undefined;
    const offered = { ...write, carried: false };
    this.offered = offered;
    return {
      record: write.record,
      carry: () => {
        offered.carried = true;
        this.inFlight = true;
        return (written) => this.finish(written ? write.upTo : undefined);
      },
    };
  }

  /** At the shell's processing point, after the sends: makes the write offered, unless a send took it. */
  sync(): void {
    const offered = this.offered;
    this.offered = undefined;
    if (!offered || offered.carried) return;
    this.inFlight = true;
    void ledger
      .recordTicketMilestones(offered.record)
      .catch((err: unknown) => {
        // Skipped for good after its retries: `npm run ledger:rebuild` restores it from the workflows.
        log.warn('ticket ledger write failed', { ticketId: offered.record.ticketId, error: failureText(err) });
      })
      .finally(() => this.finish(offered.upTo));
  }

  /** The write in flight ended; `upTo`: the seq it settled (undefined: still to be written). */
  private finish(upTo: number | undefined): void {
    if (upTo !== undefined) this.writtenSeq = upTo;
    this.inFlight = false;
    this.settled = true;
  }

  /** The write due now: entries since the last write, if a milestone (or the close) is among them and none is in flight. */
  private dueWrite(): { record: RecordTicketMilestonesInput; upTo: number } | undefined {
    if (this.inFlight) return undefined;
    this.settled = false;
    const state = this.state();
    const pending = state.timeline.filter((e) => e.seq > this.writtenSeq);
    if (!pending.some((e) => !NOT_MILESTONES.has(e.type)) && !(state.status === 'closed' && pending.length)) return undefined;
    return { record: ledgerRecordOf(state, pending), upTo: state.seq };
  }
}
