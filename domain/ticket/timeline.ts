/**
 * The ticket's timeline: every event with its actor and time, numbered. Effect idempotency keys
 * derive from the ticket id and that number, so a retry or a replay never notifies twice.
 */
import type { TicketState } from './types.js';

/** The actor of automatic events. */
export const SYSTEM = 'tierline';

/** Appends a timeline entry with the next sequence number. */
export function record(state: TicketState, now: number, actor: string, type: string, summary: string, data?: Record<string, unknown>): TicketState {
  const seq = state.seq + 1;
  return { ...state, seq, timeline: [...state.timeline, { seq, at: now, actor, type, summary, ...(data ? { data } : {}) }] };
}

/** The idempotency key of an effect caused by the ticket's latest event. */
export const effectKey = (state: TicketState, what: string) => `${state.ticketId}/${state.seq}/${what}`;
