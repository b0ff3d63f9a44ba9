/**
 * Pages through the PagerDuty Events API v2 with plain fetch.
 *
 * Idempotency guarantee. Every event of one page carries the page's dedup_key, and PagerDuty
 * applies events with the same dedup_key (and routing key) to the one open alert: a trigger
 * retried after PagerDuty took it (a 500 or a dropped answer after processing, a worker crash)
 * adds a log entry to that alert and notifies nobody again; a retried acknowledge or resolve
 * changes nothing more. What remains: if the alert was resolved in PagerDuty between the lost
 * answer and the retry, the retried trigger opens a new alert, as PagerDuty documents.
 */
import { NotificationErrorType, describe, parseRetryAfter, permanentFailure, rateLimitedFailure, redact, retryableFailure } from './errors.js';

export interface PagerSettings {
  /** PagerDuty Events API v2 endpoint, e.g. https://events.pagerduty.com/v2/enqueue. */
  eventsUrl: string;
  /**
   * Integration key per on-call layer or person name. Secrets: looked up here by name, never
   * carried in a policy snapshot, a workflow input or a history.
   */
  routingKeys: Record<string, string>;
  timeoutMs?: number;
}

export type PageSeverity = 'critical' | 'error' | 'warning' | 'info';

/** One Events API v2 event. Plain data from the workflow: the routing key is named, not given. */
export interface PageEvent {
  action: 'trigger' | 'acknowledge' | 'resolve';
  /** One per page: every event of the page carries it, so PagerDuty folds retries into one alert. */
  dedupKey: string;
  routingKeyName: string;
  /** Required for a trigger. */
  summary?: string;
  severity?: PageSeverity;
  source?: string;
  customDetails?: Record<string, unknown>;
  link?: { href: string; text: string };
}

const SEVERITIES: readonly PageSeverity[] = ['critical', 'error', 'warning', 'info'];
const MAX_SUMMARY = 1024;
const MAX_DEDUP_KEY = 255;

/**
 * The page severity for a priority, given as its urgency rank: 0 is the most urgent priority
 * (P0, "Critical") and maps to `critical`, 1 to `error`, 2 to `warning`, 3 and below to `info`.
 */
export function severityForPriority(urgency: number): PageSeverity {
  if (!Number.isInteger(urgency) || urgency < 0) {
    throw new RangeError(`Priority urgency ${urgency} is not a rank; expected 0 (most urgent), 1, 2, ...`);
  }
  return SEVERITIES[Math.min(urgency, SEVERITIES.length - 1)] as PageSeverity;
}

export function createPagerActivities(settings: PagerSettings) {
  const secrets = Object.values(settings.routingKeys);
  const say = (text: string) => redact(text, secrets);

  return {
    /**
     * Sends a trigger, acknowledge or resolve to PagerDuty. Retries are safe on PagerDuty's side:
     * events with the same dedup_key apply to the one open alert instead of opening another.
     */
    async sendPageEvent(input: PageEvent): Promise<{ dedupKey: string }> {
      if (!Object.hasOwn(settings.routingKeys, input.routingKeyName)) {
        const known = Object.keys(settings.routingKeys);
        throw permanentFailure(
          `No pager routing key is configured for "${input.routingKeyName}"; configured names: ${known.length ? known.join(', ') : 'none'}`,
          NotificationErrorType.PagerConfig,
        );
      }
      const routingKey = settings.routingKeys[input.routingKeyName] as string;
      const body = JSON.stringify({ routing_key: routingKey, ...eventBody(input) });

      let response: Response;
      try {
        response = await fetch(settings.eventsUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body,
          signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
        });
      } catch (err) {
        const cause = (err as { cause?: unknown }).cause;
        const detail = cause === undefined ? describe(err) : `${describe(err)} (${describe(cause)})`;
        throw retryableFailure(say(`PagerDuty could not be reached: ${detail}`), NotificationErrorType.PagerRetryable);
      }
      const text = await response.text().catch(() => '');
      const what = `PagerDuty ${input.action} for ${input.dedupKey}`;
      if (response.status === 202) {
        const answer = parseJson(text) as { dedup_key?: unknown } | undefined;
        return { dedupKey: typeof answer?.dedup_key === 'string' ? answer.dedup_key : input.dedupKey };
      }
      if (response.status === 429) {
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        throw rateLimitedFailure(say(`${what} was rate-limited (429)`), NotificationErrorType.PagerRateLimited, retryAfter);
      }
      if (response.status >= 500 || response.status === 408) {
        throw retryableFailure(say(`${what} failed with HTTP ${response.status}`), NotificationErrorType.PagerRetryable);
      }
      throw permanentFailure(
        say(`${what} was rejected with HTTP ${response.status}: ${rejectionText(text)}`),
        NotificationErrorType.PagerPermanent,
      );
    },
  };
}

export type PagerActivities = ReturnType<typeof createPagerActivities>;

/** The Events API v2 body without its routing key. A trigger carries the payload and the link. */
function eventBody(input: PageEvent): Record<string, unknown> {
  if (input.dedupKey === '' || input.dedupKey.length > MAX_DEDUP_KEY) {
    throw permanentFailure(
      `Page dedup key "${input.dedupKey.slice(0, 40)}" has ${input.dedupKey.length} characters; expected 1 to ${MAX_DEDUP_KEY}`,
      NotificationErrorType.PagerPermanent,
    );
  }
  const base = { event_action: input.action, dedup_key: input.dedupKey };
  if (input.action !== 'trigger') return base;
  if (input.summary === undefined || input.summary.trim() === '') {
    throw permanentFailure(`A page trigger for ${input.dedupKey} needs a summary; none was given`, NotificationErrorType.PagerPermanent);
  }
  return {
    ...base,
    client: 'tierline',
    ...(input.link === undefined ? {} : { client_url: input.link.href, links: [{ href: input.link.href, text: input.link.text }] }),
    payload: {
      summary: input.summary.length > MAX_SUMMARY ? `${input.summary.slice(0, MAX_SUMMARY - 1)}…` : input.summary,
      source: input.source ?? 'tierline',
      severity: input.severity ?? 'error',
      ...(input.customDetails === undefined ? {} : { custom_details: input.customDetails }),
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** PagerDuty's own words for a rejected event: its `message` and `errors`, else the raw body (short). */
function rejectionText(text: string): string {
  const answer = parseJson(text) as { message?: unknown; errors?: unknown } | undefined;
  const parts: string[] = [];
  if (typeof answer?.message === 'string') parts.push(answer.message);
  if (Array.isArray(answer?.errors)) parts.push(answer.errors.map(String).join('; '));
  if (parts.length > 0) return parts.join(': ');
  return text.trim() === '' ? '(empty body)' : text.trim().slice(0, 300);
}
