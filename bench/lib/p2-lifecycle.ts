/**
 * The typical P2 lifecycle as one client script, run against tierline or against the same-actions
 * baseline: intake (with its auto-reply), acknowledge, respond, a customer reply, resolve, then
 * wait for the ticket's follow-up and close (the workflow's end). Both targets take the same calls
 * with the same arguments, so what differs is only what the workflow does with them.
 */
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import type { TicketClient } from '../../client/tickets.js';
import type { SameActionsPlan } from './same-actions-plan.js';
import type { sameActionsWorkflow } from '../workflows/same-actions.js';

export type Stage = 'opened' | 'responded' | 'customer-replied';

export interface LifecycleTarget {
  /** Starts the workflow with the Update that answers the opening request (as the API's intake does); the ticket's reference. */
  open(i: number): Promise<string>;
  update(ref: string, name: 'acknowledge' | 'respond' | 'resolve', args: object): Promise<void>;
  signal(ref: string, name: 'customerMessage', args: object): Promise<void>;
  /** Waits for the workflow to end. */
  ended(ref: string): Promise<void>;
  workflowId(ref: string): string;
}

export const intake = (i: number) => ({
  subject: `Cannot change my billing address (${i})`,
  description: 'The form says saved but nothing changes',
  requester: { email: `customer${i}@example.com` },
  channel: 'email',
  priority: 'P2',
});

/** One lifecycle; `pause` lets a time-skipping run move the clock between the steps. Returns the reference. */
export async function p2Lifecycle(target: LifecycleTarget, i: number, pause: (after: Stage) => Promise<void> = async () => {}): Promise<string> {
  const id = await target.open(i);
  await pause('opened');
  await target.update(id, 'acknowledge', { actor: 'grace' });
  await target.update(id, 'respond', { actor: 'grace', body: 'Which browser do you use?' });
  await pause('responded');
  await target.signal(id, 'customerMessage', { body: 'Firefox 140', messageId: `<reply-${i}@example.com>` });
  await pause('customer-replied');
  await target.update(id, 'resolve', { actor: 'grace', resolution: 'Fixed the form for Firefox' });
  await target.ended(id);
  return id;
}

export function tierlineTarget(tickets: TicketClient, client: Client): LifecycleTarget {
  return {
    open: async (i) => (await tickets.open(intake(i))).ticket.id,
    update: async (id, name, args) => {
      await tickets.act(id, name, args as never);
    },
    signal: (id, _name, args) => tickets.customerMessage(id, args as { body: string }),
    ended: async (id) => {
      await client.workflow.getHandle(ticketWorkflowId(id)).result();
    },
    workflowId: ticketWorkflowId,
  };
}

export function sameActionsTarget(client: Client, taskQueue: string, plan: SameActionsPlan): LifecycleTarget {
  return {
    open: async () => {
      const workflowId = `same-actions-${randomUUID()}`;
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof sameActionsWorkflow>('sameActionsWorkflow', { taskQueue, workflowId, args: [plan], workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL });
      await client.workflow.executeUpdateWithStart(plan.updates[0]?.name ?? 'opened', { args: [{}], startWorkflowOperation });
      return workflowId;
    },
    update: async (id, name, args) => {
      await client.workflow.getHandle(id).executeUpdate(name, { args: [args] });
    },
    signal: (id, name, args) => client.workflow.getHandle(id).signal(name, args),
    ended: (id) => client.workflow.getHandle(id).result(),
    workflowId: (id) => id,
  };
}
