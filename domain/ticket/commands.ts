/**
 * What can happen to a ticket: engineers' commands (Updates), the customer's messages (a signal),
 * the timer, and the outcomes of notifications. `canApply` is the one synchronous check the
 * update validators, the API and Slack buttons share.
 */
import type { Policy } from '../policy/schema.js';
import { engineeringProblem } from './engineering.js';
import { tierMoveProblem } from './escalation.js';
import { isOpenStatus, type TicketState } from './types.js';

interface Base {
  /** Who did it: an engineer, `customer`, or `tierline` for automatic events. */
  actor: string;
  /** A client's request id: the same id again is a no-op that returns the same result. */
  requestId?: string;
}

export type PendingReason = 'customer' | 'vendor' | 'none';

export type Command =
  | ({ type: 'acknowledge' } & Base)
  | ({ type: 'respond'; body: string } & Base)
  | ({ type: 'note'; body: string } & Base)
  | ({ type: 'setPriority'; priority: string; reason?: string } & Base)
  | ({ type: 'assign'; assignee: string } & Base)
  | ({ type: 'setPending'; reason: PendingReason; note?: string } & Base)
  | ({ type: 'resolve'; resolution: string } & Base)
  | ({ type: 'reopen'; reason?: string } & Base)
  | ({ type: 'close'; reason?: string } & Base)
  | ({ type: 'markDuplicate'; of: string } & Base)
  /**
   * The requester's survey answers: satisfaction (CSAT, 1-5) and customer effort (CES, 1-7, "how
   * hard did you have to work?"), each its own question, so either may come alone; a later answer
   * adds to (or corrects) the earlier ones.
   */
  | ({ type: 'recordCsat'; score?: number; effort?: number; comment?: string } & Base)
  | ({ type: 'migratePolicy'; policy: Policy } & Base)
  /** Move up (default: the next tier) or down (`deescalate`), with the reason on the timeline. */
  | ({ type: 'escalate'; to?: string; reason: string } & Base)
  | ({ type: 'deescalate'; to?: string; reason: string } & Base)
  /** Hand the issue to a vendor (contact from configuration) with the escalation template's fields. */
  | ({ type: 'escalateToVendor'; vendor: string } & VendorEscalationFields & Base)
  /** The vendor answered: its reference and what it said; the vendor clock starts again. */
  | ({ type: 'recordVendorReply'; reference?: string; note?: string } & Base)
  /** The requester says the suggested articles solved it (the signed link in the self-service email). */
  | ({ type: 'markDeflected' } & Base)
  /** Open an engineering issue on GitHub with the ticket's reproduction details (`repo`: default the configured one). */
  | ({ type: 'openEngineeringIssue'; repo?: string; title?: string; details?: string } & Base)
  /** Link an existing GitHub issue as the ticket's engineering issue; a comment on it names the ticket. */
  | ({ type: 'linkEngineeringIssue'; url: string } & Base);

/** The escalation template of the Caro seed, as the engineer fills it in. */
export interface VendorEscalationFields {
  issue: string;
  impact: string;
  reproduction: string;
  expected?: string;
  actual?: string;
  platform?: string;
  attempted?: string;
  need?: string;
  timeline?: string;
}

export type SystemEvent =
  | { type: 'customerMessage'; body: string; messageId?: string; from?: string; automatic?: boolean }
  | { type: 'tick' }
  | { type: 'teamCardPosted'; channel: string; ts: string }
  | { type: 'notificationOutcome'; key: string; channel: string; outcome: 'sent' | 'failed'; attempts: number; detail?: string }
  /** What a page did: paged someone, skipped a level with nobody on call, ran out of levels, or failed to send. */
  | { type: 'articlesSuggested'; articles: { id: string; title: string; url: string }[]; detail?: string }
  | { type: 'pageProgress'; pageId: string; kind: 'paged' | 'skipped' | 'exhausted' | 'failed'; layer?: string; person?: string; round?: number; detail?: string }
  /** The ticket belongs to an incident now; with `pauseClocks` its customer-facing clocks stop while the incident is open. */
  | { type: 'incidentLinked'; incidentId: string; title: string; statusPageUrl?: string; pauseClocks: boolean }
  | { type: 'incidentUnlinked'; incidentId: string }
  /** An engineer's action sent as a Signal (Temporal UI, `temporal workflow signal`) that the ticket refused: kept on the timeline with the reason. */
  | { type: 'commandRefused'; command: string; actor: string; reason: string }
  /** A status update of the ticket's incident: the requester gets it in the ticket's own thread. */
  | { type: 'incidentUpdate'; incidentId: string; number: number; headline: string; text: string }
  /** The incident resolved: the clocks run again; `resolveTicket` (policy `onResolve: resolve-linked`) resolves the ticket with the summary. */
  | { type: 'incidentResolved'; incidentId: string; summary: string; resolveTicket: boolean; commander?: string }
  /** The engineering issue tierline opened for the ticket (the activity's result). */
  | { type: 'engineeringIssueOpened'; url: string; repo: string; number: number }
  /** An engineering issue was closed on GitHub (the webhook; `delivery` is GitHub's delivery id). */
  | { type: 'engineeringIssueClosed'; url: string; by?: string; reason?: string; delivery?: string };

export type TicketEvent = Command | SystemEvent;


/** The text fields each signalled action needs (a signal's arguments arrive unchecked from an operator). */
const SIGNAL_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  acknowledge: { required: ['actor'], optional: ['requestId'] },
  note: { required: ['actor', 'body'], optional: ['requestId'] },
  escalate: { required: ['actor', 'reason'], optional: ['to', 'requestId'] },
  resolve: { required: ['actor', 'resolution'], optional: ['requestId'] },
};

/** Why a signalled action's arguments are not a command, or undefined when they are. */
export function signalProblem(type: string, args: unknown): string | undefined {
  const fields = SIGNAL_FIELDS[type];
  if (!fields) return `'${type}' cannot be sent as a signal`;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return `expected an object such as {"actor": "grace"${fields.required.slice(1).map((f) => `, "${f}": "..."`).join('')}}`;
  const given = args as Record<string, unknown>;
  for (const name of fields.required) if (typeof given[name] !== 'string' || (given[name] as string).trim() === '') return `${name} is required (a non-empty string)`;
  for (const name of fields.optional) if (given[name] !== undefined && typeof given[name] !== 'string') return `${name} must be a string`;
  const unknown = Object.keys(given).filter((k) => !fields.required.includes(k) && !fields.optional.includes(k));
  if (unknown.length) return `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; expected ${[...fields.required, ...fields.optional].join(', ')}`;
  return undefined;
}

/** Why a command cannot apply to the ticket now, or undefined when it can. */
export function canApply(state: TicketState, command: Command): string | undefined {
  if (command.requestId !== undefined && state.requests[command.requestId]) return undefined;
  const { status } = state;
  const isOpen = isOpenStatus(status);
  if (status === 'closed') return `ticket ${state.ticketId} is closed; nothing can change it`;
  switch (command.type) {
    case 'acknowledge':
      if (!isOpen) return `cannot acknowledge a ${status} ticket; reopen it first`;
      // A running page wants an acknowledgement even from the person who has the ticket.
      if (state.acknowledgedAt !== undefined && state.assignee === command.actor && state.page?.status !== 'paging') return `already acknowledged by ${command.actor}`;
      return undefined;
    case 'escalateToVendor':
      if (!isOpen) return `cannot escalate a ${status} ticket to a vendor`;
      if (!/^[a-z0-9][a-z0-9_.-]*$/i.test(command.vendor)) return `'${command.vendor}' is not a vendor id (e.g. aws, sendgrid)`;
      if (state.vendor && state.vendor.endedAt === undefined) return `the ticket is already with ${state.vendor.id}; record its reply or resolve first`;
      for (const field of ['issue', 'impact', 'reproduction'] as const) if (command[field].trim() === '') return `the escalation needs the ${field}`;
      return undefined;
    case 'recordVendorReply':
      if (!state.vendor || state.vendor.endedAt !== undefined) return 'the ticket is not with a vendor';
      if (!command.reference && !command.note) return 'a vendor reply needs a reference or a note';
      return undefined;
    case 'markDeflected':
      if (!isOpen || !state.selfService) return 'the ticket is no longer in self-service';
      return undefined;
    case 'openEngineeringIssue':
    case 'linkEngineeringIssue':
      return engineeringProblem(state, command);
    case 'escalate':
    case 'deescalate':
      if (!isOpen) return `cannot ${command.type} a ${status} ticket`;
      if (command.reason.trim() === '') return `a reason is needed to ${command.type}`;
      return tierMoveProblem(state, command.to, command.type === 'escalate' ? 'up' : 'down');
    case 'respond':
    case 'note':
      if (command.body.trim() === '') return `a ${command.type === 'respond' ? 'response' : 'note'} needs a body`;
      if (command.type === 'respond' && !isOpen) return `cannot respond on a ${status} ticket; reopen it first`;
      return undefined;
    case 'setPriority': {
      if (!isOpen) return `cannot change the priority of a ${status} ticket`;
      if (!state.policy.priorities.some((p) => p.id === command.priority)) {
        return `unknown priority '${command.priority}'; expected one of ${state.policy.priorities.map((p) => p.id).join(', ')}`;
      }
      if (command.priority === state.priority && state.triaged) return `the ticket is already ${command.priority}`;
      return undefined;
    }
    case 'assign':
      if (!isOpen) return `cannot assign a ${status} ticket`;
      if (command.assignee.trim() === '') return 'an assignee is needed';
      return undefined;
    case 'setPending':
      if (!isOpen) return `cannot set pending on a ${status} ticket`;
      if (command.reason === 'none' && !state.pending) return 'the ticket is not pending';
      if (command.reason !== 'none' && state.pending?.reason === command.reason) return `the ticket is already pending on the ${command.reason}`;
      return undefined;
    case 'resolve':
      if (!isOpen) return `cannot resolve a ${status} ticket`;
      if (command.resolution.trim() === '') return 'a resolution text is needed';
      return undefined;
    case 'reopen':
      if (status !== 'resolved') return `only a resolved ticket can be reopened; this one is ${status}`;
      return undefined;
    case 'close':
      return undefined;
    case 'markDuplicate':
      if (command.of === state.ticketId) return 'a ticket cannot be a duplicate of itself';
      if (!/^T-[A-Za-z0-9-]+$/.test(command.of)) return `'${command.of}' is not a ticket id (T-...)`;
      return undefined;
    case 'recordCsat':
      if (status !== 'resolved') return `satisfaction is recorded on a resolved ticket; this one is ${status}`;
      if (command.score === undefined && command.effort === undefined) return 'a survey answer needs the score (satisfaction, 1 to 5), the effort (1 to 7), or both';
      if (command.score !== undefined && (!Number.isInteger(command.score) || command.score < 1 || command.score > 5)) return `score ${command.score} is not a whole number from 1 to 5`;
      if (command.effort !== undefined && (!Number.isInteger(command.effort) || command.effort < 1 || command.effort > 7)) {
        return `effort ${command.effort} is not a whole number from 1 to 7`;
      }
      return undefined;
    case 'migratePolicy':
      if (command.policy.id === state.policy.id && command.policy.version === state.policy.version) {
        return `the ticket already runs ${state.policy.id}@${state.policy.version}`;
      }
      if (!command.policy.priorities.some((p) => p.id === state.priority)) {
        return `policy ${command.policy.id}@${command.policy.version} has no priority '${state.priority}'`;
      }
      if (!command.policy.tiers.some((t) => t.id === state.tier)) {
        return `policy ${command.policy.id}@${command.policy.version} has no tier '${state.tier}'`;
      }
      return undefined;
  }
}
