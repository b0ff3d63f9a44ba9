/**
 * Slack notifications of a ticket: its root card in the tier's channel, edits of that card, and
 * messages in its thread, through @slack/web-api.
 *
 * Idempotency guarantee. Every message carries `metadata` with the effect's idempotency key. A
 * retried attempt (attempt > 1) first looks the key up (the channel's last 200 root messages of
 * the last two days, or every reply of the thread) and returns the message it finds instead of
 * posting again, so a send Slack stored before the attempt failed (a 500 or a dropped answer after
 * storing, a worker crash) appears once. chat.update writes the same content on every attempt.
 * What remains: a card posted by a failed attempt that has since fallen out of the lookback (200
 * newer root messages, or two days), or a new activity for the same key scheduled as attempt 1
 * (a workflow reset), posts a second copy.
 */
import { Context } from '@temporalio/activity';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/web-api';
import { NotificationErrorType, describe, permanentFailure, rateLimitedFailure, redact, retryableFailure } from './errors.js';

export interface SlackSettings {
  /** Bot token (a secret). */
  token: string;
  /** Web API base URL, e.g. http://127.0.0.1:PORT/api/ for the local test server. */
  apiUrl?: string;
  /** Per-request timeout; the default keeps a hung call well inside the activity's timeout. */
  timeoutMs?: number;
}

/** What the root message of a ticket shows. Plain data from the workflow. */
export interface TicketCard {
  ticketId: string;
  subject: string;
  priority: string;
  status: string;
  tier?: string;
  /** ISO instant. */
  slaDueAt?: string;
  assignee?: string;
  link?: string;
}

/** The `metadata.event_type` every tierline message carries; its payload holds the idempotency key. */
export const NOTIFICATION_EVENT_TYPE = 'tierline_notification';

/** `action_id`s of the card's buttons; the Slack interactivity adapter dispatches on them. */
export const TicketCardAction = {
  acknowledge: 'ticket.acknowledge',
  resolve: 'ticket.resolve',
  escalate: 'ticket.escalate',
} as const;

/**
 * How far back a retry looks for a root card it may already have posted: the channel's messages
 * of the last two days, at most 200 of them. A retry comes minutes after the failed attempt, so a
 * card it posted is well inside this window even in a busy channel.
 */
const LOOKBACK_MESSAGES = 200;
const LOOKBACK_SECONDS = 2 * 24 * 60 * 60;
const PAGE_SIZE = 100;

/** Platform errors that are Slack's own trouble, not ours: retrying can succeed. */
const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
const RATE_LIMIT_PLATFORM_ERRORS = new Set(['ratelimited', 'rate_limited']);

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

export function createSlackActivities(settings: SlackSettings) {
  // Temporal owns retries: the client never retries, and a 429 rejects at once instead of
  // sleeping through Retry-After inside the activity and stalling the activity slots.
  const client = new WebClient(settings.token, {
    slackApiUrl: settings.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: settings.timeoutMs ?? 10_000,
  });
  const secrets = [settings.token];

  async function call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw classifySlackError(method, err, secrets);
    }
  }

  function isRetry(): boolean {
    return Context.current().info.attempt > 1;
  }

  async function findRootCard(channel: string, idempotencyKey: string): Promise<string | undefined> {
    const oldest = String(Math.floor(Date.now() / 1000) - LOOKBACK_SECONDS);
    let cursor: string | undefined;
    let seen = 0;
    do {
      const page = await call('conversations.history', () =>
        client.conversations.history({ channel, oldest, limit: PAGE_SIZE, include_all_metadata: true, cursor }),
      );
      const messages = (page.messages ?? []) as HistoryMessage[];
      const found = findByKey(messages, idempotencyKey);
      if (found !== undefined) return found;
      seen += messages.length;
      cursor = page.has_more ? page.response_metadata?.next_cursor || undefined : undefined;
    } while (cursor !== undefined && seen < LOOKBACK_MESSAGES);
    return undefined;
  }

  async function findThreadMessage(channel: string, threadTs: string, idempotencyKey: string): Promise<string | undefined> {
    let cursor: string | undefined;
    do {
      const page = await call('conversations.replies', () =>
        client.conversations.replies({ channel, ts: threadTs, limit: PAGE_SIZE, include_all_metadata: true, cursor }),
      );
      const found = findByKey((page.messages ?? []) as HistoryMessage[], idempotencyKey);
      if (found !== undefined) return found;
      cursor = page.has_more ? page.response_metadata?.next_cursor || undefined : undefined;
    } while (cursor !== undefined);
    return undefined;
  }

  async function postOnce(input: { idempotencyKey: string; channel: string; text: string; ticketId?: string }): Promise<{ channel: string; ts: string }> {
    const { idempotencyKey, channel, text, ticketId } = input;
    if (isRetry()) {
      const ts = await findRootCard(channel, idempotencyKey);
      if (ts !== undefined) return { channel, ts };
    }
    const result = await call('chat.postMessage', () => client.chat.postMessage({ channel, text, metadata: notificationMetadata(idempotencyKey, ticketId) }));
    return { channel: result.channel ?? channel, ts: requireTs(result.ts, 'chat.postMessage') };
  }

  return {
    /**
     * Posts the ticket's root card. On a retry it first looks for a card carrying the same
     * idempotency key (the failed attempt may have been stored by Slack) and returns that one.
     */
    async postTicketCard(input: { idempotencyKey: string; channel: string; card: TicketCard }): Promise<{ channel: string; ts: string }> {
      const { idempotencyKey, channel, card } = input;
      if (isRetry()) {
        const ts = await findRootCard(channel, idempotencyKey);
        if (ts !== undefined) {
          Context.current().log.info('Slack card already posted by an earlier attempt', { channel, ts, idempotencyKey });
          return { channel, ts };
        }
      }
      const result = await call('chat.postMessage', () =>
        client.chat.postMessage({
          channel,
          text: cardText(card),
          blocks: cardBlocks(card),
          metadata: notificationMetadata(idempotencyKey, card.ticketId),
        }),
      );
      return { channel: result.channel ?? channel, ts: requireTs(result.ts, 'chat.postMessage') };
    },

    /**
     * A direct message to one person (a page): the DM channel is opened (idempotent on Slack's
     * side), and a retry looks the key up there before posting again.
     */
    async postDirectMessage(input: { idempotencyKey: string; user: string; text: string; ticketId?: string }): Promise<{ channel: string; ts: string }> {
      const { user, ...message } = input;
      const opened = await call('conversations.open', () => client.conversations.open({ users: user }));
      const channel = opened.channel?.id;
      if (!channel) throw retryableFailure(`Slack conversations.open gave no channel for ${user}`, NotificationErrorType.SlackRetryable);
      return postOnce({ ...message, channel });
    },

    /** A message in a channel (an incident's updates), once per idempotency key (looked up on a retry). */
    async postChannelMessage(input: { idempotencyKey: string; channel: string; text: string; ticketId?: string }): Promise<{ channel: string; ts: string }> {
      return postOnce(input);
    },

    /** Edits the root card in place. chat.update is idempotent: a retry writes the same content. */
    async updateTicketCard(input: { channel: string; ts: string; card: TicketCard }): Promise<void> {
      const { channel, ts, card } = input;
      await call('chat.update', () => client.chat.update({ channel, ts, text: cardText(card), blocks: cardBlocks(card) }));
    },

    /** Posts into the ticket's thread, once per idempotency key (looked up by metadata on a retry). */
    async postThreadMessage(input: {
      idempotencyKey: string;
      channel: string;
      threadTs: string;
      text: string;
      /** Carried in the message metadata when given. */
      ticketId?: string;
    }): Promise<{ ts: string }> {
      const { idempotencyKey, channel, threadTs, text, ticketId } = input;
      if (isRetry()) {
        const ts = await findThreadMessage(channel, threadTs, idempotencyKey);
        if (ts !== undefined) {
          Context.current().log.info('Slack thread message already posted by an earlier attempt', { channel, ts, idempotencyKey });
          return { ts };
        }
      }
      const result = await call('chat.postMessage', () =>
        client.chat.postMessage({
          channel,
          thread_ts: threadTs,
          text,
          metadata: notificationMetadata(idempotencyKey, ticketId),
        }),
      );
      return { ts: requireTs(result.ts, 'chat.postMessage') };
    },
  };
}

export type SlackActivities = ReturnType<typeof createSlackActivities>;

function notificationMetadata(idempotencyKey: string, ticketId: string | undefined) {
  const eventPayload: Record<string, string> = { idempotency_key: idempotencyKey };
  if (ticketId !== undefined) eventPayload['ticket_id'] = ticketId;
  return { event_type: NOTIFICATION_EVENT_TYPE, event_payload: eventPayload };
}

function findByKey(messages: readonly HistoryMessage[], idempotencyKey: string): string | undefined {
  const hit = messages.find(
    (m) => m.metadata?.event_type === NOTIFICATION_EVENT_TYPE && m.metadata.event_payload?.['idempotency_key'] === idempotencyKey,
  );
  return hit?.ts;
}

function requireTs(ts: string | undefined, method: string): string {
  if (ts === undefined || ts === '') {
    throw retryableFailure(`Slack ${method} answered ok without a message ts; expected the posted message's ts`, NotificationErrorType.SlackRetryable);
  }
  return ts;
}

/** The notification text: what Slack shows in push notifications and to screen readers. */
export function cardText(card: TicketCard): string {
  return `[${card.priority}] ${card.ticketId}: ${card.subject} (${card.status})`;
}

/** The ticket card in Block Kit: subject, priority, status, SLA due, assignee, and three buttons. */
export function cardBlocks(card: TicketCard): KnownBlock[] {
  // A section's text holds at most 3,000 characters; a longer subject would make Slack refuse the card.
  const shortSubject = escapeMrkdwn(card.subject.length > 1000 ? `${card.subject.slice(0, 999)}…` : card.subject);
  const subject = card.link === undefined ? shortSubject : `<${card.link}|${shortSubject}>`;
  const slaDue = card.slaDueAt === undefined ? 'none' : slackDate(card.slaDueAt);
  const fields = [
    { type: 'mrkdwn' as const, text: `*Priority*\n${escapeMrkdwn(card.priority)}` },
    { type: 'mrkdwn' as const, text: `*Status*\n${escapeMrkdwn(card.status)}` },
    { type: 'mrkdwn' as const, text: `*SLA due*\n${slaDue}` },
    { type: 'mrkdwn' as const, text: `*Assignee*\n${card.assignee === undefined ? 'unassigned' : escapeMrkdwn(card.assignee)}` },
  ];
  if (card.tier !== undefined) fields.push({ type: 'mrkdwn', text: `*Tier*\n${escapeMrkdwn(card.tier)}` });
  const button = (text: string, actionId: string, style?: 'primary' | 'danger') => ({
    type: 'button' as const,
    text: { type: 'plain_text' as const, text },
    action_id: actionId,
    value: card.ticketId,
    ...(style === undefined ? {} : { style }),
  });
  return [
    { type: 'section', text: { type: 'mrkdwn', text: `*${card.ticketId}* ${subject}` } },
    { type: 'section', fields },
    {
      type: 'actions',
      block_id: `ticket:${card.ticketId}`,
      elements: [
        button('Acknowledge', TicketCardAction.acknowledge, 'primary'),
        button('Resolve', TicketCardAction.resolve),
        button('Escalate', TicketCardAction.escalate, 'danger'),
      ],
    },
  ];
}

/** Slack's date formatting shows the instant in each reader's own time zone; the ISO text is the fallback. */
function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${iso}>`;
}

function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Maps a @slack/web-api error to a Temporal failure: rate limit, retryable or permanent. */
export function classifySlackError(method: string, err: unknown, secrets: readonly string[]): Error {
  const say = (text: string) => redact(text, secrets);
  if (err instanceof WebAPIRateLimitedError) {
    return rateLimitedFailure(
      say(`Slack rate-limited ${method}; retry after ${err.retryAfter}s`),
      NotificationErrorType.SlackRateLimited,
      err.retryAfter,
    );
  }
  if (err instanceof WebAPIPlatformError) {
    const code = String(err.data.error);
    if (RATE_LIMIT_PLATFORM_ERRORS.has(code)) {
      const retryAfter = err.data.response_metadata?.retryAfter;
      return rateLimitedFailure(say(`Slack rate-limited ${method} (${code})`), NotificationErrorType.SlackRateLimited, retryAfter);
    }
    if (TRANSIENT_PLATFORM_ERRORS.has(code)) {
      return retryableFailure(say(`Slack ${method} failed with ${code}; retrying`), NotificationErrorType.SlackRetryable);
    }
    return permanentFailure(say(`Slack ${method} refused the call: ${code}`), NotificationErrorType.SlackPermanent);
  }
  if (err instanceof WebAPIHTTPError) {
    if (err.statusCode >= 500 || err.statusCode === 408) {
      return retryableFailure(say(`Slack ${method} answered HTTP ${err.statusCode}; retrying`), NotificationErrorType.SlackRetryable);
    }
    return permanentFailure(
      say(`Slack ${method} answered HTTP ${err.statusCode}; expected 200 (check the Slack API URL)`),
      NotificationErrorType.SlackPermanent,
    );
  }
  if (err instanceof WebAPIRequestError) {
    return retryableFailure(say(`Slack ${method} could not be reached: ${describe(err.original)}`), NotificationErrorType.SlackRetryable);
  }
  return retryableFailure(say(`Slack ${method} failed: ${describe(err)}`), NotificationErrorType.SlackRetryable);
}
