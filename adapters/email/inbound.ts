/**
 * Email in: one raw message (from the SMTP listener or the webhook) -> parse -> classify -> the
 * client facade. A new mail opens a ticket on the policy's email channel; a reply becomes the
 * customer-message signal on its ticket; automatic mail (auto-replies, bounces, lists, our own
 * mail coming back) never opens or reopens a ticket, so no mail loop is possible.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import { ticketIdInSubject, ticketIdOfMessageId } from '../../activities/email.js';
import { derivedTicketId, TICKET_ID_PATTERN } from '../../client/ticket-ids.js';
import { InvalidInput, TicketNotFound, TicketRefused, type TicketClient } from '../../client/tickets.js';
import { channelFor } from '../shared/channels.js';
import type { AttachmentStore } from './attachments.js';

export interface InboundEmailSettings {
  /** Addresses tierline sends from (SMTP_FROM, `Name <address>` or a bare address): mail from them is ours. */
  ownAddresses: string[];
  /** EMAIL_DOMAIN, the right-hand side of tierline's Message-IDs: mail from it, or with such an id, is ours. */
  messageIdDomain: string;
  /** Where attachment bytes go, and the API's public URL for the references; without it attachments are left out. */
  attachments?: { store: AttachmentStore; publicUrl: string };
}

export interface InboundDeps extends InboundEmailSettings {
  tickets: TicketClient;
}

/** What became of one mail, and why (the webhook's answer, the SMTP reply's text). */
export interface MailOutcome {
  action: 'opened' | 'message' | 'ignored';
  ticketId?: string;
  reason: string;
}

/** The intake's limits: longer text is cut, with a note saying so. */
const MAX_TEXT = 20_000;
const MAX_SUBJECT = 300;
const MAX_ATTACHMENTS = 50;
const MAX_EXTERNAL_ID = 300;

/** The URL path of a stored attachment; `name` is only what the download is called. */
export const attachmentPath = (id: string, name: string) => `/v1/inbound/email/attachments/${id}/${encodeURIComponent(name)}`;

export async function receiveMail(raw: Buffer, deps: InboundDeps): Promise<MailOutcome> {
  if (raw.length === 0 || raw.toString('latin1').trim() === '') {
    throw new InvalidInput([{ path: '', message: 'the message is empty; expected a raw RFC 5322 message (header lines, a blank line, the body)' }]);
  }
  // HTML beyond 2 MB is not converted to text: a hostile message must not hold the listener.
  const mail = await simpleParser(raw, { keepCidLinks: true, skipTextToHtml: true, skipTextLinks: true, maxHtmlLengthToParse: 2_000_000 });
  if (!mail.headerLines.some((h) => KNOWN_HEADERS.has(h.key))) {
    throw new InvalidInput([{ path: '', message: 'no message header found (From, To, Subject, Message-ID, Date); expected a raw RFC 5322 message, not just text' }]);
  }
  const from = mail.from?.value.find((a) => a.address)?.address?.toLowerCase();

  const ours = ownMail(mail, from, deps);
  if (ours) return { action: 'ignored', reason: `our own mail (${ours}): it never opens or reopens a ticket` };
  const automatic = automaticMail(mail, raw, from);
  const channel = channelFor(deps.tickets.options.policy, 'email');
  if (!channel) {
    throw new InvalidInput([{ path: 'channel', message: `the policy ${deps.tickets.options.policy.id} has no channel of kind email to open tickets on` }]);
  }
  const candidates = threadOf(mail, deps.messageIdDomain, channel);

  if (automatic) {
    // Recorded on the ticket it answers (the workflow keeps automatic messages off every clock and
    // never reopens for one); anything else automatic is dropped.
    for (const c of candidates) {
      try {
        await deps.tickets.customerMessage(c.ticketId, { body: messageBody(mail, []), automatic: true, ...messageFields(mail, from) });
        return { action: 'message', ticketId: c.ticketId, reason: `automatic mail (${automatic}) to ${c.ticketId} (${c.by}): recorded, it reopens nothing and moves no clock` };
      } catch (err) {
        if (err instanceof TicketNotFound) continue;
        if (err instanceof TicketRefused) return { action: 'ignored', ticketId: c.ticketId, reason: `automatic mail (${automatic}) to ${c.ticketId}, which takes no more messages: dropped` };
        throw err;
      }
    }
    return { action: 'ignored', reason: `automatic mail (${automatic}): it never opens a ticket` };
  }

  if (!from) throw new InvalidInput([{ path: 'from', message: 'the message has no From address to answer; expected e.g. "From: Ada <ada@example.com>"' }]);
  const attachments = await storeAttachments(mail.attachments, deps);
  let closed: string | undefined;
  for (const c of candidates) {
    try {
      await deps.tickets.customerMessage(c.ticketId, { body: messageBody(mail, attachments), automatic: false, ...messageFields(mail, from) });
      return { action: 'message', ticketId: c.ticketId, reason: `reply to ${c.ticketId} (${c.by})` };
    } catch (err) {
      if (err instanceof TicketNotFound) continue;
      if (!(err instanceof TicketRefused)) throw err;
      closed = c.ticketId;
      break;
    }
  }
  return openTicket(mail, { from, channel, attachments, ...(closed ? { closed } : {}) }, deps.tickets);
}

interface NewTicket {
  from: string;
  channel: string;
  attachments: AttachmentRef[];
  /** The closed ticket this mail answered. */
  closed?: string;
}

async function openTicket(mail: ParsedMail, { from, channel, attachments, closed }: NewTicket, tickets: TicketClient): Promise<MailOutcome> {
  const messageId = mail.messageId?.trim() || undefined;
  const text = closed ? `(Follow-up to ${closed}, which is closed.)\n\n${stripQuotedReply(mail.text ?? '')}` : (mail.text ?? '').trim();
  const name = mail.from?.value.find((a) => a.address?.toLowerCase() === from)?.name.trim();
  const { ticket, created } = await tickets.open({
    subject: subjectOf(mail.subject),
    description: clip(text, MAX_TEXT),
    requester: { email: from, ...(name ? { name: name.slice(0, 200) } : {}) },
    channel,
    // Without a usable Message-ID, a hash stands in for it, so a repeated delivery still finds its ticket.
    externalId: messageId && messageId.length <= MAX_EXTERNAL_ID ? messageId : `sha256:${contentHash(mail)}`,
    ...(messageId ? { messageId } : {}),
    attachments,
  });
  const reason = !created
    ? `${ticket.id} was opened by an earlier delivery of ${messageId ?? 'this message'}`
    : closed
      ? `${closed} is closed, so the mail opened ${ticket.id}, which mentions it`
      : `a new mail opened ${ticket.id}`;
  return { action: 'opened', ticketId: ticket.id, reason };
}

/** The headers a message has: one of them tells a mail from a body sent on its own. */
const KNOWN_HEADERS = new Set(['from', 'to', 'subject', 'message-id', 'date', 'received', 'return-path', 'mime-version', 'content-type']);

/** Raw values of a header, unfolded, in the order they appear. */
function headerValues(mail: ParsedMail, key: string): string[] {
  return mail.headerLines.filter((h) => h.key === key).map((h) => h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
}

/** Why this is our own mail coming back, or undefined. */
function ownMail(mail: ParsedMail, from: string | undefined, settings: InboundEmailSettings): string | undefined {
  const own = settings.ownAddresses.map((a) => (/<([^<>]+)>/.exec(a)?.[1] ?? a).trim().toLowerCase());
  if (from && own.includes(from)) return `From ${from}`;
  if (from && from.endsWith(`@${settings.messageIdDomain.toLowerCase()}`)) return `From ${from}, at our own domain`;
  if (mail.messageId && ticketIdOfMessageId(mail.messageId, settings.messageIdDomain)) return `Message-ID ${mail.messageId} is one of ours`;
  if (headerValues(mail, 'x-tierline-ticket').length > 0) return 'it carries X-Tierline-Ticket';
  return undefined;
}

const BULK_PRECEDENCE = new Set(['bulk', 'junk', 'list', 'auto_reply']);

/** Why this mail was sent by a machine (auto-reply, bounce, list), or undefined for a person's mail. */
function automaticMail(mail: ParsedMail, raw: Buffer, from: string | undefined): string | undefined {
  const submitted = headerValues(mail, 'auto-submitted').find((v) => v.split(';')[0]!.trim().toLowerCase() !== 'no');
  if (submitted !== undefined) return `Auto-Submitted: ${submitted}`;
  for (const key of ['x-autoreply', 'x-autorespond', 'x-auto-response-suppress']) {
    const value = headerValues(mail, key)[0];
    if (value !== undefined) return `${headerName(key)}: ${value}`;
  }
  const precedence = headerValues(mail, 'precedence').find((v) => BULK_PRECEDENCE.has(v.toLowerCase()));
  if (precedence !== undefined) return `Precedence: ${precedence}`;
  const type = headerValues(mail, 'content-type')[0]?.split(';')[0]?.trim().toLowerCase();
  if (type === 'multipart/report') return 'a delivery or read report (multipart/report)';
  if (/^content-type:\s*message\/(?:global-)?delivery-status/im.test(raw.toString('latin1'))) return 'a delivery status notification';
  if (headerValues(mail, 'x-failed-recipients').length > 0) return 'a bounce (X-Failed-Recipients)';
  const local = from?.split('@')[0];
  if (local === 'mailer-daemon' || local === 'postmaster') return `a bounce (From ${from})`;
  if (headerValues(mail, 'return-path').some((v) => /^<\s*>$/.test(v))) return 'a bounce (empty Return-Path <>)';
  return undefined;
}

const headerName = (key: string) => key.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`);

interface Candidate {
  ticketId: string;
  /** How the mail names it, for the answer. */
  by: string;
}

/**
 * The tickets a mail may answer, best first: tierline's own Message-IDs in In-Reply-To, then in
 * References (newest first), then the subject's ticket tag, then a customer Message-ID that
 * opened a ticket (a colleague answering the original mail).
 */
function threadOf(mail: ParsedMail, domain: string, channel: string): Candidate[] {
  const parent = mail.inReplyTo?.trim() ? [mail.inReplyTo.trim()] : [];
  const references = (typeof mail.references === 'string' ? [mail.references] : (mail.references ?? [])).map((r) => r.trim()).filter(Boolean).reverse();
  const ids = [...parent, ...references];
  const out: Candidate[] = [];
  const add = (ticketId: string | undefined, by: string) => {
    if (ticketId && TICKET_ID_PATTERN.test(ticketId) && !out.some((c) => c.ticketId === ticketId)) out.push({ ticketId, by });
  };
  for (const [i, id] of ids.entries()) add(ticketIdOfMessageId(id, domain), `${i < parent.length ? 'In-Reply-To' : 'References'} ${id}`);
  const tagged = ticketIdInSubject(mail.subject ?? '');
  add(tagged, `subject tag [${tagged}]`);
  for (const id of ids) add(derivedTicketId(channel, id), `it answers ${id}, which opened it`);
  return out;
}

function messageFields(mail: ParsedMail, from: string | undefined): { messageId?: string; from?: string } {
  const messageId = mail.messageId?.trim();
  return { ...(messageId ? { messageId } : {}), ...(from ? { from } : {}) };
}

/** A reply's own words (quotes stripped), then a line per attachment reference. */
function messageBody(mail: ParsedMail, attachments: AttachmentRef[]): string {
  const text = stripQuotedReply(mail.text ?? '');
  const refs = attachments.map((a) => `[attachment: ${a.name}, ${a.type}, ${a.size} bytes: ${a.url}]`);
  const body = [text, refs.join('\n')].filter(Boolean).join('\n\n');
  return clip(body || '(no text)', MAX_TEXT);
}

/**
 * The new text of a reply: drops `>` quoted lines and the "On ... wrote:" line that introduces
 * them (also wrapped over two lines), and everything from an Outlook "Original Message" separator on.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (/^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine)\s*-{2,}$/i.test(line)) break;
    if (ATTRIBUTION.test(line)) continue;
    if (ATTRIBUTION_START.test(line) && ATTRIBUTION.test(`${line} ${lines[i + 1]?.trim() ?? ''}`)) {
      i++;
      continue;
    }
    if (line.startsWith('>')) continue;
    out.push(lines[i]!.trimEnd());
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

const ATTRIBUTION_START = /^(?:On|Am|Le)\s/;
const ATTRIBUTION = /^(?:On\s.+\swrote|Am\s.+\sschrieb.*|Le\s.+\sa écrit)\s*:$/;

/** The subject without tierline's ticket tags (the outgoing mail puts the new ticket's own in). */
function subjectOf(subject: string | undefined): string {
  const clean = (subject ?? '').replace(/\[T-[A-Za-z0-9]+\]/g, '').replace(/\s+/g, ' ').trim();
  return clean === '' ? '(no subject)' : clean.slice(0, MAX_SUBJECT);
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `\n[... cut: the mail's text has ${text.length} characters]`;
  return text.slice(0, max - note.length) + note;
}

function contentHash(mail: ParsedMail): string {
  const parts = [mail.messageId ?? '', mail.from?.text ?? '', mail.date?.toISOString() ?? '', mail.subject ?? '', mail.text ?? ''];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);
}

/** The intake's attachment reference (never the content). */
interface AttachmentRef {
  name: string;
  type: string;
  size: number;
  url: string;
}

async function storeAttachments(attachments: Attachment[], deps: InboundDeps): Promise<AttachmentRef[]> {
  const target = deps.attachments;
  if (!target) return [];
  const base = target.publicUrl.replace(/\/+$/, '');
  const refs: AttachmentRef[] = [];
  for (const [i, a] of attachments.slice(0, MAX_ATTACHMENTS).entries()) {
    const stored = await target.store.put(a.content, a.contentType || 'application/octet-stream');
    const name = (a.filename?.trim() || `attachment-${i + 1}`).slice(0, 255);
    refs.push({ name, type: stored.type.slice(0, 255), size: stored.size, url: `${base}${attachmentPath(stored.id, name)}` });
  }
  return refs;
}
