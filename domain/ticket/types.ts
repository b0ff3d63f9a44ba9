/**
 * The ticket as the pure core sees it: state, the events that change it, and the effects it asks
 * the durable shell to carry out. All plain, serialisable data: continue-as-new carries it as is.
 */
import type { PagingPlan, Policy } from '../policy/schema.js';
import type { PauseReason, SlaClock } from '../sla/clock.js';
import type { Intake } from './intake.js';

export const STATUSES = [
  'new',
  'triaged',
  'awaiting_first_response',
  'in_progress',
  'pending_customer',
  'pending_vendor',
  'resolved',
  'closed',
] as const;
export type TicketStatus = (typeof STATUSES)[number];

/** The statuses of a ticket still being worked on (neither resolved nor closed). */
export function isOpenStatus(status: TicketStatus): boolean {
  return status !== 'resolved' && status !== 'closed';
}

export type CustomerTemplate = 'auto-reply' | 'self-service' | 'public-reply' | 'resolution' | 'follow-up' | 'duplicate' | 'incident-linked' | 'incident-update';

/** Effects: what the core asks the shell to do. Each carries an idempotency key. */
export type Effect =
  /** `suggest`: look up that many knowledge-base articles first and offer them (tier 1, self-service). */
  /** `vars`: template values the core fills (the incident emails: title, status page, the update). */
  | { type: 'notifyCustomer'; key: string; template: CustomerTemplate; body?: string; author?: string; suggest?: number; vars?: Record<string, string> }
  | { type: 'notifyTeam'; key: string; event: TeamEvent; text: string }
  /** Re-render the ticket's card. `alarm`: raised by an SLA clock with its notice (the shell may send it inside the timer's task). */
  | { type: 'refreshTeamCard'; key: string; alarm?: true }
  /** Page the on-call levels of `plan` until someone acknowledges (a child workflow per page). */
  | { type: 'startPage'; key: string; pageId: string; plan: PagingPlan; cause: string }
  /** Tell a running page how it ended: acknowledged, or the ticket resolved / re-paged (pager incidents resolve). */
  | { type: 'endPage'; key: string; pageId: string; outcome: 'acknowledged' | 'resolved' | 'superseded'; actor?: string }
  /** An email to a vendor's support contact (from configuration): the escalation or a follow-up. */
  | { type: 'notifyVendor'; key: string; vendor: string; template: 'vendor-escalation' | 'vendor-follow-up'; vars: Record<string, string> }
  /** Open an issue in the engineering repository (`repo`, else the configured one) with the ticket's reproduction details. */
  | { type: 'openEngineeringIssue'; key: string; repo?: string; title: string; body: string }
  /** A comment on an existing issue naming the ticket, so the issue and the ticket reference each other. */
  | { type: 'commentOnEngineeringIssue'; key: string; url: string; body: string };

/** `activity`: an engineer's action, told in the ticket's thread. */
export type TeamEvent = 'opened' | 'sla-warning' | 'sla-breach' | 'sla-breach-repeat' | 'status' | 'customer-message' | 'reopened' | 'activity';

export interface TimelineEntry {
  /** The event's sequence number on the ticket; effect keys derive from it. */
  seq: number;
  at: number;
  actor: string;
  type: string;
  summary: string;
  data?: Record<string, unknown>;
}

export interface CustomerMessageRef {
  at: number;
  messageId?: string;
}

/** The ticket's current (latest) page. */
export interface PageState {
  id: string;
  plan: string;
  cause: string;
  startedAt: number;
  status: 'paging' | 'acknowledged' | 'exhausted' | 'ended';
  acknowledgedBy?: string;
  acknowledgedAt?: number;
  /** Page again at this instant if the ticket is still not resolved (policy `reackAfter`). */
  reackAt?: number;
}

/** The ticket's vendor escalation (tier 4) and its vendor clock. */
export interface VendorState {
  id: string;
  since: number;
  fields: Record<string, string>;
  reference?: string;
  /** When to follow up if the vendor stays silent. */
  followUpAt?: number;
  followUps: number;
  endedAt?: number;
}

/** The incident the ticket belongs to (its `incidentLinked` event), kept after the incident resolves. */
export interface IncidentLink {
  id: string;
  title: string;
  statusPageUrl?: string;
  /** The policy's `linkedTicketClocks: pause`: the customer-facing clocks stop while the incident is open. */
  pauseClocks: boolean;
  linkedAt: number;
  resolvedAt?: number;
  /** The number of the last status update sent to the requester (a repeated one is not sent again). */
  lastUpdate?: number;
}

/** The engineering issue that fixes the ticket's cause (FM-08): opened by tierline, or an existing one linked. */
export interface EngineeringIssue {
  url: string;
  /** `owner/name`. */
  repo?: string;
  number?: number;
  state: 'open' | 'closed';
  /** Opened by tierline (true) or an existing issue linked (false). */
  created: boolean;
  linkedBy: string;
  linkedAt: number;
  closedAt?: number;
  /** Who closed it on GitHub (the engineer it maps to, else the GitHub login). */
  closedBy?: string;
  /** GitHub's `state_reason`: completed, not_planned. */
  reason?: string;
}

export interface TicketState {
  ticketId: string;
  /** The request that opened the ticket: lets a client tell "created" from "found existing". */
  openRequestId?: string;
  policy: Policy;
  intake: Intake;
  seq: number;
  status: TicketStatus;
  /** Whether a human (or a rule) has triaged the ticket. */
  triaged: boolean;
  priority: string;
  category?: string;
  tags: string[];
  tier: string;
  /** When the ticket entered its current tier (undefined: at intake). */
  tierEnteredAt?: number;
  /** The latest page and how many pages the ticket has had (page ids count up). */
  page?: PageState;
  vendor?: VendorState;
  /** While the ticket waits in a self-service tier: until when, and what it was offered. */
  selfService?: { until: number; articles?: string[] };
  /** Resolved by the requester's "this solved it" (counted apart from human resolutions). */
  deflected?: boolean;
  pageCount?: number;
  receivedAt: number;
  assignee?: string;
  acknowledgedAt?: number;
  firstResponseAt?: number;
  resolvedAt?: number;
  closedAt?: number;
  resolution?: string;
  duplicateOf?: string;
  pending?: { reason: PauseReason; since: number };
  incident?: IncidentLink;
  engineeringIssue?: EngineeringIssue;
  /** An engineering issue asked for and not yet opened: its effect's key, who asked, when. */
  engineeringIssueRequest?: { key: string; repo?: string; by: string; at: number };
  clocks: SlaClock[];
  /** Counts per metric, for ids of recurring clocks (`nextResponse#3`). */
  clockCounts: Partial<Record<string, number>>;
  followUp: { dueAt?: number; sentAt?: number; closeAt?: number; reopenUntil?: number };
  /** The survey's answers: satisfaction (1-5) and customer effort (1-7), each present once answered. */
  csat?: { score?: number; effort?: number; comment?: string; at: number };
  reopenCount: number;
  /** The team card (Slack root message) once posted; threads hang under it. */
  teamCard?: { channel: string; ts: string };
  /** Customer email Message-IDs, so every reply threads (bounded). */
  customerMessageIds: string[];
  /** Results of handled requests by request id: a repeated request returns the same result. */
  requests: Record<string, { seq: number }>;
  requestOrder: string[];
  timeline: TimelineEntry[];
}

export interface Decision {
  state: TicketState;
  effects: Effect[];
}
