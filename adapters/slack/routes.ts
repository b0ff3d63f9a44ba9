/**
 * Slack's interactivity and slash-command endpoints. Every request is verified first (v0 signing
 * secret over the raw body, timestamp within five minutes, constant-time compare), answered at
 * once (Slack gives three seconds), and only then is the ticket's Update run. The ticket card is
 * re-rendered by the ticket workflow itself (its `refreshTeamCard` effect, through chat.update),
 * so a click changes the message exactly as any other acknowledgement does; a refusal is told to
 * the clicking user alone (an ephemeral message through `response_url`).
 *
 * - Acknowledge runs at once, as the clicking user (SLACK_USERS maps Slack user ids to engineers;
 *   an unmapped user acts as `slack:<username>`).
 * - Resolve and Escalate need words for the customer or the timeline: they open a modal (through
 *   the bot token) asking for the resolution or the reason, and its submission runs the Update.
 * - `/ticket <subject>` opens a ticket on the policy's Slack channel; `/ticket show <id>` shows one.
 * - `/incident <severity> <title> | <impact>` declares an incident as the Slack user.
 */
import { WebClient } from '@slack/web-api';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { TicketCardAction } from '../../activities/slack.js';
import { InvalidInput, TicketNotFound, TicketRefused, type TicketClient } from '../../client/tickets.js';
import { TICKET_ID_PATTERN } from '../../client/ticket-ids.js';
import type { TicketView } from '../../domain/ticket/view.js';
import type { IncidentClient } from '../../client/incidents.js';
import { declarationProblem } from '../../domain/incident/commands.js';
import type { RawBodyRequest } from '../http/server.js';
import { channelFor } from '../shared/channels.js';
import { hmacSha256Hex, isFreshTimestamp, safeEqual } from '../shared/signatures.js';

export interface SlackAdapterOptions {
  tickets: TicketClient;
  /** For `/incident`; without it the command says incidents are not configured. */
  incidents?: IncidentClient;
  signingSecret: string;
  /** Slack user id -> engineer name. */
  users: Record<string, string>;
  /** For the Resolve and Escalate modals and ephemeral messages; without it those buttons explain where to act instead. */
  botToken?: string;
  apiUrl?: string;
  /** The wall clock, for the timestamp check (tests move it). */
  now?: () => number;
  log?: (message: string) => void;
}

/** Slack's `response_url`s live here; a configured API URL (a local Slack in tests) is trusted too. */
const SLACK_HOOKS_ORIGIN = 'https://hooks.slack.com';

const SlackUser = z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() }).passthrough();

const BlockActions = z
  .object({
    type: z.literal('block_actions'),
    user: SlackUser,
    trigger_id: z.string().optional(),
    response_url: z.string().optional(),
    channel: z.object({ id: z.string() }).passthrough().optional(),
    actions: z.array(z.object({ action_id: z.string(), value: z.string().optional(), action_ts: z.string().optional() }).passthrough()).min(1),
  })
  .passthrough();

const ViewSubmission = z
  .object({
    type: z.literal('view_submission'),
    user: SlackUser,
    view: z
      .object({
        id: z.string().optional(),
        callback_id: z.string(),
        private_metadata: z.string().optional(),
        state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }).passthrough())) }).passthrough(),
      })
      .passthrough(),
  })
  .passthrough();

const ModalContext = z.object({ ticketId: z.string(), channel: z.string().optional() });

const SlashCommand = z
  .object({
    command: z.string().min(1),
    text: z.string().default(''),
    user_id: z.string().min(1),
    user_name: z.string().optional(),
    trigger_id: z.string().min(1),
    response_url: z.string().optional(),
    channel_id: z.string().optional(),
  })
  .passthrough();

const MODAL = { resolve: 'ticket.resolve.modal', escalate: 'ticket.escalate.modal' } as const;
const INPUT = { resolve: 'resolution', escalate: 'reason' } as const;

export async function slackRoutes(app: FastifyInstance, opts: SlackAdapterOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((m: string) => app.log.warn(m));
  const web = opts.botToken ? new WebClient(opts.botToken, { ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}), retryConfig: { retries: 1 }, rejectRateLimitedCalls: true, timeout: 5_000 }) : undefined;
  const trustedOrigins = new Set([SLACK_HOOKS_ORIGIN, ...(opts.apiUrl ? [new URL(opts.apiUrl).origin] : [])]);
  /** Work started after the answer; awaited on close so nothing is cut off mid-Update. */
  const pending = new Set<Promise<void>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...pending]);
  });
  const later = (what: string, work: () => Promise<void>) => {
    const run = work().catch((err: Error) => log(`slack: ${what} failed: ${err.message}`));
    pending.add(run);
    void run.finally(() => pending.delete(run));
  };

  app.addHook('preHandler', async (req: RawBodyRequest, reply) => {
    const timestamp = header(req.headers['x-slack-request-timestamp']);
    const signature = header(req.headers['x-slack-signature']);
    if (!timestamp || !signature) return refuse(reply, 'missing X-Slack-Request-Timestamp or X-Slack-Signature');
    if (!isFreshTimestamp(timestamp, now())) return refuse(reply, 'the request timestamp is more than five minutes off');
    const expected = `v0=${hmacSha256Hex(opts.signingSecret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), req.rawBody ?? Buffer.alloc(0)]))}`;
    if (!safeEqual(signature, expected)) return refuse(reply, 'the signature does not match');
  });

  const actorOf = (user: z.infer<typeof SlackUser>) => opts.users[user.id] ?? `slack:${user.username ?? user.name ?? user.id}`;

  /** An ephemeral note to the one user, through the interaction's response_url. */
  async function tellUser(responseUrl: string | undefined, text: string): Promise<void> {
    if (!responseUrl || !trustedOrigins.has(safeOrigin(responseUrl))) return;
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) log(`slack: response_url answered ${res.status}`);
  }

  async function runAction(ticketId: string, type: 'acknowledge' | 'resolve' | 'escalate', args: Record<string, string>, report: (text: string) => Promise<void>): Promise<void> {
    try {
      await opts.tickets.act(ticketId, type, args as never);
    } catch (err) {
      if (err instanceof TicketRefused) return report(`${ticketId}: ${err.reason}`);
      if (err instanceof TicketNotFound) return report(`There is no ticket ${ticketId}.`);
      if (err instanceof InvalidInput) return report(`${ticketId}: ${err.message}`);
      await report(`${ticketId}: the action failed; it was not applied. Try again in a moment.`);
      throw err;
    }
  }

  function modal(kind: 'resolve' | 'escalate', ticketId: string, channel: string | undefined) {
    const label = kind === 'resolve' ? 'Resolution (sent to the customer)' : 'Why escalate? (on the timeline)';
    return {
      type: 'modal' as const,
      callback_id: MODAL[kind],
      private_metadata: JSON.stringify({ ticketId, ...(channel ? { channel } : {}) }),
      title: { type: 'plain_text' as const, text: kind === 'resolve' ? `Resolve ${ticketId}` : `Escalate ${ticketId}` },
      submit: { type: 'plain_text' as const, text: kind === 'resolve' ? 'Resolve' : 'Escalate' },
      close: { type: 'plain_text' as const, text: 'Cancel' },
      blocks: [
        {
          type: 'input' as const,
          block_id: INPUT[kind],
          label: { type: 'plain_text' as const, text: label },
          element: { type: 'plain_text_input' as const, action_id: 'value', multiline: true, max_length: 3000 },
        },
      ],
    };
  }

  app.post('/v1/slack/interactions', async (req, reply) => {
    const form = z.object({ payload: z.string().min(2) }).passthrough().safeParse(req.body ?? {});
    if (!form.success) return badRequest(reply, 'payload', 'expected the form field payload with Slack\'s JSON');
    let payload: unknown;
    try {
      payload = JSON.parse(form.data.payload);
    } catch {
      return badRequest(reply, 'payload', 'the payload is not JSON');
    }
    const type = (payload as { type?: unknown } | null)?.type;

    if (type === 'block_actions') {
      const parsed = BlockActions.safeParse(payload);
      if (!parsed.success) return badRequest(reply, 'payload', 'not a block_actions payload Slack would send');
      const { user, actions, response_url: responseUrl, trigger_id: triggerId } = parsed.data;
      const action = actions[0]!;
      const ticketId = action.value ?? '';
      const known = Object.values(TicketCardAction) as string[];
      if (!known.includes(action.action_id) || !TICKET_ID_PATTERN.test(ticketId)) return reply.code(200).send();
      const actor = actorOf(user);
      const report = (text: string) => tellUser(responseUrl, text);
      if (action.action_id === TicketCardAction.acknowledge) {
        later(`acknowledge ${ticketId}`, () => runAction(ticketId, 'acknowledge', { actor, requestId: `slack-${action.action_ts ?? triggerId ?? ''}` }, report));
        return reply.code(200).send();
      }
      const kind = action.action_id === TicketCardAction.resolve ? 'resolve' : 'escalate';
      if (!web || !triggerId) {
        later(`explain ${kind}`, () => report(`${kind === 'resolve' ? 'Resolving' : 'Escalating'} needs words; use \`tierline ${kind} ${ticketId}\` or the API.`));
        return reply.code(200).send();
      }
      // views.open must use the trigger within three seconds: it is the one call made before answering.
      try {
        await web.views.open({ trigger_id: triggerId, view: modal(kind, ticketId, parsed.data.channel?.id) });
      } catch (err) {
        log(`slack: views.open for ${ticketId} failed: ${(err as Error).message}`);
        later(`explain ${kind}`, () => report(`Could not open the ${kind} form; use \`tierline ${kind} ${ticketId}\`.`));
      }
      return reply.code(200).send();
    }

    if (type === 'view_submission') {
      const parsed = ViewSubmission.safeParse(payload);
      if (!parsed.success) return badRequest(reply, 'payload', 'not a view_submission payload Slack would send');
      const { view, user } = parsed.data;
      const kind = view.callback_id === MODAL.resolve ? 'resolve' : view.callback_id === MODAL.escalate ? 'escalate' : undefined;
      const context = ModalContext.safeParse(safeJson(view.private_metadata));
      if (!kind || !context.success) return reply.code(200).send();
      const text = (view.state.values[INPUT[kind]]?.['value']?.value ?? '').trim();
      if (!text) return reply.code(200).send({ response_action: 'errors', errors: { [INPUT[kind]]: 'Please write a few words.' } });
      const { ticketId, channel } = context.data;
      const actor = actorOf(user);
      const requestId = `slack-view-${view.id ?? `${ticketId}-${text.length}`}`;
      const report = async (message: string) => {
        if (web && channel) await web.chat.postEphemeral({ channel, user: user.id, text: message });
      };
      later(`${kind} ${ticketId}`, () => runAction(ticketId, kind, kind === 'resolve' ? { actor, resolution: text, requestId } : { actor, reason: text, requestId }, report));
      return reply.code(200).send();
    }

    // Other interaction types (shortcuts, view_closed ...) need no answer beyond 200.
    return reply.code(200).send();
  });

  const declareIncident = incidentCommand(opts, later, tellUser);

  app.post('/v1/slack/commands', async (req, reply) => {
    const parsed = SlashCommand.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(reply, parsed.error.issues[0]?.path.join('.') ?? '', 'not a slash command Slack would send');
    const { text, user_id: userId, user_name: userName, trigger_id: triggerId, response_url: responseUrl } = parsed.data;
    const words = text.trim();
    const ephemeral = (message: string) => reply.code(200).send({ response_type: 'ephemeral', text: message });
    if (parsed.data.command === '/incident') return declareIncident(words, opts.users[userId] ?? `slack:${userName ?? userId}`, triggerId, responseUrl, ephemeral);

    const show = /^show\s+(\S+)$/i.exec(words);
    if (show) {
      const ticketId = show[1]!;
      try {
        return ephemeral(describe(await opts.tickets.get(ticketId)));
      } catch (err) {
        if (err instanceof TicketNotFound) return ephemeral(`There is no ticket ${ticketId}.`);
        throw err;
      }
    }
    if (words === '' || /^help$/i.test(words)) {
      return ephemeral('`/ticket [P1] <subject>` opens a ticket (the priority is optional) · `/ticket show <id>` shows one.');
    }
    const channel = channelFor(opts.tickets.options.policy, 'slack');
    if (!channel) return ephemeral(`The policy ${opts.tickets.options.policy.id} has no Slack channel; open the ticket another way.`);
    const opening = words.replace(/^open\s+/i, '');
    const first = opening.split(/\s+/)[0] ?? '';
    const priority = opts.tickets.options.policy.priorities.find((p) => p.id.toLowerCase() === first.toLowerCase())?.id;
    const subject = (priority ? opening.slice(first.length) : opening).trim();
    const intake = {
      subject: subject.slice(0, 300),
      description: subject.length > 300 ? subject : '',
      requester: { handle: `@${userName ?? userId}`, ...(userName ? { name: userName } : {}) },
      channel,
      externalId: `slack-command-${triggerId}`,
      ...(priority ? { priority } : {}),
    };
    try {
      opts.tickets.validateIntake(intake);
    } catch (err) {
      if (err instanceof InvalidInput) return ephemeral(`The ticket cannot be opened: ${err.message}`);
      throw err;
    }
    // Answer now; the ticket opens right after and its id comes through response_url.
    later(`open a ticket for ${userId}`, async () => {
      const { ticket } = await opts.tickets.open(intake);
      await tellUser(responseUrl, `Opened ${ticket.id}: ${ticket.subject} (${ticket.priority}).`);
    });
    return ephemeral(`Opening a ticket: ${intake.subject}…`);
  });
}

/**
 * `/incident <severity> <title> | <impact>` declares an incident as the Slack user: answered at
 * once, declared right after (keyed by the trigger id, so a repeat declares nothing new), its id
 * through response_url.
 */
function incidentCommand(
  opts: SlackAdapterOptions,
  later: (what: string, work: () => Promise<void>) => void,
  tellUser: (responseUrl: string | undefined, text: string) => Promise<void>,
) {
  return (words: string, actor: string, triggerId: string, responseUrl: string | undefined, ephemeral: (message: string) => unknown) => {
    const incidents = opts.incidents;
    if (!incidents) return ephemeral('Incidents are not configured on this server.');
    const severities = incidents.options.policy.incidents.severities.map((s) => s.id);
    const match = /^(\S+)\s+([^|]+?)\s*\|\s*(.+)$/s.exec(words);
    const severity = match && severities.find((s) => s.toLowerCase() === match[1]!.toLowerCase());
    if (!match || !severity) return ephemeral(`\`/incident <severity> <title> | <impact>\`, severity one of ${severities.join(', ')}; e.g. \`/incident ${severities[0]} Login down | Nobody can log in\``);
    const declaration = { title: match[2]!.trim(), severity, impact: match[3]!.trim() };
    const problem = declarationProblem(incidents.options.policy, declaration);
    if (problem) return ephemeral(`The incident cannot be declared: ${problem}`);
    later(`declare an incident for ${actor}`, async () => {
      const { incident } = await incidents.declare(declaration, actor, { idempotencyKey: `slack-incident-${triggerId}` });
      await tellUser(responseUrl, `Declared ${incident.id}: ${incident.title} (${incident.severity.name}). Commander: ${incident.commander}.`);
    });
    return ephemeral(`Declaring a ${severity} incident: ${declaration.title}…`);
  };
}

function describe(t: TicketView): string {
  return `*${t.id}* ${t.subject}\n${t.priority} · ${t.status}${t.assignee ? ` · ${t.assignee}` : ''}${t.tier ? ` · tier ${t.tier}` : ''}`;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function refuse(reply: FastifyReply, message: string) {
  return reply.code(401).send({ error: 'unauthorized', message });
}

function badRequest(reply: FastifyReply, path: string, message: string) {
  return reply.code(400).send({ error: 'invalid_request', errors: [{ path, message }] });
}

function safeJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
