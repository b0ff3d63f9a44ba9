/**
 * The incident activities the incident workflow calls: the incident channel on Slack, the Discord
 * announcement, outbox lines for the channels tierline has no client for (Twitter/X, a GitHub
 * announcement), and the incident report on disk. Email to the requesters of linked tickets goes
 * through each ticket's own thread (the ticket workflow sends the `incident-*` templates).
 *
 * Idempotency guarantee, per channel, for one effect key:
 * - Slack: the message carries the key in its `metadata`; a retry looks it up first (slack.ts).
 * - Discord: an incoming webhook has no idempotency key and no way to list what it posted, so a
 *   durable sent log (fsynced) records the key as soon as Discord answers 200, and every attempt
 *   consults it before posting. A retry after a recorded post, including one whose completion never
 *   reached Temporal because the worker died, posts nothing. The window that remains: Discord stored
 *   the message but its answer never reached tierline (a dropped connection, a 5xx after storing, a
 *   crash between the 200 and the fsync of the record): the retry posts a second copy.
 * - Outbox: keyed lines; a repeat is a no-op.
 * - Report: written to a temporary file and renamed over `<incident id>.md`; the same content
 *   again leaves the same file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Context } from '@temporalio/activity';
import { NotificationErrorType, describe, parseRetryAfter, permanentFailure, rateLimitedFailure, redact, retryableFailure } from './errors.js';
import type { Delivery } from './notifications.js';
import type { Outbox } from './outbox.js';
import type { SentLog } from './sent-log.js';
import type { SlackActivities } from './slack.js';

export interface DiscordAnnounceSettings {
  /** The incoming webhook URL, `https://discord.com/api/webhooks/<id>/<token>`: a secret (it holds the token). */
  webhookUrl: string;
  /** Keys of the announcements Discord has accepted, consulted before every post. */
  sentLog: SentLog;
  timeoutMs?: number;
}

export interface IncidentDeps {
  outbox: Outbox;
  /** Where incident reports go: `<data dir>/reports`. */
  reportsDir: string;
  /** `channels.incidents` is the incident channel; `channels.default` the fallback. */
  slack?: { activities: SlackActivities; channels: Record<string, string> };
  discord?: DiscordAnnounceSettings;
}

/** The channels an outbox line stands in for: a person or an integration posts it. */
export type OutboxBroadcastChannel = 'social' | 'github';

/** Discord refuses a message whose content is longer than this many characters. */
export const DISCORD_CONTENT_LIMIT = 2000;

/** Incident ids become file names: letters, digits, '-' and '_' only. */
const INCIDENT_ID = /^[A-Za-z0-9_-]{1,100}$/;

const attempt = () => Context.current().info.attempt;

export function createIncidentActivities(deps: IncidentDeps) {
  const incidentChannel = deps.slack?.channels['incidents'] ?? deps.slack?.channels.default;
  const discord = deps.discord ? { ...discordWebhook(deps.discord), sentLog: deps.discord.sentLog } : undefined;

  return {
    /** A message in the incident channel (declared, severity, commander, resolved, an update). */
    async postIncidentMessage(input: { key: string; incidentId: string; text: string }): Promise<Delivery> {
      if (deps.slack && incidentChannel) {
        await deps.slack.activities.postChannelMessage({ idempotencyKey: input.key, channel: incidentChannel, text: escapeSlackText(input.text) });
        return { channel: 'slack', attempts: attempt() };
      }
      await deps.outbox.write(input.key, `incident:${input.incidentId}`, { incidentId: input.incidentId, text: input.text });
      return { channel: 'outbox', attempts: attempt() };
    },

    /** A status update announced on Discord through the incoming webhook, once per key (up to the window above). */
    async broadcastDiscord(input: { key: string; incidentId: string; headline: string; text: string }): Promise<Delivery> {
      if (!discord) {
        await deps.outbox.write(input.key, 'broadcast:discord', { incidentId: input.incidentId, headline: input.headline, text: input.text });
        return { channel: 'outbox', attempts: attempt() };
      }
      const log = Context.current().log;
      const { sentLog } = discord;
      if (await sentLog.has(input.key)) {
        log.info('Discord announcement already accepted on an earlier attempt', { key: input.key, incidentId: input.incidentId });
        return { channel: 'discord', attempts: attempt() };
      }
      const posted = await discord.post(announcementContent(input.headline, input.text));
      try {
        await sentLog.record(input.key, { incidentId: input.incidentId, ...(posted.messageId ? { messageId: posted.messageId } : {}) });
      } catch (err) {
        // Discord has the message; failing now would make Temporal post it again.
        log.error('Discord announcement accepted but not recorded in the sent log', { key: input.key, error: discord.say(describe(err)) });
      }
      return { channel: 'discord', attempts: attempt() };
    },

    /** One outbox line for a channel without a client (Twitter/X, a GitHub announcement). */
    async broadcastOutbox(input: { key: string; incidentId: string; channel: OutboxBroadcastChannel; headline: string; text: string }): Promise<Delivery> {
      await deps.outbox.write(input.key, `broadcast:${input.channel}`, { incidentId: input.incidentId, headline: input.headline, text: input.text });
      return { channel: 'outbox', attempts: attempt() };
    },

    /** Writes `<reports dir>/<incident id>.md` atomically; the same content again is the same file. */
    async writeIncidentReport(input: { key: string; incidentId: string; markdown: string }): Promise<{ path: string }> {
      if (!INCIDENT_ID.test(input.incidentId)) {
        throw permanentFailure(
          `Incident id ${JSON.stringify(input.incidentId.slice(0, 120))} cannot name a report file; expected letters, digits, '-' and '_' only`,
          NotificationErrorType.IncidentReport,
        );
      }
      const path = resolve(deps.reportsDir, `${input.incidentId}.md`);
      try {
        await writeAtomically(path, input.markdown);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw retryableFailure(`Incident report ${path} could not be written${code ? ` (${code})` : ''}: ${describe(err)}`, NotificationErrorType.IncidentReport);
      }
      Context.current().log.info('Incident report written', { key: input.key, incidentId: input.incidentId, path });
      return { path };
    },
  };
}

export type IncidentActivities = ReturnType<typeof createIncidentActivities>;

/**
 * The announcement: the headline in bold, then the rest of the status update (the update's text
 * repeats the headline as its first line; it is shown once), clipped to Discord's limit.
 */
export function announcementContent(headline: string, text: string): string {
  const body = (text.startsWith(headline) ? text.slice(headline.length) : text).replace(/^\s*\n/, '').trimEnd();
  const content = body === '' ? `**${headline}**` : `**${headline}**\n${body}`;
  return clip(content, DISCORD_CONTENT_LIMIT);
}

/** At most `limit` UTF-16 units (so at most `limit` characters), ending in '…' when cut; never half a surrogate pair. */
function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let cut = text.slice(0, limit - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Plain text for Slack: '&', '<' and '>' escaped, so typed text never becomes a link or a `<!channel>` ping. */
function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Posts to a Discord incoming webhook with plain fetch. `?wait=true` makes Discord answer with the
 * stored message (200) instead of 204, so acceptance is confirmed. Mentions are never parsed: an
 * `@everyone` typed into an update is shown, not pinged. Every message it builds passes through
 * `say`, which hides the webhook URL and its token.
 */
function discordWebhook(settings: DiscordAnnounceSettings) {
  const url = new URL(settings.webhookUrl);
  url.searchParams.set('wait', 'true');
  const token = url.pathname.split('/').filter(Boolean).at(-1);
  const secrets = [settings.webhookUrl, url.href, token];
  const say = (text: string) => redact(text, secrets);

  async function post(content: string): Promise<{ messageId?: string }> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ content, allowed_mentions: { parse: [] } }),
        signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
      });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      const detail = cause === undefined ? describe(err) : `${describe(err)} (${describe(cause)})`;
      throw retryableFailure(say(`Discord could not be reached for the announcement: ${detail}`), NotificationErrorType.DiscordRetryable);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      const answer = parseJson(text) as { id?: unknown } | undefined;
      return typeof answer?.id === 'string' ? { messageId: answer.id } : {};
    }
    if (response.status === 429) {
      const answer = parseJson(text) as { retry_after?: unknown; global?: unknown } | undefined;
      const retryAfter = typeof answer?.retry_after === 'number' && answer.retry_after >= 0 ? Math.max(1, Math.ceil(answer.retry_after)) : parseRetryAfter(response.headers.get('retry-after'));
      throw rateLimitedFailure(
        say(`Discord rate-limited the announcement (429${answer?.global === true ? ', global' : ''})${retryAfter === undefined ? '' : `; retry after ${retryAfter}s`}`),
        NotificationErrorType.DiscordRateLimited,
        retryAfter,
      );
    }
    if (response.status >= 500 || response.status === 408) {
      throw retryableFailure(say(`Discord answered HTTP ${response.status} to the announcement; retrying`), NotificationErrorType.DiscordRetryable);
    }
    throw permanentFailure(
      say(`Discord refused the announcement with HTTP ${response.status}: ${discordErrorText(text)}${hint(response.status)}`),
      NotificationErrorType.DiscordPermanent,
    );
  }

  return { post, say };
}

/** What to check for the refusals a configuration causes. */
function hint(status: number): string {
  if (status === 401) return ' (check the token part of DISCORD_ANNOUNCE_WEBHOOK_URL)';
  if (status === 404) return ' (the webhook was deleted or DISCORD_ANNOUNCE_WEBHOOK_URL names another one)';
  return '';
}

/** Discord's own words: `message (code N)` and the first field errors of an "Invalid Form Body". */
function discordErrorText(text: string): string {
  const answer = parseJson(text) as { message?: unknown; code?: unknown; errors?: unknown } | undefined;
  if (typeof answer?.message !== 'string') return text.trim() === '' ? '(empty body)' : text.trim().slice(0, 300);
  const fields = fieldErrors(answer.errors, '').slice(0, 3);
  return `${answer.message}${typeof answer.code === 'number' ? ` (code ${answer.code})` : ''}${fields.length ? `: ${fields.join('; ')}` : ''}`;
}

function fieldErrors(errors: unknown, path: string): string[] {
  if (errors === null || typeof errors !== 'object') return [];
  const out: string[] = [];
  for (const [name, value] of Object.entries(errors as Record<string, unknown>)) {
    if (name === '_errors' && Array.isArray(value)) {
      for (const e of value as { message?: unknown }[]) if (typeof e?.message === 'string') out.push(`${path || 'body'}: ${e.message}`);
    } else {
      out.push(...fieldErrors(value, path ? `${path}.${name}` : name));
    }
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Write to a temporary file beside `path`, fsync it, rename it over `path`, fsync the folder. */
async function writeAtomically(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(content, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
