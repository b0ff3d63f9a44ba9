/**
 * The incident reducer: `declareIncident` makes the first state, `decide(state, event, now)` every
 * next one, and `nextWake(state)` says when the durable shell must wake it if nothing else
 * happens (the commander's reminder, then the overdue update).
 */
import { formatDuration } from '../duration.js';
import type { Policy } from '../policy/schema.js';
import { cadenceToward, currentSeverity, fireCadence, nextCadenceWake, nextUpdateAt, severityOf, severityRank, updateEveryMs } from './cadence.js';
import { canApply, declarationProblem, type DeclareCommand, type IncidentCommand, type IncidentEvent } from './commands.js';
import { normaliseComponents } from './components.js';
import { acknowledgeIncidentPage, endIncidentPage, incidentPageProgress, startIncidentPage } from './paging.js';
import { renderStatusUpdate } from './render.js';
import { renderReport } from './report.js';
import { effectKey as key, record, rememberRequest, SYSTEM } from './timeline.js';
import type { IncidentDecision, IncidentEffect, IncidentState, IncidentStatus, IncidentUpdate, ResolutionReport } from './types.js';
import { serviceName, statusPagePaths } from './view.js';


/**
 * Declares an incident: the first update (investigating) is broadcast, a severity that pages at
 * once pages, and the tickets given are linked. The caller checks `declarationProblem` first (as
 * intake is validated before a ticket opens); a declaration it refuses throws here.
 */
export function declareIncident(incidentId: string, cmd: DeclareCommand, policy: Policy, now: number): IncidentDecision {
  const problem = declarationProblem(policy, cmd);
  if (problem) throw new Error(`cannot declare incident ${incidentId}: ${problem}`);
  const severity = severityOf(policy, cmd.severity)!;
  const commander = cmd.commander?.trim() || cmd.actor;
  let state: IncidentState = {
    incidentId, ...(cmd.requestId ? { openRequestId: cmd.requestId } : {}), policy, seq: 0,
    title: cmd.title.trim(), severity: severity.id, status: 'investigating',
    components: normaliseComponents(cmd.components ?? []), commander, declaredBy: cmd.actor, declaredAt: now,
    ...(cmd.proposalKey ? { proposalKey: cmd.proposalKey } : {}),
    impact: cmd.impact.trim(), linked: [], updates: [], pageCount: 0, requests: {}, requestOrder: [], timeline: [],
  };
  state = record(state, now, cmd.actor, 'declared', `declared ${severity.name}: ${state.title}`, {
    severity: severity.id, commander, components: state.components, ...(cmd.proposalKey ? { proposalKey: cmd.proposalKey } : {}),
  });
  const effects: IncidentEffect[] = [{
    type: 'notifyTeam', key: key(state, 'declared'), event: 'declared',
    text: `${severity.name} incident ${incidentId} declared by ${cmd.actor}: ${state.title}. Commander: ${commander}.`,
  }];
  const first = publish(state, { status: 'investigating', impact: state.impact, message: cmd.message?.trim() || `We are investigating: ${state.title}` }, cmd.actor, now, nextUpdateAt(severity, now, cmd.nextUpdateIn));
  state = first.state;
  effects.push(...first.effects);
  if (severity.pageAtOnce) {
    const paged = startIncidentPage(state, severity.pageAtOnce, now, `declared ${severity.name}`);
    state = paged.state;
    effects.push(...paged.effects);
  }
  for (const ticketId of new Set(cmd.tickets ?? [])) {
    const linked = linkTicket(state, ticketId, cmd.actor, false, now);
    state = linked.state;
    effects.push(...linked.effects);
  }
  return { state, effects };
}

/** Commands carry the person (or `tierline`) who gave them; system events do not. */
function isCommand(event: IncidentEvent): event is IncidentCommand {
  return 'actor' in event;
}

/**
 * The next state and effects after `event` at `now`. What fell due by `now` fires first (a
 * reminder, an overdue update), then the event applies, then what it moved into the past fires.
 * A command that canApply refuses, or one whose request id was seen before, changes nothing but
 * the passing of time.
 */
export function decide(state: IncidentState, event: IncidentEvent, now: number): IncidentDecision {
  const due = fireCadence(state, now);
  if (!applies(due.state, event)) return due;
  const applied = apply(due.state, event, now);
  const fired = fireCadence(applied.state, now);
  const out: IncidentDecision = { state: fired.state, effects: [...due.effects, ...applied.effects, ...fired.effects] };
  if (isCommand(event) && event.requestId !== undefined) out.state = rememberRequest(out.state, event.requestId);
  return out;
}

function applies(state: IncidentState, event: IncidentEvent): boolean {
  if (!isCommand(event)) return true;
  if (event.requestId !== undefined && state.requests[event.requestId]) return false;
  return canApply(state, event) === undefined;
}

function apply(state: IncidentState, event: IncidentEvent, now: number): IncidentDecision {
  switch (event.type) {
    case 'tick':
      return { state, effects: [] };
    case 'pageProgress':
      return incidentPageProgress(state, event, now);
    case 'notificationOutcome': {
      const summary = event.outcome === 'sent'
        ? `${event.channel} notification sent${event.attempts > 1 ? ` after ${event.attempts} attempts` : ''}`
        : `${event.channel} notification failed for good: ${event.detail ?? 'unknown error'}`;
      return { state: record(state, now, SYSTEM, `notification-${event.outcome}`, summary, { key: event.key, attempts: event.attempts }), effects: [] };
    }
    default:
      return command(state, event, now);
  }
}

function command(state: IncidentState, cmd: IncidentCommand, now: number): IncidentDecision {
  const effects: IncidentEffect[] = [];
  const take = (out: IncidentDecision) => {
    state = out.state;
    effects.push(...out.effects);
  };
  switch (cmd.type) {
    case 'postUpdate': {
      const from = state.status;
      const back = cmd.status === 'investigating' && from !== 'investigating';
      const n = state.updates.length + 1;
      state = record(state, now, cmd.actor, 'update', `update ${n}: ${cmd.status}${back ? ` again (${cmd.reason!.trim()})` : ''}`, {
        number: n, from, to: cmd.status, ...(back ? { reason: cmd.reason!.trim() } : {}),
      });
      take(publish(state, { status: cmd.status, impact: cmd.impact.trim(), message: cmd.message.trim() }, cmd.actor, now, nextUpdateAt(currentSeverity(state), now, cmd.nextUpdateIn)));
      break;
    }
    case 'setSeverity': {
      const before = currentSeverity(state);
      const after = severityOf(state.policy, cmd.severity)!;
      state = record({ ...state, severity: after.id }, now, cmd.actor, 'severity', `severity ${before.name} → ${after.name}${cmd.reason ? `: ${cmd.reason}` : ''}`, { from: before.id, to: after.id });
      // The public was promised the next update at a time: a faster cadence brings it closer, a
      // slower one never moves it away. The reminder and the grace follow the new severity.
      const cadence = state.cadence;
      if (cadence && !cadence.overdue) {
        const dueAt = Math.min(cadence.nextUpdateAt, now + updateEveryMs(after));
        const next = cadenceToward(after, now, dueAt);
        state = { ...state, cadence: dueAt === cadence.nextUpdateAt ? { ...next, reminded: cadence.reminded || next.reminded } : next };
      }
      effects.push({ type: 'notifyTeam', key: key(state, 'severity'), event: 'severity', text: `${state.incidentId} is now ${after.name} (was ${before.name})${cmd.reason ? `: ${cmd.reason}` : ''}` });
      const raised = severityRank(state.policy, after.id) < severityRank(state.policy, before.id);
      if (raised && after.pageAtOnce) take(startIncidentPage(state, after.pageAtOnce, now, `raised to ${after.name}`));
      break;
    }
    case 'setCommander': {
      const before = state.commander;
      state = record({ ...state, commander: cmd.commander.trim() }, now, cmd.actor, 'commander', `commander ${before} → ${cmd.commander.trim()}`, { from: before, to: cmd.commander.trim() });
      effects.push({ type: 'notifyTeam', key: key(state, 'commander'), event: 'commander', text: `${state.commander} is now the commander of ${state.incidentId} (was ${before})` });
      break;
    }
    case 'linkTicket':
      take(linkTicket(state, cmd.ticketId, cmd.actor, cmd.auto === true, now));
      break;
    case 'unlinkTicket':
      state = record({ ...state, linked: state.linked.filter((t) => t.ticketId !== cmd.ticketId) }, now, cmd.actor, 'ticket-unlinked', `${cmd.ticketId} unlinked${cmd.reason ? `: ${cmd.reason}` : ''}`, { ticketId: cmd.ticketId });
      effects.push({ type: 'unlinkTicket', key: key(state, 'unlink'), ticketId: cmd.ticketId, incidentId: state.incidentId });
      break;
    case 'resolve':
      take(resolve(state, cmd, now));
      break;
    case 'acknowledgePage':
      take(acknowledgeIncidentPage(state, now, cmd.actor));
      break;
  }
  return { state, effects };
}

function linkTicket(state: IncidentState, ticketId: string, actor: string, auto: boolean, now: number): IncidentDecision {
  if (state.linked.some((t) => t.ticketId === ticketId)) return { state, effects: [] };
  const pauseClocks = state.policy.incidents.linkedTicketClocks === 'pause';
  state = { ...state, linked: [...state.linked, { ticketId, linkedAt: now, linkedBy: actor, auto }] };
  state = record(state, now, actor, 'ticket-linked', `${ticketId} linked${auto ? ' on intake (matching components)' : ''}`, { ticketId, auto, pauseClocks });
  return {
    state,
    effects: [{
      type: 'linkTicket', key: key(state, 'link'), ticketId, incidentId: state.incidentId, title: state.title,
      statusPagePath: statusPagePaths(state.policy).incident(state.incidentId), pauseClocks,
    }],
  };
}

/**
 * Posts an update: it becomes the incident's status and impact, sets the cadence toward
 * `nextAt` (none for the final update), and goes to every broadcast channel once, keyed by the
 * update's event and the channel.
 */
function publish(state: IncidentState, fields: { status: IncidentStatus; impact: string; message: string }, author: string, now: number, nextAt: number | undefined): IncidentDecision {
  const update: IncidentUpdate = { number: state.updates.length + 1, seq: state.seq, at: now, author, ...fields, ...(nextAt !== undefined ? { nextUpdateAt: nextAt } : {}) };
  const { cadence: _previous, ...rest } = state;
  state = { ...rest, status: fields.status, impact: fields.impact, updates: [...state.updates, update], ...(nextAt !== undefined ? { cadence: cadenceToward(currentSeverity(state), now, nextAt) } : {}) };
  const { headline, text } = renderStatusUpdate({ service: serviceName(state.policy), title: state.title, ...fields, ...(nextAt !== undefined ? { nextUpdateAt: nextAt } : {}) });
  const tickets = state.linked.map((t) => t.ticketId);
  const effects: IncidentEffect[] = state.policy.incidents.broadcast.map((channel) => ({
    type: 'broadcastUpdate', key: key(state, `broadcast/${channel}`), incidentId: state.incidentId, channel, update: update.number, final: fields.status === 'resolved', headline, text, tickets,
  }));
  return { state, effects };
}

function resolve(state: IncidentState, cmd: Extract<IncidentCommand, { type: 'resolve' }>, now: number): IncidentDecision {
  const effects: IncidentEffect[] = [];
  const report: ResolutionReport = {
    summary: cmd.summary.trim(),
    ...(cmd.rootCause?.trim() ? { rootCause: cmd.rootCause.trim() } : {}),
    ...(cmd.resolution?.trim() ? { resolution: cmd.resolution.trim() } : {}),
    ...(cmd.prevention?.trim() ? { prevention: cmd.prevention.trim() } : {}),
  };
  state = record({ ...state, resolvedAt: now, report }, now, cmd.actor, 'resolved', `resolved after ${formatDuration(now - state.declaredAt)}: ${report.summary}`);
  const final = publish(state, { status: 'resolved', impact: cmd.impact?.trim() || state.impact, message: report.summary }, cmd.actor, now, undefined);
  state = final.state;
  effects.push(...final.effects);
  const ended = endIncidentPage(state, now);
  state = ended.state;
  effects.push(...ended.effects);
  const tickets = state.linked.map((t) => t.ticketId);
  if (tickets.length) {
    const type = state.policy.incidents.onResolve === 'resolve-linked' ? 'resolveLinkedTickets' : 'notifyLinkedTickets';
    state = record(state, now, SYSTEM, type === 'resolveLinkedTickets' ? 'tickets-resolved' : 'tickets-notified',
      `${tickets.length} linked ticket${tickets.length === 1 ? '' : 's'} ${type === 'resolveLinkedTickets' ? 'resolved' : 'told'}`, { tickets });
    effects.push({ type, key: key(state, 'linked-tickets'), incidentId: state.incidentId, tickets, summary: report.summary, commander: state.commander });
  }
  effects.push({ type: 'notifyTeam', key: key(state, 'resolved'), event: 'resolved', text: `${state.incidentId} resolved by ${cmd.actor}: ${report.summary}` });
  state = record(state, now, SYSTEM, 'report-written', 'incident report written from the timeline');
  effects.push({ type: 'writeReport', key: key(state, 'report'), incidentId: state.incidentId, markdown: renderReport(state) });
  return { state, effects };
}

/** When the shell must wake the incident if no message comes: the reminder, then the overdue update. */
export function nextWake(state: IncidentState): number | undefined {
  return nextCadenceWake(state);
}
