/**
 * The incident routes of the API (issue #10), inside its bearer-token scope (server.ts): declare,
 * list, show, act, report, and the proposals raised by bursts of tickets. Verify (the token's
 * actor) -> validate (zod, then the core's own checks, each naming its field) -> IncidentClient.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { IncidentClient } from '../../client/incidents.js';
import { InvalidInput, TicketNotFound, type TicketClient } from '../../client/tickets.js';
import { fieldErrors } from '../../domain/ticket/intake.js';
import { nextUpdateProblem, severityOf } from '../../domain/incident/cadence.js';
import { MAX_TEXT, MAX_TITLE, TICKET_ID, type Declaration, type IncidentCommand } from '../../domain/incident/commands.js';
import { componentsProblem } from '../../domain/incident/components.js';
import type { IncidentProposal } from '../../domain/incident/proposals.js';
import { renderReport } from '../../domain/incident/report.js';
import { UPDATE_STATUSES, type IncidentState } from '../../domain/incident/types.js';
import { viewIncident } from '../../domain/incident/view.js';
import type { Policy } from '../../domain/policy/schema.js';

export interface IncidentRouteOptions {
  incidents: IncidentClient;
  /** Checks that the tickets a request links exist. */
  tickets: TicketClient;
}

type FieldError = { path: string; message: string };

const requestId = z.string().trim().min(1).max(200).optional();
const text = (what: string, max = MAX_TEXT) => z.string({ error: `${what} is required` }).trim().min(1, `${what} must not be empty`).max(max, `${what} is at most ${max} characters`);
const optionalText = (what: string, max = MAX_TEXT) => z.string().trim().max(max, `${what} is at most ${max} characters`).optional();
const ticketId = z.string({ error: 'a ticket id is required' }).trim().regex(TICKET_ID, 'expected a ticket id, e.g. T-01K2ZQ7N8C4V6B3M9D');
const duration = z.string().trim().min(1).max(50);

/** `POST /v1/incidents`: what a person gives to declare an incident. The policy's checks follow (declarationErrors). */
export const DeclarationBody = z
  .object({
    title: text('title', MAX_TITLE).describe('one line naming the outage'),
    severity: z.string({ error: 'severity is required' }).trim().min(1, 'severity must not be empty').max(100).describe("one of the policy's incident severities, e.g. critical"),
    impact: text('impact').describe('who is affected and how: the first update\'s "Impact"'),
    message: optionalText('message').describe('the first update; default "We are investigating: <title>"'),
    components: z.array(z.string().trim().max(100)).max(50).optional().describe('affected components; new tickets tagged component:<name> link to the incident'),
    commander: z.string().trim().min(1, 'commander must not be empty').max(300).optional().describe('the incident commander; default: the token\'s actor'),
    nextUpdateIn: duration.optional().describe("when the next update is promised, e.g. 30m; at most the severity's cadence"),
    proposalKey: z.string().trim().min(1).max(500).optional().describe("the proposal this declaration confirms (GET /v1/incidents/proposals); without `tickets`, its burst's tickets are linked"),
    tickets: z.array(ticketId).max(500).optional().describe('tickets to link at once'),
  })
  .strict();

/** Each action on an incident: its route, its body, and the command (the incident's Update) it becomes. */
export const INCIDENT_ACTIONS = {
  update: {
    command: 'postUpdate',
    body: z
      .object({
        status: z.enum(UPDATE_STATUSES, { error: `expected one of ${UPDATE_STATUSES.join(', ')}; resolve the incident with POST /v1/incidents/:id/resolve` }),
        impact: text('impact'),
        message: text('message'),
        nextUpdateIn: duration.optional(),
        reason: optionalText('reason', 2000).describe('why, when the status goes back to investigating'),
        requestId,
      })
      .strict(),
  },
  severity: { command: 'setSeverity', body: z.object({ severity: text('severity', 100), reason: optionalText('reason', 2000), requestId }).strict() },
  commander: { command: 'setCommander', body: z.object({ commander: text('commander', 300), requestId }).strict() },
  link: { command: 'linkTicket', body: z.object({ ticketId, requestId }).strict() },
  unlink: { command: 'unlinkTicket', body: z.object({ ticketId, reason: optionalText('reason', 2000), requestId }).strict() },
  resolve: {
    command: 'resolve',
    body: z
      .object({
        summary: text('summary').describe('the final update'),
        impact: optionalText('impact'),
        rootCause: optionalText('rootCause'),
        resolution: optionalText('resolution'),
        prevention: optionalText('prevention'),
        requestId,
      })
      .strict(),
  },
  'acknowledge-page': { command: 'acknowledgePage', body: z.object({ requestId }).strict() },
} as const satisfies Record<string, { command: IncidentCommand['type']; body: z.ZodType }>;

export const IncidentListQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(90).default(14).describe('resolved incidents of the last this many days'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/**
 * The policy's checks of a declaration, each on the field it concerns and in the core's words. They
 * read the raw body, so that one answer names every bad field, the schema's and the policy's;
 * IncidentClient.declare runs the core's declarationProblem again as the last word.
 */
export function declarationErrors(policy: Policy, body: unknown): FieldError[] {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof raw.severity === 'string' && raw.severity.trim() !== '') {
    const severity = severityOf(policy, raw.severity.trim());
    if (!severity) {
      errors.push({ path: 'severity', message: `unknown severity '${raw.severity.trim()}'; expected one of ${policy.incidents.severities.map((s) => s.id).join(', ')}` });
    } else if (typeof raw.nextUpdateIn === 'string') {
      const late = nextUpdateProblem(severity, raw.nextUpdateIn.trim());
      if (late) errors.push({ path: 'nextUpdateIn', message: late });
    }
  }
  if (Array.isArray(raw.components)) {
    raw.components.forEach((component: unknown, i) => {
      const problem = typeof component === 'string' ? componentsProblem([component]) : undefined;
      if (problem) errors.push({ path: `components[${i}]`, message: problem });
    });
  }
  return errors;
}

/** The tickets a request names that do not exist, as field errors. */
async function missingTickets(tickets: TicketClient, ids: readonly string[], path: (i: number) => string): Promise<FieldError[]> {
  const found = await Promise.all(
    ids.map((id) =>
      tickets.state(id).then(
        () => true,
        (err: unknown) => {
          if (err instanceof TicketNotFound) return false;
          throw err;
        },
      ),
    ),
  );
  return ids.flatMap((id, i) => (found[i] ? [] : [{ path: path(i), message: `no ticket ${id}` }]));
}

/** One row of `GET /v1/incidents`. */
export interface IncidentSummary {
  id: string;
  title: string;
  severity: { id: string; name: string; rank: number };
  status: string;
  components: string[];
  commander: string;
  declaredAt: string;
  resolvedAt?: string;
  nextUpdateAt?: string;
  updateOverdue: boolean;
  linkedTickets: number;
  updates: number;
}

function summary(state: IncidentState, now: number): IncidentSummary {
  const view = viewIncident(state, now);
  return {
    id: view.id,
    title: view.title,
    severity: view.severity,
    status: view.status,
    components: view.components,
    commander: view.commander,
    declaredAt: view.declaredAt,
    ...(view.resolvedAt ? { resolvedAt: view.resolvedAt } : {}),
    ...(view.nextUpdateAt ? { nextUpdateAt: view.nextUpdateAt } : {}),
    updateOverdue: view.cadence?.overdue ?? false,
    linkedTickets: view.linkedTickets.length,
    updates: view.updates.length,
  };
}

/** Open incidents first (the most severe, then the newest), then the resolved, newest first. */
function byUrgency(a: IncidentSummary, b: IncidentSummary): number {
  const openA = a.status !== 'resolved';
  const openB = b.status !== 'resolved';
  if (openA !== openB) return openA ? -1 : 1;
  if (openA) return a.severity.rank - b.severity.rank || b.declaredAt.localeCompare(a.declaredAt) || a.id.localeCompare(b.id);
  return (b.resolvedAt ?? '').localeCompare(a.resolvedAt ?? '') || a.id.localeCompare(b.id);
}

/** A proposal as the API gives it: instants in ISO 8601. */
export type ProposalAnswer = Omit<IncidentProposal, 'from' | 'to'> & { from: string; to: string };

function proposalAnswer(proposal: IncidentProposal): ProposalAnswer {
  return { ...proposal, from: new Date(proposal.from).toISOString(), to: new Date(proposal.to).toISOString() };
}

type ActorRequest = FastifyRequest & { actor?: string };
type IncidentRequest = FastifyRequest<{ Params: { id: string } }> & { actor?: string };

export const incidentRoutes: FastifyPluginAsync<IncidentRouteOptions> = async (api, opts) => {
  const { incidents, tickets } = opts;
  const { policy } = incidents.options;

  api.post('/v1/incidents', async (req: ActorRequest, reply) => {
    const parsed = DeclarationBody.safeParse(req.body ?? {});
    const errors = [...(parsed.success ? [] : fieldErrors(parsed.error)), ...declarationErrors(policy, req.body)];
    const unique = errors.filter((e, i) => errors.findIndex((o) => o.path === e.path) === i);
    if (!parsed.success || unique.length) throw new InvalidInput(unique);
    // Confirming a proposal links its burst, unless the person chose the tickets.
    const given = parsed.data;
    const burst = given.proposalKey !== undefined && given.tickets === undefined ? (await incidents.proposals()).find((p) => p.key === given.proposalKey)?.tickets : undefined;
    const declaration: Declaration = burst ? { ...given, tickets: burst } : given;
    const missing = await missingTickets(tickets, declaration.tickets ?? [], (i) => `tickets[${i}]`);
    if (missing.length) throw new InvalidInput(missing);
    const key = req.headers['idempotency-key'];
    const { incident, created } = await incidents.declare(declaration, req.actor!, typeof key === 'string' && key ? { idempotencyKey: key } : {});
    return reply.code(created ? 201 : 200).header('location', `/v1/incidents/${incident.id}`).send(incident);
  });

  api.get('/v1/incidents', async (req) => {
    const { days, limit } = IncidentListQuery.parse(req.query ?? {});
    const now = Date.now();
    const states = await incidents.list({ days, limit });
    return { incidents: states.map((s) => summary(s, now)).sort(byUrgency) };
  });

  api.get('/v1/incidents/proposals', async () => ({ proposals: (await incidents.proposals()).map(proposalAnswer) }));

  api.get<{ Params: { id: string } }>('/v1/incidents/:id', async (req) => incidents.get(req.params.id));

  // The incident report of the seed's template, from the incident as it is now; what a person
  // must still write is marked "TO FILL".
  api.get<{ Params: { id: string } }>('/v1/incidents/:id/report', async (req, reply) => {
    const state = await incidents.state(req.params.id);
    return reply.type('text/markdown; charset=utf-8').send(renderReport(state));
  });

  for (const [route, action] of Object.entries(INCIDENT_ACTIONS)) {
    api.post<{ Params: { id: string } }>(`/v1/incidents/:id/${route}`, async (req: IncidentRequest) => {
      const body = action.body.parse(req.body ?? {}) as Record<string, unknown>;
      if (action.command === 'linkTicket') {
        // An unknown incident answers 404 before an unknown ticket answers 400.
        await incidents.state(req.params.id);
        const missing = await missingTickets(tickets, [String(body.ticketId)], () => 'ticketId');
        if (missing.length) throw new InvalidInput(missing);
      }
      return incidents.act(req.params.id, action.command, { ...body, actor: req.actor! } as never);
    });
  }
};
