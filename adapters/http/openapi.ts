/**
 * The OpenAPI 3.1 document the API serves at `/v1/openapi.json`, built from the same zod schemas
 * that validate each request, so the document cannot drift from what the server accepts.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { statusPagePaths } from '../../domain/incident/view.js';
import type { Policy } from '../../domain/policy/schema.js';
import { IntakeSchema } from '../../domain/ticket/intake.js';

type Schema = Record<string, unknown>;

const json = (schema: z.ZodType): Schema => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Schema;

const ERROR = { $ref: '#/components/schemas/Error' };
const TICKET = { $ref: '#/components/schemas/Ticket' };
const response = (description: string, schema?: Schema) => ({ description, ...(schema ? { content: { 'application/json': { schema } } } : {}) });
const errors = {
  '400': response('The request is invalid; `errors` names each bad field.', ERROR),
  '401': response('No valid bearer token.', ERROR),
};
const ticketErrors = { ...errors, '404': response('No such ticket.', ERROR), '409': response("The ticket refuses the action; `reason` says why in the ticket's words.", ERROR) };
/** What a ticket and a list row share (the list's come from search attributes). */
const TICKET_FIELDS = {
  status: { type: 'string' },
  priority: { type: 'string' },
  tier: { type: 'string' },
  channel: { type: 'string' },
  assignee: { type: 'string' },
  slaBreached: { type: 'boolean' },
  slaDueAt: { type: 'string', format: 'date-time' },
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^T-[0-9A-Z]{16,18}$' } };

export interface OpenApiInputs {
  actions: Record<string, { command: string; body: z.ZodType }>;
  listQuery: z.ZodObject;
  customerMessage: z.ZodType;
  /** Served when the API has an incident client (adapters/http/incidents.ts, status-page.ts). */
  incidents?: {
    actions: Record<string, { command: string; body: z.ZodType }>;
    declaration: z.ZodType;
    listQuery: z.ZodObject;
    policy: Policy;
  };
}

const INCIDENT = { $ref: '#/components/schemas/Incident' };
const incidentIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^I-[0-9A-Z]{16,18}$' } };
const incidentErrors = { ...errors, '404': response('No such incident.', ERROR), '409': response("The incident refuses the action; `reason` says why in the incident's words.", ERROR) };
const queryParams = (query: z.ZodObject) => Object.entries((json(query).properties ?? {}) as Record<string, Schema>).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));

/** The incident routes (token) and the public status page (no token) at the policy's base path. */
function incidentPaths(inputs: NonNullable<OpenApiInputs['incidents']>): Record<string, Schema> {
  const paths: Record<string, Schema> = {
    '/v1/incidents': {
      post: {
        summary: 'Declare an incident (idempotent on the Idempotency-Key header, or on the proposal it confirms)',
        description: `Severities of this policy: ${inputs.policy.incidents.severities.map((s) => s.id).join(', ')}. The declaration's tickets are linked at once.`,
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 300 } }],
        requestBody: { required: true, content: { 'application/json': { schema: json(inputs.declaration) } } },
        responses: { '201': response('Declared.', INCIDENT), '200': response('This key or proposal declared the incident before; here it is.', INCIDENT), ...errors },
      },
      get: {
        summary: 'Open incidents (most severe first) and those resolved within `days`, summarised',
        parameters: queryParams(inputs.listQuery),
        responses: { '200': response('`{incidents: [...]}`; from Temporal visibility, which trails a change by a moment.'), ...errors },
      },
    },
    '/v1/incidents/proposals': {
      get: { summary: 'Incidents proposed by bursts of tickets and not yet declared (declare with `proposalKey` to confirm one)', responses: { '200': response('`{proposals: [...]}`'), ...errors } },
    },
    '/v1/incidents/{id}': { get: { summary: 'An incident: status, severity, commander, updates, linked tickets, cadence, timeline', parameters: [incidentIdParam], responses: { '200': response('The incident.', INCIDENT), ...incidentErrors } } },
    '/v1/incidents/{id}/report': {
      get: {
        summary: "The incident report (the seed's template) as Markdown; what a person must still write is marked TO FILL",
        parameters: [incidentIdParam],
        responses: { '200': { description: 'The report.', content: { 'text/markdown': { schema: { type: 'string' } } } }, ...incidentErrors },
      },
    },
  };
  for (const [route, action] of Object.entries(inputs.actions)) {
    paths[`/v1/incidents/{id}/${route}`] = {
      post: {
        summary: `${route} (the incident's \`${action.command}\` Update, recorded as the token's actor)`,
        parameters: [incidentIdParam],
        requestBody: { required: false, content: { 'application/json': { schema: json(action.body) } } },
        responses: { '200': response('The incident afterwards.', INCIDENT), ...incidentErrors },
      },
    };
  }
  const status = statusPagePaths(inputs.policy);
  const publicGet = (summary: string, type: string, extra: Schema = {}) => ({
    get: { summary, description: 'Public: no token. Cached for a few seconds. 404 when the policy does not broadcast to status-page.', security: [], ...extra, responses: { '200': { description: type, content: { [type]: { schema: { type: type === 'application/json' ? 'object' : 'string' } } } }, '404': { description: 'No status page, or no such published incident.' } } },
  });
  paths[status.page] = publicGet('The status page', 'text/html');
  paths[status.json] = publicGet('The status page as JSON', 'application/json');
  paths[status.feed] = publicGet('The status page as an Atom feed: one entry per update', 'application/atom+xml');
  paths[`${status.page}/incidents/{id}`] = publicGet("One incident's public page", 'text/html', { parameters: [incidentIdParam] });
  return paths;
}

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function openApiDocument(inputs: OpenApiInputs): Schema {
  const listParams = Object.entries((json(inputs.listQuery).properties ?? {}) as Record<string, Schema>).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  const paths: Record<string, Schema> = {
    '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': response('The API is up.') } } },
    '/v1/tickets': {
      post: {
        summary: 'Open a ticket (idempotent on channel + externalId, or the Idempotency-Key header)',
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 300 } }],
        requestBody: { required: true, content: { 'application/json': { schema: json(IntakeSchema) } } },
        responses: { '201': response('Opened.', TICKET), '200': response('This intake opened the ticket before; here it is.', TICKET), ...errors },
      },
      get: {
        summary: 'List tickets from Temporal visibility, newest first, a page at a time',
        parameters: listParams,
        responses: {
          '200': response('A page of tickets; `nextPageToken` is present when more match.', {
            type: 'object',
            properties: { tickets: { type: 'array', items: { $ref: '#/components/schemas/TicketSummary' } }, nextPageToken: { type: 'string' } },
            required: ['tickets'],
          }),
          ...errors,
        },
      },
    },
    '/v1/tickets/{id}': { get: { summary: 'A ticket with its clocks and timeline', parameters: [idParam], responses: { '200': response('The ticket.', TICKET), ...ticketErrors } } },
    '/v1/tickets/{id}/messages': {
      post: {
        summary: "A customer's message (adapters); never blocks on the ticket",
        parameters: [idParam],
        requestBody: { required: true, content: { 'application/json': { schema: json(inputs.customerMessage) } } },
        responses: { '202': response('Accepted.'), ...ticketErrors },
      },
    },
    '/v1/tickets/{id}/migrate-policy': {
      post: { summary: "Move the ticket onto this server's policy; deadlines are recomputed", parameters: [idParam], responses: { '200': response('The ticket afterwards.', TICKET), ...ticketErrors } },
    },
    '/v1/reports/{kind}': {
      get: {
        summary: 'The daily, weekly or monthly support report from the ticket ledger (daily: with the open queue from Temporal)',
        parameters: [
          { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: ['daily', 'weekly', 'monthly'] } },
          { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'markdown'], default: 'json' } },
          { name: 'at', in: 'query', required: false, description: 'take the report as of this instant (default: now)', schema: { type: 'string', format: 'date-time' } },
        ],
        responses: {
          '200': { description: 'The report.', content: { 'application/json': { schema: { type: 'object' } }, 'text/markdown': { schema: { type: 'string' } } } },
          ...errors,
          '404': response('This server has no ticket ledger to report from.', ERROR),
        },
      },
    },
    '/v1/oncall': {
      get: {
        summary: 'Who is on call now (or at `at`), for every schedule and layer',
        parameters: [
          { name: 'at', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
          { name: 'schedule', in: 'query', required: false, schema: { type: 'string' } },
        ],
        responses: { '200': response('On-call people by schedule and layer.'), ...errors, '404': response('No such schedule.', ERROR) },
      },
    },
    '/v1/oncall/{schedule}/{layer}.ics': {
      get: {
        summary: "A layer's shifts as an iCalendar feed",
        parameters: [
          { name: 'schedule', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'layer', in: 'path', required: true, schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'text/calendar' }, ...errors, '404': response('No such layer.', ERROR) },
      },
    },
  };
  for (const [route, action] of Object.entries(inputs.actions)) {
    paths[`/v1/tickets/{id}/${route}`] = {
      post: {
        summary: `${route} (the ticket's \`${action.command}\` Update, recorded as the token's actor)`,
        parameters: [idParam],
        requestBody: { required: false, content: { 'application/json': { schema: json(action.body) } } },
        responses: { '200': response('The ticket afterwards.', TICKET), ...ticketErrors },
      },
    };
  }
  const webhook = (summary: string, proof: string) => ({ post: { summary, description: `Authenticated by ${proof}, not by a bearer token. Served only when configured.`, security: [], responses: { '200': response('Done.'), '202': response('Accepted or ignored, with the reason.'), '400': response('Malformed.', ERROR), '401': response('Bad or missing signature.', ERROR) } } });
  paths['/v1/slack/interactions'] = webhook('Slack buttons and modals (form field `payload`)', 'X-Slack-Signature (v0 HMAC-SHA256, timestamp within 5 minutes)');
  paths['/v1/slack/commands'] = webhook('The /ticket slash command', 'X-Slack-Signature');
  paths['/v1/webhooks/pagerduty'] = webhook('PagerDuty v3 webhooks: incident acknowledged/resolved answers the page', 'X-PagerDuty-Signature (v1 HMAC-SHA256)');
  paths['/v1/webhooks/github'] = webhook('GitHub issues and issue_comment events', 'X-Hub-Signature-256 (HMAC-SHA256)');
  paths['/v1/webhooks/discord'] = webhook('Discord interactions: the /ticket command', 'X-Signature-Ed25519 over X-Signature-Timestamp + body');
  if (inputs.incidents) Object.assign(paths, incidentPaths(inputs.incidents));

  return {
    openapi: '3.1.0',
    info: { title: 'tierline', version: PACKAGE_VERSION, description: 'Support tickets as durable Temporal workflows. Every engineer action is an Update on the ticket; its result is the ticket afterwards.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API_TOKENS (actor:token); the actor is recorded on the timeline.' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: { type: 'string', enum: ['invalid_request', 'unauthorized', 'not_found', 'refused', 'internal'] },
            errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } }, required: ['path', 'message'] } },
            reason: { type: 'string' },
            message: { type: 'string' },
          },
          required: ['error'],
        },
        Ticket: {
          type: 'object',
          description: 'The ticket view: status, priority, tier, clocks (due, paused, breached), assignee, page, vendor, and the timeline of every event with its actor.',
          properties: {
            id: { type: 'string' },
            subject: { type: 'string' },
            ...TICKET_FIELDS,
            timeline: { type: 'array', items: { type: 'object', properties: { seq: { type: 'integer' }, at: { type: 'string', format: 'date-time' }, type: { type: 'string' }, actor: { type: 'string' }, summary: { type: 'string' }, data: { type: 'object' } }, required: ['seq', 'at', 'type', 'actor', 'summary'] } },
          },
          required: ['id', 'subject', 'status', 'priority', 'tier', 'channel', 'slaBreached', 'timeline'],
        },
        Incident: {
          type: 'object',
          description: "The incident view: severity, status, components, commander, the updates (status, impact, message, next update), linked tickets, the update cadence, the page, and the timeline of every event with its actor.",
          properties: {
            id: { type: 'string' },
            title: { type: 'string' },
            severity: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, rank: { type: 'integer' } } },
            status: { type: 'string', enum: ['investigating', 'identified', 'monitoring', 'resolved'] },
            components: { type: 'array', items: { type: 'string' } },
            commander: { type: 'string' },
            declaredAt: { type: 'string', format: 'date-time' },
            resolvedAt: { type: 'string', format: 'date-time' },
            nextUpdateAt: { type: 'string', format: 'date-time' },
            linkedTickets: { type: 'array', items: { type: 'object', properties: { ticketId: { type: 'string' }, linkedAt: { type: 'string', format: 'date-time' }, linkedBy: { type: 'string' }, auto: { type: 'boolean' } } } },
            updates: { type: 'array', items: { type: 'object' } },
            timeline: { type: 'array', items: { type: 'object' } },
          },
          required: ['id', 'title', 'severity', 'status', 'components', 'commander', 'declaredAt', 'linkedTickets', 'updates', 'timeline'],
        },
        TicketSummary: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            ...TICKET_FIELDS,
            openedAt: { type: 'string', format: 'date-time' },
            closedAt: { type: 'string', format: 'date-time' },
          },
          required: ['id', 'slaBreached', 'openedAt'],
        },
      },
    },
  };
}
