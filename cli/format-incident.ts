/**
 * What a person reads of an incident: one line per action, the incident with its updates, linked
 * tickets and timeline, the list, and the proposals with the command that confirms each. Times
 * are UTC, as the API gives them.
 */
import type { IncidentView } from '../domain/incident/view.js';
import { table, time } from './format.js';
import type { IncidentList, ProposalList } from './incident-api.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A text on one line, cut to `max` characters. */
function oneLine(text: string, max = 100): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

/** Where the next update stands: due when, or overdue since when; nothing once resolved. */
function nextUpdate(incident: IncidentView): string | undefined {
  if (!incident.cadence) return undefined;
  if (incident.cadence.overdue) return `update OVERDUE (was due ${time(incident.cadence.nextUpdateAt)})`;
  return `next update due ${time(incident.cadence.nextUpdateAt)}`;
}

/** One line: `I-… · Major · identified · commander linus · 2 linked tickets · next update due …`. */
export function incidentLine(incident: IncidentView): string {
  const parts = [incident.id, incident.severity.name, incident.status, `commander ${incident.commander}`];
  if (incident.linkedTickets.length) parts.push(plural(incident.linkedTickets.length, 'linked ticket'));
  const next = nextUpdate(incident);
  if (next) parts.push(next);
  return parts.join(' · ');
}

export function formatIncident(incident: IncidentView): string {
  const { cadence, page } = incident;
  const facts: [string, string | undefined][] = [
    ['severity', incident.severity.name === incident.severity.id ? incident.severity.id : `${incident.severity.name} (${incident.severity.id})`],
    ['status', incident.status],
    ['impact', oneLine(incident.impact)],
    ['commander', `${incident.commander}${incident.declaredBy !== incident.commander ? ` (declared by ${incident.declaredBy})` : ''}`],
    ['components', incident.components.length ? incident.components.join(', ') : undefined],
    ['declared', time(incident.declaredAt)],
    ['resolved', incident.resolvedAt && time(incident.resolvedAt)],
    ['next update', cadence && `${cadence.overdue ? 'OVERDUE, was due' : 'due'} ${time(cadence.nextUpdateAt)}${cadence.overdue ? '' : ` (reminder ${time(cadence.remindAt)}, overdue ${time(cadence.overdueAt)})`}`],
    ['page', page && `${page.id} (${page.plan}): ${page.status}${page.acknowledgedBy ? ` by ${page.acknowledgedBy}` : ''}`],
    ['proposal', incident.proposalKey],
    ['status page', incident.path],
    ['policy', incident.policy],
  ];
  const lines = [`${incident.id}  ${incident.title}`, ...table(facts.filter((f): f is [string, string] => Boolean(f[1])))];

  lines.push('', 'Updates');
  for (const u of incident.updates) {
    lines.push(`  ${u.number}. ${time(u.at)}  ${u.statusName}  by ${u.author}${u.final ? '  (final)' : ''}`);
    lines.push(`     ${oneLine(u.message, 200)}`);
    lines.push(`     Impact: ${oneLine(u.impact, 200)}${u.nextUpdateAt ? ` · next update ${time(u.nextUpdateAt)}` : ''}`);
  }

  lines.push('', 'Linked tickets');
  if (incident.linkedTickets.length === 0) lines.push('  none');
  else lines.push(...table(incident.linkedTickets.map((t) => [t.ticketId, `linked ${time(t.linkedAt)}`, t.auto ? 'on intake (its components)' : `by ${t.linkedBy}`])));

  lines.push('', 'Timeline');
  lines.push(...table(incident.timeline.map((e) => [time(e.at), e.actor, e.type, e.summary])));
  lines.push('', `as of ${time(incident.asOf)}`);
  return lines.join('\n');
}

export function formatIncidentList(list: IncidentList): string {
  if (list.incidents.length === 0) return 'no open or recently resolved incidents';
  const rows = list.incidents.map((i) => [
    i.id,
    i.severity.name,
    i.status,
    i.commander,
    String(i.linkedTickets),
    i.status === 'resolved' ? `resolved ${time(i.resolvedAt!)}` : i.updateOverdue ? 'OVERDUE' : i.nextUpdateAt ? time(i.nextUpdateAt) : '-',
    oneLine(i.title, 60),
  ]);
  const lines = table([['ID', 'SEVERITY', 'STATUS', 'COMMANDER', 'TICKETS', 'NEXT UPDATE', 'TITLE'], ...rows], '');
  lines.push('', plural(list.incidents.length, 'incident'));
  return lines.join('\n');
}

/** Quotes a value for a shell command line a person may copy. */
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function formatProposals(list: ProposalList): string {
  if (list.proposals.length === 0) return 'no proposed incidents';
  const lines: string[] = [];
  for (const p of list.proposals) {
    lines.push(
      p.key,
      `  ${p.count} tickets with ${p.by} '${p.value}' within ${p.within} (${p.rule}), ${time(p.from)} to ${time(p.to)}`,
      `  tickets: ${p.tickets.join(', ')}`,
      `  confirm: tierline incident declare --proposal ${shellQuote(p.key)} --severity SEVERITY --title ${shellQuote(p.title)} --impact TEXT${p.components.length ? ` --components ${p.components.join(',')}` : ''}${p.tickets.map((t) => ` --ticket ${t}`).join('')}`,
      '',
    );
  }
  lines.push(`${plural(list.proposals.length, 'proposal')}; none is declared until a person confirms it`);
  return lines.join('\n');
}
