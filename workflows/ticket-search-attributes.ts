/**
 * Keeps the ticket's search attributes in step with its state, upserting only what changed, so
 * the Temporal UI and `tierline list` never disagree with the workflow.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { nextDue } from '../domain/ticket/ticket-clocks.js';
import type { TicketState } from '../domain/ticket/types.js';
import { isBreached } from '../domain/ticket/view.js';
import {
  SlaBreached,
  SlaDueAt,
  TicketAssignee,
  TicketCategory,
  TicketChannel,
  TicketId,
  TicketPolicy,
  TicketPriority,
  TicketStatus,
  TicketTier,
} from './search-attributes.js';

export function ticketSearchAttributes(state: TicketState): SearchAttributeUpdatePair[] {
  const due = nextDue(state);
  return [
    { key: TicketId, value: state.ticketId },
    { key: TicketPriority, value: state.priority },
    { key: TicketStatus, value: state.status },
    { key: TicketTier, value: state.tier },
    { key: TicketChannel, value: state.intake.channel },
    { key: TicketAssignee, value: state.assignee ?? null },
    { key: TicketPolicy, value: `${state.policy.id}@${state.policy.version}` },
    { key: TicketCategory, value: state.category ?? null },
    { key: SlaBreached, value: isBreached(state) },
    { key: SlaDueAt, value: due ? new Date(due.dueAt) : null },
  ] as SearchAttributeUpdatePair[];
}

/** Upserts the pairs whose value changed since `last`; returns the new `last`. */
export function syncSearchAttributes(
  state: TicketState,
  last: Record<string, unknown>,
  upsert: (pairs: SearchAttributeUpdatePair[]) => void,
): Record<string, unknown> {
  const pairs = ticketSearchAttributes(state);
  const next: Record<string, unknown> = {};
  const changed: SearchAttributeUpdatePair[] = [];
  for (const pair of pairs) {
    const value = pair.value instanceof Date ? pair.value.getTime() : pair.value;
    next[pair.key.name] = value;
    if (last[pair.key.name] !== value && !(value === null && !(pair.key.name in last))) changed.push(pair);
  }
  if (changed.length) upsert(changed);
  return next;
}
