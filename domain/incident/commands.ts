/**
 * What can happen to an incident: its declaration, the commander's and engineers' commands
 * (Updates), the timer, and what the page and the broadcasts report. `canApply` is the one
 * synchronous check the update validators, the API, the CLI and Slack share.
 */
import type { Policy } from '../policy/schema.js';
import type { SystemEvent } from '../ticket/commands.js';
import { nextUpdateProblem, severityOf } from './cadence.js';
import { componentsProblem } from './components.js';
import { INCIDENT_STATUSES, UPDATE_STATUSES, type IncidentState, type IncidentStatus, type UpdateStatus } from './types.js';

interface Base {
  /** Who did it: an engineer, or `tierline` for automatic events (a link on intake). */
  actor: string;
  /** A client's request id: the same id again is a no-op that returns the same result. */
  requestId?: string;
}

/** What a person gives to declare an incident (from the API, the CLI, Slack, or by confirming a proposal). */
export interface Declaration {
  title: string;
  severity: string;
  /** Who is affected and how: the first update's "Impact". */
  impact: string;
  /** The first update's text; default: "We are investigating: <title>". */
  message?: string;
  components?: string[];
  /** Default: the person who declares. */
  commander?: string;
  nextUpdateIn?: string;
  /** The proposal this declaration confirms. */
  proposalKey?: string;
  /** Tickets to link at once (a proposal's burst). */
  tickets?: string[];
}

export type DeclareCommand = { type: 'declare' } & Declaration & Base;

export type IncidentCommand =
  /** A status update, broadcast to the policy's channels; `reason` is needed to go back to investigating. */
  | ({ type: 'postUpdate'; status: UpdateStatus; impact: string; message: string; nextUpdateIn?: string; reason?: string } & Base)
  | ({ type: 'setSeverity'; severity: string; reason?: string } & Base)
  | ({ type: 'setCommander'; commander: string } & Base)
  /** `auto`: linked on intake because the ticket's components match. */
  | ({ type: 'linkTicket'; ticketId: string; auto?: boolean } & Base)
  | ({ type: 'unlinkTicket'; ticketId: string; reason?: string } & Base)
  /** The final update (`summary`), the linked tickets, and the report's fields. */
  | ({ type: 'resolve'; summary: string; impact?: string; rootCause?: string; resolution?: string; prevention?: string } & Base)
  /** The answer to the incident's page. */
  | ({ type: 'acknowledgePage' } & Base);

export type IncidentSystemEvent =
  | { type: 'tick' }
  | Extract<SystemEvent, { type: 'notificationOutcome' }>
  | Extract<SystemEvent, { type: 'pageProgress' }>;

export type IncidentEvent = IncidentCommand | IncidentSystemEvent;

/** Ticket ids as the ticket side makes them. */
export const TICKET_ID = /^T-[A-Za-z0-9-]+$/;

export const MAX_TITLE = 200;
export const MAX_TEXT = 5000;

function textProblem(what: string, text: string | undefined, max: number, required: boolean): string | undefined {
  if (text === undefined || text.trim() === '') return required ? `${what} is needed` : undefined;
  if (text.length > max) return `${what} is at most ${max} characters; this one has ${text.length}`;
  return undefined;
}

function unknownSeverity(policy: Policy, severity: string): string {
  return `unknown severity '${severity}'; expected one of ${policy.incidents.severities.map((s) => s.id).join(', ')}`;
}

/** Why the declaration cannot declare an incident under `policy`, or undefined. */
export function declarationProblem(policy: Policy, declaration: Declaration): string | undefined {
  const severity = severityOf(policy, declaration.severity);
  if (!severity) return unknownSeverity(policy, declaration.severity);
  return (
    textProblem('a title', declaration.title, MAX_TITLE, true) ??
    textProblem('the impact', declaration.impact, MAX_TEXT, true) ??
    textProblem('the first update', declaration.message, MAX_TEXT, false) ??
    (declaration.commander !== undefined && declaration.commander.trim() === '' ? 'the commander must not be empty' : undefined) ??
    componentsProblem(declaration.components ?? []) ??
    (declaration.tickets ?? []).map((id) => (TICKET_ID.test(id) ? undefined : `'${id}' is not a ticket id (T-...)`)).find(Boolean) ??
    nextUpdateProblem(severity, declaration.nextUpdateIn)
  );
}

const order = (status: IncidentStatus) => INCIDENT_STATUSES.indexOf(status);

/** Why the status cannot move from `from` to `to`: only forward, or back to investigating with a reason. */
function transitionProblem(from: IncidentStatus, to: string, reason: string | undefined): string | undefined {
  if (to === 'resolved') return 'an update cannot resolve the incident; resolve it with a summary';
  if (!(UPDATE_STATUSES as readonly string[]).includes(to)) return `unknown status '${to}'; expected one of ${UPDATE_STATUSES.join(', ')}`;
  const target = to as UpdateStatus;
  if (order(target) >= order(from)) return undefined;
  if (target !== 'investigating') return `the status cannot move back from ${from} to ${target}; only forward, or back to investigating with a reason`;
  if (reason === undefined || reason.trim() === '') return `going back from ${from} to investigating needs a reason`;
  return undefined;
}

/** Why a command cannot apply to the incident now, or undefined when it can. */
export function canApply(state: IncidentState, command: IncidentCommand): string | undefined {
  if (command.requestId !== undefined && state.requests[command.requestId]) return undefined;
  const id = state.incidentId;
  if (state.status === 'resolved') {
    switch (command.type) {
      case 'postUpdate':
      case 'resolve':
        return `incident ${id} is resolved; it takes no more updates`;
      case 'linkTicket':
        return `incident ${id} is resolved; link the ticket to an open incident`;
      case 'acknowledgePage':
        return `incident ${id} is resolved; its page has ended`;
      default:
        return `incident ${id} is resolved; nothing can change it`;
    }
  }
  switch (command.type) {
    case 'postUpdate':
      return (
        transitionProblem(state.status, command.status, command.reason) ??
        textProblem('the impact', command.impact, MAX_TEXT, true) ??
        textProblem('an update message', command.message, MAX_TEXT, true) ??
        nextUpdateProblem(severityOf(state.policy, state.severity)!, command.nextUpdateIn)
      );
    case 'setSeverity': {
      if (!severityOf(state.policy, command.severity)) return unknownSeverity(state.policy, command.severity);
      if (command.severity === state.severity) return `incident ${id} is already ${command.severity}`;
      return undefined;
    }
    case 'setCommander':
      if (command.commander.trim() === '') return 'a commander is needed';
      if (command.commander.trim() === state.commander) return `${state.commander} is already the commander of ${id}`;
      return undefined;
    case 'linkTicket':
      if (!TICKET_ID.test(command.ticketId)) return `'${command.ticketId}' is not a ticket id (T-...)`;
      if (state.linked.some((t) => t.ticketId === command.ticketId)) return `ticket ${command.ticketId} is already linked to ${id}`;
      return undefined;
    case 'unlinkTicket':
      if (!state.linked.some((t) => t.ticketId === command.ticketId)) return `ticket ${command.ticketId} is not linked to ${id}`;
      return undefined;
    case 'resolve':
      return (
        textProblem('a resolution summary', command.summary, MAX_TEXT, true) ??
        textProblem('the impact', command.impact, MAX_TEXT, false) ??
        textProblem('the root cause', command.rootCause, MAX_TEXT, false) ??
        textProblem('the resolution', command.resolution, MAX_TEXT, false) ??
        textProblem('the prevention', command.prevention, MAX_TEXT, false)
      );
    case 'acknowledgePage':
      if (state.page?.status !== 'paging') return `no page of ${id} is waiting for an acknowledgement`;
      return undefined;
  }
}
