import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../adapters/http/server.js';
import { derivedTicketId, ticketWorkflowId } from '../../client/ticket-ids.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { devServerEnv, settled, ticketHarness, type TicketHarness } from '../helpers/temporal.js';
import { eventually, listenOnLoopback } from '../helpers/api.js';

const SECRET = 'github-webhook-secret-0123456789';
const REPO = 'caro-sh/caro';

describe('the GitHub issues webhook on a real Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let outbox: ReturnType<typeof outboxActivities>;
  let app: FastifyInstance;
  let base: string;

  before(async () => {
    env = await devServerEnv();
    outbox = outboxActivities();
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outbox.activities });
    app = buildApi({ tickets: harness.tickets, tokens: new Map(), adapters: { github: { secret: SECRET, users: { 'Grace-GH': 'grace' } } } });
    base = await listenOnLoopback(app);
  });
  after(async () => {
    await app?.close();
    await harness?.shutdown();
    await env?.teardown();
  });

  /** Sends an event the way GitHub does: the body signed with the webhook secret, a delivery id, the event name. */
  async function deliver(event: string, payload: unknown, opts: { delivery?: string; signature?: string | null; body?: string; contentType?: string } = {}) {
    const body = opts.body ?? JSON.stringify(payload);
    const signature = opts.signature === undefined ? `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` : opts.signature;
    const res = await fetch(`${base}/v1/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': opts.contentType ?? 'application/json',
        'user-agent': 'GitHub-Hookshot/test',
        'x-github-event': event,
        'x-github-delivery': opts.delivery ?? randomUUID(),
        ...(signature !== null ? { 'x-hub-signature-256': signature } : {}),
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  }

  const user = (login: string, type = 'User') => ({ login, id: 1000 + login.length, type });
  const issue = (number: number, extra: object = {}) => ({
    number,
    title: `Caro suggests rm -rf for cleanup (#${number})`,
    body: 'Asked caro to clean the build folder; it proposed rm -rf / without a warning.',
    html_url: `https://github.com/${REPO}/issues/${number}`,
    state: 'open',
    state_reason: null,
    user: user('ada'),
    labels: [{ name: 'bug' }, { name: 'safety' }],
    ...extra,
  });
  const repository = { full_name: REPO, html_url: `https://github.com/${REPO}` };
  const issues = (action: string, number: number, sender = user('ada'), extra: object = {}) => ({ action, issue: issue(number, extra), repository, sender });
  const comment = (number: number, id: number, login: string, body: string, type = 'User') => ({
    action: 'created',
    issue: issue(number),
    comment: { id, body, html_url: `https://github.com/${REPO}/issues/${number}#issuecomment-${id}`, user: user(login, type) },
    repository,
    sender: user(login, type),
  });
  const ticketOf = (number: number) => derivedTicketId('github', `${REPO}#${number}`);
  const tickets = async () => (await harness.tickets.list({}, 500)).length;


  /** The timeline once the workflow has taken in every signal sent so far. */
  async function timeline(ticketId: string) {
    await settled(env.client.workflow.getHandle(ticketWorkflowId(ticketId)));
    return (await harness.tickets.get(ticketId)).timeline;
  }

  test('ping is answered; without a secret configured there is no route', async () => {
    const ping = await deliver('ping', { zen: 'Design for failure.', hook_id: 1 });
    assert.deepEqual([ping.status, ping.body], [200, { ok: true }]);
    const off = buildApi({ tickets: harness.tickets, tokens: new Map() });
    assert.equal((await off.inject({ method: 'POST', url: '/v1/webhooks/github', payload: {} })).statusCode, 404);
    await off.close();
  });

  test('an opened issue opens one ticket on the github channel, however often GitHub delivers it', async () => {
    const before = await tickets();
    const delivery = randomUUID();
    const first = await deliver('issues', issues('opened', 1), { delivery });
    assert.equal(first.status, 201);
    assert.deepEqual(first.body, { ticket: ticketOf(1), created: true });
    const redelivered = await deliver('issues', issues('opened', 1), { delivery });
    assert.deepEqual([redelivered.status, redelivered.body], [200, { ticket: ticketOf(1), created: false }]);
    const resent = await deliver('issues', issues('opened', 1, user('ada'), { title: 'edited title' }));
    assert.deepEqual([resent.status, resent.body.ticket], [200, ticketOf(1)], 'another delivery of the same issue finds the same ticket');

    const ticket = await harness.tickets.get(ticketOf(1));
    assert.equal(ticket.channel, 'github');
    assert.equal(ticket.subject, 'Caro suggests rm -rf for cleanup (#1)');
    assert.deepEqual(ticket.requester, { handle: 'ada' });
    assert.deepEqual(ticket.tags, ['bug', 'safety']);
    const opened = ticket.timeline.filter((e) => e.type === 'opened');
    assert.equal(opened.length, 1);
    assert.equal(opened[0]!.actor, 'ada');
    assert.equal(opened[0]!.data?.externalId, `${REPO}#1`);
    const { intake } = await harness.tickets.state(ticketOf(1));
    assert.match(intake.description, /rm -rf \/ without a warning/);
    assert.deepEqual(intake.attachments, [{ name: `GitHub issue ${REPO}#1`, type: 'text/html', size: 0, url: `https://github.com/${REPO}/issues/1` }]);

    // Form-encoded deliveries (a webhook's other content type) carry the same JSON in `payload`.
    const form = `payload=${encodeURIComponent(JSON.stringify(issues('opened', 2)))}`;
    const fromForm = await deliver('issues', undefined, { body: form, contentType: 'application/x-www-form-urlencoded' });
    assert.deepEqual([fromForm.status, fromForm.body.ticket], [201, ticketOf(2)]);
    assert.equal(await eventually('two new tickets in visibility', async () => ((await tickets()) >= before + 2 ? tickets() : undefined)), before + 2);
  });

  test('a bad or missing signature, a malformed body or missing headers are refused and start nothing', async () => {
    const before = await tickets();
    const body = JSON.stringify(issues('opened', 10));
    const missing = await deliver('issues', undefined, { body, signature: null });
    assert.equal(missing.status, 401);
    const wrongSecret = await deliver('issues', undefined, { body, signature: `sha256=${createHmac('sha256', 'not-the-secret-0123456789').update(body).digest('hex')}` });
    assert.equal(wrongSecret.status, 401);
    const tampered = await deliver('issues', undefined, { body: body.replace('#10', '#11').replace('"number":10', '"number":11'), signature: `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` });
    assert.equal(tampered.status, 401);
    assert.equal((await deliver('issues', undefined, { body, signature: 'sha1=0123' })).status, 401);

    const noNumber = issues('opened', 12) as { issue: Partial<ReturnType<typeof issue>> };
    delete noNumber.issue.number;
    const malformed = await deliver('issues', noNumber);
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error, 'invalid_request');
    assert.deepEqual((malformed.body.errors as { path: string }[]).map((e) => e.path), ['issue.number']);
    const noTitle = await deliver('issues', issues('opened', 13, user('ada'), { title: '' }));
    assert.deepEqual([noTitle.status, (noTitle.body.errors as { path: string }[])[0]!.path], [400, 'issue.title']);
    assert.equal((await deliver('issues', undefined, { body: '{"action":"opened",' })).status, 400, 'not JSON');

    const noDelivery = await fetch(`${base}/v1/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
      body,
    });
    assert.equal(noDelivery.status, 400);
    assert.deepEqual(((await noDelivery.json()) as { errors: unknown }).errors, [{ path: 'x-github-delivery', message: 'the X-GitHub-Delivery header is required' }]);

    for (const n of [10, 11, 12, 13]) {
      await assert.rejects(env.client.workflow.getHandle(ticketWorkflowId(ticketOf(n))).describe(), WorkflowNotFoundError);
    }
    // A valid delivery after them is the only new ticket visibility ever shows.
    assert.equal((await deliver('issues', issues('opened', 14))).status, 201);
    assert.equal(await eventually('the one valid ticket in visibility', async () => ((await tickets()) > before ? tickets() : undefined)), before + 1);
  });

  test("a comment is the requester's message on the timeline, once, however often it is delivered", async () => {
    await deliver('issues', issues('opened', 20));
    const delivery = randomUUID();
    const first = await deliver('issue_comment', comment(20, 5001, 'ada', 'Still happens on 1.4.2, log attached.'), { delivery });
    assert.deepEqual([first.status, first.body], [202, { ticket: ticketOf(20), recorded: 'customer-message' }]);
    assert.equal((await deliver('issue_comment', comment(20, 5001, 'ada', 'Still happens on 1.4.2, log attached.'), { delivery })).status, 202);
    assert.equal((await deliver('issue_comment', comment(20, 5001, 'ada', 'Still happens on 1.4.2, log attached.'))).status, 202, 'a new delivery of the same comment');
    const messages = (await timeline(ticketOf(20))).filter((e) => e.type === 'customer-message');
    assert.equal(messages.length, 1);
    assert.equal(messages[0]!.actor, 'ada');
    assert.deepEqual(messages[0]!.data, { body: 'Still happens on 1.4.2, log attached.' });

    // Another person's comment is a message too; a bot's never reaches the ticket (no loops).
    assert.equal((await deliver('issue_comment', comment(20, 5002, 'linus', 'Same here on Fedora.'))).status, 202);
    const bot = await deliver('issue_comment', comment(20, 5003, 'caro-bot[bot]', 'Thanks for the report!', 'Bot'));
    assert.deepEqual([bot.status, bot.body], [202, { ignored: 'caro-bot[bot] is a bot' }]);
    const after = (await timeline(ticketOf(20))).filter((e) => e.type === 'customer-message');
    assert.deepEqual(after.map((e) => [e.actor, e.data?.body]), [['ada', 'Still happens on 1.4.2, log attached.'], ['linus', 'Same here on Fedora.']]);
  });

  test("an engineer's comment is a note by the engineer, and nothing is sent back to the requester", async () => {
    await deliver('issues', issues('opened', 30));
    const delivery = randomUUID();
    const res = await deliver('issue_comment', comment(30, 6001, 'grace-gh', 'Reproduced; the fix is in review.'), { delivery });
    assert.deepEqual([res.status, res.body], [200, { ticket: ticketOf(30), recorded: 'note', actor: 'grace' }]);
    assert.equal((await deliver('issue_comment', comment(30, 6001, 'grace-gh', 'Reproduced; the fix is in review.'), { delivery })).status, 200);
    const entries = await timeline(ticketOf(30));
    const notes = entries.filter((e) => e.type === 'note');
    assert.deepEqual(notes.map((e) => [e.actor, e.data?.body]), [['grace', 'On GitHub: Reproduced; the fix is in review.']]);
    assert.equal(entries.filter((e) => e.type === 'customer-message' || e.type === 'responded').length, 0);
    const toRequester = outbox.sent().filter((s) => s.ticketId === ticketOf(30) && s.channel.startsWith('customer'));
    assert.deepEqual(toRequester.map((s) => s.template), ['auto-reply'], 'only the automatic acknowledgement went to the requester');
  });

  test('closing the issue resolves the ticket as the engineer who closed it; reopening reopens', async () => {
    await deliver('issues', issues('opened', 40));
    const close = randomUUID();
    const closed = await deliver('issues', issues('closed', 40, user('Grace-GH'), { state: 'closed', state_reason: 'completed' }), { delivery: close });
    assert.deepEqual([closed.status, closed.body], [200, { ticket: ticketOf(40), status: 'resolved' }]);
    let ticket = await harness.tickets.get(ticketOf(40));
    assert.equal(ticket.status, 'resolved');
    assert.equal(ticket.resolution, 'Closed on GitHub by Grace-GH (completed)');
    assert.deepEqual(ticket.timeline.filter((e) => e.type === 'resolved').map((e) => e.actor), ['grace']);

    const reopened = await deliver('issues', issues('reopened', 40, user('ada')));
    assert.deepEqual([reopened.status, reopened.body], [200, { ticket: ticketOf(40), status: 'in_progress' }]);
    // The first close, redelivered late, changes nothing: its delivery id was seen.
    assert.deepEqual((await deliver('issues', issues('closed', 40, user('Grace-GH'), { state_reason: 'completed' }), { delivery: close })).body, { ticket: ticketOf(40), status: 'in_progress' });
    const again = await deliver('issues', issues('closed', 40, user('ada'), { state: 'closed', state_reason: 'not_planned' }));
    assert.equal(again.status, 200);
    ticket = await harness.tickets.get(ticketOf(40));
    assert.equal(ticket.status, 'resolved');
    assert.equal(ticket.resolution, 'Closed on GitHub by ada (not planned)');
    assert.deepEqual(
      ticket.timeline.filter((e) => ['resolved', 'reopened'].includes(e.type)).map((e) => [e.type, e.actor]),
      [['resolved', 'grace'], ['reopened', 'github:ada'], ['resolved', 'github:ada']],
    );
  });

  test('an issue tierline never saw, an unhandled event and a refusal are answered 2xx and say why', async () => {
    const unseen = await deliver('issue_comment', comment(90, 9001, 'ada', 'Any news?'));
    assert.deepEqual([unseen.status, unseen.body], [202, { ignored: `no ticket for ${REPO}#90: tierline did not see the issue opened` }]);
    const unseenClose = await deliver('issues', issues('closed', 91, user('Grace-GH'), { state_reason: 'completed' }));
    assert.deepEqual([unseenClose.status, unseenClose.body], [202, { ignored: `no ticket for ${REPO}#91: tierline did not see the issue opened` }]);
    for (const n of [90, 91]) await assert.rejects(env.client.workflow.getHandle(ticketWorkflowId(ticketOf(n))).describe(), WorkflowNotFoundError);

    const push = await deliver('push', { ref: 'refs/heads/main' });
    assert.deepEqual([push.status, push.body], [202, { ignored: "the 'push' event is not handled; subscribe to issues and issue comments" }]);
    const labeled = await deliver('issues', issues('labeled', 1));
    assert.deepEqual([labeled.status, labeled.body], [202, { ignored: "issues 'labeled' is not handled; only opened, closed, reopened are" }]);
    const edited = await deliver('issue_comment', { ...comment(1, 5009, 'ada', 'typo'), action: 'edited' });
    assert.equal(edited.status, 202);

    await deliver('issues', issues('opened', 92));
    const refused = await deliver('issues', issues('reopened', 92, user('ada')));
    assert.equal(refused.status, 202);
    assert.deepEqual(refused.body, { ticket: ticketOf(92), refused: 'only a resolved ticket can be reopened; this one is awaiting_first_response' });
  });
});
