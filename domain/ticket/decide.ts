/**
 * The ticket reducer: `openTicket` makes the first state, `decide(state, event, now)` every next
 * one, and `nextWake(state)` says when the durable shell must wake it if nothing else happens.
 */
import { formatDuration, parseDuration } from '../duration.js';
import { matches, priorityOf } from '../policy/match.js';
import { fixedFactsOfIntake, policyForTicket } from '../policy/for-ticket.js';
import type { Metric, Policy } from '../policy/schema.js';
import { meetClock, rerunClock, stopClock } from '../sla/clock.js';
import { canApply, type Command, type TicketEvent } from './commands.js';
import type { Intake } from './intake.js';
import { activeClock, applyAlarm, earliestAlarm, factsOf, reconcileClocks, retargetAll, startMetric, updateClocks } from './ticket-clocks.js';
import { incidentLinked, incidentResolved, incidentUnlinked, incidentUpdate } from './incident.js';
import { acknowledgePage, endPage, enterTier, escalateOnAlarm, fireEscalationDeadlines, nextEscalationWake, pageProgress, startPageIfDue, targetTier } from './escalation.js';
import { effectKey as key, record, rememberRequest, SYSTEM } from './timeline.js';
import { articlesSuggested, leaveSelfService, nextSelfServiceWake, selfServiceOf, selfServiceTimeout, startSelfService } from './self-service.js';
import { endVendor, escalateToVendor, nextVendorWake, recordVendorReply, vendorFollowUps } from './vendor.js';
import { engineeringIssueClosed, engineeringIssueOpened, engineeringRequestEnded, linkEngineeringIssue, openEngineeringIssue } from './engineering.js';
import { isOpenStatus, type Decision, type Effect, type TicketState, type TicketStatus } from './types.js';

const MAX_MESSAGE_IDS = 20;

function setStatus(state: TicketState, status: TicketStatus): TicketState {
  return state.status === status ? state : { ...state, status };
}

/** Where an open ticket that is no longer pending stands: waiting for triage, for a first response, or in progress. */
function workingStatus(state: TicketState): TicketStatus {
  if (state.firstResponseAt !== undefined) return 'in_progress';
  return state.triaged ? 'awaiting_first_response' : 'new';
}

function meet(state: TicketState, metric: Metric, now: number): TicketState {
  return updateClocks(state, (c) => c.metric === metric && (c.status === 'running' || c.status === 'paused'), (c, cal) => meetClock(c, cal, now));
}

/** Opens a ticket: triage by intake and rules, the first clocks, the auto-reply. */
export function openTicket(ticketId: string, intake: Intake, whole: Policy, now: number, openRequestId?: string): Decision {
  // The ticket keeps only what can apply to it (the client sends no more than that either).
  const policy = policyForTicket(whole, fixedFactsOfIntake(whole, intake));
  const given = intake.priority !== undefined && priorityOf(policy, intake.priority) ? intake.priority : undefined;
  let state: TicketState = {
    ticketId, ...(openRequestId ? { openRequestId } : {}), policy, intake, seq: 0, status: 'new', triaged: false,
    priority: given ?? policy.defaultPriority,
    ...(intake.category !== undefined ? { category: intake.category } : {}),
    tags: [...intake.tags], tier: policy.tiers[0]!.id, receivedAt: now,
    clocks: [], clockCounts: {}, followUp: {}, reopenCount: 0,
    customerMessageIds: intake.messageId ? [intake.messageId] : [],
    requests: {}, requestOrder: [], timeline: [],
  };
  state = record(state, now, intake.requester.email ?? intake.requester.handle ?? 'customer', 'opened', `opened on ${intake.channel}: ${intake.subject}`, {
    channel: intake.channel,
    ...(intake.externalId ? { externalId: intake.externalId } : {}),
    ...(intake.attachments.length ? { attachments: intake.attachments.length } : {}),
  });
  if (intake.priority !== undefined && !given) {
    state = record(state, now, SYSTEM, 'note', `unknown priority '${intake.priority}' given at intake; using ${policy.defaultPriority}`);
  }

  let ruled = false;
  for (const rule of policy.triage.rules) {
    if (!matches(policy, rule.when, factsOf(state))) continue;
    const { priority, category, tier, tags, assignee } = rule.set;
    if (assignee && state.assignee === undefined) {
      const who = assignee === 'account-engineer' ? (intake.account !== undefined ? policy.accounts[intake.account]?.engineer : undefined) : assignee;
      if (who) state = record({ ...state, assignee: who }, now, SYSTEM, 'assigned', `assigned to ${who}${assignee === 'account-engineer' ? ` (account engineer of ${intake.account})` : ''}`);
    }
    if (priority && !given && !ruled) state = { ...state, priority };
    if (category && state.category === undefined) state = { ...state, category };
    if (tier) state = { ...state, tier };
    if (tags) state = { ...state, tags: [...new Set([...state.tags, ...tags])] };
    ruled ||= priority !== undefined;
  }
  const triaged = given !== undefined || ruled || !policy.triage.manual;
  if (triaged) {
    state = record({ ...state, triaged: true }, now, SYSTEM, 'triaged', `triaged as ${state.priority}${state.category ? ` · ${state.category}` : ''}`, {
      priority: state.priority,
      by: given ? 'intake' : ruled ? 'rule' : 'default',
    });
    state = setStatus(state, 'awaiting_first_response');
  } else {
    state = startMetric(state, 'triage', now);
  }
  for (const metric of ['firstResponse', 'resolution', 'periodicUpdate'] as const) state = startMetric(state, metric, now);

  const due = activeClock(state, 'firstResponse');
  const selfService = selfServiceOf(state);
  state = startSelfService(state, now);
  const effects: Effect[] = [
    selfService
      ? { type: 'notifyCustomer', key: key(state, 'auto-reply'), template: 'self-service', suggest: selfService.articles }
      : { type: 'notifyCustomer', key: key(state, 'auto-reply'), template: 'auto-reply' },
    { type: 'notifyTeam', key: key(state, 'opened'), event: 'opened', text: `New ${state.priority} ticket: ${intake.subject}` },
  ];
  state = record(state, now, SYSTEM, 'auto-reply', 'automatic acknowledgement sent to the requester (not a response)', {
    ...(due?.targetMs ? { firstResponseTarget: formatDuration(due.targetMs) } : {}),
  });
  // Rules on intake (a P0, a security issue) can put a ticket straight into a paged tier.
  const paged = startPageIfDue({ ...state, tierEnteredAt: now }, now, `opened as ${state.priority} in ${state.tier}`);
  return { state: paged.state, effects: [...effects, ...paged.effects] };
}

/** Commands carry the person (or `tierline`) who gave them; system events do not. */
function isCommand(event: TicketEvent): event is Command {
  return 'actor' in event;
}

/**
 * The next state and effects after `event` at `now`. What fell due by `now` happens first, so a
 * reply that arrives after a deadline (in the same workflow task as the timer, say) still finds
 * the clock breached at its due instant; then the event applies, and what it moved into the past
 * (a raised priority) fires at once. After any decision nextWake lies in the future.
 *
 * A command that canApply refuses, or one whose request id was seen before, changes nothing but
 * the passing of time.
 */
export function decide(state: TicketState, event: TicketEvent, now: number): Decision {
  if (state.status === 'closed') return { state, effects: [] };
  const due = tick(state, now);
  if (due.state.status === 'closed' || !applies(due.state, event)) return due;
  const applied = apply(due.state, event, now);
  const fired = tick(applied.state, now);
  const out: Decision = { state: fired.state, effects: [...due.effects, ...applied.effects, ...fired.effects] };
  if (isCommand(event) && event.requestId !== undefined) out.state = rememberRequest(out.state, event.requestId);
  return out;
}

/** Whether the event still has something to do: not a repeated request, not a refused command. */
function applies(state: TicketState, event: TicketEvent): boolean {
  if (!isCommand(event)) return true;
  if (event.requestId !== undefined && state.requests[event.requestId]) return false;
  return canApply(state, event) === undefined;
}

function apply(state: TicketState, event: TicketEvent, now: number): Decision {
  switch (event.type) {
    case 'tick':
      // decide fires whatever is due, before and after every event.
      return { state, effects: [] };
    case 'customerMessage':
      return customerMessage(state, event, now);
    case 'pageProgress':
      return pageProgress(state, event, now);
    case 'articlesSuggested':
      return articlesSuggested(state, event, now);
    case 'incidentLinked':
      return incidentLinked(state, event, now);
    case 'incidentUnlinked':
      return incidentUnlinked(state, event, now);
    case 'incidentUpdate':
      return incidentUpdate(state, event, now);
    case 'commandRefused':
      return { state: record(state, now, event.actor, 'refused', `${event.command} refused: ${event.reason}`, { command: event.command, reason: event.reason }), effects: [] };
    case 'incidentResolved': {
      const told = incidentResolved(state, event, now);
      if (told.state === state || !event.resolveTicket || !isOpenStatus(told.state.status)) return told;
      // Policy `onResolve: resolve-linked`: the ticket resolves as if its engineer did, with its own follow-up and survey.
      const resolved = command(told.state, { type: 'resolve', actor: event.commander ?? SYSTEM, resolution: event.summary }, now);
      return { state: resolved.state, effects: [...told.effects, ...resolved.effects] };
    }
    case 'teamCardPosted':
      return { state: { ...state, teamCard: { channel: event.channel, ts: event.ts } }, effects: [] };
    case 'engineeringIssueOpened':
      return engineeringIssueOpened(state, event, now);
    case 'engineeringIssueClosed':
      return engineeringIssueClosed(state, event, now);
    case 'notificationOutcome': {
      // The asked-for engineering issue went to the outbox or failed: the request ends.
      if (state.engineeringIssueRequest?.key === event.key && (event.outcome === 'failed' || event.channel === 'outbox')) return engineeringRequestEnded(state, event, now);
      const summary = event.outcome === 'sent'
        ? `${event.channel} notification sent${event.attempts > 1 ? ` after ${event.attempts} attempts` : ''}`
        : `${event.channel} notification failed for good: ${event.detail ?? 'unknown error'}`;
      return { state: record(state, now, SYSTEM, `notification-${event.outcome}`, summary, { key: event.key, attempts: event.attempts }), effects: [] };
    }
    default:
      return command(state, event, now);
  }
}

function command(state: TicketState, cmd: Command, now: number): Decision {
  const effects: Effect[] = [];
  const card = () => effects.push({ type: 'refreshTeamCard', key: key(state, 'card') });
  const thread = (text: string) => effects.push({ type: 'notifyTeam', key: key(state, `thread-${cmd.type}`), event: 'activity', text });
  const ended = () => {
    const out = endPage(endVendor(state, now), now);
    state = out.state;
    effects.push(...out.effects);
  };
  switch (cmd.type) {
    case 'acknowledge': {
      state = record(state, now, cmd.actor, 'acknowledged', `acknowledged by ${cmd.actor}`);
      state = { ...state, acknowledgedAt: state.acknowledgedAt ?? now, assignee: state.assignee ?? cmd.actor };
      // The answer to a page: it stops the page and the ticket is theirs.
      const ack = acknowledgePage(state, now, cmd.actor);
      state = ack.state;
      effects.push(...ack.effects);
      state = triage(state, now);
      if (state.policy.firstResponse.satisfiedBy === 'acknowledgement') state = firstResponse(state, now);
      thread(`${cmd.actor} acknowledged the ticket`);
      card();
      break;
    }
    case 'respond': {
      state = record(state, now, cmd.actor, 'responded', 'public reply to the requester', { body: cmd.body });
      state = triage(state, now);
      state = firstResponse(state, now);
      state = meet(state, 'nextResponse', now);
      state = restartPeriodicUpdate(state, now);
      effects.push({ type: 'notifyCustomer', key: key(state, 'reply'), template: 'public-reply', body: cmd.body, author: cmd.actor });
      thread(`${cmd.actor} replied to the requester: ${excerpt(cmd.body)}`);
      card();
      break;
    }
    case 'note':
      state = record(state, now, cmd.actor, 'note', 'internal note', { body: cmd.body });
      thread(`Internal note from ${cmd.actor}: ${excerpt(cmd.body)}`);
      break;
    case 'setPriority': {
      const before = dueSummary(state);
      // A deadline moved into the past fires at once: decide ticks after the command.
      state = retargetAll({ ...state, priority: cmd.priority }, now);
      state = record(state, now, cmd.actor, 'priority', `priority set to ${cmd.priority}${cmd.reason ? `: ${cmd.reason}` : ''}`, { before, after: dueSummary(state) });
      state = triage(state, now);
      thread(`${cmd.actor} set the priority to ${cmd.priority}${cmd.reason ? `: ${cmd.reason}` : ''}`);
      card();
      const paged = startPageIfDue(state, now, `priority raised to ${cmd.priority}`);
      state = paged.state;
      effects.push(...paged.effects);
      break;
    }
    case 'assign':
      state = record({ ...state, assignee: cmd.assignee }, now, cmd.actor, 'assigned', `assigned to ${cmd.assignee}`);
      thread(`${cmd.actor} assigned the ticket to ${cmd.assignee}`);
      card();
      break;
    case 'setPending': {
      if (cmd.reason === 'none') {
        state = reconcileClocks({ ...state, pending: undefined }, now);
        state = setStatus(state, workingStatus(state));
        state = record(state, now, cmd.actor, 'resumed', `no longer pending${cmd.note ? `: ${cmd.note}` : ''}`);
      } else {
        state = reconcileClocks({ ...state, pending: { reason: cmd.reason, since: now } }, now);
        state = setStatus(state, cmd.reason === 'customer' ? 'pending_customer' : 'pending_vendor');
        state = record(state, now, cmd.actor, 'pending', `pending on the ${cmd.reason}${cmd.note ? `: ${cmd.note}` : ''}`, {
          paused: state.clocks.filter((c) => c.status === 'paused').map((c) => c.id),
        });
      }
      thread(cmd.reason === 'none' ? `${cmd.actor}: no longer pending` : `${cmd.actor}: pending on the ${cmd.reason}${cmd.note ? ` (${excerpt(cmd.note)})` : ''}`);
      card();
      break;
    }
    case 'resolve': {
      state = record(state, now, cmd.actor, 'resolved', `resolved: ${cmd.resolution}`);
      state = { ...state, resolution: cmd.resolution, resolvedAt: now, pending: undefined };
      // The resolution notice is a human's public message: it answers whatever was waiting.
      state = firstResponse(state, now);
      for (const metric of ['triage', 'nextResponse', 'resolution'] as const) state = meet(state, metric, now);
      state = updateClocks(state, (c) => c.status === 'running' || c.status === 'paused', (c, cal) => stopClock(c, cal, now));
      state = setStatus(state, 'resolved');
      state = scheduleFollowUp(state, now);
      effects.push({ type: 'notifyCustomer', key: key(state, 'resolution'), template: 'resolution', body: cmd.resolution, author: cmd.actor });
      thread(`${cmd.actor} resolved the ticket: ${excerpt(cmd.resolution)}`);
      card();
      ended();
      break;
    }
    case 'reopen':
      state = reopen(state, now, cmd.actor, cmd.reason ?? 'reopened by an engineer');
      thread(`${cmd.actor} reopened the ticket${cmd.reason ? `: ${cmd.reason}` : ''}`);
      card();
      break;
    case 'close':
      state = close(state, now, cmd.actor, cmd.reason ?? 'closed');
      thread(`${cmd.actor} closed the ticket${cmd.reason ? `: ${cmd.reason}` : ''}`);
      card();
      ended();
      break;
    case 'markDuplicate':
      state = { ...state, duplicateOf: cmd.of };
      state = close(state, now, cmd.actor, `duplicate of ${cmd.of}`);
      effects.push({ type: 'notifyCustomer', key: key(state, 'duplicate'), template: 'duplicate', body: cmd.of, author: cmd.actor });
      card();
      ended();
      break;
    case 'recordCsat':
      state = { ...state, csat: { ...state.csat, ...(cmd.score !== undefined ? { score: cmd.score } : {}), ...(cmd.effort !== undefined ? { effort: cmd.effort } : {}), ...(cmd.comment ? { comment: cmd.comment } : {}), at: now } };
      state = record(state, now, cmd.actor, 'csat', [cmd.score !== undefined ? `satisfaction ${cmd.score}/5` : '', cmd.effort !== undefined ? `effort ${cmd.effort}/7` : ''].filter(Boolean).join(', '));
      break;
    case 'migratePolicy': {
      const before = dueSummary(state);
      const from = `${state.policy.id}@${state.policy.version}`;
      state = retargetAll({ ...state, policy: policyForTicket(cmd.policy, factsOf(state)) }, now, state.policy);
      state = record(state, now, cmd.actor, 'policy-migrated', `policy ${from} → ${cmd.policy.id}@${cmd.policy.version}`, { before, after: dueSummary(state) });
      card();
      break;
    }
    case 'escalateToVendor': {
      const sent = escalateToVendor(state, cmd, now);
      state = sent.state;
      effects.push(...sent.effects);
      const tier = state.policy.escalation.vendor.tier;
      if (tier && tier !== state.tier) {
        const moved = enterTier(state, tier, now, cmd.actor, `escalated to the vendor ${cmd.vendor}`);
        state = moved.state;
        effects.push(...moved.effects);
      }
      // The ticket now waits on the vendor: the clocks the policy names for vendor waits stop.
      if (state.pending?.reason !== 'vendor') {
        const pending = command(state, { type: 'setPending', reason: 'vendor', actor: cmd.actor, note: `with ${cmd.vendor}` }, now);
        state = pending.state;
        effects.push(...pending.effects);
      }
      break;
    }
    case 'markDeflected': {
      const resolved = command({ ...state, deflected: true }, { type: 'resolve', actor: cmd.actor, resolution: 'Solved by the suggested knowledge-base articles' }, now);
      const { selfService: _done, ...rest } = resolved.state;
      state = record(rest, now, cmd.actor, 'deflected', 'the requester says the suggested articles solved it');
      effects.push(...resolved.effects);
      break;
    }
    case 'recordVendorReply': {
      const replied = recordVendorReply(state, cmd, now);
      state = replied.state;
      thread(`${cmd.actor}: ${state.vendor!.id} answered${cmd.reference ? ` (reference ${cmd.reference})` : ''}${cmd.note ? `: ${excerpt(cmd.note)}` : ''}`);
      break;
    }
    case 'openEngineeringIssue':
    case 'linkEngineeringIssue': {
      const out = cmd.type === 'openEngineeringIssue' ? openEngineeringIssue(state, cmd, now) : linkEngineeringIssue(state, cmd, now);
      state = out.state;
      effects.push(...out.effects);
      break;
    }
    case 'escalate':
    case 'deescalate': {
      const moved = enterTier(state, targetTier(state, cmd.to, cmd.type === 'escalate' ? 'up' : 'down')!, now, cmd.actor, cmd.reason);
      state = moved.state;
      effects.push(...moved.effects);
      break;
    }
  }
  return { state, effects };
}

/** The start of a long text, for a thread message. */
function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function dueSummary(state: TicketState): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const c of state.clocks) if (c.status === 'running' || c.status === 'paused') out[c.id] = c.dueAt === null ? null : new Date(c.dueAt).toISOString();
  return out;
}

function triage(state: TicketState, now: number): TicketState {
  if (state.triaged) return state;
  state = meet({ ...state, triaged: true }, 'triage', now);
  state = record(state, now, SYSTEM, 'triaged', `triaged as ${state.priority}`, { priority: state.priority, by: 'engineer' });
  // A ticket pending on the customer stays pending: triage does not answer what it waits for.
  return state.status === 'new' ? setStatus(state, 'awaiting_first_response') : state;
}

function firstResponse(state: TicketState, now: number): TicketState {
  if (state.firstResponseAt !== undefined) return state;
  state = meet({ ...state, firstResponseAt: now }, 'firstResponse', now);
  return state.status === 'awaiting_first_response' ? setStatus(state, 'in_progress') : state;
}

function restartPeriodicUpdate(state: TicketState, now: number): TicketState {
  if (!activeClock(state, 'periodicUpdate')) return state;
  return startMetric(meet(state, 'periodicUpdate', now), 'periodicUpdate', now);
}

function scheduleFollowUp(state: TicketState, now: number): TicketState {
  const { after, reopenWindow, closeAfter } = state.policy.followUp;
  const afterMs = after ? parseDuration(after)! : undefined;
  return {
    ...state,
    followUp: {
      ...(afterMs !== undefined ? { dueAt: now + afterMs } : {}),
      reopenUntil: now + parseDuration(reopenWindow)!,
      closeAt: now + Math.max(parseDuration(closeAfter)!, afterMs ?? 0),
    },
  };
}

function reopen(state: TicketState, now: number, actor: string, reason: string): TicketState {
  state = { ...state, reopenCount: state.reopenCount + 1, followUp: {}, resolution: undefined, resolvedAt: undefined };
  state = record(state, now, actor, 'reopened', reason);
  // The resolution clock keeps the time it had counted: the customer waited all along.
  const last = [...state.clocks].reverse().find((c) => c.metric === 'resolution');
  if (last) state = updateClocks(state, (c) => c === last, (c, cal) => rerunClock(c, cal, now));
  else state = startMetric(state, 'resolution', now);
  state = startMetric(state, 'nextResponse', now);
  state = startMetric(state, 'periodicUpdate', now);
  // An open incident that holds the clocks holds the rerun resolution clock too.
  state = reconcileClocks(state, now);
  return setStatus(state, 'in_progress');
}

function close(state: TicketState, now: number, actor: string, reason: string): TicketState {
  state = updateClocks(state, (c) => c.status === 'running' || c.status === 'paused', (c, cal) => stopClock(c, cal, now));
  state = record({ ...state, closedAt: now, pending: undefined }, now, actor, 'closed', reason);
  return setStatus(state, 'closed');
}

function customerMessage(state: TicketState, event: Extract<TicketEvent, { type: 'customerMessage' }>, now: number): Decision {
  const effects: Effect[] = [];
  if (event.automatic) {
    // Auto-replies and bounces never reopen or restart anything: no mail loop is possible. Their
    // ids stay out of the reply threading; a second delivery is found by its timeline entry.
    if (event.messageId && state.timeline.some((e) => e.type === 'automatic-message' && e.data?.['messageId'] === event.messageId)) return { state, effects };
    return { state: record(state, now, event.from ?? 'customer', 'automatic-message', 'automatic message ignored', event.messageId ? { messageId: event.messageId } : undefined), effects };
  }
  const ids = event.messageId ? [...state.customerMessageIds, event.messageId].slice(-MAX_MESSAGE_IDS) : state.customerMessageIds;
  state = record({ ...state, customerMessageIds: ids }, now, event.from ?? 'customer', 'customer-message', 'message from the requester', { body: event.body });
  if (state.selfService) {
    // The articles did not do it: a person takes over.
    const left = leaveSelfService(state, now, 'the requester replied: the articles did not solve it');
    state = left.state;
    effects.push(...left.effects);
  }
  if (state.status === 'resolved') {
    // Half-open, like business hours: when the window is as long as closeAfter, the ticket
    // closes at the instant the window ends, and a reply then finds it closed.
    if (state.followUp.reopenUntil !== undefined && now < state.followUp.reopenUntil) {
      state = reopen(state, now, SYSTEM, 'the requester replied within the reopen window');
      effects.push({ type: 'notifyTeam', key: key(state, 'reopened'), event: 'reopened', text: `Reopened by a customer reply: ${state.intake.subject}` });
      effects.push({ type: 'refreshTeamCard', key: key(state, 'card') });
    }
    return { state, effects };
  }
  if (state.pending?.reason === 'customer') {
    state = reconcileClocks({ ...state, pending: undefined }, now);
    state = setStatus(state, workingStatus(state));
    state = record(state, now, SYSTEM, 'resumed', 'the requester answered: clocks resume');
    effects.push({ type: 'refreshTeamCard', key: key(state, 'card') });
  }
  // Next response counts from the oldest unanswered message, so a second message keeps the deadline.
  if (state.firstResponseAt !== undefined) state = startMetric(state, 'nextResponse', now);
  effects.push({ type: 'notifyTeam', key: key(state, 'customer-message'), event: 'customer-message', text: event.body.slice(0, 500) });
  return { state, effects };
}

/** Fires every alarm and timer due at `now`, in time order. */
function tick(state: TicketState, now: number): Decision {
  const effects: Effect[] = [];
  for (let alarm = earliestAlarm(state); alarm && alarm.at <= now; alarm = earliestAlarm(state)) {
    state = applyAlarm(state, alarm, now);
    const clock = state.clocks.find((c) => c.id === alarm!.clockId)!;
    const at = alarm.at;
    if (alarm.kind === 'warning') {
      const pct = Math.round(alarm.fraction * 100);
      state = record(state, now, SYSTEM, 'sla-warning', `${clock.id} at ${pct}% of ${formatDuration(clock.targetMs!)}`, { clock: clock.id, fraction: alarm.fraction, at });
      effects.push({ type: 'notifyTeam', key: key(state, 'sla-warning'), event: 'sla-warning', text: `${clock.id} ${pct}% used, due ${new Date(clock.dueAt!).toISOString()}` });
      const escalated = escalateOnAlarm(state, 'warning', clock.metric, now);
      state = escalated.state;
      effects.push(...escalated.effects);
    } else if (alarm.kind === 'breach') {
      state = record(state, now, SYSTEM, 'sla-breach', `${clock.id} breached its ${formatDuration(clock.targetMs!)} target`, { clock: clock.id, breachedAt: at, observedAt: now });
      effects.push({ type: 'notifyTeam', key: key(state, 'sla-breach'), event: 'sla-breach', text: `${clock.id} breached (target ${formatDuration(clock.targetMs!)})` });
      effects.push({ type: 'refreshTeamCard', key: key(state, 'card'), alarm: true });
      const escalated = escalateOnAlarm(state, 'breach', clock.metric, now);
      state = escalated.state;
      effects.push(...escalated.effects);
    } else {
      state = record(state, now, SYSTEM, 'sla-breach-repeat', `${clock.id} still breached (notice ${alarm.count + 1})`, { clock: clock.id, at });
      effects.push({ type: 'notifyTeam', key: key(state, 'sla-breach-repeat'), event: 'sla-breach-repeat', text: `${clock.id} still breached` });
    }
  }
  const escalations = fireEscalationDeadlines(state, now);
  state = escalations.state;
  effects.push(...escalations.effects);
  const vendor = vendorFollowUps(state, now);
  state = vendor.state;
  effects.push(...vendor.effects);
  const selfServiceOver = selfServiceTimeout(state, now);
  state = selfServiceOver.state;
  effects.push(...selfServiceOver.effects);
  const { dueAt, sentAt, closeAt } = state.followUp;
  if (state.status === 'resolved' && dueAt !== undefined && sentAt === undefined && dueAt <= now) {
    state = record({ ...state, followUp: { ...state.followUp, sentAt: now } }, now, SYSTEM, 'follow-up', 'follow-up and satisfaction request sent');
    effects.push({ type: 'notifyCustomer', key: key(state, 'follow-up'), template: 'follow-up' });
  }
  if (state.status === 'resolved' && closeAt !== undefined && closeAt <= now) {
    state = close(state, now, SYSTEM, 'closed automatically after the follow-up window');
    effects.push({ type: 'refreshTeamCard', key: key(state, 'card') });
  }
  return { state, effects };
}

/** When the shell must wake the ticket if no message comes: the next alarm or follow-up timer. */
export function nextWake(state: TicketState): number | undefined {
  if (state.status === 'closed') return undefined;
  const candidates: number[] = [];
  const alarm = earliestAlarm(state);
  if (alarm) candidates.push(alarm.at);
  const escalation = nextEscalationWake(state);
  if (escalation !== undefined) candidates.push(escalation);
  const vendor = state.status === 'resolved' ? undefined : nextVendorWake(state);
  if (vendor !== undefined) candidates.push(vendor);
  const selfService = nextSelfServiceWake(state);
  if (selfService !== undefined) candidates.push(selfService);
  if (state.status === 'resolved') {
    const { dueAt, sentAt, closeAt } = state.followUp;
    if (dueAt !== undefined && sentAt === undefined) candidates.push(dueAt);
    if (closeAt !== undefined) candidates.push(closeAt);
  }
  return candidates.length ? Math.min(...candidates) : undefined;
}

