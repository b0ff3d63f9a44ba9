/**
 * The incident as the pure core sees it: one outage, its status updates, the tickets it owns, and
 * the effects it asks the durable shell to carry out. Plain, serialisable data, like the ticket's.
 */
import type { BroadcastChannel, PagingPlan, Policy } from '../policy/schema.js';
import type { PageState, TimelineEntry } from '../ticket/types.js';

/** investigating → identified → monitoring → resolved; an update may go back to investigating, with a reason. */
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** The statuses an update may set; `resolved` comes only with the resolution (`resolve`). */
export const UPDATE_STATUSES = ['investigating', 'identified', 'monitoring'] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

/** 'Investigating', as status updates write it. */
export function statusName(status: IncidentStatus): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}

/** One status update, as broadcast: the seed's "Current Status / Impact / Next Update". */
export interface IncidentUpdate {
  /** 1 for the declaration's update, then 2, 3 ...: the public numbering (feed entry ids). */
  number: number;
  /** The incident event that posted it: broadcast keys derive from it. */
  seq: number;
  at: number;
  /** Who wrote it (internal: never on the public page). */
  author: string;
  status: IncidentStatus;
  impact: string;
  message: string;
  /** When the next update is promised; absent on the final (resolution) update. */
  nextUpdateAt?: number;
}

/** A ticket the incident owns. */
export interface LinkedTicket {
  ticketId: string;
  linkedAt: number;
  linkedBy: string;
  /** Linked on intake because its components match the incident's. */
  auto: boolean;
}

/** The update cadence: when the next update is due, when the commander is reminded, when it is overdue. */
export interface UpdateCadence {
  nextUpdateAt: number;
  remindAt: number;
  overdueAt: number;
  reminded: boolean;
  overdue: boolean;
}

/** What the resolution says, for the report; the fields a human has not given are marked there. */
export interface ResolutionReport {
  summary: string;
  rootCause?: string;
  resolution?: string;
  prevention?: string;
}

export interface IncidentState {
  incidentId: string;
  /** The request that declared it: lets a client tell "declared" from "found existing". */
  openRequestId?: string;
  policy: Policy;
  seq: number;
  title: string;
  severity: string;
  status: IncidentStatus;
  /** Affected components, lower case; tickets tagged `component:<name>` of one of them link on intake. */
  components: string[];
  commander: string;
  declaredBy: string;
  declaredAt: number;
  /** The proposal a person confirmed by declaring, if any. */
  proposalKey?: string;
  /** The impact as the latest update describes it. */
  impact: string;
  linked: LinkedTicket[];
  updates: IncidentUpdate[];
  /** Undefined once resolved. */
  cadence?: UpdateCadence;
  /** The latest page and how many the incident has had (page ids count up). */
  page?: PageState;
  pageCount: number;
  resolvedAt?: number;
  report?: ResolutionReport;
  /** Results of handled requests by request id: a repeated request returns the same result. */
  requests: Record<string, { seq: number }>;
  requestOrder: string[];
  timeline: TimelineEntry[];
}

/** The incident channel's messages (Slack), apart from the broadcast of updates. */
export type IncidentTeamEvent = 'declared' | 'severity' | 'commander' | 'resolved' | 'page-exhausted';

/** Effects: what the core asks the shell to do. Each carries an idempotency key. */
export type IncidentEffect =
  | { type: 'notifyTeam'; key: string; event: IncidentTeamEvent; text: string }
  /**
   * One status update to one channel, once: the key is per (update, channel). `text` is the seed's
   * status-update template filled in; `headline` its first line (an email subject). Email goes to
   * the requesters of `tickets` (one thread per requester).
   */
  | { type: 'broadcastUpdate'; key: string; incidentId: string; channel: BroadcastChannel; update: number; final: boolean; headline: string; text: string; tickets: string[] }
  /** The next update is due soon and none has been posted. */
  | { type: 'remindCommander'; key: string; incidentId: string; commander: string; dueAt: number; text: string }
  /** The update was missed; `paging` names the plan paged with it (startPage follows), if any. */
  | { type: 'updateOverdue'; key: string; incidentId: string; commander: string; dueAt: number; text: string; paging?: string }
  | { type: 'startPage'; key: string; pageId: string; plan: PagingPlan; cause: string }
  | { type: 'endPage'; key: string; pageId: string; outcome: 'acknowledged' | 'resolved' | 'superseded'; actor?: string }
  /** Tell the ticket it belongs to the incident (its `incidentLinked` event); the shell turns the path into a URL. */
  | { type: 'linkTicket'; key: string; ticketId: string; incidentId: string; title: string; statusPagePath: string; pauseClocks: boolean }
  | { type: 'unlinkTicket'; key: string; ticketId: string; incidentId: string }
  /** Policy `onResolve: resolve-linked`: each ticket resolves with the summary (its `incidentResolved` event, resolveTicket). */
  | { type: 'resolveLinkedTickets'; key: string; incidentId: string; tickets: string[]; summary: string; commander: string }
  /** Policy `onResolve: notify-linked`: each ticket is told, and stays open (its `incidentResolved` event). */
  | { type: 'notifyLinkedTickets'; key: string; incidentId: string; tickets: string[]; summary: string; commander: string }
  /** The incident report (Markdown, from the seed's template), written at resolution. */
  | { type: 'writeReport'; key: string; incidentId: string; markdown: string };

export interface IncidentDecision {
  state: IncidentState;
  effects: IncidentEffect[];
}
