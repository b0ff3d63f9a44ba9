/**
 * Stretches of a ticket's life read back from its timeline: while it was open, in which tier, and
 * pending on whom. Wall-clock milliseconds; nothing here reads a clock (`now` ends what still runs).
 *
 * The timeline entries these walks read, as domain/ticket writes them:
 * - `opened`, `resolved`, `reopened`, `closed`: the ticket's open stretches (a resolved ticket
 *   waits on nobody until a reopen);
 * - `escalated` / `de-escalated` with `data.from` and `data.to`: tier moves (the tier a triage rule
 *   sets at intake is the first move's `from`);
 * - `pending` ("pending on the customer" / "pending on the vendor") and `resumed`: pending stretches,
 *   which also end at `resolved` and `closed` (both clear the pending reason).
 */
import type { TicketState, TimelineEntry } from '../ticket/types.js';

export interface Span {
  from: number;
  to: number;
}

/** The pending reasons a ticket's status can show (`pending_customer`, `pending_vendor`). */
export const PENDING_REASONS = ['customer', 'vendor'] as const;
export type PendingReason = (typeof PENDING_REASONS)[number];

/** `pending on the customer: need logs` -> 'customer'; the summary is the only place the reason is kept. */
const PENDING_SUMMARY = /^pending on the (customer|vendor)\b/;

/** The stretches in which the ticket was open (neither resolved nor closed), up to `now`. */
export function openSpans(state: TicketState, now: number): Span[] {
  const spans: Span[] = [];
  let openSince: number | undefined = state.receivedAt;
  for (const entry of state.timeline) {
    if ((entry.type === 'resolved' || entry.type === 'closed') && openSince !== undefined) {
      spans.push({ from: openSince, to: entry.at });
      openSince = undefined;
    } else if (entry.type === 'reopened' && openSince === undefined) {
      openSince = entry.at;
    }
  }
  if (openSince !== undefined && now > openSince) spans.push({ from: openSince, to: now });
  return spans;
}

const isTierMove = (e: TimelineEntry) => (e.type === 'escalated' || e.type === 'de-escalated') && typeof e.data?.['to'] === 'string';

/** The tier the ticket started in: the first move's `from`, or the tier it is in if it never moved. */
export function initialTier(state: TicketState): string {
  const first = state.timeline.find(isTierMove);
  const from = first?.data?.['from'];
  return typeof from === 'string' ? from : state.tier;
}

/** Every tier the ticket has been in, in the order it entered them (repeats kept). */
export function tierPath(state: TicketState): string[] {
  return [initialTier(state), ...state.timeline.filter(isTierMove).map((e) => e.data!['to'] as string)];
}

/** Wall-clock milliseconds spent in each tier while the ticket was open. */
export function timeInTiers(state: TicketState, now: number): Record<string, number> {
  const moves: { at: number; tier: string }[] = [{ at: state.receivedAt, tier: initialTier(state) }];
  for (const e of state.timeline) if (isTierMove(e)) moves.push({ at: e.at, tier: e.data!['to'] as string });
  const open = openSpans(state, now);
  const out: Record<string, number> = {};
  moves.forEach((move, i) => {
    const until = moves[i + 1]?.at ?? now;
    const ms = overlap(open, { from: move.at, to: until });
    out[move.tier] = (out[move.tier] ?? 0) + ms;
  });
  return out;
}

/** Wall-clock milliseconds the ticket stood pending on the customer and on a vendor. */
export function timePending(state: TicketState, now: number): Record<PendingReason, number> {
  const out: Record<PendingReason, number> = { customer: 0, vendor: 0 };
  let current: { reason: PendingReason; since: number } | undefined;
  const end = (at: number) => {
    if (current) out[current.reason] += Math.max(0, at - current.since);
    current = undefined;
  };
  for (const entry of state.timeline) {
    if (entry.type === 'pending') {
      const reason = PENDING_SUMMARY.exec(entry.summary)?.[1] as PendingReason | undefined;
      end(entry.at);
      if (reason) current = { reason, since: entry.at };
    } else if (entry.type === 'resumed' || entry.type === 'resolved' || entry.type === 'closed') {
      end(entry.at);
    }
  }
  end(now);
  return out;
}

/** Milliseconds of `span` covered by `spans` (which do not overlap each other). */
export function overlap(spans: readonly Span[], span: Span): number {
  let ms = 0;
  for (const s of spans) ms += Math.max(0, Math.min(s.to, span.to) - Math.max(s.from, span.from));
  return ms;
}
