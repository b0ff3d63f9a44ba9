import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { createEmailActivities, ticketMessageId, ticketThreadId, withTicketTag } from '../../activities/email.js';
import type { SmtpSettings, TicketEmail } from '../../activities/email.js';
import { fileSentLog, memorySentLog } from '../../activities/sent-log.js';
import { start } from '../servers/smtp.js';
import type { SmtpTestServer } from '../servers/smtp.js';
import { activityEnv } from '../helpers/activity-env.js';

const { attempt, failureOf, logs } = activityEnv();

const DOMAIN = 'tickets.example.com';
const CUSTOMER_FIRST = '<CAF1x7=first@mail.customer.example>';
const CUSTOMER_SECOND = '<CAF1x7=second@mail.customer.example>';

let smtp: SmtpTestServer;
let dir: string;



function settings(overrides: Partial<SmtpSettings> = {}): SmtpSettings {
  return { host: smtp.host, port: smtp.port, secure: false, from: 'Caro Support <support@caro.example>', messageIdDomain: DOMAIN, ...overrides };
}

const autoReply: TicketEmail = {
  idempotencyKey: 'T-01JMAIL:1',
  ticketId: 'T-01JMAIL',
  to: { email: 'ada@customer.example', name: 'Ada' },
  template: 'auto-reply',
  vars: { responseTarget: '24 hours' },
  subject: 'Re: Caro crashes on launch',
  automatic: true,
  inReplyTo: CUSTOMER_FIRST,
  references: [CUSTOMER_FIRST],
};

describe('ticket email through nodemailer against a real SMTP server', () => {
  before(async () => {
    smtp = await start();
    dir = await mkdtemp(join(tmpdir(), 'tierline-email-'));
  });
  after(async () => {
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    smtp.faults.clear();
    smtp.received.length = 0;
  });

  it("confirms receipt with an auto-reply that opens the ticket's thread in the customer's mail client", async () => {
    const { sendTicketEmail } = createEmailActivities(settings(), memorySentLog());
    const sent = await attempt(1, sendTicketEmail, autoReply);
    assert.deepEqual(sent, { messageId: ticketMessageId('T-01JMAIL', 'T-01JMAIL:1', DOMAIN), alreadySent: false });

    const [received] = smtp.received;
    assert.ok(received);
    const { mail, envelope } = received;
    assert.deepEqual(envelope.to, ['ada@customer.example']);
    assert.equal(mail.messageId, sent.messageId);
    assert.equal(mail.inReplyTo, CUSTOMER_FIRST);
    assert.deepEqual(mail.references, [ticketThreadId('T-01JMAIL', DOMAIN), CUSTOMER_FIRST]);
    assert.equal(mail.subject, 'Re: [T-01JMAIL] Caro crashes on launch');
    assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(mail.headers.get('x-tierline-ticket'), 'T-01JMAIL');
    assert.match(mail.text ?? '', /opened ticket T-01JMAIL/);
    assert.match(mail.text ?? '', /first response within 24 hours/);
    assert.match(mail.text ?? '', /^Hi Ada,/);
    assert.match(mail.text ?? '', /Caro Support\s*$/);
    assert.match(String(mail.html), /<strong>24 hours<\/strong>/);
  });

  it('sends a human public reply in the same thread, with the tag once and without Auto-Submitted', async () => {
    const { sendTicketEmail } = createEmailActivities(settings(), memorySentLog());
    const reply: TicketEmail = {
      idempotencyKey: 'T-01JMAIL:4',
      ticketId: 'T-01JMAIL',
      to: { email: 'ada@customer.example' },
      template: 'public-reply',
      vars: { body: 'Thanks for catching this! It is a bug: <ctrl> & "quotes" break parsing.\nWorkaround: use --safe.', agentName: 'Sam' },
      subject: 'Re: [T-01JMAIL] Caro crashes on launch',
      automatic: false,
      inReplyTo: CUSTOMER_SECOND,
      references: [CUSTOMER_FIRST, CUSTOMER_SECOND],
    };
    await attempt(1, sendTicketEmail, reply);
    const mail = smtp.received[0]?.mail;
    assert.ok(mail);
    assert.equal(mail.subject, 'Re: [T-01JMAIL] Caro crashes on launch');
    assert.equal(mail.inReplyTo, CUSTOMER_SECOND);
    assert.deepEqual(mail.references, [ticketThreadId('T-01JMAIL', DOMAIN), CUSTOMER_FIRST, CUSTOMER_SECOND]);
    assert.equal(mail.headers.has('auto-submitted'), false);
    assert.match(mail.text ?? '', /break parsing\.\nWorkaround: use --safe\./);
    assert.match(mail.text ?? '', /<ctrl> & "quotes"/, 'the text part carries the words verbatim');
    assert.match(String(mail.html), /&lt;ctrl&gt; &amp; &quot;quotes&quot;/, 'the HTML part escapes them');
  });

  it('derives one Message-ID per ticket event, the same on every attempt, and a thread id per ticket', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.string(), (ticketId, keyA, keyB) => {
        const a = ticketMessageId(ticketId, keyA, DOMAIN);
        assert.equal(a, ticketMessageId(ticketId, keyA, DOMAIN));
        assert.match(a, /^<[A-Za-z0-9_-]+\.[0-9a-f]{32}@tickets\.example\.com>$/);
        assert.equal(keyA === keyB, a === ticketMessageId(ticketId, keyB, DOMAIN));
        assert.notEqual(a, ticketThreadId(ticketId, DOMAIN));
      }),
    );
  });

  it('puts the ticket tag in a subject exactly once', () => {
    assert.equal(withTicketTag('Printer on fire', 'T-1'), '[T-1] Printer on fire');
    assert.equal(withTicketTag('RE: Fwd: Printer on fire', 'T-1'), 'RE: Fwd: [T-1] Printer on fire');
    assert.equal(withTicketTag('Re: [t-1] Printer on fire', 'T-1'), 'Re: [t-1] Printer on fire');
    fc.assert(fc.property(fc.string(), (subject) => withTicketTag(withTicketTag(subject, 'T-9'), 'T-9') === withTicketTag(subject, 'T-9')));
  });

  it('retries a 451 and gives up on a 550, sending nothing either time', async () => {
    const { sendTicketEmail } = createEmailActivities(settings(), memorySentLog());
    smtp.faults.inject({ kind: 'reply', code: 451 });
    const deferred = await failureOf(attempt(1, sendTicketEmail, autoReply));
    assert.deepEqual([deferred.type, deferred.nonRetryable], ['SmtpRetryableError', false]);
    assert.match(deferred.message, /451/);

    smtp.faults.inject({ kind: 'reply', code: 550 });
    const rejected = await failureOf(attempt(2, sendTicketEmail, autoReply));
    assert.deepEqual([rejected.type, rejected.nonRetryable], ['SmtpPermanentError', true]);
    assert.match(rejected.message, /550/);
    assert.equal(smtp.received.length, 0);
  });

  it('rejects a template variable that is missing, naming it, and sends nothing', async () => {
    const { sendTicketEmail } = createEmailActivities(settings(), memorySentLog());
    const failure = await failureOf(attempt(1, sendTicketEmail, { ...autoReply, vars: {} }));
    assert.deepEqual([failure.type, failure.nonRetryable], ['EmailTemplateError', true]);
    assert.match(failure.message, /"responseTarget"/);
    assert.equal(smtp.received.length, 0);
  });

  it('skips a retry whose send the server already accepted: the sent log holds its Message-ID, the server got one copy', async () => {
    const path = join(dir, 'skip', 'sent.jsonl');
    const first = createEmailActivities(settings(), fileSentLog(path));
    const sent = await attempt(1, first.sendTicketEmail, autoReply);
    // The worker died before Temporal heard of the completion; a new worker runs attempt 2.
    const restarted = createEmailActivities(settings(), fileSentLog(path));
    const retried = await attempt(2, restarted.sendTicketEmail, autoReply);
    assert.deepEqual(retried, { messageId: sent.messageId, alreadySent: true });
    assert.equal(smtp.received.length, 1);
  });

  it('the remaining window: the server accepted but the connection dropped before the 250, so the retry sends a second copy', async () => {
    // Nothing on our side knew the server had the message, so the sent log was never written.
    // The copy carries the same Message-ID, which lets the customer's mail client fold the two.
    const log = memorySentLog();
    const { sendTicketEmail } = createEmailActivities(settings(), log);
    smtp.faults.inject({ kind: 'accept-then-drop' });
    const dropped = await failureOf(attempt(1, sendTicketEmail, autoReply));
    assert.deepEqual([dropped.type, dropped.nonRetryable], ['SmtpRetryableError', false]);
    assert.equal(log.entries.size, 0);
    await attempt(2, sendTicketEmail, autoReply);
    assert.deepEqual(
      smtp.received.map((r) => r.mail.messageId),
      [ticketMessageId('T-01JMAIL', 'T-01JMAIL:1', DOMAIN), ticketMessageId('T-01JMAIL', 'T-01JMAIL:1', DOMAIN)],
    );
  });

  it('treats a wrong SMTP password as permanent and never shows the password', async () => {
    const guarded = await start({ user: 'tierline', password: 'right-password-123' });
    try {
      const password = 'wrong-password-456';
      const { sendTicketEmail } = createEmailActivities(settings({ port: guarded.port, user: 'tierline', password }), memorySentLog());
      const failure = await failureOf(attempt(1, sendTicketEmail, autoReply));
      assert.deepEqual([failure.type, failure.nonRetryable], ['SmtpPermanentError', true]);
      assert.match(failure.message, /535/);
      assert.ok(!inspect(failure).includes(password));
      assert.ok(!logs.some((line) => line.includes(password)), 'the password appeared in an activity log');

      const ok = createEmailActivities(settings({ port: guarded.port, user: 'tierline', password: 'right-password-123' }), memorySentLog());
      await attempt(1, ok.sendTicketEmail, autoReply);
      assert.equal(guarded.received.length, 1);
    } finally {
      await guarded.close();
    }
  });

  it('retries when the server is down or never greets, within the bounded timeouts', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const mute = createEmailActivities(settings({ port, connectionTimeoutMs: 200, socketTimeoutMs: 500 }), memorySentLog());
      const startedAt = Date.now();
      const timedOut = await failureOf(attempt(1, mute.sendTicketEmail, autoReply));
      assert.ok(Date.now() - startedAt < 3000, 'the greeting timeout bounded the wait');
      assert.deepEqual([timedOut.type, timedOut.nonRetryable], ['SmtpRetryableError', false]);
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    // The same port, now closed: the connection is refused.
    const down = createEmailActivities(settings({ port, connectionTimeoutMs: 500 }), memorySentLog());
    const refused = await failureOf(attempt(1, down.sendTicketEmail, autoReply));
    assert.deepEqual([refused.type, refused.nonRetryable], ['SmtpRetryableError', false]);
  });
});
