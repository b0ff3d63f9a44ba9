import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { fileAttachmentStore } from '../../adapters/email/attachments.js';
import { receiveMail, stripQuotedReply, type InboundEmailSettings, type MailOutcome } from '../../adapters/email/inbound.js';
import { startInboundSmtp, type InboundSmtp } from '../../adapters/email/smtp-listener.js';
import { buildApi } from '../../adapters/http/server.js';
import { derivedTicketId, ticketWorkflowId } from '../../client/ticket-ids.js';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { devServerEnv, ticketHarness, type TicketHarness } from '../helpers/temporal.js';
import { start as startSmtp, type ReceivedMail, type SmtpTestServer } from '../servers/smtp.js';
import { eventually, listenOnLoopback } from '../helpers/api.js';

const TOKEN = 'test-token-for-grace-0123456789';
const SUPPORT = 'Caro Support <support@caro.example>';
const DOMAIN = 'tickets.caro.example';
const ADA = '"Ada Lovelace" <ada@customer.example>';

describe('email in: the SMTP listener and the raw-message webhook on a real Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  /** Where tierline's own outgoing mail goes (auto-replies, resolutions): their Message-IDs are what customers answer. */
  let outgoing: SmtpTestServer;
  let listener: InboundSmtp;
  let app: FastifyInstance;
  let base: string;
  const listenerLog: string[] = [];
  /** Every ticket this file opened, to know how many workflows visibility must show. */
  const opened = new Set<string>();

  before(async () => {
    outgoing = await startSmtp();
    const dataDir = mkdtempSync(join(tmpdir(), 'tierline-email-in-'));
    const config = loadConfig({ TIERLINE_DATA_DIR: dataDir, SMTP_URL: outgoing.url, SMTP_FROM: SUPPORT, EMAIL_DOMAIN: DOMAIN, PUBLIC_URL: 'https://support.caro.example' });
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: createActivities(config, () => {}) });
    const inboundEmail: InboundEmailSettings = {
      ownAddresses: [config.SMTP_FROM],
      messageIdDomain: config.EMAIL_DOMAIN,
      attachments: { store: fileAttachmentStore(join(dataDir, 'attachments')), publicUrl: config.publicUrl },
    };
    app = buildApi({ tickets: harness.tickets, tokens: new Map([[TOKEN, 'grace']]), inboundEmail });
    base = await listenOnLoopback(app);
    listener = await startInboundSmtp({ port: 0, receive: (raw) => receiveMail(raw, { tickets: harness.tickets, ...inboundEmail }), log: (line) => listenerLog.push(line) });
  });
  after(async () => {
    await listener?.close();
    await app?.close();
    await harness?.shutdown();
    await env?.teardown();
    await outgoing?.close();
  });

  /** A raw RFC 5322 message, as a mail client would write it. */
  const compose = (mail: Mail.Options): Promise<Buffer> => new MailComposer({ to: 'support@caro.example', ...mail }).compile().build();

  /** Delivers a raw message to the listener with the real nodemailer SMTP client; the answer is in the 250 reply. */
  async function bySmtp(raw: Buffer, envelopeFrom = 'ada@customer.example'): Promise<MailOutcome> {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
    try {
      const info = await transport.sendMail({ envelope: { from: envelopeFrom, to: ['support@caro.example'] }, raw });
      const match = /^250 2\.0\.0 (opened|message|ignored)(?: (T-[0-9A-Z]+))?: (.*)$/.exec(info.response);
      assert.ok(match, `an SMTP answer that says what happened: ${info.response}`);
      const outcome: MailOutcome = { action: match[1] as MailOutcome['action'], reason: match[3]! };
      if (match[2]) outcome.ticketId = match[2];
      if (outcome.action === 'opened') opened.add(match[2]!);
      return outcome;
    } finally {
      transport.close();
    }
  }

  async function byWebhook(raw: Buffer | string, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}/v1/inbound/email`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'message/rfc822', ...headers },
      body: raw,
    });
    const body = (await res.json()) as MailOutcome & { errors?: { path: string; message: string }[] };
    if (res.status === 202 && body.action === 'opened') opened.add(body.ticketId!);
    return { status: res.status, body };
  }


  const timeline = async (id: string, type: string) => (await harness.tickets.get(id)).timeline.filter((e) => e.type === type);
  /** tierline's outgoing mail of a ticket with this template's subject wording, once it is sent. */
  const sentMail = (id: string, pick: (m: ReceivedMail) => boolean = () => true) =>
    eventually(`tierline's email for ${id}`, () => outgoing.received.find((m) => m.mail.headers.get('x-tierline-ticket') === id && pick(m)));
  const ticketCount = async () => (await harness.tickets.list({}, 1000)).length;
  /** Visibility has caught up with every ticket this file opened: the count to compare against. */
  const settledCount = () => eventually('visibility to show every ticket opened so far', async () => ((await ticketCount()) === opened.size ? opened.size : undefined));
  const noWorkflowFor = (messageId: string) =>
    assert.rejects(env.client.workflow.getHandle(ticketWorkflowId(derivedTicketId('email', messageId))).describe(), WorkflowNotFoundError, `no ticket for ${messageId}`);

  test('a new mail opens a ticket on the email channel; the same mail by SMTP and again by webhook opens it once', async () => {
    const raw = await compose({
      from: ADA,
      subject: 'Caro crashes on launch',
      text: 'Since 1.4 it exits at once.\nThe log is attached.',
      messageId: '<crash-1@customer.example>',
      attachments: [{ filename: 'crash.log', content: 'panic: nil map at main.go:42\n', contentType: 'text/plain' }],
    });
    const first = await bySmtp(raw);
    assert.equal(first.action, 'opened');
    assert.equal(first.ticketId, derivedTicketId('email', '<crash-1@customer.example>'));
    assert.match(first.reason, /a new mail opened/);

    const ticket = await harness.tickets.get(first.ticketId!);
    assert.deepEqual(
      { subject: ticket.subject, channel: ticket.channel, requester: ticket.requester, status: ticket.status },
      { subject: 'Caro crashes on launch', channel: 'email', requester: { email: 'ada@customer.example', name: 'Ada Lovelace' }, status: 'awaiting_first_response' },
    );
    const { intake } = await harness.tickets.state(first.ticketId!);
    assert.equal(intake.description, 'Since 1.4 it exits at once.\nThe log is attached.');
    assert.equal(intake.externalId, '<crash-1@customer.example>');
    assert.equal(intake.messageId, '<crash-1@customer.example>');
    // The attachment is a reference; its bytes come back from the authenticated route.
    assert.equal(intake.attachments.length, 1);
    const [attachment] = intake.attachments;
    assert.deepEqual({ name: attachment!.name, type: attachment!.type, size: attachment!.size }, { name: 'crash.log', type: 'text/plain', size: 29 });
    assert.match(attachment!.url, /^https:\/\/support\.caro\.example\/v1\/inbound\/email\/attachments\/[0-9a-f]{64}\/crash\.log$/);
    const path = new URL(attachment!.url).pathname;
    const download = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename\*=UTF-8''crash\.log$/);
    assert.equal(await download.text(), 'panic: nil map at main.go:42\n');
    assert.equal((await fetch(`${base}${path}`)).status, 401, 'attachments need the token too');

    const again = await byWebhook(raw);
    assert.equal(again.status, 202);
    assert.deepEqual({ action: again.body.action, ticketId: again.body.ticketId }, { action: 'opened', ticketId: first.ticketId });
    assert.match(again.body.reason, /opened by an earlier delivery of <crash-1@customer\.example>/);
    assert.equal((await timeline(first.ticketId!, 'opened')).length, 1);
    const runs = [];
    for await (const wf of env.client.workflow.list({ query: `WorkflowId = '${ticketWorkflowId(first.ticketId!)}'` })) runs.push(wf.runId);
    assert.equal(runs.length, 1, 'one workflow for both deliveries');
  });

  test('an HTML-only mail opens a ticket with its text; a mail without a Message-ID is still found again; a large one is taken', async () => {
    const html = await compose({ from: ADA, subject: 'Export fails', html: '<p>The <b>PDF export</b> fails:</p><ul><li>on page 3</li></ul>', messageId: '<html-1@customer.example>' });
    const res = await byWebhook(html);
    assert.equal(res.body.action, 'opened');
    const { intake } = await harness.tickets.state(res.body.ticketId!);
    assert.match(intake.description, /^The PDF export fails:\s+\* on page 3$/);
    assert.doesNotMatch(intake.description, /<b>|<p>/);

    const bare = Buffer.from('From: Ada <ada@customer.example>\r\nTo: support@caro.example\r\nSubject: No id here\r\nDate: Mon, 23 Nov 2026 15:00:00 +0000\r\n\r\nMy mail client sends no Message-ID.\r\n');
    const one = await byWebhook(bare);
    const two = await bySmtp(bare);
    assert.equal(one.body.action, 'opened');
    assert.equal(two.ticketId, one.body.ticketId);
    assert.match(two.reason, /earlier delivery/);

    // The webhook takes mail far over the API's 1 MiB JSON limit (a screenshot or two).
    const screenshot = Buffer.alloc(3 * 1024 * 1024, 7);
    const heavy = await byWebhook(await compose({ from: ADA, subject: 'Screenshot', messageId: '<heavy-1@customer.example>', text: 'See the picture.', attachments: [{ filename: 'screen.png', content: screenshot, contentType: 'image/png' }] }));
    assert.equal(heavy.status, 202);
    const [picture] = (await harness.tickets.state(heavy.body.ticketId!)).intake.attachments;
    assert.deepEqual({ name: picture!.name, type: picture!.type, size: picture!.size }, { name: 'screen.png', type: 'image/png', size: screenshot.length });
    const back = await fetch(`${base}${new URL(picture!.url).pathname}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(back.headers.get('content-type'), 'image/png');
    assert.ok(Buffer.from(await back.arrayBuffer()).equals(screenshot), 'the same bytes come back');
  });

  test("a reply threads into its ticket by In-Reply-To (tierline's own Message-ID) and by the subject tag, quotes stripped, once", async () => {
    const opening = await byWebhook(await compose({ from: ADA, subject: 'Sync stalls', text: 'Sync stops at 99%.', messageId: '<sync-1@customer.example>' }));
    const id = opening.body.ticketId!;
    const autoReply = await sentMail(id);
    const ours = autoReply.mail.messageId!;
    assert.match(ours, new RegExp(`^<${id}\\.[0-9a-f]{32}@${DOMAIN.replace(/\./g, '\\.')}>$`), 'the auto-reply carries a tierline Message-ID');

    const reply = await compose({
      from: ADA,
      subject: 'Re: Sync stalls',
      inReplyTo: ours,
      references: [ours],
      messageId: '<sync-2@customer.example>',
      text: 'It still stalls with 1.4.1.\n\nOn Mon, 23 Nov 2026 at 15:00, Caro Support <support@caro.example>\nwrote:\n> Hello Ada,\n> we received your request.\n',
    });
    const threaded = await bySmtp(reply);
    assert.deepEqual({ action: threaded.action, ticketId: threaded.ticketId }, { action: 'message', ticketId: id });
    assert.match(threaded.reason, /In-Reply-To/);
    const [message] = await eventually('the reply on the timeline', async () => {
      const entries = await timeline(id, 'customer-message');
      return entries.length ? entries : undefined;
    });
    assert.equal(message!.actor, 'ada@customer.example');
    assert.deepEqual(message!.data, { body: 'It still stalls with 1.4.1.' });

    // Another client, no threading headers at all: the [T-...] tag in the subject finds the ticket.
    const tagged = await compose({ from: ADA, subject: `RE: [${id}] Sync stalls`, messageId: '<sync-3@customer.example>', text: 'Here is the log of the last run.' });
    const byTag = await byWebhook(tagged);
    assert.deepEqual({ status: byTag.status, action: byTag.body.action, ticketId: byTag.body.ticketId }, { status: 202, action: 'message', ticketId: id });
    assert.match(byTag.body.reason, new RegExp(`subject tag \\[${id}\\]`));
    await eventually('both replies on the timeline', async () => ((await timeline(id, 'customer-message')).length === 2 ? true : undefined));

    // The first reply delivered again (webhook this time) is one message, not two.
    assert.equal((await byWebhook(reply)).body.action, 'message');
    await byWebhook(await compose({ from: ADA, subject: `Re: [${id}] Sync stalls`, messageId: '<sync-4@customer.example>', text: 'And one more thing.' }));
    const bodies = await eventually('the third distinct reply', async () => {
      const entries = await timeline(id, 'customer-message');
      return entries.length >= 3 ? entries.map((e) => (e.data as { body: string }).body) : undefined;
    });
    assert.deepEqual(bodies, ['It still stalls with 1.4.1.', 'Here is the log of the last run.', 'And one more thing.']);
  });

  test('an auto-reply to a resolved ticket is recorded and does not reopen it; a person replying does', async () => {
    const opening = await byWebhook(await compose({ from: ADA, subject: 'Login loop', text: 'The login page reloads forever.', messageId: '<login-1@customer.example>' }));
    const id = opening.body.ticketId!;
    await harness.tickets.act(id, 'resolve', { resolution: 'Fixed in 1.4.2', actor: 'grace' });
    const resolution = await sentMail(id, (m) => (m.mail.text ?? '').includes('Fixed in 1.4.2'));
    const ours = resolution.mail.messageId!;

    const outOfOffice = await compose({
      from: ADA,
      subject: `Automatic reply: ${resolution.mail.subject}`,
      inReplyTo: ours,
      references: [ours],
      messageId: '<ooo-1@customer.example>',
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'I am out of the office until Monday.',
    });
    const auto = await bySmtp(outOfOffice);
    assert.deepEqual({ action: auto.action, ticketId: auto.ticketId }, { action: 'message', ticketId: id });
    assert.match(auto.reason, /automatic mail \(Auto-Submitted: auto-replied\).*reopens nothing/);
    await eventually('the auto-reply on the timeline', async () => ((await timeline(id, 'automatic-message')).length === 1 ? true : undefined));
    const after = await harness.tickets.get(id);
    assert.equal(after.status, 'resolved');
    assert.equal(after.timeline.filter((e) => e.type === 'reopened').length, 0);
    assert.equal(after.timeline.filter((e) => e.type === 'customer-message').length, 0);

    // Other auto-responders name themselves differently; each is recorded the same way.
    const xAutoreply = await byWebhook(await compose({ from: ADA, subject: `Re: ${resolution.mail.subject}`, inReplyTo: ours, messageId: '<ooo-2@customer.example>', headers: { 'X-Autoreply': 'yes' }, text: 'Away.' }));
    assert.match(xAutoreply.body.reason, /automatic mail \(X-Autoreply: yes\)/);
    await eventually('the second auto-reply on the timeline', async () => ((await timeline(id, 'automatic-message')).length === 2 ? true : undefined));
    assert.equal((await harness.tickets.get(id)).status, 'resolved');

    // The same thread answered by a person, within the reopen window, does reopen it.
    const person = await bySmtp(await compose({ from: ADA, subject: `Re: ${resolution.mail.subject}`, inReplyTo: ours, messageId: '<login-2@customer.example>', text: 'It is back after the update.' }));
    assert.equal(person.action, 'message');
    await eventually('the reopened ticket', async () => ((await harness.tickets.get(id)).status !== 'resolved' ? true : undefined));
    assert.equal((await timeline(id, 'reopened')).length, 1);
  });

  test('a bounce, an automatic new mail and our own mail open nothing', async () => {
    const before = await settledCount();
    const bounceRaw = Buffer.from(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
        'To: support@caro.example',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <bounce-1@mx.customer.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered to nobody@customer.example.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.customer.example',
        '',
        'Final-Recipient: rfc822; nobody@customer.example',
        'Action: failed',
        'Status: 5.1.1',
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const bounce = await bySmtp(bounceRaw, '');
    assert.equal(bounce.action, 'ignored');
    assert.match(bounce.reason, /automatic mail \(a delivery or read report \(multipart\/report\)\): it never opens a ticket/);
    await noWorkflowFor('<bounce-1@mx.customer.example>');

    // An ordinary-looking message whose envelope sender is <> is a bounce too (the listener records Return-Path).
    const nullSender = await bySmtp(await compose({ from: ADA, subject: 'Delivery report', messageId: '<null-sender@customer.example>', text: 'Could not deliver.' }), '');
    assert.match(nullSender.reason, /empty Return-Path <>/);
    await noWorkflowFor('<null-sender@customer.example>');

    const bulk = await byWebhook(await compose({ from: 'news@vendor.example', subject: 'Our newsletter', messageId: '<news-1@vendor.example>', headers: { Precedence: 'bulk' }, text: 'News!' }));
    assert.deepEqual({ action: bulk.body.action, reason: bulk.body.reason }, { action: 'ignored', reason: 'automatic mail (Precedence: bulk): it never opens a ticket' });
    await noWorkflowFor('<news-1@vendor.example>');

    // tierline's own auto-reply, come back as it was sent (e.g. a forward rule pointing at support).
    const own = await sentMail(opened.values().next().value!);
    const looped = await byWebhook(own.raw);
    assert.equal(looped.body.action, 'ignored');
    assert.match(looped.body.reason, /^our own mail \(From support@caro\.example\)/);
    await noWorkflowFor(own.mail.messageId!);
    const fromUs = await bySmtp(await compose({ from: SUPPORT, subject: 'Hello', messageId: '<hand-written@caro.example>', text: 'Sent by a colleague from the support address.' }), 'support@caro.example');
    assert.equal(fromUs.action, 'ignored');
    await noWorkflowFor('<hand-written@caro.example>');

    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await ticketCount(), before, 'no workflow was started');
  });

  test('a reply to a closed ticket opens a new ticket that mentions it; an automatic one is dropped', async () => {
    const opening = await byWebhook(await compose({ from: ADA, subject: 'Licence lost', text: 'My licence key vanished.', messageId: '<licence-1@customer.example>' }));
    const old = opening.body.ticketId!;
    const ours = (await sentMail(old)).mail.messageId!;
    await harness.tickets.act(old, 'close', { reason: 'sent a new key', actor: 'grace' });
    await env.client.workflow.getHandle(ticketWorkflowId(old)).result();

    const auto = await byWebhook(await compose({ from: ADA, subject: 'Out of office', inReplyTo: ours, messageId: '<licence-ooo@customer.example>', headers: { 'Auto-Submitted': 'auto-replied' }, text: 'Away.' }));
    assert.deepEqual({ action: auto.body.action, ticketId: auto.body.ticketId }, { action: 'ignored', ticketId: old });
    assert.match(auto.body.reason, /takes no more messages: dropped/);
    await noWorkflowFor('<licence-ooo@customer.example>');

    const reply = await compose({ from: ADA, subject: `Re: [${old}] Licence lost`, inReplyTo: ours, messageId: '<licence-2@customer.example>', text: 'The new key is gone too.\n\n> Your licence key is on its way.' });
    const followUp = await bySmtp(reply);
    assert.equal(followUp.action, 'opened');
    assert.notEqual(followUp.ticketId, old);
    assert.match(followUp.reason, new RegExp(`${old} is closed`));
    const { intake } = await harness.tickets.state(followUp.ticketId!);
    assert.equal(intake.subject, 'Re: Licence lost', 'the old tag is not carried into the new ticket');
    assert.equal(intake.description, `(Follow-up to ${old}, which is closed.)\n\nThe new key is gone too.`);
    assert.equal((await harness.tickets.get(followUp.ticketId!)).status, 'awaiting_first_response');
    // Delivered again: the same new ticket.
    assert.equal((await byWebhook(reply)).body.ticketId, followUp.ticketId);
  });

  test('an empty or malformed body is refused with 400 and starts nothing; without the token it is 401', async () => {
    const before = await settledCount();
    const empty = await byWebhook('');
    assert.equal(empty.status, 400);
    assert.equal(empty.body.errors![0]!.path, '');
    assert.match(empty.body.errors![0]!.message, /the message is empty/);

    const notMail = await byWebhook('just some words, not a message', { 'content-type': 'text/plain; charset=utf-8' });
    assert.equal(notMail.status, 400);
    assert.match(notMail.body.errors![0]!.message, /no message header found/);

    const noFrom = 'To: support@caro.example\r\nSubject: Who am I\r\nMessage-ID: <no-from@customer.example>\r\n\r\nNobody to answer.\r\n';
    const refused = await byWebhook(noFrom);
    assert.deepEqual({ status: refused.status, error: (refused.body as unknown as { error: string }).error, path: refused.body.errors![0]!.path }, { status: 400, error: 'invalid_request', path: 'from' });
    await noWorkflowFor('<no-from@customer.example>');
    // The listener refuses it with a permanent 5xx, so the sending server bounces instead of retrying.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
    await assert.rejects(transport.sendMail({ envelope: { from: 'x@customer.example', to: ['support@caro.example'] }, raw: noFrom }), (err: { responseCode?: number }) => err.responseCode === 550);
    transport.close();
    assert.match(listenerLog.at(-1) ?? '', /inbound mail from <x@customer\.example> refused: from: the message has no From address/);

    // Over the listener's size limit: refused at DATA with 552, nothing handled.
    const small = await startInboundSmtp({ port: 0, maxBytes: 2_000, receive: (raw) => receiveMail(raw, { tickets: harness.tickets, ownAddresses: [SUPPORT], messageIdDomain: DOMAIN }) });
    try {
      const big = await compose({ from: ADA, subject: 'Too big', messageId: '<too-big@customer.example>', text: 'x'.repeat(5_000) });
      const tiny = nodemailer.createTransport({ host: '127.0.0.1', port: small.port, secure: false, ignoreTLS: true });
      await assert.rejects(tiny.sendMail({ envelope: { from: 'ada@customer.example', to: ['support@caro.example'] }, raw: big }), (err: { responseCode?: number }) => err.responseCode === 552);
      tiny.close();
      await noWorkflowFor('<too-big@customer.example>');
    } finally {
      await small.close();
    }

    const json = await fetch(`${base}/v1/inbound/email`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"subject":"x"}' });
    assert.equal(json.status, 415);

    const mail = await compose({ from: ADA, subject: 'No token', messageId: '<no-token@customer.example>', text: 'Hi' });
    const none = await fetch(`${base}/v1/inbound/email`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: mail });
    assert.equal(none.status, 401);
    const wrong = await byWebhook(mail, { authorization: 'Bearer not-the-token-at-all' });
    assert.equal(wrong.status, 401);
    await noWorkflowFor('<no-token@customer.example>');

    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await ticketCount(), before, 'no workflow was started');
  });

  test('quoted reply text is stripped: ">" lines, the "On ... wrote:" line, an Outlook original', () => {
    assert.equal(stripQuotedReply('Thanks, that worked.\n\nOn Tue, 24 Nov 2026, Support <s@x> wrote:\n> Try 1.4.2\n>> earlier'), 'Thanks, that worked.');
    assert.equal(stripQuotedReply('> Which version?\n1.4.1\n> And the OS?\nmacOS 15'), '1.4.1\nmacOS 15');
    assert.equal(stripQuotedReply('Still broken.\r\n\r\n-----Original Message-----\r\nFrom: Support\r\nPlease try again.'), 'Still broken.');
    assert.equal(stripQuotedReply('Am 24.11.2026 um 10:00 schrieb Support <s@x>:\n> Hallo'), '');
  });
});
