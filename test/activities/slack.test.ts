import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { TicketCardAction, createSlackActivities } from '../../activities/slack.js';
import type { TicketCard } from '../../activities/slack.js';
import { start } from '../servers/slack.js';
import type { SlackServer } from '../servers/slack.js';
import { activityEnv } from '../helpers/activity-env.js';

const { attempt, failureOf, logs } = activityEnv();

const CHANNEL = 'C0TIER2';
const card: TicketCard = {
  ticketId: 'T-01JSLACK',
  subject: 'Checkout returns 500 for EU customers',
  priority: 'P1',
  status: 'open',
  tier: 'Tier 2: Help Desk',
  slaDueAt: '2026-01-24T14:00:00.000Z',
  link: 'http://127.0.0.1:8080/tickets/T-01JSLACK',
};

let slack: SlackServer;

/** Runs one attempt of an activity, as the worker would, with Temporal's attempt number. */

/** Retries like Temporal: every retryable failure leads to the next attempt; a permanent one ends it. */
async function untilDone<I, R>(fn: (input: I) => Promise<R>, input: I, maxAttempts = 10): Promise<{ result: R; attempts: number }> {
  for (let n = 1; ; n++) {
    try {
      return { result: await attempt(n, fn, input), attempts: n };
    } catch (err) {
      if (!(err instanceof ApplicationFailure) || err.nonRetryable || n >= maxAttempts) throw err;
    }
  }
}


describe('Slack notifications through @slack/web-api against the local Slack server', () => {
  before(async () => {
    slack = await start({ channels: [CHANNEL], archivedChannels: ['C0ARCHIVED'] });
  });
  after(async () => {
    await slack.close();
    assert.ok(!logs.some((line) => line.includes(slack.token)), 'the bot token appeared in an activity log');
  });
  beforeEach(() => slack.faults.clear());

  const activities = () => createSlackActivities({ token: slack.token, apiUrl: slack.url });

  it('posts a ticket card once to its tier channel, then edits it in place when the status changes', async () => {
    const { postTicketCard, updateTicketCard } = activities();
    const posted = await attempt(1, postTicketCard, { idempotencyKey: 'T-01JSLACK:1', channel: CHANNEL, card });
    assert.equal(posted.channel, CHANNEL);

    const [root] = slack.messages(CHANNEL).filter((m) => m.ts === posted.ts);
    assert.ok(root);
    assert.deepEqual(root.metadata, {
      event_type: 'tierline_notification',
      event_payload: { idempotency_key: 'T-01JSLACK:1', ticket_id: 'T-01JSLACK' },
    });
    const blocks = JSON.stringify(root.blocks);
    for (const shown of ['Checkout returns 500 for EU customers', 'P1', 'open', 'SLA due', 'unassigned', 'Tier 2: Help Desk']) {
      assert.ok(blocks.includes(shown), `the card shows ${shown}`);
    }
    const actions = (root.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === 'actions');
    assert.deepEqual(
      actions?.elements?.map((e) => [e.action_id, e.value]),
      [TicketCardAction.acknowledge, TicketCardAction.resolve, TicketCardAction.escalate].map((id) => [id, 'T-01JSLACK']),
    );

    await attempt(1, updateTicketCard, { channel: CHANNEL, ts: posted.ts, card: { ...card, status: 'acknowledged', assignee: 'Engineer A' } });
    const roots = slack.messages(CHANNEL).filter((m) => m.metadata?.event_payload['ticket_id'] === 'T-01JSLACK');
    assert.equal(roots.length, 1, 'the status change edited the card instead of posting another');
    assert.ok(roots[0]?.edited);
    assert.match(JSON.stringify(roots[0]?.blocks), /acknowledged/);
    assert.match(JSON.stringify(roots[0]?.blocks), /Engineer A/);
  });

  it("posts later events into the ticket's thread", async () => {
    const { postTicketCard, postThreadMessage } = activities();
    const root = await attempt(1, postTicketCard, { idempotencyKey: 'T-2:1', channel: CHANNEL, card: { ...card, ticketId: 'T-2' } });
    const reply = await attempt(1, postThreadMessage, {
      idempotencyKey: 'T-2:2',
      channel: CHANNEL,
      threadTs: root.ts,
      text: 'First-response SLA breached: no public reply within 4 hours.',
      ticketId: 'T-2',
    });
    const stored = slack.messages(CHANNEL).find((m) => m.ts === reply.ts);
    assert.equal(stored?.thread_ts, root.ts);
    assert.equal(stored?.text, 'First-response SLA breached: no public reply within 4 hours.');
    assert.equal(stored?.metadata?.event_payload['idempotency_key'], 'T-2:2');
  });

  it('turns a 429 into a retryable failure that waits for Retry-After, without sleeping in the activity', async () => {
    const { postTicketCard } = activities();
    slack.faults.inject({ kind: 'rate-limit', retryAfterSeconds: 7 });
    const startedAt = Date.now();
    const failure = await failureOf(attempt(1, postTicketCard, { idempotencyKey: 'T-3:1', channel: CHANNEL, card }));
    assert.ok(Date.now() - startedAt < 2000, 'the client rejected at once instead of waiting 7 s');
    assert.equal(failure.type, 'SlackRateLimitedError');
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, '7s');
  });

  it('treats HTTP 500 as retryable', async () => {
    const { postTicketCard } = activities();
    slack.faults.inject({ kind: 'http-500' });
    const failure = await failureOf(attempt(1, postTicketCard, { idempotencyKey: 'T-4:1', channel: CHANNEL, card }));
    assert.equal(failure.type, 'SlackRetryableError');
    assert.equal(failure.nonRetryable, false);
  });

  it('treats invalid_auth, channel_not_found, is_archived and invalid_blocks as permanent, never naming the token', async () => {
    const wrongToken = 'xoxb-wrong-token-0123456789';
    const stranger = createSlackActivities({ token: wrongToken, apiUrl: slack.url });
    const invalidAuth = await failureOf(attempt(1, stranger.postTicketCard, { idempotencyKey: 'T-5:1', channel: CHANNEL, card }));
    assert.equal(invalidAuth.type, 'SlackPermanentError');
    assert.equal(invalidAuth.nonRetryable, true);
    assert.match(invalidAuth.message, /invalid_auth/);
    assert.ok(!inspect(invalidAuth).includes(wrongToken), 'the token appeared in the failure');

    const { postTicketCard, postThreadMessage } = activities();
    const notFound = await failureOf(attempt(1, postTicketCard, { idempotencyKey: 'T-5:2', channel: 'C0NOWHERE', card }));
    assert.deepEqual([notFound.type, notFound.nonRetryable], ['SlackPermanentError', true]);
    assert.match(notFound.message, /channel_not_found/);

    const archived = await failureOf(attempt(1, postTicketCard, { idempotencyKey: 'T-5:3', channel: 'C0ARCHIVED', card }));
    assert.match(archived.message, /is_archived/);

    slack.faults.inject({ kind: 'error', error: 'invalid_blocks' });
    const blocks = await failureOf(attempt(1, postThreadMessage, { idempotencyKey: 'T-5:4', channel: CHANNEL, threadTs: '1.000001', text: 'x' }));
    assert.deepEqual([blocks.type, blocks.nonRetryable], ['SlackPermanentError', true]);
  });

  it('retries a card Slack stored before answering 500, finds it by metadata, and the channel holds it once', async () => {
    const { postTicketCard } = activities();
    slack.faults.inject({ kind: 'store-then-500' }, { method: 'chat.postMessage' });
    const input = { idempotencyKey: 'T-6:1', channel: CHANNEL, card: { ...card, ticketId: 'T-6' } };
    const first = await failureOf(attempt(1, postTicketCard, input));
    assert.equal(first.nonRetryable, false);

    const second = await attempt(2, postTicketCard, input);
    const copies = slack.messages(CHANNEL).filter((m) => m.metadata?.event_payload['idempotency_key'] === 'T-6:1');
    assert.equal(copies.length, 1);
    assert.equal(second.ts, copies[0]?.ts);
    const lookup = slack.received.filter((c) => c.method === 'conversations.history').at(-1);
    assert.equal(lookup?.params['include_all_metadata'], 'true');
    assert.equal(lookup?.params['channel'], CHANNEL);
  });

  it('pages a person by direct message once, even when Slack stored the message before answering 500', async () => {
    const { postDirectMessage } = activities();
    slack.faults.inject({ kind: 'store-then-500' }, { method: 'chat.postMessage' });
    const input = { idempotencyKey: 'T-DM/page-1/lead/1', user: 'U0LEAD', text: 'You are paged as lead on-call', ticketId: 'T-DM' };
    const first = await failureOf(attempt(1, postDirectMessage, input));
    assert.equal(first.nonRetryable, false);
    const second = await attempt(2, postDirectMessage, input);
    assert.equal(second.channel, 'D0LEAD');
    assert.deepEqual(slack.messages('D0LEAD').map((m) => m.ts), [second.ts], 'one message in the DM');
    const unknown = await failureOf(attempt(1, postDirectMessage, { ...input, user: 'not-a-user' }));
    assert.equal(unknown.nonRetryable, true, 'an unknown user is a permanent error');
  });

  it('retries a thread reply whose connection dropped after Slack stored it, and the thread holds it once', async () => {
    const { postTicketCard, postThreadMessage } = activities();
    const root = await attempt(1, postTicketCard, { idempotencyKey: 'T-7:1', channel: CHANNEL, card: { ...card, ticketId: 'T-7' } });
    slack.faults.inject({ kind: 'store-then-drop' }, { method: 'chat.postMessage' });
    const reply = { idempotencyKey: 'T-7:2', channel: CHANNEL, threadTs: root.ts, text: 'Escalated to Tier 3: Engineering.' };
    const { result, attempts } = await untilDone(postThreadMessage, reply);
    assert.equal(attempts, 2);
    const thread = slack.messages(CHANNEL).filter((m) => m.thread_ts === root.ts);
    assert.deepEqual(thread.map((m) => m.ts), [result.ts]);
    assert.equal(slack.received.filter((c) => c.method === 'conversations.replies').length, 1);
  });

  it('posts a retried card that never reached Slack, exactly once', async () => {
    const { postTicketCard } = activities();
    slack.faults.inject({ kind: 'http-500' }, { method: 'chat.postMessage', times: 2 });
    const input = { idempotencyKey: 'T-8:1', channel: CHANNEL, card: { ...card, ticketId: 'T-8' } };
    const { attempts } = await untilDone(postTicketCard, input);
    assert.equal(attempts, 3);
    assert.equal(slack.messages(CHANNEL).filter((m) => m.metadata?.event_payload['idempotency_key'] === 'T-8:1').length, 1);
  });

  it('after Slack fails for a while (500s, lost answers, a rate limit), every thread message arrives once, in order', async () => {
    const { postTicketCard, postThreadMessage } = activities();
    const root = await attempt(1, postTicketCard, { idempotencyKey: 'T-9:1', channel: CHANNEL, card: { ...card, ticketId: 'T-9' } });
    const events = ['Acknowledged by Engineer A', 'Paused: waiting on customer', 'Customer replied', 'Resolution SLA warning', 'Resolved'];
    slack.faults.inject({ kind: 'http-500' }, { times: 3 });
    slack.faults.inject({ kind: 'store-then-500' }, { method: 'chat.postMessage', times: 2 });
    slack.faults.inject({ kind: 'rate-limit', retryAfterSeconds: 1 }, { method: 'conversations.replies' });
    slack.faults.inject({ kind: 'store-then-drop' }, { method: 'chat.postMessage', times: 2 });
    const callsBefore = slack.received.length;
    // "In order": one ticket's sends to one channel go one at a time, in event order.
    for (const [i, text] of events.entries()) {
      await untilDone(postThreadMessage, { idempotencyKey: `T-9:${i + 2}`, channel: CHANNEL, threadTs: root.ts, text });
    }
    const thread = slack.messages(CHANNEL).filter((m) => m.thread_ts === root.ts);
    assert.deepEqual(thread.map((m) => m.text), events);
    const outages = slack.received.slice(callsBefore).filter((c) => c.outcome !== 'ok').map((c) => c.outcome);
    assert.equal(outages.length, 8, `all injected faults were met: ${outages.join(', ')}`);
  });
});
