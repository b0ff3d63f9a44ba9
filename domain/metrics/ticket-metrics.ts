/**
 * One ticket's support metrics as a flat, JSON-serialisable record: what the ticket ledger stores
 * (one row per ticket, rewritten as the ticket moves) and what aggregates and reports read.
 * Derived only from the SLA clocks and the timeline the ticket already keeps, at `now`.
 *
 * Three measures of a wait (first response, each next response, resolution, triage):
 * - `calendarMs`: wall-clock time from its start to its end, what the customer lived through;
 * - `businessMs`: the working time of the calendar the policy gives that metric for this ticket
 *   (the metric's SLA clock's calendar, else the policy's default calendar) over the same span,
 *   pending time included; on a 24x7 clock it equals `calendarMs`;
 * - `slaMs`: what the SLA clock counted, i.e. business time less the pauses (pending on the
 *   customer or a vendor, an incident holding the clocks); the figure the target is judged on.
 * A wait appears only once it ended (the response was sent, the ticket resolved). A reopened and
 * resolved-again ticket's resolution spans from opening to the last resolution; its `slaMs` leaves
 * out the time it stood resolved, as its clock did.
 *
 * The record is versioned (`version`); a change that removes or redefines a field raises it.
 */
import { clockCalendar, priorityOf } from '../policy/match.js';
import { METRICS, type Metric, type TimedMetric } from '../policy/constants.js';
import type { Policy } from '../policy/schema.js';
import { workingTimeBetween } from '../sla/calendar.js';
import { elapsedMs, type SlaClock } from '../sla/clock.js';
import { calendarOf } from '../ticket/ticket-clocks.js';
import { isOpenStatus, type TicketState, type TicketStatus } from '../ticket/types.js';
import { initialTier, tierPath, timeInTiers, timePending, type PendingReason } from './timeline-spans.js';

/** The version of the TicketMetrics shape; the ledger keeps it with each row. */
export const TICKET_METRICS_VERSION = 1;

/** How long one wait took, three ways (see the file comment). */
export interface WaitTime {
  calendarMs: number;
  businessMs: number;
  /** What the SLA clock counted; absent when the policy sets no target for the metric (no clock). */
  slaMs?: number;
  /** The calendar `businessMs` counts: a calendar name of the policy or '24x7'. */
  calendar: string;
}

/** One answer to a customer message after the first response (a `nextResponse` clock that was met). */
export interface NextResponseTime extends WaitTime {
  clockId: string;
  /** When the customer's (oldest unanswered) message arrived. */
  startedAt: number;
  respondedAt: number;
  withinSla?: boolean;
}

/** One SLA metric of the ticket, judged on its clocks at `asOf`. */
export interface SlaOutcome {
  /** Clocks of this metric the ticket has had (next response: one per wait). */
  clocks: number;
  /** The latest clock's target in its calendar's milliseconds; null: no deadline (tracked by release). */
  targetMs: number | null;
  calendar: string;
  /** Warning points that fired (`sla-warning` on the timeline). */
  warnings: number;
  /** Clocks that stand breached: breached at their due instant, or past due at `asOf`. */
  breaches: number;
  /**
   * True when every clock that has reached its goal did so within target and none is breached;
   * false when any is breached; absent while nothing is decided (still running in time, stopped
   * unanswered when the ticket closed, or no deadline).
   */
  withinSla?: boolean;
}

/** The linked engineering issue (issue #9's loop from tickets to fixes), when the ticket has one. */
export interface EngineeringIssueRef {
  url: string;
  state: 'open' | 'closed';
  /** How it was closed, as GitHub says (`completed`, `not_planned`), when known. */
  reason?: string;
}

/** How self-service went: articles offered and "this solved it", none matched, or not offered at all. */
export type SelfServiceOutcome = 'deflected' | 'offered' | 'none-matched' | 'not-offered';

export interface TicketMetrics {
  version: typeof TICKET_METRICS_VERSION;
  ticketId: string;
  /** `id@version` of the policy snapshot the ticket runs, e.g. `signx@1`. */
  policy: string;
  channel: string;
  priority: string;
  /** Urgency rank of the priority in the policy (0 is the most urgent). */
  urgency: number;
  /** The tier the ticket is in at `asOf`. */
  tier: string;
  category?: string;
  tags: string[];
  plan?: string;
  account?: string;
  subject: string;
  status: TicketStatus;
  /** Neither resolved nor closed at `asOf`. */
  open: boolean;
  openedAt: number;
  acknowledgedAt?: number;
  firstResponseAt?: number;
  /** The first time the ticket was resolved (before any reopen). */
  firstResolvedAt?: number;
  /** The latest resolution, if the ticket stands resolved (or closed after it). */
  resolvedAt?: number;
  closedAt?: number;
  /** Closed as a duplicate of this ticket. */
  duplicateOf?: string;
  /** The instant the record describes: open waits and breaches are as of then. */
  asOf: number;

  firstResponse?: WaitTime;
  nextResponses: NextResponseTime[];
  resolution?: WaitTime;
  triage?: WaitTime;
  /** Every SLA metric the ticket has had a clock for. */
  sla: Partial<Record<Metric, SlaOutcome>>;

  /** Wall-clock milliseconds in each tier while open, by tier id. */
  tierMs: Record<string, number>;
  /** Wall-clock milliseconds pending on the customer and on a vendor. */
  pendingMs: Record<PendingReason, number>;

  /** Moves up a tier (`escalated` entries). */
  escalationCount: number;
  /** The furthest tier (in policy order) the ticket has been in. */
  highestTier: string;
  /** The tier the escalation rate counts (policy `metrics.escalationTier`, else a tier with id `tier3`), if the policy has one. */
  escalationTier?: string;
  /** Reached `escalationTier` or a tier after it ("% escalated to Tier 3"). */
  reachedEscalationTier: boolean;
  /** What the escalation rate counts: `reachedEscalationTier` where the policy has an escalation tier, else paged or handed to a vendor. */
  escalated: boolean;
  /** On-call pages started for the ticket. */
  pageCount: number;
  /** The vendor the ticket was handed to (tier 4). */
  vendor?: string;
  reopenCount: number;

  /** Satisfaction survey score, 1-5. */
  csat?: number;
  /** Customer effort score, 1-7, as asked ("how hard did the customer have to work?": lower is less effort). */
  ces?: number;
  deflected: boolean;
  selfService: SelfServiceOutcome;
  incidentId?: string;
  engineeringIssue?: EngineeringIssueRef;
}

/** The tier whose reach counts as an escalation: the policy's `metrics.escalationTier`, else a tier with id `tier3`. */
export function escalationTierOf(policy: Policy): string | undefined {
  return policy.metrics?.escalationTier ?? (policy.tiers.some((t) => t.id === 'tier3') ? 'tier3' : undefined);
}

/**
 * The linked engineering issue, read defensively: TicketState may not carry one yet (the
 * engineering loop of issue #9 adds it as `engineeringIssue`). A shape without a URL is ignored;
 * it counts as closed when its state says `closed` or it carries `closedAt`. An issue closed as
 * `not_planned` still counts as closed for the issues-to-improvements ratio; `reason` keeps it.
 */
export function engineeringIssueOf(state: TicketState): EngineeringIssueRef | undefined {
  const issue = (state as { engineeringIssue?: { url?: unknown; state?: unknown; closedAt?: unknown; reason?: unknown } }).engineeringIssue;
  if (!issue || typeof issue !== 'object' || typeof issue.url !== 'string') return undefined;
  const closed = (typeof issue.state === 'string' && issue.state.toLowerCase() === 'closed') || typeof issue.closedAt === 'number';
  return { url: issue.url, state: closed ? 'closed' : 'open', ...(closed && typeof issue.reason === 'string' ? { reason: issue.reason } : {}) };
}

export function ticketMetrics(state: TicketState, now: number): TicketMetrics {
  const policy = state.policy;
  const { intake } = state;
  const firstResolvedAt = state.timeline.find((e) => e.type === 'resolved')?.at;
  const tierIds = policy.tiers.map((t) => t.id);
  const path = tierPath(state);
  const highestTier = path.reduce((best, t) => (tierIds.indexOf(t) > tierIds.indexOf(best) ? t : best), initialTier(state));
  const escalationTier = escalationTierOf(policy);
  const reachedEscalationTier = escalationTier !== undefined && path.some((t) => tierIds.indexOf(t) >= tierIds.indexOf(escalationTier));
  const pageCount = state.pageCount ?? 0;
  const issue = engineeringIssueOf(state);

  const sla: Partial<Record<Metric, SlaOutcome>> = {};
  for (const metric of METRICS) {
    const outcome = slaOutcome(state, metric, now);
    if (outcome) sla[metric] = outcome;
  }

  const firstResponse = state.firstResponseAt !== undefined ? waitTime(state, 'firstResponse', state.receivedAt, state.firstResponseAt) : undefined;
  const resolution = state.resolvedAt !== undefined ? waitTime(state, 'resolution', state.receivedAt, state.resolvedAt) : undefined;
  const triageClock = latestClock(state, 'triage');
  const triage = triageClock?.status === 'met' ? waitTime(state, 'triage', triageClock.startedAt, triageClock.metAt!) : undefined;

  return {
    version: TICKET_METRICS_VERSION,
    ticketId: state.ticketId,
    policy: `${policy.id}@${policy.version}`,
    channel: intake.channel,
    priority: state.priority,
    urgency: priorityOf(policy, state.priority)?.urgency ?? Number.MAX_SAFE_INTEGER,
    tier: state.tier,
    ...(state.category !== undefined ? { category: state.category } : {}),
    tags: [...state.tags],
    ...(intake.plan !== undefined ? { plan: intake.plan } : {}),
    ...(intake.account !== undefined ? { account: intake.account } : {}),
    subject: intake.subject,
    status: state.status,
    open: isOpenStatus(state.status),
    openedAt: state.receivedAt,
    ...defined('acknowledgedAt', state.acknowledgedAt),
    ...defined('firstResponseAt', state.firstResponseAt),
    ...defined('firstResolvedAt', firstResolvedAt),
    ...defined('resolvedAt', state.resolvedAt),
    ...defined('closedAt', state.closedAt),
    ...(state.duplicateOf !== undefined ? { duplicateOf: state.duplicateOf } : {}),
    asOf: now,
    ...(firstResponse ? { firstResponse } : {}),
    nextResponses: nextResponses(state, now),
    ...(resolution ? { resolution } : {}),
    ...(triage ? { triage } : {}),
    sla,
    tierMs: timeInTiers(state, now),
    pendingMs: timePending(state, now),
    escalationCount: state.timeline.filter((e) => e.type === 'escalated').length,
    highestTier,
    ...(escalationTier !== undefined ? { escalationTier } : {}),
    reachedEscalationTier,
    escalated: escalationTier !== undefined ? reachedEscalationTier : pageCount > 0 || state.vendor !== undefined,
    pageCount,
    ...(state.vendor ? { vendor: state.vendor.id } : {}),
    reopenCount: state.reopenCount,
    ...(state.csat?.score !== undefined ? { csat: state.csat.score } : {}),
    ...(state.csat?.effort !== undefined ? { ces: state.csat.effort } : {}),
    deflected: state.deflected === true,
    selfService: selfServiceOutcome(state),
    ...(state.incident ? { incidentId: state.incident.id } : {}),
    ...(issue ? { engineeringIssue: issue } : {}),
  };
}

const defined = <K extends string>(key: K, value: number | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, number>));

function latestClock(state: TicketState, metric: Metric): SlaClock | undefined {
  return [...state.clocks].reverse().find((c) => c.metric === metric);
}

/** A wait of `metric` from `from` to `to`, on the calendar of the metric's clock (else the policy's default). */
function waitTime(state: TicketState, metric: TimedMetric, from: number, to: number, clock = latestClock(state, metric)): WaitTime {
  const calendar = clock?.calendar ?? state.policy.defaultCalendar;
  return {
    calendarMs: Math.max(0, to - from),
    businessMs: workingTimeBetween(clockCalendar(state.policy, calendar), from, to),
    ...(clock ? { slaMs: elapsedMs(clock, calendarOf(state, clock), to) } : {}),
    calendar,
  };
}

function nextResponses(state: TicketState, now: number): NextResponseTime[] {
  return state.clocks
    .filter((c) => c.metric === 'nextResponse' && c.status === 'met' && c.metAt !== undefined)
    .map((clock) => {
      const verdict = clockVerdict(state, clock, now);
      return {
        clockId: clock.id,
        startedAt: clock.startedAt,
        respondedAt: clock.metAt!,
        ...waitTime(state, 'nextResponse', clock.startedAt, clock.metAt!, clock),
        ...(verdict !== undefined ? { withinSla: verdict === 'met' } : {}),
      };
    });
}

/** A clock's verdict at `now`: breached, met in time, or undecided (running in time, stopped unanswered, no deadline). */
function clockVerdict(state: TicketState, clock: SlaClock, now: number): 'breached' | 'met' | undefined {
  if (clock.targetMs === null) return undefined;
  if (clock.breachedAt !== undefined) return 'breached';
  if (clock.status === 'met') return 'met';
  if (clock.status === 'stopped') return undefined;
  return elapsedMs(clock, calendarOf(state, clock), now) >= clock.targetMs ? 'breached' : undefined;
}

function slaOutcome(state: TicketState, metric: Metric, now: number): SlaOutcome | undefined {
  const clocks = state.clocks.filter((c) => c.metric === metric);
  const latest = clocks[clocks.length - 1];
  if (!latest) return undefined;
  const ids = new Set(clocks.map((c) => c.id));
  const verdicts = clocks.map((c) => clockVerdict(state, c, now));
  const breaches = verdicts.filter((v) => v === 'breached').length;
  const decided = verdicts.some((v) => v !== undefined);
  return {
    clocks: clocks.length,
    targetMs: latest.targetMs,
    calendar: latest.calendar,
    warnings: state.timeline.filter((e) => e.type === 'sla-warning' && ids.has(e.data?.['clock'] as string)).length,
    breaches,
    ...(decided ? { withinSla: breaches === 0 } : {}),
  };
}

function selfServiceOutcome(state: TicketState): SelfServiceOutcome {
  if (state.deflected) return 'deflected';
  const suggested = state.timeline.filter((e) => e.type === 'articles-suggested');
  if (suggested.some((e) => Array.isArray(e.data?.['articles']) && (e.data['articles'] as unknown[]).length > 0)) return 'offered';
  if (suggested.length > 0) return 'none-matched';
  return 'not-offered';
}
