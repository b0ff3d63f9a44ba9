/**
 * The ticket's timeline: every event with its actor and time, numbered. Effect idempotency keys
 * derive from the ticket id and that number, so a retry or a replay never notifies twice.
 */
import type { TicketState } from './types.js';

/** The actor of automatic events. */
export const SYSTEM = 'tierline';

/**
 * Entries that come again and again without news: a clock's "still breached" notices (hourly, for
 * as long as a ticket stays breached) and the outcomes of sending them. A new one replaces the
 * previous one of its group, which it counts (`data.folded`, since `data.foldedSince`), so a
 * ticket breached for months carries one such entry per clock, not thousands: the timeline is
 * carried across continue-as-new and must stay far below Temporal's payload limit.
 */
function foldGroup(type: string, data: Record<string, unknown> | undefined): string | undefined {
  if (type === 'sla-breach-repeat') return `${type} ${String(data?.['clock'])}`;
  if (type.startsWith('notification-') && typeof data?.['key'] === 'string' && data['key'].endsWith('/sla-breach-repeat')) return `${type} repeat`;
  return undefined;
}

/** Appends a timeline entry with the next sequence number (folding a repeat into its predecessor). */
export function record(state: TicketState, now: number, actor: string, type: string, summary: string, data?: Record<string, unknown>): TicketState {
  const seq = state.seq + 1;
  const group = foldGroup(type, data);
  if (group !== undefined) {
    const i = state.timeline.findLastIndex((e) => foldGroup(e.type, e.data) === group);
    const previous = state.timeline[i];
    if (previous) {
      const folded = { ...data, folded: (Number(previous.data?.['folded']) || 1) + 1, foldedSince: previous.data?.['foldedSince'] ?? previous.at };
      const timeline = [...state.timeline.slice(0, i), ...state.timeline.slice(i + 1), { seq, at: now, actor, type, summary, data: folded }];
      return { ...state, seq, timeline };
    }
  }
  return { ...state, seq, timeline: [...state.timeline, { seq, at: now, actor, type, summary, ...(data ? { data } : {}) }] };
}

/** The idempotency key of an effect caused by the ticket's latest event. */
export const effectKey = (state: TicketState, what: string) => `${state.ticketId}/${state.seq}/${what}`;

const MAX_REMEMBERED_REQUESTS = 200;

/** What remembers handled request ids: a ticket, an incident. */
interface RemembersRequests {
  seq: number;
  requests: Record<string, { seq: number }>;
  requestOrder: string[];
}

/** Remembers a handled request id (the latest 200): the same id again is then a no-op. */
export function rememberRequest<S extends RemembersRequests>(state: S, requestId: string): S {
  const order = [...state.requestOrder, requestId];
  const requests = { ...state.requests, [requestId]: { seq: state.seq } };
  while (order.length > MAX_REMEMBERED_REQUESTS) delete requests[order.shift()!];
  return { ...state, requests, requestOrder: order };
}

/**
 * The timeline entry for a page's report of paging, skipping or failing a level, or of an earlier
 * page; undefined for `exhausted` of the current page, which the ticket and the incident handle.
 */
export function pageProgressEntry(
  currentPageId: string | undefined,
  event: { pageId: string; kind: 'paged' | 'skipped' | 'exhausted' | 'failed'; layer?: string; person?: string; detail?: string },
): { type: string; summary: string } | undefined {
  if (currentPageId !== event.pageId) return { type: 'page-note', summary: `an earlier page reported: ${event.kind}` };
  const level = event.layer ? ` (${event.layer})` : '';
  switch (event.kind) {
    case 'paged':
      return { type: 'paged', summary: `paged ${event.person ?? 'on-call'}${level}` };
    case 'skipped':
      return { type: 'page-skipped', summary: `nobody on call${level}: level skipped` };
    case 'failed':
      return { type: 'page-failed', summary: `paging ${event.person ?? 'on-call'}${level} failed: ${event.detail ?? 'unknown error'}` };
    case 'exhausted':
      return undefined;
  }
}
