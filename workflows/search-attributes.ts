/**
 * The ticket's search attributes: the one list in code. The workflow keeps them in step with its
 * state, the client filters on them, and the worker registers any missing one at every start.
 */
import { defineSearchAttributeKey } from '@temporalio/common';

/** The ticket id, e.g. `T-01JD3...`. */
export const TicketId = defineSearchAttributeKey('TicketId', 'KEYWORD');
/** The priority id of the ticket's policy, e.g. `P1` or `High`. */
export const TicketPriority = defineSearchAttributeKey('TicketPriority', 'KEYWORD');
/** The lifecycle status, e.g. `awaiting_first_response`. */
export const TicketStatus = defineSearchAttributeKey('TicketStatus', 'KEYWORD');
/** The escalation tier id of the policy, e.g. `tier2`. */
export const TicketTier = defineSearchAttributeKey('TicketTier', 'KEYWORD');
/** The intake channel: email, slack, web, api, github, discord... */
export const TicketChannel = defineSearchAttributeKey('TicketChannel', 'KEYWORD');
/** Who owns the ticket, empty while unassigned. */
export const TicketAssignee = defineSearchAttributeKey('TicketAssignee', 'KEYWORD');
/** The policy id and version the ticket runs under, e.g. `caro@1`. */
export const TicketPolicy = defineSearchAttributeKey('TicketPolicy', 'KEYWORD');
/** The ticket's category, when triage gave one. */
export const TicketCategory = defineSearchAttributeKey('TicketCategory', 'KEYWORD');
/** True once any SLA clock of the ticket has breached. */
export const SlaBreached = defineSearchAttributeKey('SlaBreached', 'BOOL');
/** The earliest due time among the ticket's running SLA clocks. */
export const SlaDueAt = defineSearchAttributeKey('SlaDueAt', 'DATETIME');

export const TICKET_SEARCH_ATTRIBUTES = [
  TicketId,
  TicketPriority,
  TicketStatus,
  TicketTier,
  TicketChannel,
  TicketAssignee,
  TicketPolicy,
  TicketCategory,
  SlaBreached,
  SlaDueAt,
] as const;
