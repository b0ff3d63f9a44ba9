/**
 * Tier 1, self-service: a ticket that starts in a tier with `selfService` is offered the
 * knowledge-base articles that match it. "This solved it" resolves it as deflected; a reply from
 * the requester, no matching article, or the tier's timeout hands it to the next tier.
 */
import { parseDuration } from '../duration.js';
import type { SystemEvent } from './commands.js';
import { enterTier, targetTier } from './escalation.js';
import { record, SYSTEM } from './timeline.js';
import type { Decision, TicketState } from './types.js';

export const selfServiceOf = (state: TicketState) => state.policy.tiers.find((t) => t.id === state.tier)?.selfService;

/** On intake: the ticket waits in self-service until the tier's timeout. */
export function startSelfService(state: TicketState, now: number): TicketState {
  const tier = selfServiceOf(state);
  return tier ? { ...state, selfService: { until: now + parseDuration(tier.timeout)! } } : state;
}

/** Leaves self-service for the next tier, saying why. */
export function leaveSelfService(state: TicketState, now: number, cause: string): Decision {
  if (!state.selfService) return { state, effects: [] };
  const { selfService: _left, ...rest } = state;
  const next = targetTier(rest, undefined, 'up');
  if (!next) return { state: record(rest, now, SYSTEM, 'self-service-ended', `self-service ended: ${cause}`), effects: [] };
  return enterTier(rest, next, now, SYSTEM, cause);
}

export function articlesSuggested(state: TicketState, event: Extract<SystemEvent, { type: 'articlesSuggested' }>, now: number): Decision {
  if (!state.selfService) return { state, effects: [] };
  if (event.articles.length === 0) {
    state = record(state, now, SYSTEM, 'articles-suggested', `no knowledge-base article matched${event.detail ? ` (${event.detail})` : ''}`);
    return leaveSelfService(state, now, 'no knowledge-base article matched');
  }
  state = { ...state, selfService: { ...state.selfService, articles: event.articles.map((a) => a.id) } };
  return {
    state: record(state, now, SYSTEM, 'articles-suggested', `suggested ${event.articles.map((a) => `"${a.title}"`).join(', ')}`, { articles: event.articles }),
    effects: [],
  };
}

export const nextSelfServiceWake = (state: TicketState) => state.selfService?.until;

export function selfServiceTimeout(state: TicketState, now: number): Decision {
  if (!state.selfService || state.selfService.until > now) return { state, effects: [] };
  return leaveSelfService(state, now, 'self-service timed out');
}
