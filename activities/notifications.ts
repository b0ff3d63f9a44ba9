/**
 * The notification activities the ticket workflow calls. Each picks the real channel when it is
 * configured (Slack, SMTP) and the local outbox otherwise, adds what only the worker knows (links,
 * the Slack channel of a tier's queue) and reports the attempt it succeeded on for the timeline.
 * Secrets stay here: the workflow passes only ticket data.
 */
import { Context } from '@temporalio/activity';
import type { EmailActivities, EmailTemplate } from './email.js';
import { requesterLink, type RequesterLink } from '../client/requester-links.js';
import { describe, NotificationErrorType, permanentFailure } from './errors.js';
import type { Outbox } from './outbox.js';
import type { SlackActivities, TicketCard } from './slack.js';

export interface Delivery {
  channel: 'slack' | 'email' | 'discord' | 'outbox';
  attempts: number;
}

export interface CustomerNotice {
  key: string;
  ticketId: string;
  /** The ticket's intake channel: email goes by SMTP; other channels by their adapters or the outbox. */
  channel: string;
  to: { email?: string; name?: string; handle?: string };
  template: EmailTemplate;
  subject: string;
  vars: Record<string, string>;
  automatic: boolean;
  inReplyTo?: string;
  references?: string[];
}

export interface NotificationDeps {
  outbox: Outbox;
  publicUrl: string;
  teamName: string;
  slack?: { activities: SlackActivities; channels: Record<string, string> };
  /** Signs the "this solved it" links of self-service emails and the survey links of follow-ups. */
  linkSecret?: string;
  /** Vendor support contacts by vendor id (configuration: VENDOR_CONTACTS). */
  vendors?: Record<string, string>;
  email?: EmailActivities;
}

const attempt = () => Context.current().info.attempt;

/** The emails that carry a signed requester link: which link, under which template variable. */
const SIGNED_LINKS: Partial<Record<EmailTemplate, readonly [RequesterLink, string]>> = {
  'self-service': ['solved', 'solvedLink'],
  'follow-up': ['survey', 'surveyLink'],
  satisfaction: ['survey', 'surveyLink'],
};

export function createNotificationActivities(deps: NotificationDeps) {
  const link = (ticketId: string) => `${deps.publicUrl}/v1/tickets/${ticketId}`;
  const slackChannel = (queue: string) => deps.slack?.channels[queue] ?? deps.slack?.channels.default;

  async function updateTicketCard(input: { key: string; slackChannel: string; ts: string; card: TicketCard }): Promise<Delivery> {
    const card = { ...input.card, link: link(input.card.ticketId) };
    if (deps.slack && !input.slackChannel.startsWith('outbox:')) {
      await deps.slack.activities.updateTicketCard({ channel: input.slackChannel, ts: input.ts, card });
      return { channel: 'slack', attempts: attempt() };
    }
    await deps.outbox.write(input.key, `team-card:${input.slackChannel}`, { card });
    return { channel: 'outbox', attempts: attempt() };
  }

  return {
    async notifyCustomer(notice: CustomerNotice): Promise<Delivery> {
      const vars: Record<string, string> = { teamName: deps.teamName, link: link(notice.ticketId), ...notice.vars };
      // The self-service email's "this solved it" and the follow-up's survey are signed links.
      const signed = SIGNED_LINKS[notice.template];
      if (signed) {
        if (!deps.linkSecret) throw permanentFailure(`${notice.template} emails need a link secret (LINK_SECRET)`, NotificationErrorType.EmailTemplate);
        vars[signed[1]] = requesterLink(deps.publicUrl, deps.linkSecret, signed[0], notice.ticketId);
      }
      if (deps.email && notice.to.email) {
        await deps.email.sendTicketEmail({
          idempotencyKey: notice.key,
          ticketId: notice.ticketId,
          to: { email: notice.to.email, ...(notice.to.name ? { name: notice.to.name } : {}) },
          template: notice.template,
          vars,
          subject: notice.subject,
          automatic: notice.automatic,
          ...(notice.inReplyTo ? { inReplyTo: notice.inReplyTo } : {}),
          ...(notice.references ? { references: notice.references } : {}),
        });
        return { channel: 'email', attempts: attempt() };
      }
      await deps.outbox.write(notice.key, `customer:${notice.channel}`, { ticketId: notice.ticketId, to: notice.to, template: notice.template, subject: notice.subject, vars });
      return { channel: 'outbox', attempts: attempt() };
    },

    /** The escalation (or a follow-up) to a vendor's support contact: email when SMTP is set, else the outbox. */
    async notifyVendor(input: { key: string; ticketId: string; vendor: string; template: 'vendor-escalation' | 'vendor-follow-up'; subject: string; vars: Record<string, string> }): Promise<Delivery> {
      const to = deps.vendors?.[input.vendor];
      if (!to) {
        const known = Object.keys(deps.vendors ?? {});
        throw permanentFailure(`no contact for the vendor '${input.vendor}' (VENDOR_CONTACTS has ${known.length ? known.join(', ') : 'none'})`, NotificationErrorType.VendorConfig);
      }
      const vars = { teamName: deps.teamName, link: link(input.ticketId), ...input.vars };
      const subject = `${input.template === 'vendor-escalation' ? 'ESCALATION' : 'Follow-up'}: ${input.vars.priority ?? ''} ${input.subject}`.replace(/\s+/g, ' ').trim();
      if (deps.email) {
        await deps.email.sendTicketEmail({ idempotencyKey: input.key, ticketId: input.ticketId, to: { email: to, name: `${input.vendor} support` }, template: input.template, vars, subject, automatic: false });
        return { channel: 'email', attempts: attempt() };
      }
      await deps.outbox.write(input.key, `vendor:${input.vendor}`, { ticketId: input.ticketId, to, template: input.template, subject, vars });
      return { channel: 'outbox', attempts: attempt() };
    },

    async postTicketCard(input: { key: string; queue: string; card: TicketCard }): Promise<Delivery & { slackChannel: string; ts: string }> {
      const card = { ...input.card, link: link(input.card.ticketId) };
      const channel = slackChannel(input.queue);
      if (deps.slack && channel) {
        const posted = await deps.slack.activities.postTicketCard({ idempotencyKey: input.key, channel, card });
        return { channel: 'slack', attempts: attempt(), slackChannel: posted.channel, ts: posted.ts };
      }
      await deps.outbox.write(input.key, `team:${input.queue}`, { card });
      return { channel: 'outbox', attempts: attempt(), slackChannel: `outbox:${input.queue}`, ts: input.key };
    },

    updateTicketCard,

    /**
     * A message in the thread under the ticket's card. With `card`, the card above it is edited
     * too, in the same activity: the edit that goes with an SLA notice or an escalation then costs
     * no round trip of its own. The edit is best effort: when it fails, the message still counts
     * as sent, `cardEdited` is false, and the workflow's own card refresh makes the edit with its
     * own retries.
     */
    async postThreadMessage(input: { key: string; slackChannel: string; threadTs: string; text: string; card?: { key: string; card: TicketCard } }): Promise<Delivery & { cardEdited?: boolean }> {
      let delivery: Delivery;
      if (deps.slack && !input.slackChannel.startsWith('outbox:')) {
        await deps.slack.activities.postThreadMessage({ idempotencyKey: input.key, channel: input.slackChannel, threadTs: input.threadTs, text: input.text });
        delivery = { channel: 'slack', attempts: attempt() };
      } else {
        await deps.outbox.write(input.key, `team-thread:${input.slackChannel}`, { thread: input.threadTs, text: input.text });
        delivery = { channel: 'outbox', attempts: attempt() };
      }
      if (!input.card) return delivery;
      try {
        await updateTicketCard({ key: input.card.key, slackChannel: input.slackChannel, ts: input.threadTs, card: input.card.card });
        return { ...delivery, cardEdited: true };
      } catch (err) {
        Context.current().log.warn('the card edit after a thread message failed; the card refresh will make it', { error: describe(err) });
        return { ...delivery, cardEdited: false };
      }
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
