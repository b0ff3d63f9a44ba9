/**
 * What each command asks of the API and what it prints. The text options are final here: a `-`
 * has already been replaced by stdin (main.ts).
 */
import { STATUSES } from '../domain/ticket/types.js';
import type { IntakeInput } from '../domain/ticket/intake.js';
import type { TicketView } from '../domain/ticket/view.js';
import type { ActionRoute, TicketApi } from './api.js';
import { requestOf, type CommandName, type Invocation } from './args.js';
import { usageError } from './errors.js';
import { formatTicket, formatTicketList, ticketLine } from './format.js';
import { formatOnCall } from './format-oncall.js';

/** The intake's fields by the options that set them, so the API's field errors name the option. */
const INTAKE_FIELDS: Record<string, string> = {
  subject: '--subject',
  description: '--description',
  requester: '--email',
  'requester.email': '--email',
  'requester.name': '--name',
  channel: '--channel',
  priority: '--priority',
  externalId: '--external-id',
};

/** `list`'s query parameters by the options that set them. */
const LIST_FIELDS: Record<string, string> = {
  status: '--status',
  priority: '--priority',
  tier: '--tier',
  channel: '--channel',
  assignee: '--assignee',
  breached: '--breached',
  open: '--open',
  limit: '--limit',
  pageToken: '--page-token',
};

/** The API's own default for `limit`. */
const DEFAULT_LIMIT = 50;

type ActionCommand = Exclude<CommandName, 'open' | 'show' | 'list' | 'oncall'>;

/** Each action: its API route, and what it did (the start of the line printed before the ticket). */
const ACTIONS: Record<ActionCommand, { route: ActionRoute; done: (inv: Invocation) => string }> = {
  ack: { route: 'acknowledge', done: () => 'acknowledged' },
  respond: { route: 'respond', done: () => 'responded' },
  note: { route: 'note', done: () => 'noted' },
  priority: { route: 'priority', done: (inv) => `priority set to ${inv.argument}` },
  assign: { route: 'assign', done: (inv) => `assigned to ${inv.argument}` },
  pending: { route: 'pending', done: (inv) => (inv.argument === 'none' ? 'no longer pending' : `pending on the ${inv.argument}`) },
  escalate: { route: 'escalate', done: () => 'escalated' },
  deescalate: { route: 'deescalate', done: () => 'de-escalated' },
  resolve: { route: 'resolve', done: () => 'resolved' },
  reopen: { route: 'reopen', done: () => 'reopened' },
  close: { route: 'close', done: () => 'closed' },
  duplicate: { route: 'duplicate', done: (inv) => `closed as a duplicate of ${inv.argument}` },
};

export interface Outcome {
  /** The API's answer, printed unchanged with --json. */
  json: unknown;
  /** What to print without --json. */
  text: string;
}

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

/** `in progress`, `in-progress` and `in_progress` all name the status `in_progress`. */
function statusFilter(given: string | undefined): string | undefined {
  if (given === undefined) return undefined;
  const status = given.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (!(STATUSES as readonly string[]).includes(status)) throw usageError(`--status: unknown status '${given}'; expected one of ${STATUSES.join(', ')}`);
  return status;
}

function limitOption(given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  if (!/^\d+$/.test(given.trim()) || Number(given) < 1) throw usageError(`--limit: expected a whole number of tickets from 1, got '${given}'`);
  return Number(given);
}

export async function runCommand(inv: Invocation, api: TicketApi): Promise<Outcome> {
  const v = inv.values;
  switch (inv.command) {
    case 'open': {
      const intake: IntakeInput = {
        subject: str(v.subject)!,
        description: str(v.description)!,
        requester: { email: str(v.email), ...(str(v.name) !== undefined ? { name: str(v.name) } : {}) },
        channel: str(v.channel) ?? 'email',
        ...(str(v.priority) !== undefined ? { priority: str(v.priority) } : {}),
        ...(str(v['external-id']) !== undefined ? { externalId: str(v['external-id']) } : {}),
      };
      const key = str(v['idempotency-key']);
      const { ticket, created } = await api.open(intake, { ...(key !== undefined ? { idempotencyKey: key } : {}), fields: INTAKE_FIELDS });
      return { json: ticket, text: `${created ? 'opened' : 'found the ticket opened before'}: ${ticketLine(ticket)}` };
    }
    case 'show': {
      const ticket = await api.get(inv.ticketId!);
      return { json: ticket, text: formatTicket(ticket) };
    }
    case 'list': {
      const limit = limitOption(str(v.limit));
      const list = await api.list(
        {
          status: statusFilter(str(v.status)),
          priority: str(v.priority),
          tier: str(v.tier),
          channel: str(v.channel),
          assignee: str(v.assignee),
          breached: v.breached ? 'true' : undefined,
          open: v.open ? 'true' : undefined,
          limit: limit?.toString(),
          pageToken: str(v['page-token']),
        },
        LIST_FIELDS,
      );
      return { json: list, text: formatTicketList(list, limit ?? DEFAULT_LIMIT) };
    }
    case 'oncall': {
      const { body: query, fields } = requestOf(inv);
      const answer = await api.oncall(query, fields);
      return { json: answer, text: formatOnCall(answer) };
    }
    default: {
      const action = ACTIONS[inv.command];
      const { body, fields } = requestOf(inv);
      const ticket: TicketView = await api.act(inv.ticketId!, action.route, body, fields);
      return { json: ticket, text: `${action.done(inv)}: ${ticketLine(ticket)}` };
    }
  }
}
