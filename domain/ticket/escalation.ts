/**
 * Tiers and paging, as the policy says: which tier a ticket moves to and why (an SLA warning or
 * breach, nobody acknowledging in time, a person's escalate), and when on-call people are paged
 * (entering a tier a paging plan covers, a raised priority, an acknowledged ticket left
 * unresolved). Pure: the paging itself runs in a child workflow the shell starts on `startPage`.
 */
import { formatDuration, parseDuration } from '../duration.js';
import { matches } from '../policy/match.js';
import type { EscalationRule, Metric, PagingPlan } from '../policy/schema.js';
import type { SystemEvent } from './commands.js';
import { factsOf } from './ticket-clocks.js';
import { effectKey, pageProgressEntry, record, SYSTEM } from './timeline.js';
import { isOpenStatus, type Decision, type Effect, type PageState, type TicketState } from './types.js';


const tierIndex = (state: TicketState, tier: string) => state.policy.tiers.findIndex((t) => t.id === tier);
const tierName = (state: TicketState, tier: string) => state.policy.tiers.find((t) => t.id === tier)?.name ?? tier;

/** The tier `to` names from the ticket's current tier ('next', 'previous' or an id), if it exists. */
export function targetTier(state: TicketState, to: string | undefined, direction: 'up' | 'down'): string | undefined {
  const here = tierIndex(state, state.tier);
  if (to === undefined || to === 'next' || to === 'previous') return state.policy.tiers[here + (direction === 'up' ? 1 : -1)]?.id;
  return tierIndex(state, to) >= 0 ? to : undefined;
}

/** Why the ticket cannot move to `to` now, or undefined. Shared by canApply. */
export function tierMoveProblem(state: TicketState, to: string | undefined, direction: 'up' | 'down'): string | undefined {
  const target = targetTier(state, to, direction);
  if (target === undefined) {
    if (to !== undefined && to !== 'next' && to !== 'previous') return `unknown tier '${to}'; expected one of ${state.policy.tiers.map((t) => t.id).join(', ')}`;
    return direction === 'up' ? `the ticket is already in the last tier (${tierName(state, state.tier)})` : `the ticket is already in the first tier (${tierName(state, state.tier)})`;
  }
  const [from, into] = [tierIndex(state, state.tier), tierIndex(state, target)];
  if (direction === 'up' && into <= from) return `${tierName(state, target)} is not above ${tierName(state, state.tier)}; de-escalate instead`;
  if (direction === 'down' && into >= from) return `${tierName(state, target)} is not below ${tierName(state, state.tier)}; escalate instead`;
  return undefined;
}

/** Moves the ticket to another tier, records why, and pages if the new tier's plan says so. */
export function enterTier(state: TicketState, to: string, now: number, actor: string, cause: string): Decision {
  const from = state.tier;
  if (to === from) return { state, effects: [] };
  const up = tierIndex(state, to) > tierIndex(state, from);
  if (state.selfService) {
    const { selfService: _left, ...rest } = state;
    state = rest;
  }
  state = record({ ...state, tier: to, tierEnteredAt: now }, now, actor, up ? 'escalated' : 'de-escalated', `${up ? 'escalated' : 'de-escalated'} to ${tierName(state, to)}: ${cause}`, { from, to, cause });
  const effects: Effect[] = [
    { type: 'notifyTeam', key: effectKey(state, 'tier'), event: 'activity', text: `${up ? 'Escalated' : 'De-escalated'} to ${tierName(state, to)} (${cause})` },
    { type: 'refreshTeamCard', key: effectKey(state, 'card') },
  ];
  const paged = startPageIfDue(state, now, `entered ${tierName(state, to)}`);
  return { state: paged.state, effects: [...effects, ...paged.effects] };
}

/** The paging plan for the ticket as it is now: the first whose condition and tiers match. */
export function pagingPlanFor(state: TicketState): PagingPlan | undefined {
  const facts = factsOf(state);
  return state.policy.escalation.paging.find((plan) => (!plan.tiers || plan.tiers.includes(state.tier)) && matches(state.policy, plan.when, facts));
}

/**
 * Starts a page when a plan covers the ticket and none is under way. A page that ran out of
 * levels is not restarted by the same tier; a new cause (a new tier, a raised priority) does.
 */
export function startPageIfDue(state: TicketState, now: number, cause: string, opts: { again?: boolean } = {}): Decision {
  if (!isOpenStatus(state.status)) return { state, effects: [] };
  const plan = pagingPlanFor(state);
  if (!plan) return { state, effects: [] };
  const current = state.page;
  if (current && !opts.again && (current.status === 'paging' || current.status === 'acknowledged')) return { state, effects: [] };
  const effects: Effect[] = [];
  if (current && current.status !== 'ended') {
    effects.push({ type: 'endPage', key: effectKey(state, 'page-superseded'), pageId: current.id, outcome: 'superseded' });
  }
  const count = (state.pageCount ?? 0) + 1;
  const pageId = `${state.ticketId}-page-${count}`;
  state = { ...state, pageCount: count, page: { id: pageId, plan: plan.name, cause, startedAt: now, status: 'paging' } };
  state = record(state, now, SYSTEM, 'page-started', `paging on-call (${plan.name}): ${cause}`, { pageId, plan: plan.name, levels: plan.levels.map((l) => l.layer) });
  effects.push({ type: 'startPage', key: effectKey(state, 'page'), pageId, plan, cause });
  return { state, effects };
}

/** An acknowledgement while a page runs stops it and assigns the ticket to whoever answered. */
export function acknowledgePage(state: TicketState, now: number, actor: string): Decision {
  const page = state.page;
  if (!page || page.status !== 'paging') return { state, effects: [] };
  const plan = state.policy.escalation.paging.find((p) => p.name === page.plan);
  const reackMs = plan?.reackAfter ? parseDuration(plan.reackAfter) : undefined;
  state = {
    ...state,
    assignee: actor,
    page: { ...page, status: 'acknowledged', acknowledgedBy: actor, acknowledgedAt: now, ...(reackMs !== undefined ? { reackAt: now + reackMs } : {}) },
  };
  state = record(state, now, actor, 'page-acknowledged', `${actor} acknowledged the page`, { pageId: page.id });
  return { state, effects: [{ type: 'endPage', key: effectKey(state, 'page-ack'), pageId: page.id, outcome: 'acknowledged', actor }] };
}

/** Resolving or closing the ticket ends its page: the pager incidents resolve. */
export function endPage(state: TicketState, now: number): Decision {
  const page = state.page;
  if (!page || page.status === 'ended') return { state, effects: [] };
  state = record({ ...state, page: withoutReack({ ...page, status: 'ended' }) }, now, SYSTEM, 'page-ended', 'the page ended with the ticket; pager incidents resolve', { pageId: page.id });
  return { state, effects: [{ type: 'endPage', key: effectKey(state, 'page-end'), pageId: page.id, outcome: 'resolved' }] };
}

/** What the page's child workflow reports. */
export function pageProgress(state: TicketState, event: Extract<SystemEvent, { type: 'pageProgress' }>, now: number): Decision {
  const page = state.page;
  // Paged, skipped, failed, or an earlier page: a timeline entry. The current page running out: below.
  const entry = pageProgressEntry(page?.id, event);
  if (entry || !page) return { state: record(state, now, SYSTEM, entry?.type ?? 'page-note', entry?.summary ?? '', { ...event }), effects: [] };
  if (page.status !== 'paging') return { state, effects: [] };
  state = record({ ...state, page: { ...page, status: 'exhausted' } }, now, SYSTEM, 'page-exhausted', 'nobody acknowledged the page', { pageId: page.id });
  return { state, effects: [{ type: 'notifyTeam', key: effectKey(state, 'page-exhausted'), event: 'activity', text: 'Nobody acknowledged the page: every on-call level was tried' }] };
}

function withoutReack(page: PageState): PageState {
  const { reackAt: _reack, ...rest } = page;
  return rest;
}

const appliesFrom = (state: TicketState, rule: EscalationRule) => !rule.from || rule.from.includes(state.tier);

/** SLA warnings and breaches that the policy turns into an escalation. */
export function escalateOnAlarm(state: TicketState, kind: 'warning' | 'breach', metric: Metric, now: number): Decision {
  const on = kind === 'warning' ? 'sla-warning' : 'sla-breach';
  const facts = factsOf(state);
  const rule = state.policy.escalation.rules.find(
    (r) => r.on === on && (!r.metric || r.metric === metric) && appliesFrom(state, r) && matches(state.policy, r.when, facts) && targetTier(state, r.to, 'up') !== undefined,
  );
  if (!rule || !isOpenStatus(state.status)) return { state, effects: [] };
  const to = targetTier(state, rule.to, 'up')!;
  if (tierIndex(state, to) <= tierIndex(state, state.tier)) return { state, effects: [] };
  return enterTier(state, to, now, SYSTEM, `${metric} SLA ${kind}${rule.name ? ` (${rule.name})` : ''}`);
}

/** Deadlines of the escalation side: nobody acknowledging in a tier, an acknowledged page going stale. */
function escalationDeadlines(state: TicketState): { at: number; fire: (s: TicketState, now: number) => Decision }[] {
  if (!isOpenStatus(state.status)) return [];
  const out: { at: number; fire: (s: TicketState, now: number) => Decision }[] = [];
  const facts = factsOf(state);
  for (const rule of state.policy.escalation.rules) {
    const timed = (rule.on === 'not-acknowledged' && state.acknowledgedAt === undefined) || rule.on === 'time-in-tier';
    if (!timed || !appliesFrom(state, rule) || !matches(state.policy, rule.when, facts)) continue;
    const to = targetTier(state, rule.to, 'up');
    if (to === undefined || tierIndex(state, to) <= tierIndex(state, state.tier)) continue;
    const after = parseDuration(rule.after!)!;
    const cause = rule.on === 'not-acknowledged' ? `not acknowledged within ${formatDuration(after)}` : `${formatDuration(after)} in ${tierName(state, state.tier)}`;
    out.push({ at: (state.tierEnteredAt ?? state.receivedAt) + after, fire: (s, now) => enterTier(s, to, now, SYSTEM, `${cause}${rule.name ? ` (${rule.name})` : ''}`) });
  }
  const page = state.page;
  if (page?.status === 'acknowledged' && page.reackAt !== undefined && state.status !== 'resolved') {
    const since = formatDuration(page.reackAt - page.acknowledgedAt!);
    out.push({
      at: page.reackAt,
      fire: (s, now) => {
        const paged = startPageIfDue(s, now, `acknowledged by ${page.acknowledgedBy} but not resolved within ${since}`, { again: true });
        // No plan covers the ticket any more (another tier, a lower priority): nothing to page again.
        return paged.state === s ? { state: { ...s, page: withoutReack(page) }, effects: [] } : paged;
      },
    });
  }
  return out;
}

export function nextEscalationWake(state: TicketState): number | undefined {
  const times = escalationDeadlines(state).map((d) => d.at);
  return times.length ? Math.min(...times) : undefined;
}

/** Fires the escalation deadlines due by `now`, earliest first. */
export function fireEscalationDeadlines(state: TicketState, now: number): Decision {
  const effects: Effect[] = [];
  for (let guard = 0; guard < 16; guard++) {
    const due = escalationDeadlines(state).filter((d) => d.at <= now).sort((a, b) => a.at - b.at)[0];
    if (!due) break;
    const before = state;
    const out = due.fire(state, now);
    state = out.state;
    effects.push(...out.effects);
    if (state === before) break;
  }
  return { state, effects };
}
