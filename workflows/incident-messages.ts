/**
 * The incident workflow's messages, and what it tells tickets and the incident watcher. Exported
 * so every client uses the very same definitions.
 *
 * Engineers' actions on an incident are Updates (the caller learns at once whether the incident
 * accepted it, with its reason, and gets the incident afterwards), as on tickets.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IncidentCommand } from '../domain/incident/commands.js';
import type { TicketOpening, IncidentProposal } from '../domain/incident/proposals.js';
import type { IncidentState, IncidentStatus } from '../domain/incident/types.js';
import type { IncidentView } from '../domain/incident/view.js';
import type { SystemEvent } from '../domain/ticket/commands.js';

export type IncidentCommandArgs<T extends IncidentCommand['type']> = Omit<Extract<IncidentCommand, { type: T }>, 'type'>;

export const INCIDENT_UPDATES = {
  postUpdate: defineUpdate<IncidentView, [IncidentCommandArgs<'postUpdate'>]>('postUpdate'),
  setSeverity: defineUpdate<IncidentView, [IncidentCommandArgs<'setSeverity'>]>('setSeverity'),
  setCommander: defineUpdate<IncidentView, [IncidentCommandArgs<'setCommander'>]>('setCommander'),
  linkTicket: defineUpdate<IncidentView, [IncidentCommandArgs<'linkTicket'>]>('linkTicket'),
  unlinkTicket: defineUpdate<IncidentView, [IncidentCommandArgs<'unlinkTicket'>]>('unlinkTicket'),
  resolve: defineUpdate<IncidentView, [IncidentCommandArgs<'resolve'>]>('resolve'),
  acknowledgePage: defineUpdate<IncidentView, [IncidentCommandArgs<'acknowledgePage'>]>('acknowledgePage'),
} as const;

/** A ticket matching the incident's components, linked by the watcher when it opens (never blocks). */
export const autoLinkSignal = defineSignal<[{ ticketId: string }]>('autoLinkTicket');

export const getIncidentQuery = defineQuery<IncidentView>('getIncident');
export const getIncidentStateQuery = defineQuery<IncidentState>('getIncidentState');

/** What an incident tells one of its tickets: linked, unlinked, a status update, resolved. */
export type IncidentTicketEvent = Extract<SystemEvent, { type: 'incidentLinked' | 'incidentUnlinked' | 'incidentUpdate' | 'incidentResolved' }>;
export const incidentTicketSignal = defineSignal<[IncidentTicketEvent]>('incidentEvent');

/** The incident watcher: one long-lived workflow that sees every new ticket. */
export const INCIDENT_WATCH_WORKFLOW_ID = 'incident-watch';
export const ticketOpenedSignal = defineSignal<[TicketOpening]>('ticketOpened');
export interface IncidentChange {
  id: string;
  status: IncidentStatus;
  components: string[];
  /** The policy's severity rank: tickets link to the most severe matching incident. */
  rank: number;
  /** The proposal its declaration confirmed: no longer pending. */
  proposalKey?: string;
}
export const incidentChangedSignal = defineSignal<[IncidentChange]>('incidentChanged');
/** The proposals raised and not yet declared (a declaration naming one removes it). */
export const getProposalsQuery = defineQuery<IncidentProposal[]>('getProposals');
