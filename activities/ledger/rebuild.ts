/**
 * Rebuilds the ledger from Temporal, the source of truth: every ticket workflow visibility lists
 * (open and closed), its state read with the `getTicketState` query, written through the same
 * `record` the activity uses. Into a fresh database or over the existing one: the writes are
 * idempotent, and a row the ledger has from a newer event stays.
 *
 * A query needs a worker: Temporal replays a closed workflow's history on a worker polling the
 * ticket task queue to answer it. Without one the query times out, and the rebuild stops there and
 * says so rather than waiting out the timeout once per ticket.
 */
import type { Client } from '@temporalio/client';
import type { TicketState } from '../../domain/ticket/types.js';
import { getTicketStateQuery } from '../../workflows/messages.js';
import { describe } from '../errors.js';
import { ledgerInputOf } from '../ledger.js';
import type { TicketLedger } from './store.js';

/** Every ticket workflow, running or closed (each continued-as-new run is listed: one read per id). */
export const TICKET_WORKFLOWS_QUERY = `WorkflowType = 'ticketWorkflow'`;

export interface RebuildOptions {
  client: Client;
  ledger: TicketLedger;
  /** How long one query may wait for a worker (default 10 s). */
  queryTimeoutMs?: number;
}

export interface RebuildResult {
  /** Ticket workflows visibility listed (distinct workflow ids). */
  workflows: number;
  /** Tickets read and written. */
  tickets: number;
  /** Milestones added (0 when the ledger had them all). */
  milestonesWritten: number;
  /** Ticket rows inserted or brought forward. */
  ticketRowsUpdated: number;
  /** Workflows whose state could not be read or written, with the reason. */
  failures: { workflowId: string; message: string }[];
  /** Set when the rebuild stopped early: no worker answered a query. */
  stoppedBecause?: string;
}

/** The error's message and its cause's (the client's "Failed to query Workflow" says little alone). */
function reasonOf(err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause === undefined ? describe(err) : `${describe(err)}: ${describe(cause)}`;
}

/** A query nobody answered: the server's deadline, or the client's. */
function noWorkerAnswered(reason: string): boolean {
  return /deadline|timed? ?out|no poller|cancelled|aborted/i.test(reason);
}

export async function rebuildLedger(opts: RebuildOptions): Promise<RebuildResult> {
  const { client, ledger } = opts;
  const queryTimeoutMs = opts.queryTimeoutMs ?? 10_000;
  const result: RebuildResult = { workflows: 0, tickets: 0, milestonesWritten: 0, ticketRowsUpdated: 0, failures: [] };
  // By workflow id: the task queue of its latest run (visibility lists the newest first).
  const tickets = new Map<string, string>();
  for await (const execution of client.workflow.list({ query: TICKET_WORKFLOWS_QUERY })) {
    if (!tickets.has(execution.workflowId)) tickets.set(execution.workflowId, execution.taskQueue);
  }
  result.workflows = tickets.size;

  for (const [workflowId, taskQueue] of tickets) {
    let state: TicketState;
    try {
      state = await client.withDeadline(Date.now() + queryTimeoutMs, () => client.workflow.getHandle(workflowId).query(getTicketStateQuery));
    } catch (err) {
      const reason = reasonOf(err);
      if (noWorkerAnswered(reason)) {
        result.stoppedBecause =
          `the getTicketState query on ${workflowId} got no answer in ${queryTimeoutMs} ms (${reason}). ` +
          `A query needs a running tierline worker polling task queue '${taskQueue}', for closed tickets too: start one (npm start) and run the rebuild again`;
        result.failures.push({ workflowId, message: `the getTicketState query got no answer: ${reason}` });
        return result;
      }
      result.failures.push({ workflowId, message: `the getTicketState query failed: ${reason}` });
      continue;
    }
    try {
      const { written, ticketUpdated } = await ledger.record(ledgerInputOf(state));
      result.tickets++;
      result.milestonesWritten += written;
      if (ticketUpdated) result.ticketRowsUpdated++;
    } catch (err) {
      result.failures.push({ workflowId, message: `writing to the ledger failed: ${describe(err)}` });
    }
  }
  return result;
}
