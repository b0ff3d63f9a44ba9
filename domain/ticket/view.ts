/**
 * What `getTicket`, the API and the CLI show: the ticket with every SLA clock evaluated at `now`.
 */
import { formatDuration } from '../duration.js';
import { priorityOf } from '../policy/match.js';
import { elapsedMs } from '../sla/clock.js';
import type { Metric } from '../policy/schema.js';
import { calendarOf, incidentHolds, nextDue } from './ticket-clocks.js';
import type { Intake } from './intake.js';
import type { EngineeringIssue, TicketState, TicketStatus, TimelineEntry } from './types.js';

export interface SlaClockView {
  id: string;
  metric: Metric;
  status: 'running' | 'paused' | 'met' | 'stopped';
  target: string | null;
  targetMs: number | null;
  calendar: string;
  rule: string;
  startedAt: string;
  dueAt: string | null;
  elapsedMs: number;
  remainingMs: number | null;
  paused: boolean;
  pausedBy?: string;
  breached: boolean;
  breachedAt?: string;
  metAt?: string;
}

export interface TicketView {
  id: string;
  subject: string;
  status: TicketStatus;
  priority: string;
  priorityName: string;
  tier: string;
  channel: string;
  category?: string;
  tags: string[];
  requester: { email?: string; name?: string; handle?: string };
  assignee?: string;
  policy: string;
  openedAt: string;
  acknowledgedAt?: string;
  firstResponseAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  resolution?: string;
  duplicateOf?: string;
  pending?: { reason: string; since: string };
  slaBreached: boolean;
  slaDueAt?: string;
  followUp: { dueAt?: string; sentAt?: string; closeAt?: string; reopenUntil?: string };
  csat?: { score?: number; effort?: number; comment?: string };
  /** Resolved by the requester through the self-service articles. */
  deflected?: boolean;
  /** The latest on-call page. */
  page?: { id: string; plan: string; status: string; startedAt: string; acknowledgedBy?: string };
  /** The incident the ticket belongs to; `clocksPaused` while it holds the customer-facing clocks. */
  incident?: { id: string; title: string; statusPageUrl?: string; linkedAt: string; resolvedAt?: string; clocksPaused: boolean };
  /** The vendor escalation (tier 4). */
  vendor?: { id: string; since: string; reference?: string; followUpAt?: string; followUps: number };
  /** The engineering issue that fixes the ticket's cause (FM-08), opened by tierline or linked. */
  engineeringIssue?: {
    url: string;
    repo?: string;
    number?: number;
    state: 'open' | 'closed';
    created: boolean;
    linkedBy: string;
    linkedAt: string;
    closedAt?: string;
    closedBy?: string;
    reason?: string;
  };
  /** An engineering issue asked for and not opened yet. */
  engineeringIssueRequest?: { by: string; at: string; repo?: string };
  clocks: SlaClockView[];
  timeline: (Omit<TimelineEntry, 'at'> & { at: string })[];
  asOf: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const opt = <K extends string>(k: K, ms: number | undefined) => (ms === undefined ? {} : ({ [k]: iso(ms) } as Record<K, string>));

export function isBreached(state: TicketState): boolean {
  return state.clocks.some((c) => c.breachedAt !== undefined);
}

export function viewTicket(state: TicketState, now: number): TicketView {
  const due = nextDue(state);
  return {
    id: state.ticketId,
    subject: state.intake.subject,
    status: state.status,
    priority: state.priority,
    priorityName: priorityOf(state.policy, state.priority)?.name ?? state.priority,
    tier: state.tier,
    channel: state.intake.channel,
    ...(state.category !== undefined ? { category: state.category } : {}),
    tags: state.tags,
    requester: state.intake.requester,
    ...(state.assignee !== undefined ? { assignee: state.assignee } : {}),
    policy: `${state.policy.id}@${state.policy.version}`,
    openedAt: iso(state.receivedAt),
    ...opt('acknowledgedAt', state.acknowledgedAt),
    ...opt('firstResponseAt', state.firstResponseAt),
    ...opt('resolvedAt', state.resolvedAt),
    ...opt('closedAt', state.closedAt),
    ...(state.resolution !== undefined ? { resolution: state.resolution } : {}),
    ...(state.duplicateOf !== undefined ? { duplicateOf: state.duplicateOf } : {}),
    ...(state.pending ? { pending: { reason: state.pending.reason, since: iso(state.pending.since) } } : {}),
    slaBreached: isBreached(state),
    ...opt('slaDueAt', due?.dueAt),
    followUp: {
      ...opt('dueAt', state.followUp.dueAt),
      ...opt('sentAt', state.followUp.sentAt),
      ...opt('closeAt', state.followUp.closeAt),
      ...opt('reopenUntil', state.followUp.reopenUntil),
    },
    ...(state.deflected ? { deflected: true } : {}),
    ...(state.page
      ? { page: { id: state.page.id, plan: state.page.plan, status: state.page.status, startedAt: iso(state.page.startedAt), ...(state.page.acknowledgedBy ? { acknowledgedBy: state.page.acknowledgedBy } : {}) } }
      : {}),
    ...(state.incident
      ? {
          incident: {
            id: state.incident.id,
            title: state.incident.title,
            ...(state.incident.statusPageUrl ? { statusPageUrl: state.incident.statusPageUrl } : {}),
            linkedAt: iso(state.incident.linkedAt),
            ...opt('resolvedAt', state.incident.resolvedAt),
            clocksPaused: incidentHolds(state),
          },
        }
      : {}),
    ...(state.vendor
      ? {
          vendor: {
            id: state.vendor.id,
            since: iso(state.vendor.since),
            followUps: state.vendor.followUps,
            ...(state.vendor.reference ? { reference: state.vendor.reference } : {}),
            ...opt('followUpAt', state.vendor.followUpAt),
          },
        }
      : {}),
    ...(state.engineeringIssue ? { engineeringIssue: engineeringIssueView(state.engineeringIssue) } : {}),
    ...(state.engineeringIssueRequest
      ? { engineeringIssueRequest: { by: state.engineeringIssueRequest.by, at: iso(state.engineeringIssueRequest.at), ...(state.engineeringIssueRequest.repo ? { repo: state.engineeringIssueRequest.repo } : {}) } }
      : {}),
    ...(state.csat ? { csat: { ...(state.csat.score !== undefined ? { score: state.csat.score } : {}), ...(state.csat.effort !== undefined ? { effort: state.csat.effort } : {}), ...(state.csat.comment ? { comment: state.csat.comment } : {}) } } : {}),
    clocks: state.clocks.map((clock) => {
      const elapsed = elapsedMs(clock, calendarOf(state, clock), now);
      return {
        id: clock.id,
        metric: clock.metric,
        status: clock.status,
        target: clock.targetMs === null ? null : formatDuration(clock.targetMs),
        targetMs: clock.targetMs,
        calendar: clock.calendar,
        rule: clock.rule,
        startedAt: iso(clock.startedAt),
        dueAt: clock.dueAt === null ? null : iso(clock.dueAt),
        elapsedMs: elapsed,
        remainingMs: clock.targetMs === null ? null : clock.targetMs - elapsed,
        paused: clock.status === 'paused',
        ...(clock.pausedBy ? { pausedBy: clock.pausedBy } : {}),
        breached: clock.breachedAt !== undefined,
        ...opt('breachedAt', clock.breachedAt),
        ...opt('metAt', clock.metAt),
      };
    }),
    timeline: state.timeline.map((e) => ({ ...e, at: iso(e.at) })),
    asOf: iso(now),
  };
}

function engineeringIssueView(issue: EngineeringIssue): NonNullable<TicketView['engineeringIssue']> {
  const { linkedAt, closedAt, ...rest } = issue;
  return { ...rest, linkedAt: iso(linkedAt), ...opt('closedAt', closedAt) };
}

/** One line for the Temporal UI: "P1 · awaiting first response · due 14:05 UTC". */
export function currentDetails(state: TicketState): string {
  const due = nextDue(state);
  const parts = [state.priority, state.status.replace(/_/g, ' ')];
  if (state.assignee) parts.push(`@${state.assignee}`);
  if (isBreached(state)) parts.push('SLA breached');
  if (due) {
    const at = new Date(due.dueAt).toISOString();
    parts.push(`${due.clock.id} due ${at.slice(0, 10)} ${at.slice(11, 16)} UTC`);
  }
  return parts.join(' · ');
}

/** The Temporal UI's one-line summary of a ticket, fixed at start. */
export function staticSummary(ticketId: string, intake: Intake): string {
  return `${ticketId} · ${intake.subject.slice(0, 120)}`;
}

/** The Temporal UI's details of a ticket, fixed at start. */
export function staticDetails(intake: Intake): string {
  const who = intake.requester.name ? `${intake.requester.name} <${intake.requester.email ?? intake.requester.handle ?? '?'}>` : (intake.requester.email ?? intake.requester.handle ?? 'a customer');
  return `Opened on ${intake.channel} by ${who}${intake.externalId ? ` (external id ${intake.externalId})` : ''}`;
}


