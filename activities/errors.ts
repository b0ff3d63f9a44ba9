import { ApplicationFailure } from '@temporalio/common';

/**
 * Failure types the notification activities throw. The workflow shows a non-retryable one on the
 * ticket's timeline as a failed notification; the retryable ones are retried by Temporal under the
 * activity's retry policy (the rate-limited ones after the delay the service asked for).
 */
export const NotificationErrorType = {
  /** Slack refused the call for good: bad token, unknown or archived channel, invalid blocks. */
  SlackPermanent: 'SlackPermanentError',
  /** Slack was unreachable, answered 5xx or reported an internal error: try again. */
  SlackRetryable: 'SlackRetryableError',
  /** Slack rate-limited the call: try again after its Retry-After. */
  SlackRateLimited: 'SlackRateLimitedError',
  /** The SMTP server rejected the message with a 5xx reply. */
  SmtpPermanent: 'SmtpPermanentError',
  /** The SMTP server answered 4xx, or the connection failed or timed out. */
  SmtpRetryable: 'SmtpRetryableError',
  /** An email template is unknown or a variable it uses was not given. */
  EmailTemplate: 'EmailTemplateError',
  /** PagerDuty rejected the event (400) or the event cannot be sent as given. */
  PagerPermanent: 'PagerPermanentError',
  /** PagerDuty was unreachable or answered 5xx. */
  PagerRetryable: 'PagerRetryableError',
  /** PagerDuty answered 429: try again later. */
  PagerRateLimited: 'PagerRateLimitedError',
  /** No routing key is configured under the name the page asked for. */
  PagerConfig: 'PagerConfigError',
  /** The page names an on-call schedule or layer the configuration does not have. */
  OnCallConfig: 'OnCallConfigError',
  /** A vendor escalation names a vendor without a contact in configuration. */
  VendorConfig: 'VendorConfigError',
  /** Discord refused the announcement for good: unknown webhook, invalid token, invalid message. */
  DiscordPermanent: 'DiscordPermanentError',
  /** Discord was unreachable or answered 5xx. */
  DiscordRetryable: 'DiscordRetryableError',
  /** Discord answered 429: try again after its retry_after. */
  DiscordRateLimited: 'DiscordRateLimitedError',
  /** The incident report could not be written: an id that is no file name, or the disk refused. */
  IncidentReport: 'IncidentReportError',
} as const;

export type NotificationErrorType = (typeof NotificationErrorType)[keyof typeof NotificationErrorType];

/**
 * The failures carry no `cause`: a library error may hold request details (headers, commands) that
 * the failure converter would copy into the workflow history. Messages are built here from known
 * fields only, and every one passes through `redact` first.
 */
export function permanentFailure(message: string, type: NotificationErrorType): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

export function retryableFailure(message: string, type: NotificationErrorType): ApplicationFailure {
  return ApplicationFailure.retryable(message, type);
}

/** A retryable failure that tells Temporal to wait `retryAfterSeconds` before the next attempt. */
export function rateLimitedFailure(
  message: string,
  type: NotificationErrorType,
  retryAfterSeconds: number | undefined,
): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type,
    nonRetryable: false,
    ...(retryAfterSeconds === undefined ? {} : { nextRetryDelay: `${retryAfterSeconds}s` }),
  });
}

/**
 * Reads an HTTP Retry-After header (delay-seconds or an HTTP-date) as whole seconds, at least 1.
 * Returns undefined when the header is absent or unreadable, so the retry policy's backoff applies.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.max(1, Number.parseInt(text, 10));
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(1, Math.ceil((at - nowMs) / 1000));
}

/** Replaces every occurrence of each secret in `text` by `[redacted]`. Short strings are ignored. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 4) continue;
    out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** The message of anything thrown, without its stack. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
