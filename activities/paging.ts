/**
 * The activities of a page: who is on call for a layer now (from the on-call configuration, read
 * at the time of asking, so an override added during an incident counts at once), paging that
 * person through PagerDuty (or the outbox when no pager is configured), and acknowledging or
 * resolving the incidents a page opened. Routing keys stay here: the workflow names them only.
 */
import { whoIsOnCall as onCallAt, pagerKeyFor } from '../domain/escalation/oncall.js';
import type { OnCallConfig } from '../domain/escalation/oncall-schema.js';
import { NotificationErrorType, permanentFailure } from './errors.js';
import type { EmailActivities } from './email.js';
import type { SlackActivities } from './slack.js';
import type { Outbox } from './outbox.js';
import { severityForPriority, type PagerActivities } from './pager.js';

export interface PagingDeps {
  /** The on-call schedules; undefined when none are configured. */
  oncall?: OnCallConfig;
  /** PagerDuty; without it pages go to the outbox. */
  pager?: PagerActivities;
  /** The routing-key names PagerDuty has, so a person without one goes to the outbox, said so. */
  pagerKeyNames?: readonly string[];
  outbox: Outbox;
  publicUrl: string;
  /** Email, to page people by mail as well where they have an address. */
  email?: EmailActivities;
  /** Slack, to page people by direct message as well where they have a Slack id. */
  slack?: SlackActivities;
}

export interface OnCallAnswer {
  person?: { id: string; name: string; email?: string; slack?: string };
  /** The NAME of the pager key to page them with. */
  pagerKey?: string;
  /** Why nobody is on call: outside the layer's hours, an empty layer, a rotation not started. */
  reason?: string;
}

export interface PageTarget {
  dedupKey: string;
  routingKeyName: string;
  via: 'pagerduty' | 'outbox';
}

export function createPagingActivities(deps: PagingDeps) {
  const link = (ticketId: string) => `${deps.publicUrl}/v1/tickets/${ticketId}`;

  function scheduleOf(id: string) {
    const schedule = deps.oncall?.schedules.find((s) => s.id === id);
    if (!schedule) {
      const known = deps.oncall?.schedules.map((s) => s.id) ?? [];
      throw permanentFailure(
        `no on-call schedule '${id}' is configured${known.length ? ` (configured: ${known.join(', ')})` : ' (set ONCALL_FILE)'}`,
        NotificationErrorType.OnCallConfig,
      );
    }
    return schedule;
  }

  return {
    async whoIsOnCall(input: { schedule: string; layer: string; at: number }): Promise<OnCallAnswer> {
      const schedule = scheduleOf(input.schedule);
      if (!schedule.layers.some((l) => l.id === input.layer)) {
        throw permanentFailure(
          `on-call schedule '${input.schedule}' has no layer '${input.layer}' (layers: ${schedule.layers.map((l) => l.id).join(', ')})`,
          NotificationErrorType.OnCallConfig,
        );
      }
      const answer = onCallAt(schedule, input.layer, input.at);
      if (!answer.person) return { reason: answer.reason };
      const { id, name, email, slack } = answer.person;
      const pagerKey = pagerKeyFor(schedule, input.layer, answer.person);
      return { person: { id, name, ...(email ? { email } : {}), ...(slack ? { slack } : {}) }, ...(pagerKey ? { pagerKey } : {}) };
    },

    /** Pages one person for one level of a page; the dedup key makes a retry the same page. */
    async pagePerson(input: {
      dedupKey: string;
      pagerKey?: string;
      person: { id: string; name: string; email?: string; slack?: string };
      layer: string;
      round: number;
      /** Workflow time of the page, carried in the payload. */
      pagedAt: number;
      ticket: { id: string; subject: string; priority: string; urgency: number; cause: string };
    }): Promise<PageTarget> {
      const summary = `[${input.ticket.priority}] ${input.ticket.subject} (${input.ticket.id})`.slice(0, 1024);
      const details = {
        ticket: input.ticket.id,
        priority: input.ticket.priority,
        cause: input.ticket.cause,
        layer: input.layer,
        person: input.person.name,
        round: input.round + 1,
        pagedAt: new Date(input.pagedAt).toISOString(), // the instant the plan pages this level
      };
      // Email as well where the person has an address and SMTP is configured: same key, one mail.
      if (deps.email && input.person.email) {
        await deps.email.sendTicketEmail({
          idempotencyKey: input.dedupKey,
          ticketId: input.ticket.id,
          to: { email: input.person.email, name: input.person.name },
          template: 'page',
          vars: { layer: input.layer, priority: input.ticket.priority, subject: input.ticket.subject, cause: input.ticket.cause, link: link(input.ticket.id) },
          subject: `PAGE ${input.ticket.priority}: ${input.ticket.subject}`,
          automatic: true,
        });
      }
      if (deps.slack && input.person.slack) {
        await deps.slack.postDirectMessage({
          idempotencyKey: input.dedupKey,
          user: input.person.slack,
          ticketId: input.ticket.id,
          text: `:rotating_light: You are paged as ${input.layer} on-call for ${input.ticket.id} (${input.ticket.priority}): ${input.ticket.subject}\nWhy: ${input.ticket.cause}\nAcknowledge: ${link(input.ticket.id)}/acknowledge`,
        });
      }
      if (deps.pager && input.pagerKey && (deps.pagerKeyNames ?? []).includes(input.pagerKey)) {
        await deps.pager.sendPageEvent({
          action: 'trigger',
          dedupKey: input.dedupKey,
          routingKeyName: input.pagerKey,
          summary,
          severity: severityForPriority(input.ticket.urgency),
          source: 'tierline',
          customDetails: details,
          link: { href: link(input.ticket.id), text: `Ticket ${input.ticket.id}` },
        });
        return { dedupKey: input.dedupKey, routingKeyName: input.pagerKey, via: 'pagerduty' };
      }
      await deps.outbox.write(input.dedupKey, `pager:${input.pagerKey ?? input.layer}`, { action: 'trigger', summary, ...details });
      return { dedupKey: input.dedupKey, routingKeyName: input.pagerKey ?? input.layer, via: 'outbox' };
    },

    /** Acknowledges or resolves the incidents a page opened. */
    async pageEvents(input: { action: 'acknowledge' | 'resolve'; targets: PageTarget[] }): Promise<void> {
      for (const target of input.targets) {
        if (target.via === 'pagerduty' && deps.pager) {
          await deps.pager.sendPageEvent({ action: input.action, dedupKey: target.dedupKey, routingKeyName: target.routingKeyName });
        } else {
          await deps.outbox.write(`${target.dedupKey}/${input.action}`, `pager:${target.routingKeyName}`, { action: input.action, dedupKey: target.dedupKey });
        }
      }
    },
  };
}

export type PagingActivities = ReturnType<typeof createPagingActivities>;
