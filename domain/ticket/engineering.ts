/**
 * The engineering loop (FM-08: "every support ticket is a signal"): a ticket that reveals a product
 * problem gets an engineering issue on GitHub, opened by tierline with the ticket's reproduction
 * details or an existing one linked, and the two reference each other. When the issue is closed
 * (the GitHub webhook), the ticket's assignee is told the fix landed and can resolve the ticket
 * with the fix's reference; resolving stays the engineer's normal resolve.
 *
 * How the two sides find each other: an issue tierline opens carries the label
 * `tierline:<ticketId>` and, in its body, the hidden marker `<!-- tierline:<effect key> -->`; a
 * linked issue gets the label and a comment with the marker. The webhook reads them back.
 */
import { priorityOf } from '../policy/match.js';
import type { Command, SystemEvent } from './commands.js';
import { effectKey, record, SYSTEM } from './timeline.js';
import { isOpenStatus, type Decision, type EngineeringIssue, type TicketState } from './types.js';

type OpenIssue = Extract<Command, { type: 'openEngineeringIssue' }>;
type LinkIssue = Extract<Command, { type: 'linkEngineeringIssue' }>;
type Opened = Extract<SystemEvent, { type: 'engineeringIssueOpened' }>;
type Closed = Extract<SystemEvent, { type: 'engineeringIssueClosed' }>;
type Outcome = Extract<SystemEvent, { type: 'notificationOutcome' }>;

/** GitHub takes issue titles of at most 256 characters. */
export const MAX_TITLE = 256;
/** The longest description and engineer's details copied into an issue (GitHub's body limit is 65,536). */
const MAX_TEXT = 20_000;
const MAX_TIMELINE_LINES = 30;
const MAX_EXCERPT = 400;

const REPO_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+$/;
const ISSUE_URL = /^https:\/\/github\.com\/([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9_.-]+)\/issues\/([1-9]\d{0,9})\/?(?:[?#].*)?$/;
const LABEL = /^tierline:(T-[0-9A-Z]{16,18})$/;
const MARKER = /<!-- tierline:(T-[0-9A-Z]{16,18})\/[^\s<>]+ -->/g;

/** An issue on GitHub: `owner/name` and its number, with its canonical URL. */
export interface IssueRef {
  repo: string;
  number: number;
  url: string;
}

/** Reads `https://github.com/OWNER/REPO/issues/NUMBER` (a trailing slash, query or fragment is dropped). */
export function parseIssueUrl(url: string): IssueRef | undefined {
  const match = ISSUE_URL.exec(url.trim());
  if (!match) return undefined;
  const [, owner, name, number] = match as unknown as [string, string, string, string];
  return { repo: `${owner}/${name}`, number: Number(number), url: `https://github.com/${owner}/${name}/issues/${number}` };
}

export const isRepoName = (repo: string) => REPO_PATTERN.test(repo);

/** The same issue: GitHub compares owner and repository names without regard to case. */
function sameIssue(a: string, b: string): boolean {
  const x = parseIssueUrl(a);
  const y = parseIssueUrl(b);
  if (!x || !y) return a === b;
  return x.repo.toLowerCase() === y.repo.toLowerCase() && x.number === y.number;
}

/** The label every issue tierline opens or links carries (GitHub labels are at most 50 characters). */
export const engineeringLabel = (ticketId: string) => `tierline:${ticketId}`;

/** The hidden marker an effect's issue or comment carries, found again on a retry. */
export const engineeringMarker = (key: string) => `<!-- tierline:${key} -->`;

/** The tickets an issue names through tierline's labels and markers (the webhook's side). */
export function ticketsReferencedBy(issue: { body?: string | null; labels?: readonly { name: string }[] }): string[] {
  const ids = new Set<string>();
  for (const label of issue.labels ?? []) {
    const match = LABEL.exec(label.name);
    if (match) ids.add(match[1]!);
  }
  for (const match of (issue.body ?? '').matchAll(MARKER)) ids.add(match[1]!);
  return [...ids];
}

/** Whether an issue carries a tierline label: tierline opened or linked it (labels need push access on GitHub). */
export const hasEngineeringLabel = (issue: { labels?: readonly { name: string }[] }) => (issue.labels ?? []).some((l) => LABEL.test(l.name));

/** Whether a text carries a tierline marker (tierline's own comment). */
export const hasEngineeringMarker = (text: string) => new RegExp(MARKER.source).test(text);

const shortRef = (issue: Pick<EngineeringIssue, 'url' | 'repo' | 'number'>) => (issue.repo && issue.number !== undefined ? `${issue.repo}#${issue.number}` : issue.url);

/** Why the ticket cannot take an engineering issue now, or undefined when it can. */
export function engineeringProblem(state: TicketState, command: OpenIssue | LinkIssue): string | undefined {
  const current = state.engineeringIssue;
  if (current?.state === 'open') {
    return `the ticket is already linked to the open engineering issue ${current.url}; it must be closed before another is opened or linked`;
  }
  const asked = state.engineeringIssueRequest;
  if (asked) return `an engineering issue is being opened for this ticket (asked by ${asked.by}); wait for it to be linked`;
  if (command.type === 'openEngineeringIssue') {
    if (command.repo !== undefined && !isRepoName(command.repo)) return `'${command.repo}' is not a repository; expected OWNER/NAME, e.g. fm08/platform`;
    if (command.title !== undefined && command.title.trim() === '') return 'the title, when given, must not be empty';
    if (command.title !== undefined && command.title.trim().length > MAX_TITLE) return `the title has ${command.title.trim().length} characters; GitHub takes at most ${MAX_TITLE}`;
    return undefined;
  }
  const ref = parseIssueUrl(command.url);
  if (!ref) return `'${command.url}' is not a GitHub issue URL; expected https://github.com/OWNER/REPO/issues/NUMBER`;
  if (current && sameIssue(current.url, ref.url)) return `${current.url} was this ticket's engineering issue and is closed; link the issue that tracks the fix now`;
  return undefined;
}

/** Asks the shell to open the issue; the ticket waits for its URL (engineeringIssueOpened). */
export function openEngineeringIssue(state: TicketState, cmd: OpenIssue, now: number): Decision {
  const title = (cmd.title?.trim() || state.intake.subject).slice(0, MAX_TITLE);
  state = record(state, now, cmd.actor, 'engineering-issue-requested', `engineering issue asked for${cmd.repo ? ` in ${cmd.repo}` : ''}: ${title}`, {
    title,
    ...(cmd.repo ? { repo: cmd.repo } : {}),
  });
  const key = effectKey(state, 'engineering-issue');
  state = { ...state, engineeringIssueRequest: { key, by: cmd.actor, at: now, ...(cmd.repo ? { repo: cmd.repo } : {}) } };
  const body = reproductionDetails(state, cmd.actor, cmd.details);
  return { state, effects: [{ type: 'openEngineeringIssue', key, title, body, ...(cmd.repo ? { repo: cmd.repo } : {}) }] };
}

/** An existing issue: linked at once, and a comment on it names the ticket. */
export function linkEngineeringIssue(state: TicketState, cmd: LinkIssue, now: number): Decision {
  const ref = parseIssueUrl(cmd.url)!;
  const issue: EngineeringIssue = { url: ref.url, repo: ref.repo, number: ref.number, state: 'open', created: false, linkedBy: cmd.actor, linkedAt: now };
  state = record({ ...state, engineeringIssue: issue }, now, cmd.actor, 'engineering-issue-linked', `linked to the engineering issue ${ref.repo}#${ref.number}`, {
    url: ref.url,
    repo: ref.repo,
    number: ref.number,
  });
  const priority = priorityOf(state.policy, state.priority)?.name ?? state.priority;
  const comment = [
    `Linked to support ticket **${state.ticketId}**: ${inline(scrub(state, state.intake.subject))} (${state.priority}${priority !== state.priority ? ` ${priority}` : ''}, opened ${day(state.receivedAt)}).`,
    '',
    `A customer is waiting on this fix. Closing this issue tells the ticket's engineer that the fix landed.`,
  ].join('\n');
  return {
    state,
    effects: [
      { type: 'commentOnEngineeringIssue', key: effectKey(state, 'engineering-link'), url: ref.url, body: comment },
      { type: 'notifyTeam', key: effectKey(state, 'engineering-linked'), event: 'activity', text: `${cmd.actor} linked the engineering issue ${ref.url}` },
    ],
  };
}

/** The shell opened the issue: the ticket holds its URL. The same URL again changes nothing. */
export function engineeringIssueOpened(state: TicketState, event: Opened, now: number): Decision {
  if (state.engineeringIssue && sameIssue(state.engineeringIssue.url, event.url)) return { state, effects: [] };
  const asked = state.engineeringIssueRequest;
  const issue: EngineeringIssue = { url: event.url, repo: event.repo, number: event.number, state: 'open', created: true, linkedBy: asked?.by ?? SYSTEM, linkedAt: now };
  const { engineeringIssueRequest: _answered, ...rest } = state;
  state = record({ ...rest, engineeringIssue: issue }, now, SYSTEM, 'engineering-issue-opened', `engineering issue ${event.repo}#${event.number} opened`, {
    url: event.url,
    repo: event.repo,
    number: event.number,
  });
  return { state, effects: [{ type: 'notifyTeam', key: effectKey(state, 'engineering-opened'), event: 'activity', text: `Engineering issue opened: ${event.url}` }] };
}

/**
 * The asked-for issue went nowhere on GitHub: sent to the outbox (no GITHUB_TOKEN), or failed for
 * good. The request ends, so it can be asked for again or an issue linked by hand.
 */
export function engineeringRequestEnded(state: TicketState, event: Outcome, now: number): Decision {
  const { engineeringIssueRequest: _ended, ...rest } = state;
  const summary = event.outcome === 'failed'
    ? `the engineering issue could not be opened: ${event.detail ?? 'unknown error'}`
    : `no GitHub is configured (GITHUB_TOKEN): the engineering issue was written to the ${event.channel}; open it by hand and link it`;
  state = record(rest, now, SYSTEM, event.outcome === 'failed' ? 'engineering-issue-failed' : 'engineering-issue-outbox', summary, { key: event.key, channel: event.channel, attempts: event.attempts });
  return { state, effects: [{ type: 'notifyTeam', key: effectKey(state, 'engineering-failed'), event: 'activity', text: `Engineering issue not opened on GitHub: ${summary}` }] };
}

/**
 * The linked issue was closed on GitHub: recorded, and the assignee is told in the ticket's thread
 * that the fix landed (or that none is coming: closed as not planned). A close of another issue,
 * or a second close of this one (a redelivery), changes nothing.
 */
export function engineeringIssueClosed(state: TicketState, event: Closed, now: number): Decision {
  const issue = state.engineeringIssue;
  if (!issue || issue.state === 'closed' || !sameIssue(issue.url, event.url)) return { state, effects: [] };
  const by = event.by?.trim() || undefined;
  const reason = event.reason?.trim() || undefined;
  const closed: EngineeringIssue = { ...issue, state: 'closed', closedAt: now, ...(by ? { closedBy: by } : {}), ...(reason ? { reason } : {}) };
  const ref = shortRef(issue);
  const how = `${by ? ` by ${by}` : ''}${reason ? ` (${reason.replace(/_/g, ' ')})` : ''}`;
  const planned = reason !== 'not_planned';
  state = record({ ...state, engineeringIssue: closed }, now, by ?? SYSTEM, 'engineering-issue-closed', `engineering issue ${ref} closed${how}${planned ? ': the fix landed' : ': no fix is planned'}`, {
    url: issue.url,
    ...(by ? { by } : {}),
    ...(reason ? { reason } : {}),
    ...(event.delivery ? { delivery: event.delivery } : {}),
  });
  const whom = state.assignee ? `${state.assignee}: ` : 'Unassigned ticket: ';
  const next = !isOpenStatus(state.status)
    ? 'The ticket is already resolved.'
    : planned
      ? `The ticket can be resolved with the fix's reference, e.g. "Fixed by ${ref}".`
      : 'Tell the requester, or link the issue that will carry the fix.';
  const text = `${whom}the engineering issue ${issue.url} was closed${planned ? `${how}: the fix landed.` : `${by ? ` by ${by}` : ''} as not planned: no fix is coming from it.`} ${next}`;
  return { state, effects: [{ type: 'notifyTeam', key: effectKey(state, 'engineering-closed'), event: 'activity', text }] };
}

/** The timeline entries the requester took part in or was told of, as the issue's history. */
const CUSTOMER_FACING = new Set(['opened', 'customer-message', 'responded', 'pending', 'resumed', 'resolved', 'reopened', 'incident-linked', 'incident-update', 'incident-resolved']);

/**
 * The issue's body: the reported problem, the engineer's reproduction details, the ticket's facts
 * and the customer-facing timeline. Never the requester's email address, in any text, and no
 * customer text can pass for a tierline marker. The shell appends the ticket's link and the marker.
 */
export function reproductionDetails(state: TicketState, actor: string, details?: string): string {
  const { intake } = state;
  const priority = priorityOf(state.policy, state.priority)?.name ?? state.priority;
  const description = intake.description.trim() ? quote(clip(scrub(state, intake.description), MAX_TEXT)) : '> (no description given)';
  const facts = [
    ['Priority', priority === state.priority ? state.priority : `${state.priority} (${priority})`],
    ['Tier', state.tier],
    ['Channel', intake.channel],
    ['Category', state.category],
    ['Tags', state.tags.length ? state.tags.join(', ') : undefined],
    ['Opened', stamp(state.receivedAt)],
  ].filter((f): f is [string, string] => f[1] !== undefined);
  const history = state.timeline.filter((e) => CUSTOMER_FACING.has(e.type)).slice(-MAX_TIMELINE_LINES).map((e) => {
    const who = e.type === 'customer-message' || e.type === 'opened' ? 'requester' : e.actor;
    const body = typeof e.data?.['body'] === 'string' ? `: “${inline(clip(scrub(state, e.data['body'] as string), MAX_EXCERPT))}”` : '';
    return `- ${stamp(e.at)} · ${who} · ${inline(scrub(state, e.summary))}${body}`;
  });
  return [
    `Support ticket **${state.ticketId}** reported a product problem (FM-08: every support ticket is a signal).`,
    '',
    '### Reported problem',
    `**${inline(scrub(state, intake.subject))}**`,
    '',
    description,
    ...(details?.trim() ? ['', `### Reproduction details from ${actor}`, clip(scrub(state, details.trim()), MAX_TEXT)] : []),
    '',
    '### Ticket',
    '| | |',
    '|---|---|',
    ...facts.map(([k, v]) => `| ${k} | ${inline(scrub(state, v)).replace(/\|/g, '\\|')} |`),
    '',
    '### Customer-facing timeline',
    ...(history.length ? history : ['- (nothing yet)']),
  ].join('\n');
}

/** Removes the requester's email address, and keeps customer text from passing for a marker. */
function scrub(state: TicketState, text: string): string {
  let out = text.replace(/<!--/g, '&lt;!--');
  const email = state.intake.requester.email;
  if (email) out = out.replace(new RegExp(email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '[requester]');
  return out;
}

const inline = (text: string) => text.replace(/\s+/g, ' ').trim();
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const quote = (text: string) => text.split('\n').map((line) => `> ${line}`).join('\n');
const stamp = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
