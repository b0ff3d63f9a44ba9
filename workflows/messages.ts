/**
 * The ticket workflow's messages, exported so every client uses the very same definitions.
 *
 * Engineers' actions are Updates, not signals: the caller learns at once whether the ticket
 * accepted the action (a validator rejects an invalid transition with its reason, leaving no trace
 * in the history) and gets the ticket as it is afterwards. Customer messages are a signal: the
 * channel adapters must never block on the ticket, and a customer message is always accepted.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Command, SystemEvent } from '../domain/ticket/commands.js';
import type { TicketState } from '../domain/ticket/types.js';
import type { TicketView } from '../domain/ticket/view.js';
import type { TicketOpening } from '../domain/incident/proposals.js';

export type CommandArgs<T extends Command['type']> = Omit<Extract<Command, { type: T }>, 'type'>;

export const acknowledgeUpdate = defineUpdate<TicketView, [CommandArgs<'acknowledge'>]>('acknowledge');
export const respondUpdate = defineUpdate<TicketView, [CommandArgs<'respond'>]>('respond');
export const noteUpdate = defineUpdate<TicketView, [CommandArgs<'note'>]>('note');
export const setPriorityUpdate = defineUpdate<TicketView, [CommandArgs<'setPriority'>]>('setPriority');
export const assignUpdate = defineUpdate<TicketView, [CommandArgs<'assign'>]>('assign');
export const setPendingUpdate = defineUpdate<TicketView, [CommandArgs<'setPending'>]>('setPending');
export const resolveUpdate = defineUpdate<TicketView, [CommandArgs<'resolve'>]>('resolve');
export const reopenUpdate = defineUpdate<TicketView, [CommandArgs<'reopen'>]>('reopen');
export const closeUpdate = defineUpdate<TicketView, [CommandArgs<'close'>]>('close');
export const markDuplicateUpdate = defineUpdate<TicketView, [CommandArgs<'markDuplicate'>]>('markDuplicate');
export const recordCsatUpdate = defineUpdate<TicketView, [CommandArgs<'recordCsat'>]>('recordCsat');
export const migratePolicyUpdate = defineUpdate<TicketView, [CommandArgs<'migratePolicy'>]>('migratePolicy');
export const escalateUpdate = defineUpdate<TicketView, [CommandArgs<'escalate'>]>('escalate');
export const deescalateUpdate = defineUpdate<TicketView, [CommandArgs<'deescalate'>]>('deescalate');
export const escalateToVendorUpdate = defineUpdate<TicketView, [CommandArgs<'escalateToVendor'>]>('escalateToVendor');
export const recordVendorReplyUpdate = defineUpdate<TicketView, [CommandArgs<'recordVendorReply'>]>('recordVendorReply');
export const markDeflectedUpdate = defineUpdate<TicketView, [CommandArgs<'markDeflected'>]>('markDeflected');
export const openEngineeringIssueUpdate = defineUpdate<TicketView, [CommandArgs<'openEngineeringIssue'>]>('openEngineeringIssue');
export const linkEngineeringIssueUpdate = defineUpdate<TicketView, [CommandArgs<'linkEngineeringIssue'>]>('linkEngineeringIssue');

/**
 * What the request that opened a ticket gets back, in the start's own workflow task
 * (Update-with-start): the ticket, and its opening when the incident watcher must hear of it (the
 * ticket has components, or its policy proposes incidents).
 */
export interface TicketOpened {
  ticket: TicketView;
  opening?: TicketOpening;
}
/**
 * Sent with the start of a ticket's workflow. Accepted only from the request that started this run
 * (`openRequestId`); a repeat that found the ticket running is refused, leaving nothing in its
 * history, and reads the ticket by query instead.
 */
export const openedUpdate = defineUpdate<TicketOpened, [{ openRequestId: string }]>('opened');

/** Every engineer action by its command type: the client facade and the handlers share this map. */
export const COMMAND_UPDATES = {
  acknowledge: acknowledgeUpdate,
  respond: respondUpdate,
  note: noteUpdate,
  setPriority: setPriorityUpdate,
  assign: assignUpdate,
  setPending: setPendingUpdate,
  resolve: resolveUpdate,
  reopen: reopenUpdate,
  close: closeUpdate,
  markDuplicate: markDuplicateUpdate,
  recordCsat: recordCsatUpdate,
  migratePolicy: migratePolicyUpdate,
  escalate: escalateUpdate,
  deescalate: deescalateUpdate,
  escalateToVendor: escalateToVendorUpdate,
  recordVendorReply: recordVendorReplyUpdate,
  markDeflected: markDeflectedUpdate,
  openEngineeringIssue: openEngineeringIssueUpdate,
  linkEngineeringIssue: linkEngineeringIssueUpdate,
} as const;

/**
 * The same actions as Signals, for operators in the Temporal UI's signal form and
 * `temporal workflow signal`: a signal cannot answer, so one the ticket refuses is recorded on its
 * timeline with the reason instead of being dropped. Same names and arguments as the Updates.
 */
export const COMMAND_SIGNALS = {
  acknowledge: defineSignal<[CommandArgs<'acknowledge'>]>('acknowledge'),
  note: defineSignal<[CommandArgs<'note'>]>('note'),
  escalate: defineSignal<[CommandArgs<'escalate'>]>('escalate'),
  resolve: defineSignal<[CommandArgs<'resolve'>]>('resolve'),
} as const;

export interface CustomerMessage {
  body: string;
  /** The email Message-ID or the channel's message id: a repeat of the same id is ignored. */
  messageId?: string;
  from?: string;
  /** Auto-replies, bounces, our own mail: recorded, never reopen or restart anything. */
  automatic?: boolean;
}
export const customerMessageSignal = defineSignal<[CustomerMessage]>('customerMessage');

/** The ticket as of the workflow's last activation (the Temporal UI's query tab). */
export const getTicketQuery = defineQuery<TicketView>('getTicket');
/** The raw state, so clients can evaluate the clocks at their own `now` with the same core. */
export const getTicketStateQuery = defineQuery<TicketState>('getTicketState');

/** A page's child workflow tells its ticket what it did (paged, skipped, exhausted). */
export type PageProgress = Omit<Extract<SystemEvent, { type: 'pageProgress' }>, 'type'>;
export const pageProgressSignal = defineSignal<[PageProgress]>('pageProgress');

/** The ticket tells its page how it ended. */
export interface PageEnd {
  outcome: 'acknowledged' | 'resolved' | 'superseded';
  actor?: string;
}
export const pageEndSignal = defineSignal<[PageEnd]>('pageEnd');

/**
 * The GitHub webhook: the ticket's engineering issue was closed. A signal, not an Update: the
 * webhook answers GitHub at once and never waits on the ticket; a close of another issue, or a
 * redelivery, is ignored by the core.
 */
export type EngineeringIssueClosed = Omit<Extract<SystemEvent, { type: 'engineeringIssueClosed' }>, 'type'>;
export const engineeringIssueClosedSignal = defineSignal<[EngineeringIssueClosed]>('engineeringIssueClosed');
