/**
 * What a person reads: a ticket with its SLA clocks and timeline, and one line per action. Times
 * are UTC, as the API gives them; remaining times are as of the API's `asOf`.
 */
import { formatDuration } from '../domain/duration.js';
import type { SlaClockView, TicketView } from '../domain/ticket/view.js';
import type { TicketList } from './api.js';

/** `2026-11-23T15:00:00.000Z` -> `2026-11-23 15:00:00 UTC`. */
export function time(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

const words = (status: string) => status.replace(/_/g, ' ');

/** `P0 Critical`, or just `P0` when the policy gives it no other name. */
const priority = (ticket: TicketView) => (ticket.priorityName === ticket.priority ? ticket.priority : `${ticket.priority} ${ticket.priorityName}`);

/** Rows of cells, each column padded to its widest cell. */
export function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => (indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).trimEnd());
}

/** The first line of a text, cut to `max` characters. */
function excerpt(text: string, max = 80): string {
  const line = text.trim().split('\n')[0]!;
  return line.length > max || text.trim().includes('\n') ? `${line.slice(0, max).trimEnd()}…` : line;
}

function clockState(clock: SlaClockView): string {
  const parts: string[] = [];
  if (clock.metAt) parts.push(`met ${time(clock.metAt)}`);
  if (clock.breachedAt) parts.push(`BREACHED ${time(clock.breachedAt)}`);
  if (clock.status === 'paused') parts.push(`paused${clock.pausedBy ? ` (${clock.pausedBy})` : ''}`);
  if (clock.status === 'running' && clock.remainingMs !== null) {
    parts.push(clock.remainingMs >= 0 ? `${formatDuration(clock.remainingMs)} left` : `overdue by ${formatDuration(-clock.remainingMs)}`);
  }
  if (clock.status === 'stopped' && !clock.metAt) parts.push('stopped');
  return parts.join(' · ');
}

/** The clock that falls due next, if any runs. */
function nextDue(ticket: TicketView): string | undefined {
  if (!ticket.slaDueAt) return undefined;
  const clock = ticket.clocks.find((c) => c.dueAt === ticket.slaDueAt && c.status === 'running');
  return `${clock ? `${clock.id} ` : ''}due ${time(ticket.slaDueAt)}`;
}

/** One line: `T-… · in progress · P0 Critical · tier support · @grace · firstResponse due …`. */
export function ticketLine(ticket: TicketView): string {
  const parts = [ticket.id, words(ticket.status), priority(ticket), `tier ${ticket.tier}`];
  if (ticket.assignee) parts.push(`@${ticket.assignee}`);
  if (ticket.slaBreached) parts.push('SLA breached');
  const due = nextDue(ticket);
  if (due) parts.push(due);
  return parts.join(' · ');
}

/** The ticket's engineering issue: its URL and state, or the request still on its way. */
function engineeringIssue(ticket: TicketView): string | undefined {
  const issue = ticket.engineeringIssue;
  if (!issue) return ticket.engineeringIssueRequest && `issue asked for by ${ticket.engineeringIssueRequest.by}, not opened yet`;
  const how = issue.created ? `opened for ${issue.linkedBy}` : `linked by ${issue.linkedBy}`;
  if (issue.state === 'open') return `${issue.url} (open, ${how})`;
  const closed = [issue.closedAt && time(issue.closedAt), issue.closedBy && `by ${issue.closedBy}`, issue.reason?.replace(/_/g, ' ')].filter(Boolean).join(' ');
  return `${issue.url} (closed ${closed}; ${how})`;
}

export function formatTicket(ticket: TicketView): string {
  const requester = ticket.requester;
  const who = [requester.name, requester.email ? `<${requester.email}>` : undefined, requester.handle].filter(Boolean).join(' ');
  const facts: [string, string | undefined][] = [
    ['status', words(ticket.status) + (ticket.pending ? ` (pending on the ${ticket.pending.reason} since ${time(ticket.pending.since)})` : '')],
    ['priority', priority(ticket)],
    ['tier', ticket.tier],
    ['assignee', ticket.assignee],
    ['requester', `${who || 'unknown'} via ${ticket.channel}`],
    ['category', ticket.category],
    ['tags', ticket.tags.length ? ticket.tags.join(', ') : undefined],
    ['opened', time(ticket.openedAt)],
    ['acknowledged', ticket.acknowledgedAt && time(ticket.acknowledgedAt)],
    ['first response', ticket.firstResponseAt && time(ticket.firstResponseAt)],
    ['resolved', ticket.resolvedAt && `${time(ticket.resolvedAt)}${ticket.resolution ? `: ${excerpt(ticket.resolution)}` : ''}`],
    ['closed', ticket.closedAt && time(ticket.closedAt)],
    ['duplicate of', ticket.duplicateOf],
    ['engineering', engineeringIssue(ticket)],
    ['follow-up', ticket.followUp.dueAt && `due ${time(ticket.followUp.dueAt)}${ticket.followUp.sentAt ? `, sent ${time(ticket.followUp.sentAt)}` : ''}`],
    ['satisfaction', ticket.csat && [ticket.csat.score !== undefined ? `${ticket.csat.score}/5` : '', ticket.csat.effort !== undefined ? `effort ${ticket.csat.effort}/7` : '', ticket.csat.comment ? excerpt(ticket.csat.comment) : ''].filter(Boolean).join(', ')],
    ['SLA', ticket.slaBreached ? 'BREACHED' : 'within targets'],
    ['policy', ticket.policy],
  ];
  const lines = [`${ticket.id}  ${ticket.subject}`, ...table(facts.filter((f): f is [string, string] => Boolean(f[1])))];

  lines.push('', 'SLA clocks');
  if (ticket.clocks.length === 0) lines.push('  none');
  else {
    lines.push(
      ...table(
        ticket.clocks.map((c) => [c.id, c.status, c.target ? `target ${c.target}` : 'no target', c.dueAt ? `due ${time(c.dueAt)}` : '', clockState(c)]),
      ),
    );
  }

  lines.push('', 'Timeline');
  lines.push(
    ...table(
      ticket.timeline.map((e) => {
        const body = typeof e.data?.body === 'string' ? `: "${excerpt(e.data.body)}"` : '';
        return [time(e.at), e.actor, e.type, `${e.summary}${body}`];
      }),
    ),
  );
  lines.push('', `as of ${time(ticket.asOf)}`);
  return lines.join('\n');
}

/** The tickets of `list` as a table with a header, then how many and how to get the next page. */
export function formatTicketList(list: TicketList, limit: number): string {
  if (list.tickets.length === 0) return list.nextPageToken ? `no tickets on this page\nnext page: --page-token ${list.nextPageToken}` : 'no tickets match';
  const rows = list.tickets.map((t) => [
    t.id,
    t.status ? words(t.status) : '-',
    t.priority ?? '-',
    t.tier ?? '-',
    t.assignee ?? '-',
    [t.slaBreached ? 'BREACHED' : '', t.slaDueAt ? `due ${time(t.slaDueAt)}` : ''].filter(Boolean).join(', ') || '-',
    time(t.openedAt),
  ]);
  const lines = table([['ID', 'STATUS', 'PRIORITY', 'TIER', 'ASSIGNEE', 'SLA', 'OPENED'], ...rows], '');
  const count = `${list.tickets.length} ticket${list.tickets.length === 1 ? '' : 's'}`;
  if (list.nextPageToken) lines.push('', count, `next page: --page-token ${list.nextPageToken}`);
  else lines.push('', list.tickets.length >= limit ? `${count} (the first ${limit}; --limit shows more)` : count);
  return lines.join('\n');
}
