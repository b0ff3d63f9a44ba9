/**
 * The typed facade over @temporalio/client for incidents, as client/tickets.ts is for tickets:
 * it validates with the core's own checks before touching Temporal (a bad declaration starts
 * nothing), and turns Temporal's errors into the domain's (not found, refused with the reason).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { canApply, declarationProblem, type Declaration, type IncidentCommand } from '../domain/incident/commands.js';
import type { IncidentProposal } from '../domain/incident/proposals.js';
import type { IncidentState } from '../domain/incident/types.js';
import { publicIncident, viewIncident, type IncidentView, type PublicIncident } from '../domain/incident/view.js';
import type { Policy } from '../domain/policy/schema.js';
import { getIncidentStateQuery, getProposalsQuery, INCIDENT_UPDATES, INCIDENT_WATCH_WORKFLOW_ID, type IncidentCommandArgs } from '../workflows/incident-messages.js';
import type { incidentWatchWorkflow } from '../workflows/incident-watch.js';
import type { incidentWorkflow } from '../workflows/incident.js';
import { derivedIncidentId, INCIDENT_ID_PATTERN, incidentWorkflowId, newIncidentId } from './ticket-ids.js';
import { InvalidInput, TicketRefused } from './tickets.js';

export class IncidentNotFound extends Error {
  override name = 'IncidentNotFound';
  constructor(public readonly incidentId: string) {
    super(`no incident ${incidentId}`);
  }
}

export interface IncidentClientOptions {
  taskQueue: string;
  policy: Policy;
  /** Where the status page is served (links in tickets and emails). */
  publicUrl: string;
}

export class IncidentClient {
  constructor(
    readonly temporal: Client,
    readonly options: IncidentClientOptions,
  ) {}

  /**
   * Declares an incident (or finds the one this declaration made before: the same idempotency
   * key, or the same proposal, gives the same incident).
   */
  async declare(declaration: Declaration, actor: string, opts: { idempotencyKey?: string } = {}): Promise<{ incident: IncidentView; created: boolean }> {
    const problem = declarationProblem(this.options.policy, declaration);
    if (problem) throw new InvalidInput([{ path: '', message: problem }]);
    const key = opts.idempotencyKey ?? (declaration.proposalKey ? `proposal:${declaration.proposalKey}` : undefined);
    const incidentId = key ? derivedIncidentId(key) : newIncidentId();
    const requestId = randomUUID();
    await this.ensureWatcher();
    try {
      await this.temporal.workflow.start<typeof incidentWorkflow>('incidentWorkflow', {
        taskQueue: this.options.taskQueue,
        workflowId: incidentWorkflowId(incidentId),
        args: [{ incidentId, declaration: { ...declaration, type: 'declare', actor, requestId }, policy: this.options.policy, publicUrl: this.options.publicUrl }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        staticSummary: `${incidentId} · ${declaration.severity} · ${declaration.title}`.slice(0, 200),
        staticDetails: declaration.impact,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    const state = await this.state(incidentId);
    return { incident: viewIncident(state, Date.now()), created: state.openRequestId === requestId };
  }

  /** The watcher links new tickets to open incidents and proposes incidents from bursts. */
  async ensureWatcher(): Promise<void> {
    try {
      await this.temporal.workflow.start<typeof incidentWatchWorkflow>('incidentWatchWorkflow', {
        taskQueue: this.options.taskQueue,
        workflowId: INCIDENT_WATCH_WORKFLOW_ID,
        args: [{ policy: this.options.policy }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        staticSummary: 'Incident watcher: links new tickets to open incidents, proposes incidents from bursts',
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  async state(incidentId: string): Promise<IncidentState> {
    if (!INCIDENT_ID_PATTERN.test(incidentId)) throw new IncidentNotFound(incidentId);
    try {
      return await this.temporal.workflow.getHandle(incidentWorkflowId(incidentId)).query(getIncidentStateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new IncidentNotFound(incidentId);
      throw err;
    }
  }

  async get(incidentId: string): Promise<IncidentView> {
    return viewIncident(await this.state(incidentId), Date.now());
  }

  /** An action on the incident as its Update; the result is the incident afterwards. */
  async act<T extends IncidentCommand['type']>(incidentId: string, type: T, args: IncidentCommandArgs<T>): Promise<IncidentView> {
    if (!INCIDENT_ID_PATTERN.test(incidentId)) throw new IncidentNotFound(incidentId);
    const update = INCIDENT_UPDATES[type];
    try {
      return await this.temporal.workflow.getHandle(incidentWorkflowId(incidentId)).executeUpdate(update as never, { args: [args] as never });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) throw new TicketRefused(err.cause.message);
      if (err instanceof WorkflowNotFoundError || /already completed/i.test(String((err as Error).message))) {
        // A resolved incident's workflow has ended: say so in the core's words.
        const state = await this.state(incidentId);
        throw new TicketRefused(canApply(state, { ...args, type } as IncidentCommand) ?? `incident ${incidentId} is ${state.status}; it takes no more changes`);
      }
      throw err;
    }
  }

  /** Incidents, newest first: open ones, and those resolved within `days` (the status page's history). */
  async list(opts: { days?: number; limit?: number } = {}): Promise<IncidentState[]> {
    const since = new Date(Date.now() - (opts.days ?? 14) * 86_400_000).toISOString();
    const query = `WorkflowType = 'incidentWorkflow' AND (ExecutionStatus = 'Running' OR CloseTime > '${since}')`;
    const ids: string[] = [];
    for await (const wf of this.temporal.workflow.list({ query, pageSize: 100 })) {
      ids.push(wf.workflowId.replace(/^incident-/, ''));
      if (ids.length >= (opts.limit ?? 50)) break;
    }
    const states = await Promise.all(ids.map((id) => this.state(id).catch(() => undefined)));
    return states.filter((s): s is IncidentState => s !== undefined);
  }

  /** What the public status page shows of the incidents this policy publishes there. */
  async published(opts: { days?: number } = {}): Promise<PublicIncident[]> {
    if (!this.options.policy.incidents.broadcast.includes('status-page')) return [];
    const states = await this.list(opts);
    return states.filter((s) => s.policy.incidents.broadcast.includes('status-page')).map(publicIncident);
  }

  /** Proposals raised by bursts of tickets and not yet declared. */
  async proposals(): Promise<IncidentProposal[]> {
    try {
      return await this.temporal.workflow.getHandle(INCIDENT_WATCH_WORKFLOW_ID).query(getProposalsQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return [];
      throw err;
    }
  }
}
