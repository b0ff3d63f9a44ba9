/**
 * A whole ticket through the real channels: the worker's activities built from configuration
 * (as `npm start` builds them) talk to a local Slack Web API through @slack/web-api and to a real
 * SMTP server through nodemailer, while the ticket runs on a real (time-skipping) Temporal.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import { nextDue } from '../../domain/ticket/ticket-clocks.js';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';
import { caroLikePolicy, HOUR } from '../fixtures/policies.js';
import { settled, skip, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';
import { start as startSlack, type SlackServer } from '../servers/slack.js';
import { start as startSmtp, type SmtpTestServer } from '../servers/smtp.js';

const CHANNEL = 'C0SUPPORT';

describe('a ticket through Slack and email, on a real (time-skipping) Temporal', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let slack: SlackServer;
  let smtp: SmtpTestServer;

  before(async () => {
    slack = await startSlack({ channels: [CHANNEL] });
    smtp = await startSmtp();
    const config = loadConfig({
      TIERLINE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tierline-channels-')),
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      SLACK_CHANNELS: `support=${CHANNEL}`,
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Caro Support <support@caro.example>',
      EMAIL_DOMAIN: 'tickets.caro.example',
      PUBLIC_URL: 'https://support.caro.example',
    });
    env = await timeSkippingEnv();
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: createActivities(config, () => {}) });
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
    await slack?.close();
    await smtp?.close();
  });

  const handle = (id: string) => env.client.workflow.getHandle(ticketWorkflowId(id));
  const threadOf = (ts: string) => slack.messages(CHANNEL).filter((m) => m.thread_ts === ts && m.ts !== ts);
  const mailsFor = (id: string) => smtp.received.filter((m) => (m.mail.subject ?? '').includes(`[${id}]`));

  test('card, thread, edits and one email thread, each sent once and in order, through a Slack outage', async () => {
    await harness.run(async () => {
      const { ticket } = await harness.tickets.open({
        subject: 'Caro crashes on launch',
        description: 'Since 1.4 it exits at once',
        requester: { email: 'ada@customer.example', name: 'Ada' },
        channel: 'email',
        priority: 'P0',
        messageId: '<first@mail.customer.example>',
      });
      await settled(handle(ticket.id));
      const root = slack.messages(CHANNEL).find((m) => !m.thread_ts || m.thread_ts === m.ts)!;
      assert.ok(root, 'the ticket card was posted in the tier channel');
      assert.match(JSON.stringify(root.blocks), /Caro crashes on launch/);
      assert.match(JSON.stringify(root.blocks), /Acknowledge/);
      assert.equal((await harness.tickets.state(ticket.id)).teamCard?.ts, root.ts, 'the card ts is kept in the ticket');

      // Slack fails for a while: every send is retried by Temporal, none is lost or doubled.
      slack.faults.inject({ kind: 'http-500' }, { times: 4 });
      await harness.tickets.act(ticket.id, 'acknowledge', { actor: 'grace' });
      await harness.tickets.customerMessage(ticket.id, { body: 'It also loses my settings', messageId: '<second@mail.customer.example>' });
      await harness.tickets.act(ticket.id, 'respond', { actor: 'grace', body: 'We found it; a fix is on the way.' });
      // One attempt stored its message and then failed: the retry finds it by its metadata.
      slack.faults.inject({ kind: 'store-then-500' }, { times: 1, method: 'chat.postMessage' });
      await harness.tickets.act(ticket.id, 'note', { actor: 'grace', body: 'root cause: a stale cache' });
      await skip(env, 2 * HOUR); // the resolution clock warns meanwhile; the first response was met
      await harness.tickets.act(ticket.id, 'resolve', { actor: 'grace', resolution: 'Fixed in 1.4.2' });
      await settled(handle(ticket.id));

      const thread = threadOf(root.ts).map((m) => m.text ?? '');
      const expected = [
        /^grace acknowledged the ticket$/,
        /loses my settings/,
        /^grace replied to the requester: We found it/,
        /^Internal note from grace: root cause/,
        /^grace resolved the ticket: Fixed in 1\.4\.2$/,
      ];
      const ours = thread.filter((text) => !/ at \d+% of /.test(text) && !/% used/.test(text)); // resolution-clock warnings interleave by time
      assert.equal(ours.length, expected.length, `thread: ${thread.join(' | ')}`);
      expected.forEach((re, i) => assert.match(ours[i]!, re, `thread message ${i + 1} in event order`));
      const keys = threadOf(root.ts).map((m) => String(m.metadata?.event_payload?.key ?? m.metadata?.event_payload?.idempotency_key ?? ''));
      assert.equal(new Set(keys).size, keys.length, 'each thread message carries its own key');
      assert.ok(slack.received.some((c) => c.outcome === 'http-500'), 'the outage happened');
      assert.equal(slack.messages(CHANNEL).filter((m) => m.ts === root.ts).length, 1, 'one root card');
      assert.match(JSON.stringify(slack.messages(CHANNEL).find((m) => m.ts === root.ts)!.blocks), /resolved/i, 'the card was edited to resolved');

      const view = await harness.tickets.get(ticket.id);
      assert.ok(view.timeline.some((e) => e.type === 'notification-sent' && /after \d+ attempts/.test(e.summary)), 'retries show on the timeline');

      // Email: auto-reply, the public reply and the resolution notice, one thread in the mail client.
      const mails = mailsFor(ticket.id);
      assert.deepEqual(mails.map((m) => m.mail.headers.get('auto-submitted') ?? 'no'), ['auto-generated', 'no', 'auto-generated']);
      const ids = mails.map((m) => m.mail.messageId!);
      assert.equal(new Set(ids).size, 3);
      assert.equal(mails[0]!.mail.inReplyTo, '<first@mail.customer.example>');
      assert.equal(mails[1]!.mail.inReplyTo, '<second@mail.customer.example>', 'the reply answers the latest customer message');
      for (const mail of mails) assert.match(mail.mail.subject ?? '', new RegExp(`\\[${ticket.id}\\]`));
      assert.match(mails[1]!.mail.text ?? '', /a fix is on the way/);
      assert.match(mails[2]!.mail.text ?? '', /Fixed in 1\.4\.2/);
    });
  });

  /** What the history shows from the first timer that fired after event `before`: activities, local activities, tasks until the first marker. */
  async function afterTimer(ticketId: string, before: number) {
    const events = (await handle(ticketId).fetchHistory()).events!.slice(before);
    const fired = events.findIndex((e) => e.timerFiredEventAttributes);
    assert.ok(fired >= 0, 'the breach timer fired');
    const after = events.slice(fired);
    const scheduled = after.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []));
    const localTypes = after.flatMap((e) => {
      const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
      return data ? [JSON.parse(Buffer.from(data).toString()).activity_type as string] : [];
    });
    const tasks = after.slice(0, after.findIndex((e) => e.markerRecordedEventAttributes)).filter((e) => e.workflowTaskCompletedEventAttributes).length;
    return { scheduled, localTypes, tasks };
  }

  test('a breach notice carries the card edit: one local activity posts it and edits the card to the next deadline', async () => {
    await harness.run(async () => {
      const { ticket } = await harness.tickets.open({ subject: 'Sync stalls', description: 'x', requester: { email: 'fay@customer.example' }, channel: 'email', priority: 'P0' });
      await skip(env, HOUR - 60_000);
      await settled(handle(ticket.id));
      const before = (await handle(ticket.id).fetchHistory()).events!.length;
      const card = (await harness.tickets.state(ticket.id)).teamCard!;
      const edits = () => slack.received.filter((c) => c.method === 'chat.update' && c.outcome === 'ok' && c.params?.ts === card.ts);
      const editsBefore = edits().length;
      await skip(env, 2 * 60_000);
      await settled(handle(ticket.id));

      assert.equal(threadOf(card.ts).filter((m) => /^firstResponse breached/.test(m.text ?? '')).length, 1, 'one breach notice');
      const { scheduled, localTypes, tasks } = await afterTimer(ticket.id, before);
      assert.deepEqual(scheduled, [], 'no ordinary activity');
      assert.deepEqual(localTypes.filter((t) => t !== 'recordTicketMilestones'), ['postThreadMessage'], 'the notice made the card edit: no refresh of its own');
      assert.equal(tasks, 1, 'recorded by the task the timer woke');
      assert.equal(edits().length, editsBefore + 1, 'the card was edited once');
      const state = await harness.tickets.state(ticket.id);
      const shown = JSON.stringify(slack.messages(CHANNEL).find((m) => m.ts === card.ts)!.blocks);
      const next = nextDue(state);
      assert.ok(next && next.clock.metric !== 'firstResponse', 'another clock is next');
      assert.ok(shown.includes(`|${new Date(next.dueAt).toISOString()}>`), 'the card shows the next deadline');
    });
  });

  test('a breach is one workflow task: the notice and the card edit are local activities, retried through an outage, each posted once', async () => {
    await harness.run(async () => {
      const { ticket } = await harness.tickets.open({ subject: 'Export hangs', description: 'x', requester: { email: 'eve@customer.example' }, channel: 'email', priority: 'P0' });
      await skip(env, HOUR - 60_000); // the warnings went out; the breach is a minute away
      await settled(handle(ticket.id));
      const before = (await handle(ticket.id).fetchHistory()).events!.length;
      // The breach's thread message is stored and its answer lost; the card edit fails once.
      slack.faults.inject({ kind: 'store-then-500' }, { times: 1, method: 'chat.postMessage' });
      slack.faults.inject({ kind: 'http-500' }, { times: 1, method: 'chat.update' });
      await skip(env, 2 * 60_000);
      await settled(handle(ticket.id));

      const card = (await harness.tickets.state(ticket.id)).teamCard!;
      const breaches = threadOf(card.ts).filter((m) => /^firstResponse breached/.test(m.text ?? ''));
      assert.equal(breaches.length, 1, 'one breach notice, though its first attempt failed after Slack stored it');
      assert.ok(slack.received.some((c) => c.method === 'chat.update' && c.outcome === 'http-500'), 'the card edit failed once');
      assert.ok(slack.received.some((c) => c.method === 'chat.update' && c.outcome === 'ok' && c.at > slack.received.find((f) => f.outcome === 'http-500' && f.method === 'chat.update')!.at), 'and was retried');

      const { scheduled, localTypes, tasks } = await afterTimer(ticket.id, before);
      assert.deepEqual(scheduled, [], 'no ordinary activity: no extra round trip through the server');
      // The notice's own edit of the card failed; the card refresh made it, with its own retries.
      assert.deepEqual(localTypes.filter((t) => t !== 'recordTicketMilestones'), ['postThreadMessage', 'updateTicketCard']);
      assert.equal(tasks, 1, 'the notice and the card edit were recorded by the task the timer woke');
      const view = await harness.tickets.get(ticket.id);
      assert.ok(view.timeline.some((e) => e.type === 'notification-sent' && /after 2 attempts/.test(e.summary)), 'the retry shows on the timeline');
    });
  });

  test('a permanent Slack error fails the notification for good and says so on the timeline', async () => {
    await harness.run(async () => {
      slack.faults.inject({ kind: 'error', error: 'invalid_auth' }, { times: 1, method: 'chat.postMessage' });
      const { ticket } = await harness.tickets.open({ subject: 'Wrong token', description: 'x', requester: { email: 'bob@customer.example' }, channel: 'email', priority: 'P2' });
      await settled(handle(ticket.id));
      const failed = (await harness.tickets.get(ticket.id)).timeline.find((e) => e.type === 'notification-failed');
      assert.ok(failed, 'a failed notification on the timeline');
      assert.match(failed.summary, /invalid_auth/);
      assert.equal(slack.received.filter((c) => c.method === 'chat.postMessage' && c.outcome === 'invalid_auth').length, 1, 'not retried');
      assert.equal(JSON.stringify(await harness.tickets.state(ticket.id)).includes(slack.token), false, 'no secret in the ticket');
    });
  });
});
