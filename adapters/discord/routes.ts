/**
 * Discord interactions: verify (Ed25519 over X-Signature-Timestamp + the raw body, the timestamp
 * within 5 minutes) -> validate (zod) -> the client facade. The `/ticket` command opens a ticket on
 * the policy's discord channel, shows one, and lets mapped engineers acknowledge and resolve; the
 * Acknowledge button on an opened ticket's message does what `/ticket ack` does.
 *
 * Discord waits 3 seconds for the answer and never retries. Each interaction has its own id: the
 * ticket it opens is derived from it (so the same interaction twice opens one ticket) and it is
 * the request id of an engineer's action (so it applies once).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { derivedTicketId } from '../../client/ticket-ids.js';
import { InvalidInput, TicketNotFound, TicketRefused, type TicketClient } from '../../client/tickets.js';
import type { Policy } from '../../domain/policy/schema.js';
import { fieldErrors } from '../../domain/ticket/intake.js';
import type { TicketView } from '../../domain/ticket/view.js';
import type { RawBodyRequest } from '../http/server.js';
import { channelFor } from '../shared/channels.js';
import { isFreshTimestamp, verifyEd25519 } from '../shared/signatures.js';
import { ACK_BUTTON, EPHEMERAL, InteractionType, ResponseType } from './command.js';

export interface DiscordInteractionsOptions {
  tickets: TicketClient;
  /** The application's public key, 64 hex characters (DISCORD_PUBLIC_KEY). */
  publicKey: string;
  /** Discord user id -> engineer (DISCORD_USERS). */
  users: Record<string, string>;
}

/** Past this, the answer says the work goes on: Discord gives up at 3 s. */
const REPLY_WITHIN_MS = 2_500;
/** Discord's limit on a message's content. */
const MAX_CONTENT = 2_000;

const Snowflake = z.string().regex(/^\d{1,25}$/, 'expected a Discord id (digits)');
const DiscordUser = z.object({ id: Snowflake, username: z.string().min(1).max(100) });
const Option = z.object({ name: z.string().max(100), type: z.number().int(), value: z.union([z.string(), z.number(), z.boolean()]).optional() });
const Interaction = z.object({
  id: Snowflake,
  type: z.number().int(),
  member: z.object({ user: DiscordUser }).optional(),
  user: DiscordUser.optional(),
});
const CommandInteraction = Interaction.extend({
  data: z.object({ name: z.string().max(100), options: z.array(Option.extend({ options: z.array(Option).optional() })).optional() }),
});
const ComponentInteraction = Interaction.extend({ data: z.object({ custom_id: z.string().max(100) }) });

const TicketIdArg = z.string().trim().min(1, 'a ticket id is needed').max(40).transform((id) => id.toUpperCase());
const OPTIONS = {
  open: z.object({ subject: z.string(), description: z.string(), priority: z.string().optional() }),
  status: z.object({ id: TicketIdArg }),
  ack: z.object({ id: TicketIdArg }),
  resolve: z.object({ id: TicketIdArg, resolution: z.string() }),
};

type DiscordUser = z.infer<typeof DiscordUser>;
interface Reply {
  type: number;
  data?: { content: string; flags?: number; components?: unknown[]; allowed_mentions: { parse: string[] } };
}

/** A message; what users typed is echoed, so it never pings anyone. */
function message(content: string, opts: { ephemeral?: boolean; components?: unknown[]; type?: number } = {}): Reply {
  const text = content.length <= MAX_CONTENT ? content : `${content.slice(0, MAX_CONTENT - 1)}…`;
  return {
    type: opts.type ?? ResponseType.ChannelMessageWithSource,
    data: { content: text, allowed_mentions: { parse: [] }, ...(opts.ephemeral ? { flags: EPHEMERAL } : {}), ...(opts.components ? { components: opts.components } : {}) },
  };
}
const privately = (content: string) => message(content, { ephemeral: true });

const discordTime = (iso: string) => `<t:${Math.floor(Date.parse(iso) / 1000)}:f>`;

function ticketLine(view: TicketView): string {
  const due = view.slaDueAt ? ` · next SLA deadline ${discordTime(view.slaDueAt)}` : '';
  return `**${view.id}** ${view.subject} · ${view.priority} ${view.priorityName}${due}`;
}

function statusText(view: TicketView): string {
  return [
    `**${view.id}** ${view.subject}`,
    `${view.status.replace(/_/g, ' ')} · ${view.priority} ${view.priorityName} · tier ${view.tier} · ${view.assignee ? `assigned to ${view.assignee}` : 'unassigned'}`,
    ...(view.slaDueAt ? [`next SLA deadline ${discordTime(view.slaDueAt)}${view.slaBreached ? ' · an SLA was breached' : ''}`] : view.slaBreached ? ['an SLA was breached'] : []),
    ...(view.resolution ? [`resolution: ${view.resolution}`] : []),
  ].join('\n');
}

function noChannel(policy: Policy): never {
  throw new Error(`DISCORD_PUBLIC_KEY is set but policy ${policy.id}@${policy.version} has no channel of kind discord to open tickets on; add one or unset the key`);
}

const ackButton = (ticketId: string) => ({ type: 1, components: [{ type: 2, style: 1, label: 'Acknowledge', custom_id: `${ACK_BUTTON}:${ticketId}` }] });

export const discordInteractions: FastifyPluginAsync<DiscordInteractionsOptions> = async (app, opts) => {
  const { tickets } = opts;
  const policy = tickets.options.policy;
  const channel = channelFor(policy, 'discord') ?? noChannel(policy);
  const engineerOf = (user: DiscordUser) => opts.users[user.id];
  const notMapped = (user: DiscordUser, what: string) =>
    privately(`Only engineers can ${what} from Discord, and your Discord account (${user.username}, id ${user.id}) is not mapped to one (DISCORD_USERS).`);

  app.post('/v1/webhooks/discord', async (req: RawBodyRequest, reply: FastifyReply) => {
    const signature = req.headers['x-signature-ed25519'];
    const timestamp = req.headers['x-signature-timestamp'];
    if (typeof signature !== 'string' || typeof timestamp !== 'string') {
      return reply.code(401).send({ error: 'unauthorized', message: 'X-Signature-Ed25519 and X-Signature-Timestamp are required' });
    }
    if (!isFreshTimestamp(timestamp, Date.now())) {
      return reply.code(401).send({ error: 'unauthorized', message: 'X-Signature-Timestamp is not a Unix time within 5 minutes of now' });
    }
    if (!verifyEd25519(opts.publicKey, signature, Buffer.concat([Buffer.from(timestamp, 'utf8'), req.rawBody ?? Buffer.alloc(0)]))) {
      return reply.code(401).send({ error: 'unauthorized', message: 'X-Signature-Ed25519 does not verify over the timestamp and body with the application public key' });
    }

    const { type } = Interaction.parse(req.body);
    if (type === InteractionType.Ping) return { type: ResponseType.Pong };
    if (type === InteractionType.ApplicationCommand) return onCommand(CommandInteraction.parse(req.body));
    if (type === InteractionType.MessageComponent) return onComponent(ComponentInteraction.parse(req.body));
    throw new InvalidInput([{ path: 'type', message: `interaction type ${type} is not handled; expected 1 (ping), 2 (command) or 3 (button)` }]);
  });

  function userOf(interaction: z.infer<typeof Interaction>): DiscordUser {
    const user = interaction.member?.user ?? interaction.user;
    if (!user) throw new InvalidInput([{ path: 'member.user', message: 'an interaction needs member.user (in a server) or user (in a direct message)' }]);
    return user;
  }

  async function onCommand(interaction: z.infer<typeof CommandInteraction>): Promise<Reply> {
    const user = userOf(interaction);
    const { name, options = [] } = interaction.data;
    if (name !== 'ticket') return privately(`tierline does not know the command /${name}; it answers /ticket`);
    const sub = options[0];
    const values = Object.fromEntries((sub?.options ?? []).map((o) => [o.name, o.value]));
    /** The subcommand's options; Discord enforces them, so a problem here gets a plain answer, not a 400. */
    const given = <S extends z.ZodType>(schema: S): z.output<S> => {
      const parsed = schema.safeParse(values);
      if (!parsed.success) throw new InvalidInput(fieldErrors(parsed.error));
      return parsed.data;
    };
    const engineer = engineerOf(user);

    const subcommand = async (): Promise<Reply> => {
      switch (sub?.name) {
        case 'open': {
          const args = given(OPTIONS.open);
          const ticketId = derivedTicketId(channel, interaction.id);
          return inTime(
            async () => {
              const { ticket, created } = await tickets.open({
                subject: args.subject,
                description: args.description,
                requester: { handle: user.id, name: user.username },
                channel,
                externalId: interaction.id,
                ...(args.priority ? { priority: args.priority } : {}),
              });
              return message(`${created ? 'Opened' : 'Already opened'} ${ticketLine(ticket)}`, { components: [ackButton(ticket.id)] });
            },
            ticketId,
            `Opening ${ticketId} takes longer than Discord waits; see /ticket status id:${ticketId} in a minute.`,
          );
        }
        case 'status': {
          const args = given(OPTIONS.status);
          // Anyone may ask about the tickets they opened here; engineers about any.
          const hidden = privately(`No ticket ${args.id}${engineer ? '' : ' of yours: you can see the tickets you opened here'}.`);
          return inTime(
            async () => {
              const view = await tickets.get(args.id);
              const own = view.channel === channel && view.requester.handle === user.id;
              return engineer || own ? privately(statusText(view)) : hidden;
            },
            args.id,
            `${args.id} did not answer in time; try again in a moment.`,
            hidden,
          );
        }
        case 'ack': {
          const args = given(OPTIONS.ack);
          if (!engineer) return notMapped(user, 'acknowledge tickets');
          return inTime(
            async () => {
              const view = await tickets.act(args.id, 'acknowledge', { actor: engineer, requestId: interaction.id });
              return privately(`Acknowledged ${view.id} as ${engineer}; assigned to ${view.assignee ?? 'nobody'}.`);
            },
            args.id,
            `Acknowledging ${args.id} takes longer than Discord waits; it goes on, see /ticket status in a moment.`,
          );
        }
        case 'resolve': {
          const args = given(OPTIONS.resolve);
          if (!engineer) return notMapped(user, 'resolve tickets');
          return inTime(
            async () => {
              const view = await tickets.act(args.id, 'resolve', { resolution: args.resolution, actor: engineer, requestId: interaction.id });
              return privately(`Resolved ${view.id} as ${engineer}: ${view.resolution ?? args.resolution}`);
            },
            args.id,
            `Resolving ${args.id} takes longer than Discord waits; it goes on, see /ticket status in a moment.`,
          );
        }
        default:
          return privately('Use /ticket open, /ticket status, /ticket ack or /ticket resolve.');
      }
    };
    try {
      return await subcommand();
    } catch (err) {
      if (err instanceof InvalidInput) return privately(`/ticket ${sub?.name}: ${err.message}`);
      throw err;
    }
  }

  async function onComponent(interaction: z.infer<typeof ComponentInteraction>): Promise<Reply> {
    const user = userOf(interaction);
    const [kind, ticketId] = interaction.data.custom_id.split(':');
    if (kind !== ACK_BUTTON || !ticketId) return privately(`tierline does not know the button '${interaction.data.custom_id}'.`);
    const engineer = engineerOf(user);
    if (!engineer) return notMapped(user, 'acknowledge tickets');
    return inTime(
      async () => {
        const view = await tickets.act(ticketId, 'acknowledge', { actor: engineer, requestId: interaction.id });
        // The message now says who took the ticket, and the button is gone.
        return message(`${ticketLine(view)}\nAcknowledged by ${engineer}.`, { type: ResponseType.UpdateMessage, components: [] });
      },
      ticketId,
      `Acknowledging ${ticketId} takes longer than Discord waits; it goes on, see /ticket status in a moment.`,
    );
  }

  /**
   * Runs `work` and answers with its reply, or with the ticket's own words when it refuses, or
   * with `late` when Discord's 3 seconds are nearly up (the work goes on; its failure is logged).
   */
  async function inTime(work: () => Promise<Reply>, ticketId: string, late: string, notFound?: Reply): Promise<Reply> {
    const answered = work().catch((err: unknown) => {
      if (err instanceof InvalidInput) return privately(`Not done: ${err.message}`);
      if (err instanceof TicketNotFound) return notFound ?? privately(`No ticket ${ticketId}.`);
      if (err instanceof TicketRefused) return privately(`${ticketId}: ${err.reason}`);
      throw err;
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), REPLY_WITHIN_MS);
    });
    try {
      const reply = await Promise.race([answered, deadline]);
      if (reply) return reply;
      answered.catch((err: unknown) => app.log.error({ err, ticketId }, 'a Discord interaction failed after its answer was sent'));
      return privately(late);
    } finally {
      clearTimeout(timer);
    }
  }
};
