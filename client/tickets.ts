/**
 * The typed facade over @temporalio/client that every entry point (HTTP API, CLI, Slack, email)
 * uses. It validates before it touches Temporal, so bad input starts nothing, and it turns
 * Temporal's errors into the domain's: not found, refused (with the ticket's reason), invalid.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WithStartWorkflowOperation,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers.js';
import { ApplicationFailure } from '@temporalio/common';
import { fixedFactsOfIntake, policyForTicket } from '../domain/policy/for-ticket.js';
import type { Policy } from '../domain/policy/schema.js';
import type { Command } from '../domain/ticket/commands.js';
import { canApply } from '../domain/ticket/commands.js';
import { fieldErrors, IntakeSchema, type Intake } from '../domain/ticket/intake.js';
import type { TicketState } from '../domain/ticket/types.js';
import { staticDetails, staticSummary, viewTicket, type TicketView } from '../domain/ticket/view.js';
import { SlaBreached, SlaDueAt, TicketAssignee, TicketChannel, TicketId, TicketPriority, TicketStatus, TicketTier } from '../workflows/search-attributes.js';
import { COMMAND_UPDATES, openedUpdate, customerMessageSignal, engineeringIssueClosedSignal, getTicketStateQuery, type CustomerMessage, type EngineeringIssueClosed } from '../workflows/messages.js';
import type { ticketWorkflow } from '../workflows/ticket.js';
import { watchedOpening, type TicketOpening } from '../domain/incident/proposals.js';
import { INCIDENT_WATCH_WORKFLOW_ID, ticketOpenedSignal } from '../workflows/incident-messages.js';
import type { incidentWatchWorkflow } from '../workflows/incident-watch.js';
import { derivedTicketId, newTicketId, TICKET_ID_PATTERN, ticketWorkflowId } from './ticket-ids.js';

export class InvalidInput extends Error {
  override name = 'InvalidInput';
  constructor(public readonly errors: { path: string; message: string }[]) {
    super(errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; '));
  }
}
export class TicketNotFound extends Error {
  override name = 'TicketNotFound';
  constructor(public readonly ticketId: string) {
    super(`no ticket ${ticketId}`);
  }
}
/** The ticket refused the action; `reason` is the ticket's own words. */
export class TicketRefused extends Error {
  override name = 'TicketRefused';
  constructor(public readonly reason: string) {
    super(reason);
  }
}

export interface TicketClientOptions {
  taskQueue: string;
  /** The policy new tickets start with (running tickets keep their own). */
  policy: Policy;
  /** Forwarded to new tickets, for tests of continue-as-new. */
  continueAsNewAfterEvents?: number;
}

/** Filters for `list`, each an exact match on a search attribute; all given must hold. */
export interface TicketFilter {
  status?: string | undefined;
  priority?: string | undefined;
  tier?: string | undefined;
  channel?: string | undefined;
  assignee?: string | undefined;
  breached?: boolean | undefined;
  /** Only tickets still open (workflow running). */
  open?: boolean | undefined;
}

/** One row of `list`: what the search attributes say, without asking each ticket. */
export interface TicketSummary {
  id: string;
  status?: string;
  priority?: string;
  tier?: string;
  channel?: string;
  assignee?: string;
  slaBreached: boolean;
  slaDueAt?: string;
  openedAt: string;
  closedAt?: string;
}

/**
 * Page tokens wrap the server's own with the query they continue, so a token is refused (400)
 * when it is not one of ours or is used with other filters, before it reaches the server.
 */
const queryDigest = (query: string) => createHash('sha256').update(query).digest('base64url').slice(0, 16);

function sealPageToken(serverToken: Uint8Array, query: string): string {
  return Buffer.from(JSON.stringify({ q: queryDigest(query), t: Buffer.from(serverToken).toString('base64url') })).toString('base64url');
}

function openPageToken(token: string, query: string): Buffer {
  const refuse = (message: string) => new InvalidInput([{ path: 'pageToken', message }]);
  let sealed: unknown;
  try {
    sealed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw refuse('not a page token this server gave');
  }
  const { q, t } = (sealed ?? {}) as { q?: unknown; t?: unknown };
  if (typeof q !== 'string' || typeof t !== 'string' || !t) throw refuse('not a page token this server gave');
  if (q !== queryDigest(query)) throw refuse('the page token belongs to a list with other filters');
  return Buffer.from(t, 'base64url');
}

/** Quotes a value for a visibility query; the filter values never reach it unquoted. */
const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function visibilityQuery(filter: TicketFilter): string {
  const terms = [`WorkflowType = 'ticketWorkflow'`];
  const exact: [string, string | undefined][] = [
    [TicketStatus.name, filter.status],
    [TicketPriority.name, filter.priority],
    [TicketTier.name, filter.tier],
    [TicketChannel.name, filter.channel],
    [TicketAssignee.name, filter.assignee],
  ];
  for (const [name, value] of exact) if (value !== undefined) terms.push(`${name} = ${quote(value)}`);
  if (filter.breached !== undefined) terms.push(`${SlaBreached.name} = ${filter.breached}`);
  if (filter.open) terms.push(`ExecutionStatus = 'Running'`);
  return terms.join(' AND ');
}

export interface TicketPage {
  tickets: TicketSummary[];
  /** Present when more tickets match: pass it back for the next page. */
  nextPageToken?: string;
}

export interface OpenResult {
  ticket: TicketView;
  created: boolean;
}

export class TicketClient {
  constructor(
    readonly temporal: Client,
    readonly options: TicketClientOptions,
  ) {}

  private handle(ticketId: string): WorkflowHandle<typeof ticketWorkflow> {
    if (!TICKET_ID_PATTERN.test(ticketId)) throw new TicketNotFound(ticketId);
    return this.temporal.workflow.getHandle<typeof ticketWorkflow>(ticketWorkflowId(ticketId));
  }

  /** Validates the intake against the schema and the policy; throws InvalidInput. */
  validateIntake(body: unknown): Intake {
    const parsed = IntakeSchema.safeParse(body);
    // The policy's own checks run on the raw body too, so one answer names every bad field.
    const errors = [...(parsed.success ? [] : fieldErrors(parsed.error)), ...this.policyErrors(body)];
    const unique = errors.filter((e, i) => errors.findIndex((o) => o.path === e.path) === i);
    if (!parsed.success || unique.length) throw new InvalidInput(unique);
    return parsed.data;
  }

  private policyErrors(body: unknown): { path: string; message: string }[] {
    const { policy } = this.options;
    const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const errors: { path: string; message: string }[] = [];
    if (typeof raw.priority === 'string' && !policy.priorities.some((p) => p.id === raw.priority)) {
      errors.push({ path: 'priority', message: `unknown priority '${raw.priority}'; expected one of ${policy.priorities.map((p) => p.id).join(', ')}` });
    }
    if (typeof raw.channel === 'string' && !policy.channels.some((c) => c.id === raw.channel)) {
      errors.push({ path: 'channel', message: `unknown channel '${raw.channel}'; expected one of ${policy.channels.map((c) => c.id).join(', ')}` });
    }
    return errors;
  }

  /**
   * Opens a ticket, or finds the one this intake opened before: the same (channel, external id),
   * or the same idempotency key, gives the same ticket, even after it closed.
   */
  async open(body: unknown, opts: { idempotencyKey?: string } = {}): Promise<OpenResult> {
    const intake = this.validateIntake(body);
    const ticketId = intake.externalId
      ? derivedTicketId(intake.channel, intake.externalId)
      : opts.idempotencyKey
        ? derivedTicketId('idempotency-key', opts.idempotencyKey)
        : newTicketId();
    const openRequestId = randomUUID();
    // The ticket answers the request that started it in the start's own workflow task (Update-with-start).
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof ticketWorkflow>('ticketWorkflow', {
      taskQueue: this.options.taskQueue,
      workflowId: ticketWorkflowId(ticketId),
      args: [{ ticketId, intake, policy: policyForTicket(this.options.policy, fixedFactsOfIntake(this.options.policy, intake)), openRequestId, ...(this.options.continueAsNewAfterEvents ? { continueAsNewAfterEvents: this.options.continueAsNewAfterEvents } : {}) }],
      // A repeat while the ticket runs finds it; a repeat after it closed must not open a new one.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: staticSummary(ticketId, intake),
      staticDetails: staticDetails(intake),
    });
    try {
      const opened = await this.temporal.workflow.executeUpdateWithStart(openedUpdate, { args: [{ openRequestId }], startWorkflowOperation });
      if (opened.opening) await this.tellIncidentWatcher(opened.opening);
      return { ticket: opened.ticket, created: true };
    } catch (err) {
      // The ticket was open already (its run refused this request's Update) or has closed; or a
      // worker of an earlier version, without the Update, runs the ticket this request started.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError || err instanceof WorkflowUpdateFailedError)) throw err;
    }
    const state = await this.state(ticketId);
    const created = state.openRequestId === openRequestId;
    const opening = created ? watchedOpening(state) : undefined;
    if (opening) await this.tellIncidentWatcher(opening);
    return { ticket: viewTicket(state, Date.now()), created };
  }

  /**
   * A new ticket goes to the incident watcher: it links the ticket to an open incident of its
   * components, or counts it towards the policy's incident proposals. Only when either can apply
   * (`watchedOpening`: component tags, or proposal rules), so most intakes cost no extra call.
   */
  private async tellIncidentWatcher(opening: TicketOpening): Promise<void> {
    await this.temporal.workflow.signalWithStart<typeof incidentWatchWorkflow, [TicketOpening]>('incidentWatchWorkflow', {
      taskQueue: this.options.taskQueue,
      workflowId: INCIDENT_WATCH_WORKFLOW_ID,
      args: [{ policy: this.options.policy }],
      signal: ticketOpenedSignal,
      signalArgs: [opening],
      staticSummary: 'Incident watcher: links new tickets to open incidents, proposes incidents from bursts',
    });
  }

  async state(ticketId: string): Promise<TicketState> {
    try {
      return await this.handle(ticketId).query(getTicketStateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new TicketNotFound(ticketId);
      throw err;
    }
  }

  /** The ticket with its clocks evaluated now. */
  async get(ticketId: string): Promise<TicketView> {
    return viewTicket(await this.state(ticketId), Date.now());
  }

  /** Runs an engineer's action as the ticket's Update; the result is the ticket afterwards. */
  async act<T extends Command['type']>(ticketId: string, type: T, args: Omit<Extract<Command, { type: T }>, 'type'>): Promise<TicketView> {
    const update = COMMAND_UPDATES[type];
    try {
      return await this.handle(ticketId).executeUpdate(update as never, { args: [args] as never });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) throw new TicketRefused(err.cause.message);
      if (err instanceof WorkflowNotFoundError || isCompletedWorkflowError(err)) {
        // A closed ticket's workflow has ended: say why in the ticket's own words.
        const state = await this.state(ticketId);
        throw new TicketRefused(canApply(state, { ...args, type } as Command) ?? `ticket ${ticketId} is ${state.status}`);
      }
      throw err;
    }
  }

  /** Tickets matching the filter, newest first, from Temporal's visibility store (up to `limit`). */
  async list(filter: TicketFilter = {}, limit = 50): Promise<TicketSummary[]> {
    const rows: TicketSummary[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.listPage(filter, Math.min(limit - rows.length, 1000), pageToken);
      rows.push(...page.tickets);
      pageToken = page.nextPageToken;
    } while (pageToken && rows.length < limit);
    return rows.slice(0, limit);
  }

  /**
   * One page of `list`: at most `pageSize` tickets and, when more match, the opaque token that
   * fetches the next page (Temporal's own visibility page token, so a page is one server call).
   */
  async listPage(filter: TicketFilter, pageSize: number, pageToken?: string): Promise<TicketPage> {
    const { namespace } = this.temporal.options;
    const query = visibilityQuery(filter);
    const serverToken = pageToken === undefined ? undefined : openPageToken(pageToken, query);
    // Bounded: a server that cannot read a token answers "unknown", which the client would retry.
    const response = await this.temporal.withDeadline(Date.now() + 15_000, () =>
      this.temporal.workflowService.listWorkflowExecutions({ namespace, query, pageSize, ...(serverToken ? { nextPageToken: serverToken } : {}) }),
    );
    const tickets: TicketSummary[] = [];
    for (const raw of response.executions ?? []) {
      const wf = await executionInfoFromRaw(raw, this.temporal.options.loadedDataConverter, raw, namespace);
      const sa = wf.typedSearchAttributes;
      const pick = <T>(k: string, v: T | undefined) => (v === undefined || v === '' ? {} : { [k]: v });
      const due = sa.get(SlaDueAt);
      tickets.push({
        id: sa.get(TicketId) ?? wf.workflowId.replace(/^ticket-/, ''),
        ...pick('status', sa.get(TicketStatus)),
        ...pick('priority', sa.get(TicketPriority)),
        ...pick('tier', sa.get(TicketTier)),
        ...pick('channel', sa.get(TicketChannel)),
        ...pick('assignee', sa.get(TicketAssignee)),
        slaBreached: sa.get(SlaBreached) ?? false,
        ...pick('slaDueAt', due?.toISOString()),
        openedAt: wf.startTime.toISOString(),
        ...pick('closedAt', wf.closeTime?.toISOString()),
      });
    }
    const next = response.nextPageToken?.length ? sealPageToken(response.nextPageToken, query) : undefined;
    return { tickets, ...(next ? { nextPageToken: next } : {}) };
  }

  /** A customer's message (adapters): never blocks on the ticket. */
  async customerMessage(ticketId: string, message: CustomerMessage): Promise<void> {
    try {
      await this.handle(ticketId).signal(customerMessageSignal, message);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // Ended (closed) tickets take no more messages; the adapter decides whether to open a new one.
      const state = await this.state(ticketId);
      throw new TicketRefused(`ticket ${ticketId} is ${state.status}; it takes no more messages`);
    }
  }

  /**
   * The ticket's engineering issue was closed on GitHub (the webhook): a signal, so the webhook
   * never blocks on the ticket. The ticket ignores a close of another issue and a repeated one.
   */
  async engineeringIssueClosed(ticketId: string, closed: EngineeringIssueClosed): Promise<void> {
    try {
      await this.handle(ticketId).signal(engineeringIssueClosedSignal, closed);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      const state = await this.state(ticketId);
      throw new TicketRefused(`ticket ${ticketId} is ${state.status}; it takes no more events`);
    }
  }
}

function isCompletedWorkflowError(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${(err.cause as Error | undefined)?.message ?? ''}` : '';
  return /workflow execution already completed|already completed/i.test(text);
}
