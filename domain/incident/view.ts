/**
 * What the API and the status page show of an incident. The public view (`publicIncident`, the
 * status page) holds only what was written for the public: title, severity, status, components and
 * the updates; never who wrote them, the linked tickets, the timeline or anything of a requester.
 * The engineers' view (`viewIncident`, behind the API token) adds the rest.
 */
import type { Policy } from '../policy/schema.js';
import type { TimelineEntry } from '../ticket/types.js';
import { severityOf, severityRank } from './cadence.js';
import { statusName, type IncidentState, type IncidentStatus, type IncidentUpdate } from './types.js';

export interface PublicUpdate {
  number: number;
  at: string;
  status: IncidentStatus;
  statusName: string;
  impact: string;
  message: string;
  nextUpdateAt?: string;
  final: boolean;
}

export interface PublicIncident {
  id: string;
  title: string;
  /** `rank` 0 is the policy's most severe. */
  severity: { id: string; name: string; rank: number };
  status: IncidentStatus;
  statusName: string;
  components: string[];
  impact: string;
  declaredAt: string;
  resolvedAt?: string;
  nextUpdateAt?: string;
  /** The incident's page on the status page (a path: the API knows its public URL). */
  path: string;
  /** Oldest first. */
  updates: PublicUpdate[];
}

export interface IncidentView extends Omit<PublicIncident, 'updates'> {
  commander: string;
  declaredBy: string;
  proposalKey?: string;
  policy: string;
  linkedTickets: { ticketId: string; linkedAt: string; linkedBy: string; auto: boolean }[];
  cadence?: { nextUpdateAt: string; remindAt: string; overdueAt: string; reminded: boolean; overdue: boolean };
  page?: { id: string; plan: string; status: string; startedAt: string; acknowledgedBy?: string };
  report?: { summary: string; rootCause?: string; resolution?: string; prevention?: string };
  updates: (PublicUpdate & { author: string })[];
  timeline: (Omit<TimelineEntry, 'at'> & { at: string })[];
  asOf: string;
}

export interface StatusPagePaths {
  page: string;
  json: string;
  feed: string;
  incident: (incidentId: string) => string;
}

/** Where the API serves the status page, from the policy's `incidents.statusPage.basePath`. */
export function statusPagePaths(policy: Policy): StatusPagePaths {
  const base = policy.incidents.statusPage.basePath;
  return { page: base, json: `${base}/index.json`, feed: `${base}/feed.atom`, incident: (id) => `${base}/incidents/${encodeURIComponent(id)}` };
}

const iso = (ms: number) => new Date(ms).toISOString();

function publicUpdate(update: IncidentUpdate): PublicUpdate {
  return {
    number: update.number,
    at: iso(update.at),
    status: update.status,
    statusName: statusName(update.status),
    impact: update.impact,
    message: update.message,
    ...(update.nextUpdateAt !== undefined ? { nextUpdateAt: iso(update.nextUpdateAt) } : {}),
    final: update.status === 'resolved',
  };
}

export function publicIncident(state: IncidentState): PublicIncident {
  return {
    id: state.incidentId,
    title: state.title,
    severity: { id: state.severity, name: severityOf(state.policy, state.severity)?.name ?? state.severity, rank: severityRank(state.policy, state.severity) },
    status: state.status,
    statusName: statusName(state.status),
    components: state.components,
    impact: state.impact,
    declaredAt: iso(state.declaredAt),
    ...(state.resolvedAt !== undefined ? { resolvedAt: iso(state.resolvedAt) } : {}),
    ...(state.cadence ? { nextUpdateAt: iso(state.cadence.nextUpdateAt) } : {}),
    path: statusPagePaths(state.policy).incident(state.incidentId),
    updates: state.updates.map(publicUpdate),
  };
}

/** What getIncident and the API return, behind the token. */
export function viewIncident(state: IncidentState, now: number): IncidentView {
  const { updates: _public, ...rest } = publicIncident(state);
  const { cadence, page, report } = state;
  return {
    ...rest,
    commander: state.commander,
    declaredBy: state.declaredBy,
    ...(state.proposalKey !== undefined ? { proposalKey: state.proposalKey } : {}),
    policy: `${state.policy.id}@${state.policy.version}`,
    linkedTickets: state.linked.map((t) => ({ ticketId: t.ticketId, linkedAt: iso(t.linkedAt), linkedBy: t.linkedBy, auto: t.auto })),
    ...(cadence
      ? { cadence: { nextUpdateAt: iso(cadence.nextUpdateAt), remindAt: iso(cadence.remindAt), overdueAt: iso(cadence.overdueAt), reminded: cadence.reminded, overdue: cadence.overdue } }
      : {}),
    ...(page ? { page: { id: page.id, plan: page.plan, status: page.status, startedAt: iso(page.startedAt), ...(page.acknowledgedBy ? { acknowledgedBy: page.acknowledgedBy } : {}) } } : {}),
    ...(report ? { report: { ...report } } : {}),
    updates: state.updates.map((u) => ({ ...publicUpdate(u), author: u.author })),
    timeline: state.timeline.map((e) => ({ ...e, at: iso(e.at) })),
    asOf: iso(now),
  };
}

/** One line for the Temporal UI: "I-… · Critical · identified · next update 14:30 UTC". */
export function currentDetails(state: IncidentState): string {
  const parts = [state.incidentId, severityOf(state.policy, state.severity)?.name ?? state.severity, state.status];
  if (state.cadence?.overdue) parts.push('update overdue');
  else if (state.cadence) parts.push(`next update ${iso(state.cadence.nextUpdateAt).slice(11, 16)} UTC`);
  if (state.linked.length) parts.push(`${state.linked.length} linked ticket${state.linked.length === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

/** The status page: every incident it lists, open ones first (most severe, then newest), then the resolved, newest first. */
export interface StatusPage {
  /** A stable id for the Atom feed. */
  id: string;
  title: string;
  service: string;
  paths: { page: string; json: string; feed: string };
  generatedAt: string;
  overall: { operational: boolean; severity?: { id: string; name: string }; text: string };
  incidents: PublicIncident[];
}

export function statusPage(policy: Policy, incidents: readonly PublicIncident[], now: number): StatusPage {
  const open = incidents.filter((i) => i.status !== 'resolved').sort((a, b) => a.severity.rank - b.severity.rank || b.declaredAt.localeCompare(a.declaredAt) || a.id.localeCompare(b.id));
  const resolved = incidents.filter((i) => i.status === 'resolved').sort((a, b) => (b.resolvedAt ?? '').localeCompare(a.resolvedAt ?? '') || a.id.localeCompare(b.id));
  const worst = open[0];
  const { page, json, feed } = statusPagePaths(policy);
  const service = serviceName(policy);
  return {
    id: `urn:tierline:status:${policy.id}`,
    title: policy.incidents.statusPage.title ?? `${policy.name} status`,
    service,
    paths: { page, json, feed },
    generatedAt: iso(now),
    overall: worst
      ? { operational: false, severity: { id: worst.severity.id, name: worst.severity.name }, text: `${open.length === 1 ? 'An incident is' : `${open.length} incidents are`} in progress (${worst.severity.name})` }
      : { operational: true, text: 'All systems operational' },
    incidents: [...open, ...resolved],
  };
}

/** The service the status updates name: the policy's `incidents.service`, or its name. */
export function serviceName(policy: Policy): string {
  return policy.incidents.service ?? policy.name;
}
