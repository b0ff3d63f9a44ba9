/**
 * The GitHub issues webhook: verify (X-Hub-Signature-256 over the raw body) -> validate (zod) ->
 * the client facade. An opened issue opens a ticket on the policy's github channel; a comment is
 * the requester's message; closing resolves, reopening reopens.
 *
 * Engineering issues (FM-08) travel the same webhook: an issue tierline opened or linked for a
 * ticket carries the label `tierline:<ticketId>` (and tierline's issues and comments a hidden
 * marker). Closing one signals each ticket it names (`engineeringIssueClosed`); the ticket ignores
 * a close of an issue that is not its engineering issue, and a second close of the same one.
 * tierline's own issues never open a ticket, and its own comments are no customer's message.
 *
 * GitHub redelivers a delivery with the same X-GitHub-Delivery id. Every call below is idempotent
 * on an id derived from the issue, the comment or the delivery, so a redelivery changes nothing:
 * the issue maps to one ticket (external id `owner/repo#number`), a comment to one message id
 * (`github-comment-<id>`, the workflow drops a repeat), an engineer action to one request id.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { derivedTicketId } from '../../client/ticket-ids.js';
import { hasEngineeringLabel, hasEngineeringMarker, ticketsReferencedBy } from '../../domain/ticket/engineering.js';
import { InvalidInput, TicketNotFound, TicketRefused, type TicketClient } from '../../client/tickets.js';
import type { RawBodyRequest } from '../http/server.js';
import { channelFor } from '../shared/channels.js';
import { hmacSha256Hex, safeEqual } from '../shared/signatures.js';

export interface GitHubWebhookOptions {
  tickets: TicketClient;
  /** The webhook's secret (GITHUB_WEBHOOK_SECRET). */
  secret: string;
  /** GitHub login -> engineer (GITHUB_USERS); logins compare without regard to case, as on GitHub. */
  users: Record<string, string>;
}

/** What the intake and a customer message hold at most; longer GitHub texts end with a link to the rest. */
const MAX_TEXT = 20_000;

const GitHubUser = z.object({ login: z.string().min(1).max(100), type: z.string().max(50).optional() });
const Issue = z.object({
  number: z.number().int().positive(),
  title: z.string().trim().min(1).max(300),
  body: z.string().nullable().optional(),
  html_url: z.url(),
  user: GitHubUser,
  labels: z.array(z.object({ name: z.string() })).optional(),
  state_reason: z.string().nullable().optional(),
  pull_request: z.unknown().optional(),
});
const Repository = z.object({ full_name: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected owner/repo') });
const Envelope = z.object({ action: z.string().min(1).max(100), sender: GitHubUser });
const IssuesEvent = Envelope.extend({ issue: Issue, repository: Repository });
const IssueCommentEvent = IssuesEvent.extend({
  comment: z.object({ id: z.number().int().positive(), body: z.string(), html_url: z.url().optional(), user: GitHubUser }),
});
const Headers = z.object({
  'x-github-event': z.string({ error: 'the X-GitHub-Event header is required' }).min(1).max(100),
  'x-github-delivery': z.string({ error: 'the X-GitHub-Delivery header is required' }).min(1).max(200),
});

/** The issue actions that reach a ticket; others are answered 202 and left alone. */
const ISSUE_ACTIONS = ['opened', 'closed', 'reopened'] as const;

const clip = (text: string, url: string) => (text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - url.length - 40)}\n\n(cut here; the rest is on GitHub: ${url})`);

export const githubWebhook: FastifyPluginAsync<GitHubWebhookOptions> = async (app, opts) => {
  const { tickets } = opts;
  const policy = tickets.options.policy;
  const channel = channelFor(policy, 'github');
  if (!channel) {
    throw new Error(`GITHUB_WEBHOOK_SECRET is set but policy ${policy.id}@${policy.version} has no channel of kind github to open tickets on; add one or unset the secret`);
  }
  const users = new Map(Object.entries(opts.users).map(([login, engineer]) => [login.toLowerCase(), engineer]));
  const engineerOf = (login: string) => users.get(login.toLowerCase());

  const ignored = (reply: FastifyReply, reason: string) => reply.code(202).send({ ignored: reason });

  app.post('/v1/webhooks/github', async (req: RawBodyRequest, reply) => {
    const signature = req.headers['x-hub-signature-256'];
    const expected = `sha256=${hmacSha256Hex(opts.secret, req.rawBody ?? Buffer.alloc(0))}`;
    if (typeof signature !== 'string' || !safeEqual(signature, expected)) {
      return reply.code(401).send({ error: 'unauthorized', message: 'X-Hub-Signature-256 is missing or does not match the body and the webhook secret' });
    }
    const headers = Headers.safeParse(req.headers);
    if (!headers.success) throw new InvalidInput(headers.error.issues.map((i) => ({ path: String(i.path[0]), message: i.message })));
    const event = headers.data['x-github-event'];
    const delivery = headers.data['x-github-delivery'];
    const payload = payloadOf(req);

    if (event === 'ping') return reply.code(200).send({ ok: true });
    if (event !== 'issues' && event !== 'issue_comment') return ignored(reply, `the '${event}' event is not handled; subscribe to issues and issue comments`);
    const envelope = Envelope.parse(payload);
    // No loops: a bot's events (tierline's own account among them) never reach a ticket as a
    // request or a message. A bot closing an engineering issue (a tracker's sync) is the fix landing.
    const bot = envelope.sender.type === 'Bot';
    if (bot && !(event === 'issues' && envelope.action === 'closed')) return ignored(reply, `${envelope.sender.login} is a bot`);

    if (event === 'issue_comment') {
      if (envelope.action !== 'created') return ignored(reply, `issue_comment '${envelope.action}' is not handled; only new comments are`);
      const { issue, comment, repository } = IssueCommentEvent.parse(payload);
      const ref = `${repository.full_name}#${issue.number}`;
      if (issue.pull_request !== undefined) return ignored(reply, `${ref} is a pull request, not an issue`);
      if (hasEngineeringMarker(comment.body)) return ignored(reply, `the comment on ${ref} is tierline's own (it links an engineering issue to a ticket)`);
      const ticketId = derivedTicketId(channel, ref);
      const body = clip(comment.body, comment.html_url ?? issue.html_url);
      const engineer = engineerOf(comment.user.login);
      return onTicket(reply, ref, ticketId, async () => {
        if (engineer) {
          // The engineer's words are on GitHub already. A `respond` would hand the same words to
          // the ticket's customer notification for the github channel (the outbox standing in for
          // GitHub, or email when the requester has an address) and the requester would read them
          // twice; a note keeps them on the timeline and sends nothing.
          await tickets.act(ticketId, 'note', { body: `On GitHub: ${body}`, actor: engineer, requestId: delivery });
          return reply.code(200).send({ ticket: ticketId, recorded: 'note', actor: engineer });
        }
        await tickets.customerMessage(ticketId, { body, messageId: `github-comment-${comment.id}`, from: comment.user.login });
        return reply.code(202).send({ ticket: ticketId, recorded: 'customer-message' });
      });
    }

    if (!(ISSUE_ACTIONS as readonly string[]).includes(envelope.action)) {
      return ignored(reply, `issues '${envelope.action}' is not handled; only ${ISSUE_ACTIONS.join(', ')} are`);
    }
    const { action, issue, repository, sender } = IssuesEvent.parse(payload);
    const ref = `${repository.full_name}#${issue.number}`;
    if (action === 'opened') {
      if (hasEngineeringLabel(issue)) return ignored(reply, `${ref} is an engineering issue tierline opened for ${ticketsReferencedBy(issue).join(', ')}, not a request`);
      const labels = [...new Set((issue.labels ?? []).map((l) => l.name.trim().slice(0, 60)).filter(Boolean))].slice(0, 30);
      const { ticket, created } = await tickets.open({
        subject: issue.title,
        description: clip(issue.body ?? '', issue.html_url),
        requester: { handle: issue.user.login },
        channel,
        externalId: ref,
        tags: labels,
        attachments: [{ name: `GitHub issue ${ref}`, type: 'text/html', size: 0, url: issue.html_url }],
      });
      return reply.code(created ? 201 : 200).send({ ticket: ticket.id, created });
    }

    const ticketId = derivedTicketId(channel, ref);
    const actor = engineerOf(sender.login) ?? `github:${sender.login}`;
    // An engineering issue's close reaches the tickets it names first; the issue may also be a
    // customer's own (linked to another ticket), whose ticket then resolves as before.
    const engineering = action === 'closed' ? await closeEngineeringIssue(issue, engineerOf(sender.login) ?? sender.login, delivery) : [];
    const answer = engineering.length ? { engineeringIssue: ref, tickets: engineering } : undefined;
    if (bot) return answer ? reply.code(200).send(answer) : ignored(reply, `${sender.login} is a bot`);
    return onTicket(
      reply,
      ref,
      ticketId,
      async () => {
        const view =
          action === 'closed'
            ? await tickets.act(ticketId, 'resolve', { resolution: `Closed on GitHub by ${sender.login} (${issue.state_reason?.replace(/_/g, ' ') ?? 'no reason given'})`, actor, requestId: delivery })
            : await tickets.act(ticketId, 'reopen', { reason: `reopened on GitHub by ${sender.login}`, actor, requestId: delivery });
        return reply.code(200).send({ ticket: ticketId, status: view.status, ...(answer ? { engineering: answer } : {}) });
      },
      answer,
    );
  });

  /** Signals each ticket the closed issue names; what became of each, for the answer to GitHub. */
  async function closeEngineeringIssue(issue: z.infer<typeof Issue>, by: string, delivery: string): Promise<{ ticket: string; signalled?: true; ignored?: string }[]> {
    const out: { ticket: string; signalled?: true; ignored?: string }[] = [];
    for (const ticket of ticketsReferencedBy(issue)) {
      try {
        await tickets.engineeringIssueClosed(ticket, { url: issue.html_url, by, ...(issue.state_reason ? { reason: issue.state_reason } : {}), delivery });
        out.push({ ticket, signalled: true });
      } catch (err) {
        if (err instanceof TicketNotFound) out.push({ ticket, ignored: 'no such ticket' });
        else if (err instanceof TicketRefused) out.push({ ticket, ignored: err.reason });
        else throw err;
      }
    }
    return out;
  }

  /**
   * Runs an action on the issue's ticket; an issue tierline never saw, or a refusal, is a 202 that
   * says so. An engineering issue without a ticket of its own is answered with what its tickets heard.
   */
  async function onTicket(reply: FastifyReply, ref: string, ticketId: string, act: () => Promise<FastifyReply>, engineering?: object): Promise<FastifyReply> {
    try {
      return await act();
    } catch (err) {
      if (err instanceof TicketNotFound) return engineering ? reply.code(200).send(engineering) : ignored(reply, `no ticket for ${ref}: tierline did not see the issue opened`);
      if (err instanceof TicketRefused) return reply.code(202).send({ ticket: ticketId, refused: err.reason, ...(engineering ? { engineering } : {}) });
      throw err;
    }
  }
};

/** GitHub sends JSON, or (content type application/x-www-form-urlencoded) the JSON in a `payload` field. */
function payloadOf(req: RawBodyRequest): unknown {
  const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded');
  if (!form) return req.body;
  const { payload } = (req.body ?? {}) as { payload?: unknown };
  try {
    return typeof payload === 'string' ? JSON.parse(payload) : undefined;
  } catch {
    throw new InvalidInput([{ path: 'payload', message: 'the payload field is not valid JSON' }]);
  }
}
