/**
 * Engineering issues through @octokit/rest against the local GitHub server: opened once however
 * the first attempt failed, a comment once, permanent and retryable failures told apart, and the
 * token never in a failure or a log line.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { createGitHubActivities, type GitHubDeps } from '../../activities/github.js';
import type { Outbox } from '../../activities/outbox.js';
import { activityEnv } from '../helpers/activity-env.js';
import { start, type GitHubServer } from '../servers/github.js';

const { attempt, failureOf, failures, logs } = activityEnv();
const REPO = 'fm08/platform';
const PUBLIC_URL = 'https://support.fm08.example';

let github: GitHubServer;

function memoryOutbox() {
  const lines: { key: string; channel: string; payload: Record<string, unknown> }[] = [];
  const outbox: Outbox = {
    async write(key, channel, payload) {
      if (lines.some((l) => l.key === key)) return false;
      lines.push({ key, channel, payload });
      return true;
    },
  };
  return { outbox, lines };
}

const activities = (overrides: Partial<GitHubDeps> = {}) =>
  createGitHubActivities({ github: { token: github.token, apiUrl: github.url }, defaultRepo: REPO, outbox: memoryOutbox().outbox, publicUrl: PUBLIC_URL, ...overrides });

/** Retries like Temporal: every retryable failure leads to the next attempt; a permanent one ends it. */
async function untilDone<I, R>(fn: (input: I) => Promise<R>, input: I, maxAttempts = 6): Promise<{ result: R; attempts: number }> {
  for (let n = 1; ; n++) {
    try {
      return { result: await attempt(n, fn, input), attempts: n };
    } catch (err) {
      if (!(err instanceof ApplicationFailure) || err.nonRetryable || n >= maxAttempts) throw err;
    }
  }
}

const issueInput = (n: number) => ({ key: `T-01KENGINEERING0${n}/7/engineering-issue`, ticketId: `T-01KENGINEERING0${n}`, title: `Sync drops rows over 1 MB (${n})`, body: 'Support ticket reported a product problem.' });
const marker = (key: string) => `<!-- tierline:${key} -->`;

describe('engineering issues through @octokit/rest against the local GitHub server', () => {
  before(async () => {
    github = await start({ repos: [REPO, 'fm08/sdk'] });
  });
  after(async () => {
    await github.close();
    const seen = [...logs, ...failures.map((f) => `${f.message} ${inspect(f)}`)];
    assert.ok(!seen.some((line) => line.includes(github.token)), 'the token appeared in a failure or an activity log');
  });
  beforeEach(() => github.faults.clear());

  it('opens the issue with the ticket link, the hidden marker and the ticket label', async () => {
    const input = issueInput(1);
    const delivery = await attempt(1, activities().openEngineeringIssue, input);
    const [issue] = github.issues(REPO).filter((i) => i.title === input.title);
    assert.ok(issue);
    assert.deepEqual(delivery, { channel: 'github', attempts: 1, issue: { url: issue.html_url, repo: REPO, number: issue.number } });
    assert.match(issue.html_url, /^https:\/\/github\.com\/fm08\/platform\/issues\/\d+$/);
    assert.ok(issue.body!.startsWith('Support ticket reported a product problem.'));
    assert.ok(issue.body!.includes(`${PUBLIC_URL}/v1/tickets/${input.ticketId}`), 'the body links the ticket');
    assert.ok(issue.body!.trimEnd().endsWith(marker(input.key)), 'the body ends with the hidden marker');
    assert.deepEqual(issue.labels, [{ name: `tierline:${input.ticketId}` }]);
    assert.ok(github.received.every((c) => c.authorized), 'every call carried the token');
  });

  it('creates the issue once when the first attempt was stored by GitHub and then answered 500', async () => {
    const input = issueInput(2);
    github.faults.inject({ kind: 'store-then-500' }, { method: 'issues.create' });
    const { result, attempts } = await untilDone(activities().openEngineeringIssue, input);
    assert.equal(attempts, 2);
    const created = github.issues(REPO).filter((i) => i.title === input.title);
    assert.equal(created.length, 1, 'one issue, though the first attempt failed after GitHub stored it');
    assert.deepEqual(result.issue, { url: created[0]!.html_url, repo: REPO, number: created[0]!.number });
    const calls = github.received.filter((c) => c.route === 'issues.create' || c.route === 'issues.listForRepo').slice(-2).map((c) => [c.route, c.outcome]);
    assert.deepEqual(calls, [['issues.create', 'http-500'], ['issues.listForRepo', 'ok']], 'the retry found the issue by its label and marker instead of creating another');
  });

  it('creates the issue once when the connection dropped after GitHub stored it, finding it on a later page of the label', async () => {
    const input = issueInput(3);
    const { openEngineeringIssue } = activities();
    github.faults.inject({ kind: 'store-then-drop' }, { method: 'issues.create' });
    const dropped = await failureOf(attempt(1, openEngineeringIssue, input));
    assert.deepEqual([dropped.type, dropped.nonRetryable], ['GitHubRetryableError', false]);
    // Newer issues with the ticket's label push the stored one past the first page of 100.
    for (let i = 0; i < 120; i++) await attempt(1, openEngineeringIssue, { ...input, key: `${input.ticketId}/${i + 10}/newer`, title: `newer ${i}` });
    const lists = github.received.filter((c) => c.route === 'issues.listForRepo').length;
    const retried = await attempt(2, openEngineeringIssue, input);
    const created = github.issues(REPO).filter((i) => i.title === input.title);
    assert.equal(created.length, 1);
    assert.equal(retried.issue?.number, created[0]!.number);
    assert.equal(github.received.filter((c) => c.route === 'issues.listForRepo').length - lists, 2, 'the retry read two pages');
  });

  it('a retry after a 500 that stored nothing creates the issue then', async () => {
    const input = issueInput(4);
    github.faults.inject({ kind: 'http-500' }, { method: 'issues.create' });
    const first = await failureOf(attempt(1, activities().openEngineeringIssue, input));
    assert.deepEqual([first.type, first.nonRetryable], ['GitHubRetryableError', false]);
    assert.match(first.message, /GitHub answered 500 opening an issue in fm08\/platform/);
    const second = await attempt(2, activities().openEngineeringIssue, input);
    assert.equal(github.issues(REPO).filter((i) => i.title === input.title).length, 1);
    assert.equal(second.attempts, 2);
  });

  it('a named repository wins over the configured one', async () => {
    const delivery = await attempt(1, activities().openEngineeringIssue, { ...issueInput(5), repo: 'fm08/sdk' });
    assert.equal(delivery.issue?.repo, 'fm08/sdk');
    assert.equal(github.issues('fm08/sdk').length, 1);
  });

  it('comments on an existing issue once, labelling it for the ticket, though the first comment was stored then failed', async () => {
    const existing = github.seedIssue(REPO, { title: 'Sync drops large rows', body: 'Seen in prod.' });
    const input = { key: 'T-01KENGINEERING06/9/engineering-link', ticketId: 'T-01KENGINEERING06', url: existing.html_url, body: 'Linked to support ticket **T-01KENGINEERING06**.' };
    github.faults.inject({ kind: 'store-then-500' }, { method: 'issues.createComment' });
    const { result, attempts } = await untilDone(activities().commentOnIssue, input);
    assert.deepEqual([result.channel, attempts], ['github', 2]);
    const issue = github.issues(REPO).find((i) => i.number === existing.number)!;
    assert.equal(issue.comments.length, 1, 'one comment');
    assert.ok(issue.comments[0]!.body.includes(`${PUBLIC_URL}/v1/tickets/T-01KENGINEERING06`));
    assert.ok(issue.comments[0]!.body.includes(marker(input.key)));
    assert.deepEqual(issue.labels, [{ name: 'tierline:T-01KENGINEERING06' }], 'labelled once, on both attempts');
  });

  it('permanent failures (401, 403, 404, 422) fail at once with the status and GitHub\'s message; 5xx and 429 are retried', async () => {
    const input = issueInput(7);
    const wrongToken = 'ghp_wrongwrongwrongwrongwrongwrongwrong0';
    const badToken = await failureOf(attempt(1, createGitHubActivities({ github: { token: wrongToken, apiUrl: github.url }, defaultRepo: REPO, outbox: memoryOutbox().outbox, publicUrl: PUBLIC_URL }).openEngineeringIssue, input));
    assert.deepEqual([badToken.type, badToken.nonRetryable], ['GitHubPermanentError', true]);
    assert.match(badToken.message, /GitHub answered 401 opening an issue in fm08\/platform: Bad credentials; check GITHUB_TOKEN/);
    assert.ok(!badToken.message.includes(wrongToken) && !inspect(badToken).includes(wrongToken), 'the wrong token is not in the failure either');

    const unknownRepo = await failureOf(attempt(1, activities().openEngineeringIssue, { ...input, repo: 'fm08/nope' }));
    assert.deepEqual([unknownRepo.type, unknownRepo.nonRetryable], ['GitHubPermanentError', true]);
    assert.match(unknownRepo.message, /answered 404 opening an issue in fm08\/nope: Not Found; no such repository or issue/);

    github.faults.inject({ kind: 'status', status: 403, message: 'Resource not accessible by personal access token' });
    const forbidden = await failureOf(attempt(1, activities().openEngineeringIssue, input));
    assert.deepEqual([forbidden.nonRetryable, forbidden.message], [true, 'GitHub answered 403 opening an issue in fm08/platform: Resource not accessible by personal access token; the token lacks access to the repository']);

    const invalid = await failureOf(attempt(1, activities().openEngineeringIssue, { ...input, title: '' }));
    assert.deepEqual([invalid.type, invalid.nonRetryable], ['GitHubPermanentError', true]);
    assert.match(invalid.message, /answered 422 .*Validation Failed \(title missing_field\)/);

    github.faults.inject({ kind: 'rate-limit', retryAfterSeconds: 42 });
    const limited = await failureOf(attempt(1, activities().openEngineeringIssue, input));
    assert.deepEqual([limited.type, limited.nonRetryable, limited.nextRetryDelay], ['GitHubRateLimitedError', false, '42s']);

    github.faults.inject({ kind: 'rate-limit', status: 403, retryAfterSeconds: 60 });
    const secondary = await failureOf(attempt(1, activities().openEngineeringIssue, input));
    assert.deepEqual([secondary.type, secondary.nonRetryable, secondary.nextRetryDelay], ['GitHubRateLimitedError', false, '60s'], "a 403 with GitHub's rate-limit headers is a rate limit, not a refusal");

    github.faults.inject({ kind: 'status', status: 502, message: 'Server Error' });
    const outage = await failureOf(attempt(1, activities().openEngineeringIssue, input));
    assert.deepEqual([outage.type, outage.nonRetryable], ['GitHubRetryableError', false]);
    assert.equal(github.issues(REPO).filter((i) => i.title === input.title).length, 0, 'nothing was created by the failed calls');
  });

  it('an unreachable GitHub is retryable and names no token', async () => {
    const closed = await start();
    await closed.close();
    const failure = await failureOf(attempt(1, createGitHubActivities({ github: { token: github.token, apiUrl: closed.url }, defaultRepo: REPO, outbox: memoryOutbox().outbox, publicUrl: PUBLIC_URL }).openEngineeringIssue, issueInput(8)));
    assert.deepEqual([failure.type, failure.nonRetryable], ['GitHubRetryableError', false]);
    assert.match(failure.message, /GitHub could not be reached opening an issue in fm08\/platform/);
  });

  it('without a repository named or configured, the issue cannot be opened (permanent, says how to fix it)', async () => {
    const failure = await failureOf(attempt(1, activities({ defaultRepo: undefined }).openEngineeringIssue, issueInput(9)));
    assert.deepEqual([failure.type, failure.nonRetryable], ['GitHubConfigError', true]);
    assert.match(failure.message, /GITHUB_ENGINEERING_REPO/);
  });

  it('without GITHUB_TOKEN the issue and the comment go to the outbox, and say so', async () => {
    const { outbox, lines } = memoryOutbox();
    const { openEngineeringIssue, commentOnIssue } = createGitHubActivities({ defaultRepo: REPO, outbox, publicUrl: PUBLIC_URL });
    const calls = github.received.length;
    const input = issueInput(10);
    assert.deepEqual(await attempt(1, openEngineeringIssue, input), { channel: 'outbox', attempts: 1 });
    assert.deepEqual(await attempt(1, commentOnIssue, { key: 'T-01KENGINEERING10/3/engineering-link', ticketId: input.ticketId, url: 'https://github.com/fm08/platform/issues/1', body: 'Linked.' }), { channel: 'outbox', attempts: 1 });
    assert.deepEqual(lines.map((l) => l.channel), ['github:fm08/platform', 'github:fm08/platform#1']);
    assert.ok(String(lines[0]!.payload['body']).includes(marker(input.key)));
    assert.equal(github.received.length, calls, 'nothing reached GitHub');
  });
});
