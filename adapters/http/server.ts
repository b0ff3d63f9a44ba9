/**
 * The HTTP API: verify (bearer token) -> validate (zod) -> the client facade. Nothing more.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { scheduleToICalendar } from '../../domain/escalation/ical.js';
import type { OnCallConfig } from '../../domain/escalation/oncall-schema.js';
import { fieldErrors } from '../../domain/ticket/intake.js';
import { discordInteractions } from '../discord/routes.js';
import { githubWebhook } from '../github/routes.js';
import { emailInboundRoutes } from '../email/routes.js';
import type { InboundEmailSettings } from '../email/inbound.js';
import { pagerDutyRoutes } from '../pagerduty/routes.js';
import { slackRoutes } from '../slack/routes.js';
import { verifyRequesterLink, type RequesterLink } from '../../client/requester-links.js';
import { openApiDocument } from './openapi.js';
import { apiMetrics } from './metrics.js';
import { oncallRoutes } from './oncall-routes.js';
import { DeclarationBody, INCIDENT_ACTIONS, IncidentListQuery, incidentRoutes } from './incidents.js';
import { reportRoutes } from './reports.js';
import type { ReportSources } from '../../client/reports.js';
import { statusPageRoutes } from './status-page.js';
import { surveyAnswers, surveyForm } from './survey-page.js';
import { escapeMarkup } from '../../domain/incident/render.js';
import { InvalidInput, TicketNotFound, TicketRefused, type TicketClient } from '../../client/tickets.js';
import { IncidentNotFound, type IncidentClient } from '../../client/incidents.js';

export interface ApiOptions {
  tickets: TicketClient;
  /** token -> actor. The actor is recorded on the ticket's timeline. */
  tokens: Map<string, string>;
  /** Verifies the requester's signed links: "this solved it" of self-service emails, the survey of follow-ups. */
  linkSecret?: string;
  /** On-call schedules, for the iCalendar feeds. */
  oncall?: OnCallConfig;
  logger?: boolean;
  /** The webhook and interactivity adapters that are configured; each is off without its secret. */
  adapters?: AdapterSettings;
  /** Email in: the raw-message webhook (`POST /v1/inbound/email`) is served when this is given. */
  inboundEmail?: InboundEmailSettings;
  /** Incidents: the `/v1/incidents` routes and the public status page are served when this is given. */
  incidents?: IncidentClient;
  /** Reports: `GET /v1/reports/:kind` reads the ticket ledger (and, daily, the open tickets); 404 without it. */
  reports?: ReportSources;
}

/** Each adapter's secrets and identity maps, from configuration (workers/config.ts). */
export interface AdapterSettings {
  /** Slack interactivity and slash commands: the app's signing secret, Slack user id -> engineer. */
  slack?: { signingSecret: string; users: Record<string, string>; botToken?: string; apiUrl?: string };
  /** GitHub issues webhook: its secret, GitHub login -> engineer. */
  github?: { secret: string; users: Record<string, string> };
  /** Discord interactions: the application's public key (hex), Discord user id -> engineer. */
  discord?: { publicKey: string; users: Record<string, string> };
  /** PagerDuty webhooks v3: the subscription's signing secret, PagerDuty user id -> engineer. */
  pagerduty?: { secret: string; users: Record<string, string> };
}

/** The body exactly as it arrived, for the adapters' signature checks. */
export type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

const DAY_MS = 86_400_000;
const IcsQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(366).default(56).describe('how many days ahead'),
    person: z.string().max(100).optional().describe("only this person's shifts"),
  })
  .strict();

const requestId = z.string().trim().min(1).max(200).optional();
/** A survey question's answer: a whole number from 1 to `max`. */
const surveyScale = (what: string, max: number) => {
  const message = `${what} must be a whole number from 1 to ${max}`;
  return z.number({ error: message }).int(message).min(1, message).max(max, message);
};
const text = (what: string) => z.string({ error: `${what} is required` }).trim().min(1, `${what} must not be empty`).max(20_000);

/** Each engineer action: its route, its body, and the command it becomes. */
export const ACTIONS = {
  acknowledge: { command: 'acknowledge', body: z.object({ requestId }).strict() },
  respond: { command: 'respond', body: z.object({ body: text('body'), requestId }).strict() },
  note: { command: 'note', body: z.object({ body: text('body'), requestId }).strict() },
  priority: { command: 'setPriority', body: z.object({ priority: text('priority'), reason: z.string().max(2000).optional(), requestId }).strict() },
  assign: { command: 'assign', body: z.object({ assignee: text('assignee'), requestId }).strict() },
  pending: { command: 'setPending', body: z.object({ reason: z.enum(['customer', 'vendor', 'none']), note: z.string().max(2000).optional(), requestId }).strict() },
  resolve: { command: 'resolve', body: z.object({ resolution: text('resolution'), requestId }).strict() },
  reopen: { command: 'reopen', body: z.object({ reason: z.string().max(2000).optional(), requestId }).strict() },
  close: { command: 'close', body: z.object({ reason: z.string().max(2000).optional(), requestId }).strict() },
  duplicate: { command: 'markDuplicate', body: z.object({ of: text('of'), requestId }).strict() },
  escalate: { command: 'escalate', body: z.object({ to: z.string().trim().min(1).max(100).optional(), reason: text('reason'), requestId }).strict() },
  deescalate: { command: 'deescalate', body: z.object({ to: z.string().trim().min(1).max(100).optional(), reason: text('reason'), requestId }).strict() },
  vendor: {
    command: 'escalateToVendor',
    body: z
      .object({
        vendor: text('vendor'),
        issue: text('issue'),
        impact: text('impact'),
        reproduction: text('reproduction'),
        expected: z.string().max(5000).optional(),
        actual: z.string().max(5000).optional(),
        platform: z.string().max(500).optional(),
        attempted: z.string().max(5000).optional(),
        need: z.string().max(2000).optional(),
        timeline: z.string().max(500).optional(),
        requestId,
      })
      .strict(),
  },
  'vendor-reply': { command: 'recordVendorReply', body: z.object({ reference: z.string().trim().min(1).max(200).optional(), note: z.string().max(5000).optional(), requestId }).strict() },
  // The survey's two questions, either alone or both: satisfaction (CSAT) and customer effort (CES).
  csat: {
    command: 'recordCsat',
    body: z
      .object({
        score: surveyScale('score (satisfaction)', 5).optional(),
        effort: surveyScale('effort (how hard the customer had to work)', 7).optional(),
        comment: z.string().max(2000).optional(),
        requestId,
      })
      .strict()
      .refine((b) => b.score !== undefined || b.effort !== undefined, { message: 'answer the score (satisfaction, 1 to 5), the effort (1 to 7), or both', path: ['score'] }),
  },
  'engineering-issue': {
    command: 'openEngineeringIssue',
    body: z
      .object({
        repo: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+$/, 'expected owner/name, e.g. fm08/platform').optional(),
        title: z.string().trim().min(1, 'title must not be empty').max(256, 'GitHub takes titles of at most 256 characters').optional(),
        details: z.string().max(20_000).optional(),
        requestId,
      })
      .strict(),
  },
  'engineering-link': { command: 'linkEngineeringIssue', body: z.object({ url: text('url'), requestId }).strict() },
} as const;

export const CustomerMessageBody = z.object({ body: text('body'), messageId: z.string().max(998).optional(), from: z.string().max(300).optional(), automatic: z.boolean().optional() }).strict();

export const ListQuery = z
  .object({
    status: z.string().max(100).optional(),
    priority: z.string().max(100).optional(),
    tier: z.string().max(100).optional(),
    channel: z.string().max(100).optional(),
    assignee: z.string().max(300).optional(),
    breached: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    open: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    pageToken: z.string().min(1).max(2000).regex(/^[A-Za-z0-9_-]+$/, 'expected the nextPageToken of an earlier page').optional(),
  })
  .strict();

/**
 * JSON and form bodies are parsed from a buffer that stays on the request as `rawBody`: the
 * webhook adapters verify signatures over the exact bytes received.
 */
function keepRawBodies(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req: RawBodyRequest, body: Buffer, done) => {
    req.rawBody = body;
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch {
      done(Object.assign(new Error('the body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (req: RawBodyRequest, body: Buffer, done) => {
    req.rawBody = body;
    done(null, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  });
}

const digest = (token: string) => createHash('sha256').update(token).digest();

export function buildApi(opts: ApiOptions): FastifyInstance {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 1024 * 1024 });
  keepRawBodies(app);
  app.register(apiMetrics, opts.metrics ?? {});
  const tokens = [...opts.tokens].map(([token, actor]) => ({ hash: digest(token), actor }));

  /** Constant-time over every configured token: the time taken says nothing about a guess. */
  function actorOf(req: FastifyRequest): string | undefined {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return undefined;
    const given = digest(match[1]!);
    let actor: string | undefined;
    for (const t of tokens) if (timingSafeEqual(t.hash, given)) actor = t.actor;
    return actor;
  }

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    if (err instanceof InvalidInput) return reply.code(400).send({ error: 'invalid_request', errors: err.errors });
    if (err instanceof z.ZodError) return reply.code(400).send({ error: 'invalid_request', errors: fieldErrors(err) });
    if (err instanceof TicketNotFound) return reply.code(404).send({ error: 'not_found', message: err.message });
    if (err instanceof IncidentNotFound) return reply.code(404).send({ error: 'not_found', message: err.message });
    if (err instanceof TicketRefused) return reply.code(409).send({ error: 'refused', reason: err.reason });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: 'invalid_request', errors: [{ path: '', message: err.message }] });
    }
    app.log.error(err);
    return reply.code(500).send({ error: 'internal', message: 'the request failed; see the server log' });
  });

  app.get('/healthz', async () => ({ ok: true }));
  // The API's own description, from the schemas that validate its requests (no token needed).
  const openapi = openApiDocument({
    actions: ACTIONS,
    listQuery: ListQuery,
    customerMessage: CustomerMessageBody,
    ...(opts.incidents
      ? { incidents: { actions: INCIDENT_ACTIONS, declaration: DeclarationBody, listQuery: IncidentListQuery, policy: opts.incidents.options.policy } }
      : {}),
  });
  app.get('/v1/openapi.json', async () => openapi);

  // The requester's signed links: no account, the signature is the proof. GET only shows a form
  // (mail scanners follow links); the POST it sends acts.
  const SignedQuery = z.object({ sig: z.string().min(1).max(100) }).strict();
  const signedTicket = (req: FastifyRequest<{ Params: { id: string } }>, purpose: RequesterLink) => {
    const { sig } = SignedQuery.parse(req.query ?? {});
    return opts.linkSecret && verifyRequesterLink(opts.linkSecret, purpose, req.params.id, sig) ? req.params.id : undefined;
  };
  const page = (reply: FastifyReply, code: number, body: string) =>
    reply.code(code).type('text/html; charset=utf-8').send(`<!doctype html><html><body style="font-family: sans-serif; max-width: 40em; margin: 3em auto;">${body}</body></html>`);
  const invalidLink = (reply: FastifyReply) => page(reply, 403, '<p>This link is not valid.</p>');
  app.get<{ Params: { id: string } }>('/v1/tickets/:id/solved', async (req, reply) => {
    const id = signedTicket(req, 'solved');
    if (!id) return invalidLink(reply);
    return page(reply, 200, `<p>Did the suggested articles solve your request ${id}?</p><form method="post"><button type="submit">Yes, close my ticket</button></form><p>If not, reply to our email and a person will help you.</p>`);
  });
  app.post<{ Params: { id: string } }>('/v1/tickets/:id/solved', async (req, reply) => {
    const id = signedTicket(req, 'solved');
    if (!id) return invalidLink(reply);
    try {
      await opts.tickets.act(id, 'markDeflected', { actor: 'requester', requestId: `solved-${id}` });
    } catch (err) {
      if (err instanceof TicketRefused) return page(reply, 409, `<p>Your request ${id} is already with our team; reply to our email to add anything.</p>`);
      throw err;
    }
    return page(reply, 200, `<p>Thanks! We closed your request ${id}. Reply to our email at any time if it comes back.</p>`);
  });

  // The follow-up's survey: two questions, satisfaction (CSAT) and customer effort (CES); either
  // may be answered alone. The form's answers go through the same schema as POST .../csat.
  app.get<{ Params: { id: string } }>('/v1/tickets/:id/survey', async (req, reply) => {
    const id = signedTicket(req, 'survey');
    if (!id) return invalidLink(reply);
    return page(reply, 200, surveyForm(id));
  });
  app.post<{ Params: { id: string } }>('/v1/tickets/:id/survey', async (req, reply) => {
    const id = signedTicket(req, 'survey');
    if (!id) return invalidLink(reply);
    const parsed = ACTIONS.csat.body.safeParse(surveyAnswers(req.body));
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      return page(reply, 400, `<p>Please check your answers:</p><ul>${errors.map((e) => `<li>${escapeMarkup(e.message)}</li>`).join('')}</ul>${surveyForm(id)}`);
    }
    try {
      await opts.tickets.act(id, 'recordCsat', { ...parsed.data, actor: 'requester' });
    } catch (err) {
      if (err instanceof TicketRefused) return page(reply, 409, `<p>Your request ${id} no longer takes survey answers (${escapeMarkup(err.reason)}).</p>`);
      throw err;
    }
    return page(reply, 200, `<p>Thank you! Your answers about request ${id} are recorded.</p>`);
  });

  // Adapters: each registers its own routes here. Webhooks prove themselves by their signature,
  // not by a bearer token; an adapter whose secret is not configured has no routes (404).
  const { slack, pagerduty } = opts.adapters ?? {};
  if (slack) app.register(slackRoutes, { tickets: opts.tickets, ...(opts.incidents ? { incidents: opts.incidents } : {}), ...slack });
  if (pagerduty) app.register(pagerDutyRoutes, { tickets: opts.tickets, ...pagerduty });
  if (opts.adapters?.github) app.register(githubWebhook, { tickets: opts.tickets, ...opts.adapters.github });
  if (opts.adapters?.discord) app.register(discordInteractions, { tickets: opts.tickets, ...opts.adapters.discord });
  // (end of adapters)

  // The public status page: no token, at the policy's incidents.statusPage.basePath.
  if (opts.incidents) app.register(statusPageRoutes, { incidents: opts.incidents });

  app.register(async (api) => {
    api.addHook('onRequest', async (req: FastifyRequest & { actor?: string }, reply: FastifyReply) => {
      const actor = actorOf(req);
      if (!actor) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid bearer token is required' });
      req.actor = actor;
    });

    api.post('/v1/tickets', async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const { ticket, created } = await opts.tickets.open(req.body ?? {}, typeof key === 'string' && key ? { idempotencyKey: key } : {});
      return reply.code(created ? 201 : 200).header('location', `/v1/tickets/${ticket.id}`).send(ticket);
    });

    api.register(oncallRoutes, { oncall: opts.oncall });
    if (opts.incidents) api.register(incidentRoutes, { incidents: opts.incidents, tickets: opts.tickets });
    api.register(reportRoutes, { reports: opts.reports });
    if (opts.inboundEmail) api.register(emailInboundRoutes, { tickets: opts.tickets, ...opts.inboundEmail });

    // A layer's on-call shifts as an iCalendar feed (from a week ago), for calendar subscriptions.
    api.get<{ Params: { schedule: string; layer: string } }>('/v1/oncall/:schedule/:layer.ics', async (req, reply) => {
      const { days, person } = IcsQuery.parse(req.query ?? {});
      const schedule = opts.oncall?.schedules.find((s) => s.id === req.params.schedule);
      if (!schedule || !schedule.layers.some((l) => l.id === req.params.layer)) {
        return reply.code(404).send({ error: 'not_found', message: `no on-call layer ${req.params.schedule}/${req.params.layer}` });
      }
      const now = Date.now();
      const ics = scheduleToICalendar(schedule, req.params.layer, now - 7 * DAY_MS, now + days * DAY_MS, { dtstamp: now, ...(person ? { personId: person } : {}), uidDomain: req.hostname || 'tierline' });
      return reply.type('text/calendar; charset=utf-8').send(ics);
    });

    api.get('/v1/tickets', async (req) => {
      const { limit, pageToken, ...filter } = ListQuery.parse(req.query ?? {});
      return opts.tickets.listPage(filter, limit, pageToken);
    });

    api.get<{ Params: { id: string } }>('/v1/tickets/:id', async (req) => opts.tickets.get(req.params.id));

    for (const [route, action] of Object.entries(ACTIONS)) {
      api.post<{ Params: { id: string } }>(`/v1/tickets/:id/${route}`, async (req: FastifyRequest<{ Params: { id: string } }> & { actor?: string }) => {
        const body = action.body.parse(req.body ?? {});
        return opts.tickets.act(req.params.id, action.command, { ...body, actor: req.actor! } as never);
      });
    }

    // Moves a running ticket onto the policy this server runs (its deadlines are recomputed and
    // the old and new ones recorded on the timeline); tickets otherwise keep the one they began with.
    api.post<{ Params: { id: string } }>('/v1/tickets/:id/migrate-policy', async (req: FastifyRequest<{ Params: { id: string } }> & { actor?: string }) => {
      const body = z.object({ requestId }).strict().parse(req.body ?? {});
      return opts.tickets.act(req.params.id, 'migratePolicy', { ...body, policy: opts.tickets.options.policy, actor: req.actor! });
    });

    api.post<{ Params: { id: string } }>('/v1/tickets/:id/messages', async (req, reply) => {
      const body = CustomerMessageBody.parse(req.body ?? {});
      await opts.tickets.customerMessage(req.params.id, body);
      return reply.code(202).send({ accepted: true });
    });
  });

  return app;
}
