/**
 * The incident a ticket belongs to (issue #10): linked and unlinked by the incident, shown on the
 * ticket, and, when the policy says `linkedTicketClocks: pause`, holding the customer-facing SLA
 * clocks while the incident is open. The clocks pause and resume at the instants of the events,
 * to the millisecond; a clock the ticket's pending reason also stops stays paused under it.
 */
import type { SystemEvent } from './commands.js';
import { reconcileClocks } from './ticket-clocks.js';
import { effectKey, record, SYSTEM } from './timeline.js';
import { isOpenStatus, type Decision, type Effect, type TicketState } from './types.js';

type Linked = Extract<SystemEvent, { type: 'incidentLinked' }>;
type Unlinked = Extract<SystemEvent, { type: 'incidentUnlinked' }>;
type Resolved = Extract<SystemEvent, { type: 'incidentResolved' }>;
type Update = Extract<SystemEvent, { type: 'incidentUpdate' }>;

const idsOf = (state: TicketState, status: 'paused' | 'running') => state.clocks.filter((c) => c.status === status).map((c) => c.id);

/** Clock ids that changed from `from` to `to` between two states. */
function moved(before: TicketState, after: TicketState, from: 'running' | 'paused', to: 'running' | 'paused'): string[] {
  const was = new Set(idsOf(before, from));
  return idsOf(after, to).filter((id) => was.has(id));
}

function told(state: TicketState, text: string): Effect[] {
  return [
    { type: 'notifyTeam', key: effectKey(state, 'incident'), event: 'activity', text },
    { type: 'refreshTeamCard', key: effectKey(state, 'card') },
  ];
}

/** The incident owns the ticket now. The same link again (a retried signal) changes nothing. */
export function incidentLinked(state: TicketState, event: Linked, now: number): Decision {
  const current = state.incident;
  if (current && current.id === event.incidentId && current.resolvedAt === undefined && current.pauseClocks === event.pauseClocks) return { state, effects: [] };
  const before = state;
  state = reconcileClocks({
    ...state,
    incident: { id: event.incidentId, title: event.title, pauseClocks: event.pauseClocks, linkedAt: now, ...(event.statusPageUrl ? { statusPageUrl: event.statusPageUrl } : {}) },
  }, now);
  const paused = moved(before, state, 'running', 'paused');
  const resumed = moved(before, state, 'paused', 'running');
  const replaces = current && current.id !== event.incidentId ? current.id : undefined;
  state = record(state, now, SYSTEM, 'incident-linked', `linked to incident ${event.incidentId}: ${event.title}${event.pauseClocks ? '; customer-facing SLA clocks paused while it is open' : ''}`, {
    incidentId: event.incidentId, pauseClocks: event.pauseClocks, paused, ...(resumed.length ? { resumed } : {}), ...(replaces ? { replaces } : {}),
  });
  const effects = told(state, `Linked to incident ${event.incidentId}: ${event.title}${event.pauseClocks ? ' (SLA clocks paused while it is open)' : ''}`);
  // The requester learns once that a known incident holds their request, and where to follow it.
  if (current?.id !== event.incidentId && isOpenStatus(state.status)) {
    effects.push({
      type: 'notifyCustomer',
      key: effectKey(state, 'incident-linked'),
      template: 'incident-linked',
      vars: { incidentTitle: event.title, statusPageUrl: event.statusPageUrl ?? '' },
    });
  }
  return { state, effects };
}

/**
 * A status update of the incident the ticket belongs to goes to the requester, in the ticket's
 * thread, once per update number; after the incident resolved, or for another incident, nothing.
 */
export function incidentUpdate(state: TicketState, event: Update, now: number): Decision {
  const incident = state.incident;
  if (!incident || incident.id !== event.incidentId || incident.resolvedAt !== undefined) return { state, effects: [] };
  if (incident.lastUpdate !== undefined && event.number <= incident.lastUpdate) return { state, effects: [] };
  state = record({ ...state, incident: { ...incident, lastUpdate: event.number } }, now, SYSTEM, 'incident-update', `incident ${incident.id} update ${event.number}: ${event.headline}`, {
    incidentId: incident.id,
    number: event.number,
  });
  if (!isOpenStatus(state.status)) return { state, effects: [] };
  return {
    state,
    effects: [{ type: 'notifyCustomer', key: effectKey(state, 'incident-update'), template: 'incident-update', vars: { headline: event.headline, update: event.text, statusPageUrl: incident.statusPageUrl ?? '' } }],
  };
}

/** The incident let the ticket go: its clocks run again. An unlink from another incident changes nothing. */
export function incidentUnlinked(state: TicketState, event: Unlinked, now: number): Decision {
  if (state.incident?.id !== event.incidentId) return { state, effects: [] };
  const before = state;
  const { incident: _gone, ...rest } = state;
  state = reconcileClocks(rest, now);
  const resumed = moved(before, state, 'paused', 'running');
  state = record(state, now, SYSTEM, 'incident-unlinked', `unlinked from incident ${event.incidentId}${resumed.length ? '; SLA clocks resume' : ''}`, { incidentId: event.incidentId, resumed });
  return { state, effects: told(state, `Unlinked from incident ${event.incidentId}`) };
}

/**
 * The incident resolved: the link stays (the view shows it resolved) and the clocks run again.
 * Whether the ticket resolves too is the caller's (decide's) part. Said twice, or by another
 * incident, it changes nothing.
 */
export function incidentResolved(state: TicketState, event: Resolved, now: number): Decision {
  const incident = state.incident;
  if (!incident || incident.id !== event.incidentId || incident.resolvedAt !== undefined) return { state, effects: [] };
  const before = state;
  state = reconcileClocks({ ...state, incident: { ...incident, resolvedAt: now } }, now);
  const resumed = moved(before, state, 'paused', 'running');
  state = record(state, now, SYSTEM, 'incident-resolved', `incident ${incident.id} resolved: ${event.summary}`, { incidentId: incident.id, resumed });
  const effects = event.resolveTicket
    ? []
    : told(state, `Incident ${incident.id} (${incident.title}) is resolved: ${event.summary}. This ticket stays open: check with the requester, then resolve it.`);
  return { state, effects };
}
