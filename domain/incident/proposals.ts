/**
 * Incidents from bursts of tickets. A pure sliding-window detector over ticket openings: when
 * `count` tickets sharing a category, a component or a tag open within `within` of each other
 * (policy `incidents.proposals`), it proposes an incident. A proposal only notifies the on-call
 * and waits for a person to declare (`declare` with its `proposalKey` and tickets); it never
 * declares one itself. The same rule and value is proposed once per burst: not again until its
 * tickets have stopped coming for a whole window.
 *
 * Also: which open incidents a new ticket belongs to, by its components, for linking on intake.
 * Feed the detector only the tickets that intake did not link to an open incident.
 */
import { parseDuration } from '../duration.js';
import { matches, type TicketFacts } from '../policy/match.js';
import type { Policy, ProposalRule } from '../policy/schema.js';
import { factsOf } from '../ticket/ticket-clocks.js';
import type { TicketState } from '../ticket/types.js';
import { componentsOf } from './components.js';
import type { IncidentStatus } from './types.js';

/** A ticket as the detector sees it when it opens. */
export interface TicketOpening {
  ticketId: string;
  at: number;
  priority: string;
  channel: string;
  category?: string;
  /** From the ticket's `component:<name>` tags (componentsOf). */
  components: string[];
  tags: string[];
  /** Subject and description, for a rule's `keywords`. */
  text?: string;
  plan?: string;
  account?: string;
}

/** The opening of a ticket the core has just opened (after triage rules set its category and tags). */
export function openingOf(ticket: TicketState): TicketOpening {
  const facts = factsOf(ticket);
  return {
    ticketId: ticket.ticketId,
    at: ticket.receivedAt,
    priority: facts.priority,
    channel: facts.channel,
    ...(facts.category !== undefined ? { category: facts.category } : {}),
    components: componentsOf(ticket.tags),
    tags: [...ticket.tags],
    text: facts.text,
    ...(facts.plan !== undefined ? { plan: facts.plan } : {}),
    ...(facts.account !== undefined ? { account: facts.account } : {}),
  };
}

/**
 * The opening the incident watcher must hear of, or undefined when it has nothing to do with it:
 * the ticket has no components to link by, and its policy proposes no incidents.
 */
export function watchedOpening(ticket: TicketState): TicketOpening | undefined {
  const opening = openingOf(ticket);
  return opening.components.length > 0 || ticket.policy.incidents.proposals.length > 0 ? opening : undefined;
}

/** A burst already proposed: the rule (its index in the policy), the shared value, its latest ticket. */
export interface RaisedProposal {
  rule: number;
  value: string;
  lastAt: number;
}

/** What the detector remembers: the recent openings and the bursts it has proposed. Plain data. */
export interface ProposalState {
  openings: TicketOpening[];
  raised: RaisedProposal[];
}

export const NO_PROPOSALS: ProposalState = { openings: [], raised: [] };

export interface IncidentProposal {
  /** Stable per burst: the idempotency key of the notification, and the `proposalKey` a declaration confirms. */
  key: string;
  rule: string;
  by: ProposalRule['by'];
  value: string;
  count: number;
  within: string;
  /** The burst's tickets, oldest first: the ones a declaration links. */
  tickets: string[];
  from: number;
  to: number;
  /** A suggested title and components for the person who declares. */
  title: string;
  components: string[];
}

const MAX_OPENINGS = 5000;

function factsOfOpening(opening: TicketOpening): TicketFacts {
  return {
    priority: opening.priority,
    channel: opening.channel,
    plan: opening.plan,
    account: opening.account,
    category: opening.category,
    tags: opening.tags,
    text: opening.text ?? '',
    receivedAt: opening.at,
  };
}

function valuesOf(opening: TicketOpening, by: ProposalRule['by']): string[] {
  switch (by) {
    case 'category':
      return opening.category !== undefined ? [opening.category] : [];
    case 'component':
      return opening.components;
    case 'tag':
      return opening.tags;
  }
}

const byTime = (a: TicketOpening, b: TicketOpening) => a.at - b.at || a.ticketId.localeCompare(b.ticketId);

/**
 * The `count` or more openings sharing `value`, all within `windowMs` of each other, that include
 * `opening`; the earliest such window, with every opening it holds.
 */
function burstAround(sharing: readonly TicketOpening[], opening: TicketOpening, count: number, windowMs: number): TicketOpening[] | undefined {
  for (const first of sharing) {
    if (first.at > opening.at) break;
    if (opening.at - first.at > windowMs) continue;
    const burst = sharing.filter((o) => o.at >= first.at && o.at <= first.at + windowMs);
    if (burst.length >= count) return burst;
  }
  return undefined;
}

/**
 * Records a ticket's opening and says which incidents to propose because of it (usually none).
 * The same ticket fed again changes nothing.
 */
export function observeOpening(state: ProposalState, opening: TicketOpening, policy: Policy): { state: ProposalState; proposals: IncidentProposal[] } {
  if (state.openings.some((o) => o.ticketId === opening.ticketId)) return { state, proposals: [] };
  const openings = [...state.openings, opening].sort(byTime);
  let raised = [...state.raised];
  const proposals: IncidentProposal[] = [];
  const rules = policy.incidents.proposals;
  rules.forEach((rule, index) => {
    const windowMs = parseDuration(rule.within)!;
    const counts = (o: TicketOpening) => !rule.when || matches(policy, rule.when, factsOfOpening(o));
    if (!counts(opening)) return;
    for (const value of new Set(valuesOf(opening, rule.by))) {
      const earlier = raised.find((r) => r.rule === index && r.value === value);
      if (earlier && opening.at - earlier.lastAt <= windowMs) {
        // The burst goes on: it was proposed once; its latest ticket moves.
        raised = raised.map((r) => (r === earlier ? { ...r, lastAt: Math.max(r.lastAt, opening.at) } : r));
        continue;
      }
      if (earlier) raised = raised.filter((r) => r !== earlier);
      const sharing = openings.filter((o) => counts(o) && valuesOf(o, rule.by).includes(value) && (!earlier || o.at > earlier.lastAt));
      const burst = burstAround(sharing, opening, rule.count, windowMs);
      if (!burst) continue;
      const to = burst[burst.length - 1]!.at;
      raised.push({ rule: index, value, lastAt: to });
      const name = rule.name ?? `rule ${index + 1}`;
      proposals.push({
        key: `proposal/${index + 1}/${rule.by}:${value}/${burst[0]!.ticketId}`,
        rule: name,
        by: rule.by,
        value,
        count: burst.length,
        within: rule.within,
        tickets: burst.map((o) => o.ticketId),
        from: burst[0]!.at,
        to,
        title: `${burst.length} tickets about ${rule.by} ${value} within ${rule.within}`,
        components: rule.by === 'component' ? [value] : [],
      });
    }
  });
  return { state: prune({ openings, raised }, rules), proposals };
}

/** Forgets openings older than every rule's window, and bursts that have been quiet for a window. */
function prune(state: ProposalState, rules: readonly ProposalRule[]): ProposalState {
  const newest = state.openings[state.openings.length - 1]?.at;
  if (newest === undefined) return state;
  const windows = rules.map((r) => parseDuration(r.within)!);
  const longest = Math.max(0, ...windows);
  const openings = state.openings.filter((o) => newest - o.at <= longest).slice(-MAX_OPENINGS);
  const raised = state.raised.filter((r) => newest - r.lastAt <= (windows[r.rule] ?? 0));
  return { openings, raised };
}

/**
 * The open incidents a new ticket belongs to: those sharing one of its components, in the order
 * given (list the incidents most severe first to link the ticket to the worst). Works on the
 * incident's view or its public view.
 */
export function incidentsForTicket(components: readonly string[], incidents: readonly { id: string; status: IncidentStatus; components: readonly string[] }[]): string[] {
  if (!components.length) return [];
  return incidents.filter((i) => i.status !== 'resolved' && i.components.some((c) => components.includes(c))).map((i) => i.id);
}
