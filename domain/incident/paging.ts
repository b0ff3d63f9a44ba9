/**
 * The incident's pages: through a paging plan of the policy (`escalation.paging`, by name), at
 * once for a severity that says `pageAtOnce`, or when a status update is overdue. The paging itself
 * runs in the same child workflow as a ticket's page; the incident only starts, acknowledges and
 * ends it, and records what it reports.
 */
import type { SystemEvent } from '../ticket/commands.js';
import { effectKey, pageProgressEntry, record, SYSTEM } from './timeline.js';
import type { IncidentDecision, IncidentState } from './types.js';

/** Starts a page through the named plan, unless one is still waiting for an acknowledgement. */
export function startIncidentPage(state: IncidentState, planName: string, now: number, cause: string): IncidentDecision {
  const plan = state.policy.escalation.paging.find((p) => p.name === planName);
  if (!plan || state.page?.status === 'paging') return { state, effects: [] };
  const effects: IncidentDecision['effects'] = [];
  const current = state.page;
  if (current && current.status !== 'ended') {
    effects.push({ type: 'endPage', key: effectKey(state, 'page-superseded'), pageId: current.id, outcome: 'superseded' });
  }
  const count = state.pageCount + 1;
  const pageId = `${state.incidentId}-page-${count}`;
  state = { ...state, pageCount: count, page: { id: pageId, plan: plan.name, cause, startedAt: now, status: 'paging' } };
  state = record(state, now, SYSTEM, 'page-started', `paging on-call (${plan.name}): ${cause}`, { pageId, plan: plan.name, levels: plan.levels.map((l) => l.layer) });
  effects.push({ type: 'startPage', key: effectKey(state, 'page'), pageId, plan, cause: `${state.incidentId} ${state.title}: ${cause}` });
  return { state, effects };
}

/** Someone answered the page: it stops. */
export function acknowledgeIncidentPage(state: IncidentState, now: number, actor: string): IncidentDecision {
  const page = state.page;
  if (!page || page.status !== 'paging') return { state, effects: [] };
  state = record({ ...state, page: { ...page, status: 'acknowledged', acknowledgedBy: actor, acknowledgedAt: now } }, now, actor, 'page-acknowledged', `${actor} acknowledged the page`, { pageId: page.id });
  return { state, effects: [{ type: 'endPage', key: effectKey(state, 'page-ack'), pageId: page.id, outcome: 'acknowledged', actor }] };
}

/** Resolving the incident ends its page: the pager incidents resolve. */
export function endIncidentPage(state: IncidentState, now: number): IncidentDecision {
  const page = state.page;
  if (!page || page.status === 'ended') return { state, effects: [] };
  state = record({ ...state, page: { ...page, status: 'ended' } }, now, SYSTEM, 'page-ended', 'the page ended with the incident; pager incidents resolve', { pageId: page.id });
  return { state, effects: [{ type: 'endPage', key: effectKey(state, 'page-end'), pageId: page.id, outcome: 'resolved' }] };
}

/** What the page's child workflow reports. */
export function incidentPageProgress(state: IncidentState, event: Extract<SystemEvent, { type: 'pageProgress' }>, now: number): IncidentDecision {
  const page = state.page;
  // Paged, skipped, failed, or an earlier page: a timeline entry. The current page running out: below.
  const entry = pageProgressEntry(page?.id, event);
  if (entry || !page) return { state: record(state, now, SYSTEM, entry?.type ?? 'page-note', entry?.summary ?? '', { ...event }), effects: [] };
  if (page.status !== 'paging') return { state, effects: [] };
  state = record({ ...state, page: { ...page, status: 'exhausted' } }, now, SYSTEM, 'page-exhausted', 'nobody acknowledged the page', { pageId: page.id });
  return { state, effects: [{ type: 'notifyTeam', key: effectKey(state, 'page-exhausted'), event: 'page-exhausted', text: `Nobody acknowledged the page for ${state.incidentId} (${state.title}): every on-call level was tried` }] };
}
