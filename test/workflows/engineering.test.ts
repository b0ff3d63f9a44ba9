/**
 * FM-08's loop end to end on a real Temporal dev server: the worker's activities built from
 * configuration (as `npm start` builds them) open and comment on issues of a local GitHub REST
 * server through @octokit/rest and post to a local Slack; the HTTP API takes the engineer's actions
 * and GitHub's signed webhook.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../adapters/http/server.js';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import type { TicketView } from '../../domain/ticket/view.js';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { eventually, listenOnLoopback } from '../helpers/api.js';
import { devServerEnv, settled, ticketHarness, type TicketHarness } from '../helpers/temporal.js';
import { start as startGitHub, type GitHubIssue, type GitHubServer } from '../servers/github.js';
import { start as startSlack, type SlackServer } from '../servers/slack.js';

const CHANNEL = 'C0SUPPORT';
const REPO = 'fm08/platform';
const PUBLIC_URL = 'https://support.fm08.example';
const WEBHOOK_SECRET = 'github-webhook-secret-0123456789';
const API_TOKEN = 'api-token-of-grace-0123456789';
const REQUESTER = 'ada@customer.example';

describe('engineering issues from tickets, on a real Temporal dev server with local GitHub and Slack', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let github: GitHubServer;
  let slack: SlackServer;
  let app: FastifyInstance;
  let base: string;

  before(async () => {
    github = await startGitHub({ repos: [REPO] });
    slack = await startSlack({ channels: [CHANNEL] });
    const config = loadConfig({
      TIERLINE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tierline-engineering-')),
      PUBLIC_URL,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      SLACK_CHANNELS: `support=${CHANNEL}`,
      GITHUB_TOKEN: github.token,
      GITHUB_API_URL: github.url,
      GITHUB_ENGINEERING_REPO: REPO,
    });
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: createActivities(config, () => {}) });
    app = buildApi({ tickets: harness.tickets, tokens: new Map([[API_TOKEN, 'grace']]), adapters: { github: { secret: WEBHOOK_SECRET, users: { 'Linus-GH': 'linus' } } } });
    base = await listenOnLoopback(app);
  });
  after(async () => {
    await app?.close();
    await harness?.shutdown();
    await env?.teardown();
    await github?.close();
    await slack?.close();
  });

  /** An engineer's action through the API, as the CLI sends it. */
  async function act(ticketId: string, route: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}/v1/tickets/${ticketId}/${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** An event as GitHub sends it: signed with the webhook secret, with a delivery id. */
  async function deliver(event: string, payload: unknown, delivery = randomUUID()) {
    const body = JSON.stringify(payload);
    const res = await fetch(`${base}/v1/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': delivery,
        'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const issuePayload = (issue: GitHubIssue) => ({
    number: issue.number,
    title: issue.title,
    body: issue.body,
    html_url: issue.html_url,
    state: issue.state,
    state_reason: issue.state_reason,
    user: issue.user,
    labels: issue.labels,
  });
  const issuesEvent = (action: string, issue: GitHubIssue, login = 'Linus-GH') => ({ action, issue: issuePayload(issue), repository: { full_name: REPO }, sender: { login, type: 'User' } });

  async function openTicket(subject: string): Promise<string> {
    const { ticket } = await harness.tickets.open({ subject, description: `Rows over 1 MB vanish after sync. Logs: ask ${REQUESTER}.`, requester: { email: REQUESTER, name: 'Ada' }, channel: 'email', priority: 'P1' });
    assert.equal((await act(ticket.id, 'acknowledge', {})).status, 200);
    return ticket.id;
  }

  const view = (id: string) => harness.tickets.get(id);
  const threadOf = (ticketId: string) => {
    const root = slack.messages(CHANNEL).find((m) => m.metadata?.event_payload['ticket_id'] === ticketId && m.thread_ts === undefined);
    return root ? slack.messages(CHANNEL).filter((m) => m.thread_ts === root.ts).map((m) => m.text ?? '') : [];
  };

  test('an engineering issue opened from a ticket is created once on GitHub, though GitHub failed after storing it, and the ticket shows its URL', async () => {
    await harness.run(async () => {
      const id = await openTicket('Sync drops rows larger than 1 MB');
      github.faults.inject({ kind: 'store-then-500' }, { method: 'issues.create' });
      const asked = await act(id, 'engineering-issue', { details: 'Insert a 2 MB row and run `fm sync`: the row is gone.' });
      assert.equal(asked.status, 200);
      assert.deepEqual((asked.body as unknown as TicketView).engineeringIssueRequest?.by, 'grace');

      const linked = await eventually('the issue linked on the ticket', async () => (await view(id)).engineeringIssue);
      const issues = github.issues(REPO).filter((i) => i.labels.some((l) => l.name === `tierline:${id}`));
      assert.equal(issues.length, 1, 'one issue on GitHub');
      const [issue] = issues as [GitHubIssue];
      assert.deepEqual(linked, { url: issue.html_url, repo: REPO, number: issue.number, state: 'open', created: true, linkedBy: 'grace', linkedAt: linked.linkedAt });
      assert.equal(issue.title, 'Sync drops rows larger than 1 MB');
      assert.ok(issue.body!.includes(`${PUBLIC_URL}/v1/tickets/${id}`), 'the issue links the ticket');
      assert.match(issue.body!, new RegExp(`<!-- tierline:${id}/\\d+/engineering-issue -->\\s*$`), 'and carries the hidden marker');
      assert.ok(issue.body!.includes('Insert a 2 MB row'));
      assert.ok(!issue.body!.includes(REQUESTER), "never the requester's email");
      const calls = github.received.filter((c) => c.route === 'issues.create' || c.route === 'issues.listForRepo').map((c) => [c.route, c.outcome]);
      assert.deepEqual(calls, [['issues.create', 'http-500'], ['issues.listForRepo', 'ok']], 'the retry found the stored issue instead of creating another');

      await settled(env.client.workflow.getHandle(ticketWorkflowId(id)));
      const timeline = (await view(id)).timeline;
      assert.deepEqual(timeline.filter((e) => e.type.startsWith('engineering-issue')).map((e) => e.type), ['engineering-issue-requested', 'engineering-issue-opened']);
      assert.ok(timeline.some((e) => e.type === 'notification-sent' && e.summary === 'github notification sent after 2 attempts'), 'the retry is on the timeline');
      assert.ok(threadOf(id).includes(`Engineering issue opened: ${issue.html_url}`), "the ticket's thread hears of it");

      // tierline's own issue, announced by the webhook, opens no ticket.
      const own = await deliver('issues', issuesEvent('opened', issue, 'tierline-bot'));
      assert.equal(own.status, 202);
      assert.match(String(own.body.ignored), new RegExp(`is an engineering issue tierline opened for ${id}, not a request`));

      // Refused while it is open, with the ticket's reason.
      const again = await act(id, 'engineering-link', { url: 'https://github.com/fm08/platform/issues/999' });
      assert.deepEqual([again.status, again.body.reason], [409, `the ticket is already linked to the open engineering issue ${issue.html_url}; it must be closed before another is opened or linked`]);
    });
  });

  test("the issue closed on GitHub reaches the ticket through the signed webhook once; the assignee is told in the ticket's Slack thread", async () => {
    await harness.run(async () => {
      const id = await openTicket('CLI crashes on Windows paths');
      await act(id, 'engineering-issue', { title: 'fm CLI: crash on backslash paths' });
      const { number } = await eventually('the issue linked on the ticket', async () => (await view(id)).engineeringIssue);
      const closed = github.closeIssue(REPO, number!, 'completed');

      const delivery = randomUUID();
      const first = await deliver('issues', issuesEvent('closed', closed), delivery);
      assert.deepEqual([first.status, first.body], [200, { engineeringIssue: `${REPO}#${number}`, tickets: [{ ticket: id, signalled: true }] }]);
      assert.equal((await deliver('issues', issuesEvent('closed', closed), delivery)).status, 200, 'GitHub redelivers');

      const told = `grace: the engineering issue ${closed.html_url} was closed by linus (completed): the fix landed. The ticket can be resolved with the fix's reference, e.g. "Fixed by ${REPO}#${number}".`;
      await eventually('the assignee told in the thread', () => threadOf(id).includes(told));
      await settled(env.client.workflow.getHandle(ticketWorkflowId(id)));
      const ticket = await view(id);
      const entries = ticket.timeline.filter((e) => e.type === 'engineering-issue-closed');
      assert.deepEqual(entries.map((e) => [e.actor, e.summary, e.data?.delivery]), [['linus', `engineering issue ${REPO}#${number} closed by linus (completed): the fix landed`, delivery]], 'recorded once');
      assert.deepEqual([ticket.engineeringIssue?.state, ticket.engineeringIssue?.closedBy, ticket.engineeringIssue?.reason], ['closed', 'linus', 'completed']);
      assert.equal(threadOf(id).filter((t) => t === told).length, 1, 'told once');
      assert.equal(ticket.resolvedAt, undefined, 'resolving stays the engineer\'s call');

      const resolved = await act(id, 'resolve', { resolution: `Fixed by ${REPO}#${number}` });
      assert.deepEqual([resolved.status, resolved.body.status, resolved.body.resolution], [200, 'resolved', `Fixed by ${REPO}#${number}`]);
    });
  });

  test('an existing issue linked to a ticket gets one comment naming the ticket, and its close reaches the ticket too', async () => {
    await harness.run(async () => {
      const id = await openTicket('Webhooks arrive twice');
      const existing = github.seedIssue(REPO, { title: 'Webhook deliveries duplicated', body: 'Seen by two customers.', login: 'linus' });
      const refused = await act(id, 'engineering-link', { url: `http://github.com/${REPO}/issues/${existing.number}` });
      assert.deepEqual([refused.status, refused.body.reason], [409, `'http://github.com/${REPO}/issues/${existing.number}' is not a GitHub issue URL; expected https://github.com/OWNER/REPO/issues/NUMBER`]);

      github.faults.inject({ kind: 'store-then-500' }, { method: 'issues.createComment' });
      const linked = await act(id, 'engineering-link', { url: existing.html_url });
      assert.equal(linked.status, 200);
      assert.deepEqual((linked.body as unknown as TicketView).engineeringIssue, {
        url: existing.html_url, repo: REPO, number: existing.number, state: 'open', created: false, linkedBy: 'grace', linkedAt: (linked.body as unknown as TicketView).engineeringIssue!.linkedAt,
      });

      await eventually('the comment on the issue', async () => (await view(id)).timeline.some((e) => e.type === 'notification-sent' && e.summary.startsWith('github notification sent')));
      const issue = github.issues(REPO).find((i) => i.number === existing.number)!;
      assert.equal(issue.comments.length, 1, 'one comment, though GitHub failed after storing the first');
      const comment = issue.comments[0]!;
      assert.match(comment.body, new RegExp(`^Linked to support ticket \\*\\*${id}\\*\\*: Webhooks arrive twice \\(P1 High, opened \\d{4}-\\d{2}-\\d{2}\\)\\.`));
      assert.ok(comment.body.includes(`${PUBLIC_URL}/v1/tickets/${id}`), 'the comment links the ticket');
      assert.match(comment.body, new RegExp(`<!-- tierline:${id}/\\d+/engineering-link -->\\s*$`));
      assert.ok(issue.labels.some((l) => l.name === `tierline:${id}`), 'the issue carries the ticket label, so its close finds the ticket');

      // tierline's own comment, coming back through the webhook, is no customer's message.
      const echo = await deliver('issue_comment', { action: 'created', issue: issuePayload(issue), comment: { id: 1, body: comment.body, user: { login: 'tierline-bot', type: 'User' } }, repository: { full_name: REPO }, sender: { login: 'tierline-bot', type: 'User' } });
      assert.equal(echo.status, 202);
      assert.match(String(echo.body.ignored), /tierline's own/);

      const closed = github.closeIssue(REPO, existing.number, 'completed');
      const answer = await deliver('issues', issuesEvent('closed', closed));
      assert.deepEqual([answer.status, answer.body], [200, { engineeringIssue: `${REPO}#${existing.number}`, tickets: [{ ticket: id, signalled: true }] }]);
      await eventually('the close on the ticket', async () => (await view(id)).engineeringIssue?.state === 'closed');
    });
  });
});
