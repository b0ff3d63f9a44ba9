/**
 * Carries out the incident core's effects. Each broadcast channel is its own queue (one update
 * at a time per channel, in order); a slow Discord never holds back Slack. Linked tickets are
 * told by signal, so each requester hears of the incident in their own ticket's email thread.
 */
import { ParentClosePolicy, getExternalWorkflowHandle, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { IncidentActivities } from '../activities/incidents.js';
import type { IncidentEvent } from '../domain/incident/commands.js';
import { severityRank } from '../domain/incident/cadence.js';
import type { IncidentEffect, IncidentState } from '../domain/incident/types.js';
import { incidentChangedSignal, incidentTicketSignal, INCIDENT_WATCH_WORKFLOW_ID, type IncidentTicketEvent } from './incident-messages.js';
import { pageEndSignal } from './messages.js';
import { pageWorkflowId } from './effects.js';
import { pagingWorkflow } from './paging.js';
import { ticketWorkflowId } from './ids.js';
import { SendQueues, type Send, type SendOutcome } from './shell.js';

/** As the ticket's notifications: outages are retried for about twenty minutes, permanent errors fail at once. */
const incidents = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 25 },
});

export class IncidentEffectRunner {
  private readonly publicUrl: string;
  private readonly queues: SendQueues;

  constructor(
    private readonly state: () => IncidentState,
    feed: (event: IncidentEvent) => void,
    publicUrl: string,
  ) {
    this.publicUrl = publicUrl.replace(/\/+$/, '');
    this.queues = new SendQueues((queue, key, { outcome, failure }) => {
      if (outcome && queue !== 'watch') feed({ type: 'notificationOutcome', key, channel: outcome.channel, outcome: 'sent', attempts: outcome.attempts });
      else if (failure !== undefined) feed({ type: 'notificationOutcome', key, channel: queue, outcome: 'failed', attempts: 0, detail: failure });
    });
  }

  idle(): boolean {
    return this.queues.idle();
  }

  /** A send is ready to start or to make its next call. */
  due(): boolean {
    return this.queues.due();
  }

  /** At the shell's processing point. */
  turn(): void {
    this.queues.turn();
  }

  /** Tells the watcher (which links new tickets on intake) that this incident is open or over. */
  announce(): void {
    const state = this.state();
    const change = { id: state.incidentId, status: state.status, components: state.components, rank: severityRank(state.policy, state.severity), ...(state.proposalKey ? { proposalKey: state.proposalKey } : {}) };
    this.push('watch', `${state.incidentId}/watch/${state.status}`, async () => {
      try {
        await getExternalWorkflowHandle(INCIDENT_WATCH_WORKFLOW_ID).signal(incidentChangedSignal, change);
      } catch {
        // No watcher runs (it starts with the first ticket or declaration through the client).
      }
      return undefined;
    });
  }

  enqueue(effects: readonly IncidentEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'notifyTeam':
        case 'remindCommander':
        case 'updateOverdue':
          this.push('team', effect.key, () => incidents.postIncidentMessage({ key: effect.key, incidentId: this.state().incidentId, text: effect.text }));
          break;
        case 'broadcastUpdate':
          // Email rides with the other messages to tickets, so a ticket hears of its link before the update.
          this.push(effect.channel === 'email' ? 'tickets' : `broadcast:${effect.channel}`, effect.key, (turn) => this.broadcast(effect, turn));
          break;
        case 'startPage':
          this.push('page', effect.key, () => this.startPage(effect));
          break;
        case 'endPage':
          this.push('page', effect.key, async () => {
            try {
              await getExternalWorkflowHandle(pageWorkflowId(effect.pageId)).signal(pageEndSignal, { outcome: effect.outcome, ...(effect.actor ? { actor: effect.actor } : {}) });
            } catch {
              // The page has already finished.
            }
            return undefined;
          });
          break;
        case 'linkTicket':
          this.push('tickets', effect.key, (turn) =>
            this.tell(turn, [effect.ticketId], {
              type: 'incidentLinked',
              incidentId: effect.incidentId,
              title: effect.title,
              statusPageUrl: `${this.publicUrl}${effect.statusPagePath}`,
              pauseClocks: effect.pauseClocks,
            }),
          );
          break;
        case 'unlinkTicket':
          this.push('tickets', effect.key, (turn) => this.tell(turn, [effect.ticketId], { type: 'incidentUnlinked', incidentId: effect.incidentId }));
          break;
        case 'resolveLinkedTickets':
        case 'notifyLinkedTickets':
          this.push('tickets', effect.key, (turn) =>
            this.tell(turn, effect.tickets, { type: 'incidentResolved', incidentId: effect.incidentId, summary: effect.summary, resolveTicket: effect.type === 'resolveLinkedTickets', commander: effect.commander }),
          );
          break;
        case 'writeReport':
          this.push('report', effect.key, async () => {
            await incidents.writeIncidentReport({ key: effect.key, incidentId: effect.incidentId, markdown: effect.markdown });
            return { channel: 'report', attempts: 1 };
          });
          break;
      }
    }
  }

  private async broadcast(effect: Extract<IncidentEffect, { type: 'broadcastUpdate' }>, turn: () => Promise<void>): Promise<SendOutcome | undefined> {
    const { key, incidentId, headline, text } = effect;
    switch (effect.channel) {
      case 'slack':
        return incidents.postIncidentMessage({ key, incidentId, text });
      case 'discord':
        return incidents.broadcastDiscord({ key, incidentId, headline, text });
      case 'social':
      case 'github':
        return incidents.broadcastOutbox({ key, incidentId, channel: effect.channel, headline, text });
      case 'email':
        if (!effect.tickets.length) return undefined;
        // Each requester gets it in their own ticket's thread (the ticket sends it, once per update).
        await this.tell(turn, effect.tickets, { type: 'incidentUpdate', incidentId, number: effect.update, headline, text });
        return { channel: `email via ${effect.tickets.length} ticket${effect.tickets.length === 1 ? '' : 's'}`, attempts: 1 };
      case 'status-page':
        // Nothing to send: the status page and its feed are rendered from this incident's state.
        return { channel: 'status-page', attempts: 1 };
    }
  }

  /** Signals each ticket (one signal per processing point); a ticket whose workflow has ended (closed) takes nothing more. */
  private async tell(turn: () => Promise<void>, ticketIds: readonly string[], event: IncidentTicketEvent): Promise<undefined> {
    for (const [i, ticketId] of ticketIds.entries()) {
      if (i > 0) await turn();
      try {
        await getExternalWorkflowHandle(ticketWorkflowId(ticketId)).signal(incidentTicketSignal, event);
      } catch {
        // Closed or unknown: the incident's own timeline keeps the link.
      }
    }
    return undefined;
  }

  private async startPage(effect: Extract<IncidentEffect, { type: 'startPage' }>): Promise<undefined> {
    const state = this.state();
    await startChild(pagingWorkflow, {
      workflowId: pageWorkflowId(effect.pageId),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `Paging ${effect.plan.levels.map((l) => l.layer).join(' → ')} for incident ${state.incidentId}`,
      staticDetails: effect.cause,
      args: [
        {
          ticketWorkflowId: workflowInfo().workflowId,
          pageId: effect.pageId,
          plan: effect.plan,
          cause: effect.cause,
          ticket: { id: state.incidentId, subject: `Incident: ${state.title}`, priority: state.severity, urgency: severityRank(state.policy, state.severity) },
        },
      ],
    });
    return undefined;
  }

  private push(queue: string, key: string, send: Send): void {
    this.queues.push(queue, key, send);
  }
}
