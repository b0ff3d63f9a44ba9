/**
 * The incident's timeline: every event with its actor and time, numbered. Effect idempotency keys
 * derive from the incident id and that number, so a retry or a replay never broadcasts twice.
 */
import type { IncidentState } from './types.js';

export { pageProgressEntry, rememberRequest, SYSTEM } from '../ticket/timeline.js';

/** Appends a timeline entry with the next sequence number. */
export function record(state: IncidentState, now: number, actor: string, type: string, summary: string, data?: Record<string, unknown>): IncidentState {
  const seq = state.seq + 1;
  return { ...state, seq, timeline: [...state.timeline, { seq, at: now, actor, type, summary, ...(data ? { data } : {}) }] };
}

/** The idempotency key of an effect caused by the incident's latest event. */
export const effectKey = (state: IncidentState, what: string) => `${state.incidentId}/${state.seq}/${what}`;
