/**
 * PagerDuty webhooks (v3): an incident acknowledged or resolved in PagerDuty answers tierline's
 * page. tierline triggers each page level with the dedup key `<ticket>-page-<n>/<layer>/<round>`,
 * which PagerDuty reports back as the incident's `incident_key`; that names the ticket and the page.
 *
 * - `incident.acknowledged` and `incident.resolved` while the page is still paging acknowledge it
 *   as the PagerDuty user (PAGERDUTY_USERS maps PagerDuty user ids to engineers; otherwise the
 *   actor is `pagerduty:<name>`): the escalation stops and the ticket is theirs, as with any page
 *   acknowledgement. Resolving the PagerDuty incident does not resolve the customer's ticket: the
 *   page is over, the customer still needs an answer.
 * - Anything else, and events for a page that is over or superseded, is answered 202 with the
 *   reason it changed nothing, so PagerDuty does not retry it.
 * Verification: `X-PagerDuty-Signature` carries one or more `v1=<hex>` HMAC-SHA256 signatures of
 * the raw body (several during a secret rotation); one must match, compared in constant time.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TicketNotFound, TicketRefused, type TicketClient } from '../../client/tickets.js';
import { TICKET_ID_PATTERN } from '../../client/ticket-ids.js';
import type { RawBodyRequest } from '../http/server.js';
import { hmacSha256Hex, safeEqual } from '../shared/signatures.js';

export interface PagerDutyAdapterOptions {
  tickets: TicketClient;
  secret: string;
  /** PagerDuty user id -> engineer name. */
  users: Record<string, string>;
}

const Reference = z.object({ id: z.string().optional(), summary: z.string().optional(), type: z.string().optional() }).passthrough();

const WebhookBody = z.object({
  event: z
    .object({
      id: z.string().min(1),
      event_type: z.string().min(1),
      resource_type: z.string().optional(),
      occurred_at: z.string().optional(),
      agent: Reference.nullish(),
      data: z.object({ id: z.string().optional(), type: z.string().optional(), incident_key: z.string().nullish(), number: z.number().optional() }).passthrough(),
    })
    .passthrough(),
});

/** The page a dedup key belongs to: `T-…-page-2/primary/1` -> ticket `T-…`, page `T-…-page-2`. */
export function pageOfDedupKey(key: string): { ticketId: string; pageId: string } | undefined {
  const match = /^(.+)-page-(\d+)\/[^/]+\/\d+$/.exec(key);
  if (!match || !TICKET_ID_PATTERN.test(match[1]!)) return undefined;
  return { ticketId: match[1]!, pageId: `${match[1]}-page-${match[2]}` };
}

export async function pagerDutyRoutes(app: FastifyInstance, opts: PagerDutyAdapterOptions): Promise<void> {
  app.addHook('preHandler', async (req: RawBodyRequest, reply) => {
    const header = req.headers['x-pagerduty-signature'];
    const given = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((s) => s.trim()).filter((s) => s.startsWith('v1='));
    if (!given.length) return reply.code(401).send({ error: 'unauthorized', message: 'missing X-PagerDuty-Signature' });
    const expected = `v1=${hmacSha256Hex(opts.secret, req.rawBody ?? Buffer.alloc(0))}`;
    // Every signature is compared, so the time taken does not depend on which one matched.
    let ok = false;
    for (const signature of given) ok = safeEqual(signature, expected) || ok;
    if (!ok) return reply.code(401).send({ error: 'unauthorized', message: 'the signature does not match' });
  });

  app.post('/v1/webhooks/pagerduty', async (req, reply) => {
    const parsed = WebhookBody.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return reply.code(400).send({ error: 'invalid_request', errors: [{ path: issue.path.join('.'), message: issue.message }] });
    }
    const { event } = parsed.data;
    const ignored = (why: string) => reply.code(202).send({ ignored: why });
    if (event.event_type !== 'incident.acknowledged' && event.event_type !== 'incident.resolved') return ignored(`${event.event_type} changes nothing in tierline`);
    const page = event.data.incident_key ? pageOfDedupKey(event.data.incident_key) : undefined;
    if (!page) return ignored('the incident was not triggered by a tierline page');

    let state;
    try {
      state = await opts.tickets.state(page.ticketId);
    } catch (err) {
      if (err instanceof TicketNotFound) return ignored(`no ticket ${page.ticketId}`);
      throw err;
    }
    if (state.page?.id !== page.pageId) return ignored(`${page.pageId} is not the ticket's current page`);
    if (state.page.status !== 'paging') return ignored(`${page.pageId} is already ${state.page.status === 'acknowledged' ? 'acknowledged' : 'over'}`);

    const agent = event.agent;
    const actor = (agent?.id && opts.users[agent.id]) || `pagerduty:${agent?.summary ?? agent?.id ?? 'unknown'}`;
    try {
      const ticket = await opts.tickets.act(page.ticketId, 'acknowledge', { actor, requestId: `pagerduty-${event.id}` });
      return reply.code(200).send({ acknowledged: page.pageId, by: actor, ticket: { id: ticket.id, status: ticket.status, assignee: ticket.assignee } });
    } catch (err) {
      if (err instanceof TicketRefused) return ignored(err.reason);
      throw err;
    }
  });
}
