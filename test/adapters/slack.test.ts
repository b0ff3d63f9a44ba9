/**
 * Slack interactivity and the /ticket slash command through Slack's own wire format (form bodies,
 * v0 signatures) against the running API on a real Temporal dev server. The ticket card lives on
 * a local Slack Web API that the worker's real @slack/web-api client talks to.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { TicketCardAction } from '../../activities/slack.js';
import { hmacSha256Hex } from '../../adapters/shared/signatures.js';
import { buildApi } from '../../adapters/http/server.js';
import { IncidentClient } from '../../client/incidents.js';
import { derivedTicketId, ticketWorkflowId } from '../../client/ticket-ids.js';
import { createActivities } from '../../workers/activities.js';
import { adapterSettings, loadConfig } from '../../workers/config.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { devServerEnv, settled, ticketHarness, type TicketHarness } from '../helpers/temporal.js';
import { start as startSlack, type SlackServer } from '../servers/slack.js';
import { eventually, listenOnLoopback } from '../helpers/api.js';

const CHANNEL = 'C0SUPPORT';
const SIGNING_SECRET = 'slack-signing-secret-0123456789abcdef';

describe('Slack buttons, modals and /ticket on a real Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let slack: SlackServer;
  let incidents: IncidentClient;
  let api: FastifyInstance;
  let base: string;

  before(async () => {
    slack = await startSlack({ channels: [CHANNEL] });
    const config = loadConfig({
      TIERLINE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tierline-slack-adapter-')),
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      SLACK_CHANNELS: `support=${CHANNEL}`,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_USERS: 'U0GRACE=grace',
      PUBLIC_URL: 'https://support.example',
    });
    const policy = caroLikePolicy({
      channels: [
        { id: 'email', name: 'Email', kind: 'email' },
        { id: 'team-slack', name: 'Slack', kind: 'slack' },
      ],
    });
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy, activities: createActivities(config, () => {}) });
    incidents = new IncidentClient(env.client, { taskQueue: harness.taskQueue, policy, publicUrl: 'https://support.example' });
    api = buildApi({ tickets: harness.tickets, incidents, tokens: new Map(), adapters: adapterSettings(config) });
    base = await listenOnLoopback(api);
  });
  after(async () => {
    await api?.close();
    await harness?.shutdown();
    await env?.teardown();
    await slack?.close();
  });

  /** Posts a form body signed as Slack signs it; `at` (seconds) and `secret` can be made wrong. */
  async function post(path: string, form: Record<string, string>, opts: { at?: number; secret?: string; signature?: string | null } = {}) {
    const body = new URLSearchParams(form).toString();
    const at = String(opts.at ?? Math.floor(Date.now() / 1000));
    const signature = opts.signature === undefined ? `v0=${hmacSha256Hex(opts.secret ?? SIGNING_SECRET, `v0:${at}:${body}`)}` : opts.signature;
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': at, ...(signature === null ? {} : { 'x-slack-signature': signature }) },
      body,
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }
  const click = (ticketId: string, actionId: string, user: { id: string; username: string }, extra: { actionTs?: string; responseId?: string; trigger?: string } = {}) =>
    post('/v1/slack/interactions', {
      payload: JSON.stringify({
        type: 'block_actions',
        user,
        trigger_id: extra.trigger ?? `trigger-${Math.random()}`,
        response_url: slack.responseUrl(extra.responseId ?? 'r1'),
        channel: { id: CHANNEL },
        container: { type: 'message', channel_id: CHANNEL },
        actions: [{ action_id: actionId, value: ticketId, action_ts: extra.actionTs ?? String(Date.now() / 1000), type: 'button' }],
      }),
    });
  const open = async (subject: string) => {
    const { ticket } = await harness.tickets.open({ subject, description: 'details', requester: { email: 'ada@customer.example' }, channel: 'email', priority: 'P1' });
    await settled(env.client.workflow.getHandle(ticketWorkflowId(ticket.id)));
    return ticket;
  };
  const cardOf = (ticketId: string) => slack.messages(CHANNEL).find((m) => (!m.thread_ts || m.thread_ts === m.ts) && JSON.stringify(m.blocks).includes(ticketId));

  test('Acknowledge acts as the mapped engineer, once, and the card shows it', async () => {
    const ticket = await open('Export fails');
    const card = await eventually('the card', () => cardOf(ticket.id));
    const grace = { id: 'U0GRACE', username: 'grace.h' };
    const first = await click(ticket.id, TicketCardAction.acknowledge, grace, { actionTs: '1700000000.000001' });
    assert.equal(first.status, 200);
    assert.equal(first.text, '', 'answered at once, with nothing to show');
    const acked = await eventually('the acknowledgement', async () => {
      const t = await harness.tickets.get(ticket.id);
      return t.acknowledgedAt ? t : undefined;
    });
    assert.equal(acked.assignee, 'grace', 'the Slack user acts as the engineer SLACK_USERS names');
    await eventually('the card edit', () => cardOf(ticket.id)?.edited && /grace/.test(JSON.stringify(cardOf(ticket.id)?.blocks)));
    assert.equal(cardOf(ticket.id)!.ts, card.ts, 'the same message was edited, not a new one posted');

    // Slack delivers the same click again (a retry): nothing more happens.
    await settled(env.client.workflow.getHandle(ticketWorkflowId(ticket.id)));
    const before = (await harness.tickets.get(ticket.id)).timeline.length;
    const again = await click(ticket.id, TicketCardAction.acknowledge, grace, { actionTs: '1700000000.000001' });
    assert.equal(again.status, 200);
    await new Promise((r) => setTimeout(r, 1500));
    const acks = (await harness.tickets.get(ticket.id)).timeline.filter((e) => e.type === 'acknowledged');
    assert.equal(acks.length, 1, 'one acknowledgement on the timeline');
    assert.equal((await harness.tickets.get(ticket.id)).timeline.length, before, 'the repeated request id changed nothing on the timeline');
  });

  test('Resolve opens a modal; its submission resolves as the clicking user with their words', async () => {
    const ticket = await open('Login loops');
    await eventually('the card', () => cardOf(ticket.id));
    const trigger = `trigger-resolve-${ticket.id}`;
    const res = await click(ticket.id, TicketCardAction.resolve, { id: 'U0GRACE', username: 'grace.h' }, { trigger });
    assert.equal(res.status, 200);
    const opened = slack.views.find((v) => v.trigger_id === trigger);
    assert.ok(opened, 'views.open was called with the click trigger before answering');
    const view = opened.view as { callback_id: string; private_metadata: string };

    const submit = (value: string) =>
      post('/v1/slack/interactions', {
        payload: JSON.stringify({
          type: 'view_submission',
          user: { id: 'U0GRACE', username: 'grace.h' },
          view: { id: `V-${ticket.id}`, callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values: { resolution: { value: { type: 'plain_text_input', value } } } } },
        }),
      });
    const empty = await submit('   ');
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, { response_action: 'errors', errors: { resolution: 'Please write a few words.' } }, 'an empty resolution is refused in the modal');
    assert.equal((await harness.tickets.get(ticket.id)).status !== 'resolved', true);

    const done = await submit('Cleared the stale session cookie; fixed in 2.3.1.');
    assert.equal(done.status, 200);
    assert.equal(done.text, '', 'an empty answer closes the modal');
    const resolved = await eventually('the resolution', async () => {
      const t = await harness.tickets.get(ticket.id);
      return t.status === 'resolved' ? t : undefined;
    });
    assert.equal(resolved.resolution, 'Cleared the stale session cookie; fixed in 2.3.1.');
    assert.equal(resolved.timeline.find((e) => e.type === 'resolved')?.actor, 'grace');
  });

  test('a refused click is told to the clicking user alone; an unmapped user acts as slack:<name>', async () => {
    const ticket = await open('Typo in docs');
    await harness.tickets.act(ticket.id, 'resolve', { actor: 'grace', resolution: 'fixed' });
    const res = await click(ticket.id, TicketCardAction.acknowledge, { id: 'U0BOB', username: 'bob' }, { responseId: `refused-${ticket.id}` });
    assert.equal(res.status, 200);
    const told = await eventually('the ephemeral answer', () => slack.responses.find((r) => r.path.endsWith(`refused-${ticket.id}`)));
    assert.equal(told.body['response_type'], 'ephemeral');
    assert.equal(told.body['replace_original'], false);
    assert.match(String(told.body['text']), new RegExp(`${ticket.id}: cannot acknowledge a resolved ticket`));

    const other = await open('Slow dashboard');
    await click(other.id, TicketCardAction.acknowledge, { id: 'U0BOB', username: 'bob' });
    const acked = await eventually('bob\'s acknowledgement', async () => {
      const t = await harness.tickets.get(other.id);
      return t.acknowledgedAt ? t : undefined;
    });
    assert.equal(acked.assignee, 'slack:bob');
  });

  test('a bad signature, a stale or missing timestamp, and a malformed body are refused and change nothing', async () => {
    const ticket = await open('Nothing should happen');
    const payload = JSON.stringify({ type: 'block_actions', user: { id: 'U0GRACE' }, actions: [{ action_id: TicketCardAction.acknowledge, value: ticket.id }] });
    const wrongSecret = await post('/v1/slack/interactions', { payload }, { secret: 'not-the-signing-secret-at-all' });
    assert.equal(wrongSecret.status, 401);
    assert.match(String(wrongSecret.json?.['message']), /signature/);
    const stale = await post('/v1/slack/interactions', { payload }, { at: Math.floor(Date.now() / 1000) - 6 * 60 });
    assert.equal(stale.status, 401);
    assert.match(String(stale.json?.['message']), /five minutes/);
    const unsigned = await post('/v1/slack/interactions', { payload }, { signature: null });
    assert.equal(unsigned.status, 401);
    const malformed = await post('/v1/slack/interactions', { payload: '{not json' });
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.json?.['errors'], [{ path: 'payload', message: 'the payload is not JSON' }]);
    const notSlack = await post('/v1/slack/interactions', { payload: JSON.stringify({ type: 'block_actions', actions: [] }) });
    assert.equal(notSlack.status, 400);
    await new Promise((r) => setTimeout(r, 1000));
    const t = await harness.tickets.get(ticket.id);
    assert.equal(t.acknowledgedAt, undefined, 'no refused request acknowledged the ticket');
    const forged = await post('/v1/slack/commands', { command: '/ticket', text: 'forged', user_id: 'U0X', trigger_id: 'forged-1' }, { secret: 'not-the-signing-secret-at-all' });
    assert.equal(forged.status, 401);
    await assert.rejects(env.client.workflow.getHandle(ticketWorkflowId(derivedTicketId('team-slack', 'slack-command-forged-1'))).describe(), WorkflowNotFoundError, 'the forged command started no workflow');
  });

  test('/ticket opens one ticket on the policy\'s Slack channel, even when Slack sends it twice', async () => {
    const form = { command: '/ticket', text: 'P1 The nightly export is empty', user_id: 'U0ADA', user_name: 'ada', trigger_id: 'trigger-open-1', response_url: slack.responseUrl('open-1') };
    const first = await post('/v1/slack/commands', form);
    assert.equal(first.status, 200);
    assert.equal(first.json?.['response_type'], 'ephemeral');
    assert.match(String(first.json?.['text']), /Opening a ticket: The nightly export is empty/);
    const told = await eventually('the ticket id', () => slack.responses.find((r) => r.path.endsWith('/open-1')));
    const id = /Opened (T-\S+):/.exec(String(told.body['text']))?.[1];
    assert.ok(id, `the answer names the ticket: ${String(told.body['text'])}`);
    const ticket = await harness.tickets.get(id);
    assert.equal(ticket.channel, 'team-slack');
    assert.equal(ticket.priority, 'P1');
    assert.equal(ticket.subject, 'The nightly export is empty');
    assert.equal(ticket.requester.handle, '@ada');

    await post('/v1/slack/commands', { ...form, response_url: slack.responseUrl('open-2') });
    const again = await eventually('the second answer', () => slack.responses.find((r) => r.path.endsWith('/open-2')));
    assert.match(String(again.body['text']), new RegExp(`Opened ${id}:`), 'the repeat finds the same ticket');

    const shown = await post('/v1/slack/commands', { ...form, text: `show ${id}`, trigger_id: 'trigger-show' });
    assert.match(String(shown.json?.['text']), new RegExp(`\\*${id}\\* The nightly export is empty\\nP1 · `));
    const missing = await post('/v1/slack/commands', { ...form, text: 'show T-00000000000000000000000000', trigger_id: 'trigger-show-2' });
    assert.match(String(missing.json?.['text']), /There is no ticket/);
  });

  test('/incident declares an incident as the Slack user, once, and explains its form when it is wrong', async () => {
    const form = { command: '/incident', text: 'critical Login down | Nobody can log in', user_id: 'U0GRACE', user_name: 'grace.h', trigger_id: 'trigger-incident-1', response_url: slack.responseUrl('incident-1') };
    const first = await post('/v1/slack/commands', form);
    assert.equal(first.status, 200);
    assert.match(String(first.json?.['text']), /Declaring a critical incident: Login down/);
    const told = await eventually('the incident id', () => slack.responses.find((r) => r.path.endsWith('/incident-1')));
    const id = /Declared (I-\S+):/.exec(String(told.body['text']))?.[1];
    assert.ok(id, String(told.body['text']));
    const incident = await incidents.get(id);
    assert.equal(incident.declaredBy, 'grace', 'declared as the engineer SLACK_USERS names');
    assert.equal(incident.impact, 'Nobody can log in');

    await post('/v1/slack/commands', { ...form, response_url: slack.responseUrl('incident-2') });
    const again = await eventually('the second answer', () => slack.responses.find((r) => r.path.endsWith('/incident-2')));
    assert.match(String(again.body['text']), new RegExp(`Declared ${id}:`), 'a repeat declares nothing new');

    const wrong = await post('/v1/slack/commands', { ...form, text: 'apocalyptic Everything | all', trigger_id: 'trigger-incident-3' });
    assert.match(String(wrong.json?.['text']), /severity one of critical, major, minor/);
  });
});
