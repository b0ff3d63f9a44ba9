/**
 * What each command asks of the API and what it prints. The text options are final here: a `-`
 * has already been replaced by stdin (main.ts).
 */
import type { IntakeInput } from '../domain/ticket/intake.js';
import type { TicketView } from '../domain/ticket/view.js';
import type { ActionRoute, TicketApi } from './api.js';
import type { CommandName, Invocation } from './args.js';
import { formatTicket, ticketLine } from './format.js';

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

/** Each action: its API route, its text option (sent as the same field), and what it did. */
const ACTIONS: Record<Exclude<CommandName, 'open' | 'show'>, { route: ActionRoute; text?: 'body' | 'resolution'; done: string }> = {
  ack: { route: 'acknowledge', done: 'acknowledged' },
  respond: { route: 'respond', text: 'body', done: 'responded' },
  resolve: { route: 'resolve', text: 'resolution', done: 'resolved' },
  note: { route: 'note', text: 'body', done: 'noted' },
};

export interface Outcome {
  ticket: TicketView;
  /** What to print without --json. */
  text: string;
}

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

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
      return { ticket, text: `${created ? 'opened' : 'found the ticket opened before'}: ${ticketLine(ticket)}` };
    }
    case 'show': {
      const ticket = await api.get(inv.ticketId!);
      return { ticket, text: formatTicket(ticket) };
    }
    default: {
      const action = ACTIONS[inv.command];
      const body: Record<string, string> = action.text ? { [action.text]: str(v[action.text])! } : {};
      const fields: Record<string, string> = action.text ? { [action.text]: `--${action.text}` } : {};
      const ticket = await api.act(inv.ticketId!, action.route, body, fields);
      return { ticket, text: `${action.done}: ${ticketLine(ticket)}` };
    }
  }
}
