/**
 * Ticket email through nodemailer over SMTP: one thread per ticket in the customer's mail client.
 * The scheduled reports go the same way, through the same transport and sent log.
 *
 * Idempotency guarantee. Each email's Message-ID is derived from the ticket id and the effect's
 * idempotency key (a report's from the report's key), so every attempt of one effect sends the same Message-ID. Before sending, the
 * activity asks the sent log whether that Message-ID was accepted already and, if so, returns
 * `alreadySent: true` without connecting; as soon as the server answers 250 it records the
 * Message-ID (fsynced) before returning. So a retry after an accepted and recorded send, including
 * one whose completion never reached Temporal because the worker died, sends nothing.
 * The one window that remains: the server accepted the message but the 250 never reached us (the
 * connection dropped, or the worker crashed between the 250 and the fsync of the record). Nothing
 * on our side knows the server has it, so the retry sends it again: the customer gets a second
 * copy carrying the same Message-ID, which many mail clients and mailbox providers fold into one.
 */
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import nodemailer from 'nodemailer';
import { NotificationErrorType, permanentFailure, redact, retryableFailure } from './errors.js';
import type { SentLog } from './sent-log.js';
import { renderEmail } from './templates.js';
import type { EmailTemplate } from './templates.js';

export type { EmailTemplate } from './templates.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  /** A secret. */
  password?: string;
  /** e.g. 'Support <support@example.com>'; its display name is the templates' `teamName`. */
  from: string;
  /** The right-hand side of every Message-ID tierline makes, e.g. 'tickets.example.com'. */
  messageIdDomain: string;
  connectionTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** One email of a ticket. Plain data from the workflow. */
export interface TicketEmail {
  /** The effect's idempotency key; the Message-ID is derived from it. */
  idempotencyKey: string;
  ticketId: string;
  to: { email: string; name?: string };
  template: EmailTemplate;
  /** Template variables. `ticketId`, `recipientName` (to.name, else "there") and `teamName` are given. */
  vars: Record<string, string>;
  subject: string;
  /** Sent by tierline on its own (auto-reply, follow-up, satisfaction, resolution notice), not typed by a person. */
  automatic: boolean;
  /** The customer's Message-ID this mail answers. */
  inReplyTo?: string;
  /** The customer's earlier Message-IDs in this conversation, oldest first. */
  references?: string[];
}

/** One scheduled report by email. Plain data from the report activity. */
export interface ReportEmail {
  /** The report's idempotency key (one per report and period); the Message-ID is derived from it. */
  idempotencyKey: string;
  kind: string;
  /** The addresses of configuration's REPORT_EMAIL_TO. */
  to: string[];
  subject: string;
  markdown: string;
}

/**
 * The Message-ID of one email of a ticket, the same for every attempt of the same effect:
 * `<ticket.hash@domain>` with the hash of ticket id and idempotency key.
 */
export function ticketMessageId(ticketId: string, idempotencyKey: string, domain: string): string {
  const hash = createHash('sha256').update(`${ticketId}\n${idempotencyKey}`).digest('hex').slice(0, 32);
  return `<${localPart(ticketId)}.${hash}@${domain}>`;
}

/** The thread root every email of a ticket references, so the customer's client shows one thread. */
export function ticketThreadId(ticketId: string, domain: string): string {
  return `<${localPart(ticketId)}.thread@${domain}>`;
}

/**
 * The Message-ID of a scheduled report, the same for every attempt of one report:
 * `<hash.report@domain>`. `ticketIdOfMessageId` reads no ticket from it, so a reply to a report
 * opens a ticket of its own rather than landing on one.
 */
export function reportMessageId(idempotencyKey: string, domain: string): string {
  const hash = createHash('sha256').update(`report\n${idempotencyKey}`).digest('hex').slice(0, 32);
  return `<${hash}.report@${domain}>`;
}

/**
 * The ticket a Message-ID made by `ticketMessageId` or `ticketThreadId` for `domain` belongs to
 * (read back from a reply's In-Reply-To or References); undefined for any other id.
 */
export function ticketIdOfMessageId(messageId: string, domain: string): string | undefined {
  const match = /^<?([A-Za-z0-9_-]+)\.(?:[0-9a-f]{32}|thread)@([^<>@\s]+)>?$/.exec(messageId.trim());
  return match && match[2]!.toLowerCase() === domain.toLowerCase() ? match[1] : undefined;
}

/** The ticket id of the first `[T-xxxx]` tag `withTicketTag` put in a subject, if any. */
export function ticketIdInSubject(subject: string): string | undefined {
  return /\[(T-[A-Za-z0-9]+)\]/.exec(subject)?.[1]?.toUpperCase();
}

/** Puts the `[T-xxxx]` tag in a subject once, after any Re:/Fwd: prefixes. */
export function withTicketTag(subject: string, ticketId: string): string {
  const tag = `[${ticketId}]`;
  if (subject.toLowerCase().includes(tag.toLowerCase())) return subject;
  const prefix = /^(?:\s*(?:re|fwd?|aw|sv)\s*:\s*)*/i.exec(subject)?.[0] ?? '';
  const rest = subject.slice(prefix.length).trim();
  return rest === '' ? `${prefix}${tag}` : `${prefix}${tag} ${rest}`;
}

export function createEmailActivities(settings: SmtpSettings, sentLog: SentLog) {
  if (!/^[A-Za-z0-9.-]+$/.test(settings.messageIdDomain)) {
    throw new Error(`SMTP messageIdDomain "${settings.messageIdDomain}" is not a domain name; expected e.g. "tickets.example.com"`);
  }
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user === undefined ? {} : { auth: { user: settings.user, pass: settings.password ?? '' } }),
    connectionTimeout: settings.connectionTimeoutMs ?? 10_000,
    greetingTimeout: settings.connectionTimeoutMs ?? 10_000,
    socketTimeout: settings.socketTimeoutMs ?? 30_000,
    // Template variables are text: never let an attachment or alternative read a file or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const secrets = [settings.password];
  const teamName = displayName(settings.from);

  /**
   * Sends one message unless the sent log has its Message-ID, and records it as soon as the server
   * accepts it: the idempotency of every email tierline sends (see the top of this file).
   */
  async function sendOnce(messageId: string, mail: nodemailer.SendMailOptions, detail: Record<string, string>): Promise<{ messageId: string; alreadySent: boolean }> {
    const log = Context.current().log;
    if (await sentLog.has(messageId)) {
      log.info('Email already accepted by the SMTP server on an earlier attempt', { messageId, ...detail });
      return { messageId, alreadySent: true };
    }
    let response: string;
    try {
      const info = await transport.sendMail({ ...mail, from: settings.from, messageId });
      response = info.response;
    } catch (err) {
      throw classifySmtpError(err, secrets);
    }
    try {
      await sentLog.record(messageId, { ...detail, response });
    } catch (err) {
      // The server has the message; failing now would make Temporal send it again.
      log.error('Email accepted but not recorded in the sent log', { messageId, error: redact(String(err), secrets) });
    }
    return { messageId, alreadySent: false };
  }

  return {
    /** Sends one ticket email, once per idempotency key up to the window described at the top. */
    async sendTicketEmail(input: TicketEmail): Promise<{ messageId: string; alreadySent: boolean }> {
      const messageId = ticketMessageId(input.ticketId, input.idempotencyKey, settings.messageIdDomain);
      const { text, html } = await renderEmail(input.template, {
        recipientName: input.to.name ?? 'there',
        teamName,
        ...input.vars,
        ticketId: input.ticketId,
      });
      const threadId = ticketThreadId(input.ticketId, settings.messageIdDomain);
      const customerIds = (input.references ?? []).map(bracketed);
      const parent = input.inReplyTo === undefined ? undefined : bracketed(input.inReplyTo);
      const references = [threadId, ...customerIds.filter((id) => id !== threadId && id !== parent), ...(parent ? [parent] : [])];
      const automatic = input.automatic || input.template === 'auto-reply';
      return sendOnce(
        messageId,
        {
          to: input.to.name === undefined ? input.to.email : { name: input.to.name, address: input.to.email },
          subject: withTicketTag(input.subject, input.ticketId),
          text,
          html,
          inReplyTo: parent ?? customerIds.at(-1) ?? threadId,
          references,
          headers: {
            'X-Tierline-Ticket': input.ticketId,
            ...(automatic ? { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' } : {}),
          },
        },
        { ticketId: input.ticketId, template: input.template },
      );
    },

    /**
     * Sends one scheduled report to its recipients (one message, every recipient on To), once per
     * idempotency key up to the same window as a ticket email. The Markdown is the text body.
     */
    async sendReportEmail(input: ReportEmail): Promise<{ messageId: string; alreadySent: boolean }> {
      const messageId = reportMessageId(input.idempotencyKey, settings.messageIdDomain);
      return sendOnce(
        messageId,
        { to: input.to, subject: input.subject, text: input.markdown, headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Tierline-Report': input.kind } },
        { report: input.kind, idempotencyKey: input.idempotencyKey },
      );
    },
  };
}

export type EmailActivities = ReturnType<typeof createEmailActivities>;

/** Connection-level failures nodemailer reports without an SMTP reply: worth another attempt. */
const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL', 'ECONNRESET', 'ECONNREFUSED']);

/** SMTP 4xx replies and connection failures are retryable; 5xx replies are permanent. */
export function classifySmtpError(err: unknown, secrets: readonly (string | undefined)[]): Error {
  const e = (err ?? {}) as { message?: unknown; code?: unknown; responseCode?: unknown; response?: unknown; command?: unknown };
  const message = redact(typeof e.message === 'string' ? e.message : String(err), secrets);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  // nodemailer names the command as e.g. "DATA" or "AUTH PLAIN", never with its arguments.
  const at = typeof e.command === 'string' ? ` at ${e.command.split(' ').slice(0, 2).join(' ')}` : '';
  const said = typeof e.response === 'string' ? redact(e.response, secrets) : message;
  if (reply !== undefined && reply >= 500) {
    return permanentFailure(`SMTP server rejected the email${at}: ${said}`, NotificationErrorType.SmtpPermanent);
  }
  if (reply !== undefined && reply >= 400) {
    return retryableFailure(`SMTP server deferred the email${at}: ${said}`, NotificationErrorType.SmtpRetryable);
  }
  if (code === undefined || RETRYABLE_CODES.has(code)) {
    return retryableFailure(`SMTP send failed${code ? ` (${code})` : ''}: ${message}`, NotificationErrorType.SmtpRetryable);
  }
  return permanentFailure(`SMTP send failed (${code}): ${message}`, NotificationErrorType.SmtpPermanent);
}

function localPart(ticketId: string): string {
  return ticketId.replace(/[^A-Za-z0-9_-]/g, '_');
}

function bracketed(id: string): string {
  const trimmed = id.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

function displayName(from: string): string {
  const match = /^\s*"?([^"<]*?)"?\s*</.exec(from);
  const name = match?.[1]?.trim();
  return name === undefined || name === '' ? 'The support team' : name;
}
