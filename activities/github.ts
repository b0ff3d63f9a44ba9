/**
 * Engineering issues on GitHub (FM-08's loop from a ticket to the fix), through @octokit/rest: an
 * issue opened with the ticket's reproduction details, or a comment on an existing issue naming
 * the ticket. Without GITHUB_TOKEN both go to the outbox, and say so.
 *
 * Idempotency guarantee. An issue tierline opens carries the label `tierline:<ticketId>` and, at
 * the end of its body, the hidden marker `<!-- tierline:<effect key> -->`; a comment carries the
 * marker. A retried attempt (attempt > 1) first lists the repository's issues with that label
 * (open and closed), or the issue's comments, and returns the one with the marker instead of
 * posting again: an issue GitHub created before the attempt failed (a 500 after storing, a dropped
 * answer, a worker crash) appears once. What remains: GitHub drops the labels of a new issue when
 * the token has no push (triage) access to the repository, and then a retry cannot find it; and a
 * new activity for the same key scheduled as attempt 1 (a workflow reset) posts again.
 *
 * Retries belong to Temporal: @octokit/rest carries neither the retry nor the throttling plugin,
 * so every call is made once. Errors are classified: unreachable, 5xx and rate limits (429, or a
 * 403 with GitHub's rate-limit headers) are retryable; 401, 403, 404 and 422 are permanent, with
 * the status and GitHub's own message. The token is never logged nor put in an error.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Octokit } from '@octokit/rest';
import { engineeringLabel, engineeringMarker, isRepoName, parseIssueUrl } from '../domain/ticket/engineering.js';
import { describe, parseRetryAfter, redact } from './errors.js';
import type { Outbox } from './outbox.js';

export interface GitHubSettings {
  /** A token with issues read and write (and triage, for labels) on the repositories (a secret). */
  token: string;
  /** The REST API's base URL: https://api.github.com, GitHub Enterprise's, or a local test server. */
  apiUrl?: string;
  /** Per-request timeout; the default keeps a hung call well inside the activity's timeout. */
  timeoutMs?: number;
}

export interface GitHubDeps {
  /** GitHub itself; without it the issues and comments go to the outbox. */
  github?: GitHubSettings;
  /** Where an issue goes when the ticket names no repository (GITHUB_ENGINEERING_REPO, owner/name). */
  defaultRepo?: string;
  outbox: Outbox;
  /** Tickets are linked as `<publicUrl>/v1/tickets/<id>`. */
  publicUrl: string;
}

/** Failure types of the GitHub activities, shown on the ticket's timeline when one fails for good. */
export const GitHubErrorType = {
  /** GitHub refused the call for good: bad token (401), no access (403), no such repository or issue (404), invalid (422). */
  Permanent: 'GitHubPermanentError',
  /** GitHub was unreachable, timed out or answered 5xx. */
  Retryable: 'GitHubRetryableError',
  /** GitHub rate-limited the call: try again after the delay it asked for. */
  RateLimited: 'GitHubRateLimitedError',
  /** The issue cannot be opened as asked: no repository named or configured, or a URL that is no issue. */
  Config: 'GitHubConfigError',
} as const;

/** What an engineering activity did: the channel it used and, for a new issue, the issue. */
export interface EngineeringDelivery {
  channel: 'github' | 'outbox';
  attempts: number;
  issue?: { url: string; repo: string; number: number };
}

const PAGE_SIZE = 100;

export function createGitHubActivities(deps: GitHubDeps) {
  const settings = deps.github;
  const octokit = settings
    ? new Octokit({
        auth: settings.token,
        userAgent: 'tierline',
        ...(settings.apiUrl ? { baseUrl: settings.apiUrl.replace(/\/+$/, '') } : {}),
        // A failed request becomes the activity's failure, which Temporal records; only deprecation warnings are printed.
        log: { debug: () => {}, info: () => {}, warn: (message: string) => console.warn(`GitHub: ${message}`), error: () => {} },
      })
    : undefined;
  const secrets = [settings?.token];
  const link = (ticketId: string) => `${deps.publicUrl.replace(/\/+$/, '')}/v1/tickets/${ticketId}`;
  const attempt = () => Context.current().info.attempt;

  /** Each request ends with the activity (cancelled, timed out) or after the per-request timeout. */
  const request = () => ({ signal: AbortSignal.any([Context.current().cancellationSignal, AbortSignal.timeout(settings?.timeoutMs ?? 15_000)]) });

  async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw classifyGitHubError(what, err, secrets, settings?.timeoutMs ?? 15_000);
    }
  }

  const signed = (body: string, ticketId: string, key: string) => `${body}\n\n---\nSupport ticket ${ticketId}: ${link(ticketId)}\n\n${engineeringMarker(key)}`;

  return {
    /**
     * Opens the ticket's engineering issue in `repo` (else the configured repository), labelled
     * `tierline:<ticketId>` and marked with the effect's key. On a retry it first looks for the
     * issue an earlier attempt may have created and returns that one.
     */
    async openEngineeringIssue(input: { key: string; ticketId: string; repo?: string; title: string; body: string }): Promise<EngineeringDelivery> {
      const repoName = input.repo ?? deps.defaultRepo;
      const body = signed(input.body, input.ticketId, input.key);
      const label = engineeringLabel(input.ticketId);
      if (!octokit) {
        await deps.outbox.write(input.key, `github:${repoName ?? 'unconfigured'}`, { ticketId: input.ticketId, title: input.title, body, labels: [label] });
        return { channel: 'outbox', attempts: attempt() };
      }
      if (!repoName) throw ApplicationFailure.nonRetryable('no repository for the engineering issue: name one (repo) or set GITHUB_ENGINEERING_REPO to owner/name', GitHubErrorType.Config);
      if (!isRepoName(repoName)) throw ApplicationFailure.nonRetryable(`'${repoName}' is not a repository; expected owner/name`, GitHubErrorType.Config);
      const [owner, repo] = repoName.split('/') as [string, string];
      const marker = engineeringMarker(input.key);

      if (attempt() > 1) {
        const iterator = octokit.paginate.iterator(octokit.rest.issues.listForRepo, { owner, repo, labels: label, state: 'all', per_page: PAGE_SIZE, request: request() });
        const found = await call(`listing the issues of ${repoName} labelled ${label}`, async () => {
          for await (const page of iterator) {
            const hit = page.data.find((i) => !i.pull_request && (i.body ?? '').includes(marker));
            if (hit) return hit;
          }
          return undefined;
        });
        if (found) {
          Context.current().log.info('GitHub issue already opened by an earlier attempt', { repo: repoName, number: found.number, key: input.key });
          return { channel: 'github', attempts: attempt(), issue: { url: found.html_url, repo: repoName, number: found.number } };
        }
      }
      const created = await call(`opening an issue in ${repoName}`, () => octokit.rest.issues.create({ owner, repo, title: input.title, body, labels: [label], request: request() }));
      return { channel: 'github', attempts: attempt(), issue: { url: created.data.html_url, repo: repoName, number: created.data.number } };
    },

    /**
     * Comments on an existing issue naming the ticket, after labelling it `tierline:<ticketId>` so
     * that its closing reaches the ticket (adding a label it has is a no-op on GitHub). On a retry
     * it first looks for the comment an earlier attempt may have posted.
     */
    async commentOnIssue(input: { key: string; ticketId: string; url: string; body: string }): Promise<EngineeringDelivery> {
      const ref = parseIssueUrl(input.url);
      if (!ref) throw ApplicationFailure.nonRetryable(`'${input.url}' is not a GitHub issue URL; expected https://github.com/OWNER/REPO/issues/NUMBER`, GitHubErrorType.Config);
      const body = signed(input.body, input.ticketId, input.key);
      const label = engineeringLabel(input.ticketId);
      if (!octokit) {
        await deps.outbox.write(input.key, `github:${ref.repo}#${ref.number}`, { ticketId: input.ticketId, url: ref.url, comment: body, labels: [label] });
        return { channel: 'outbox', attempts: attempt() };
      }
      const [owner, repo] = ref.repo.split('/') as [string, string];
      const issue = `${ref.repo}#${ref.number}`;
      await call(`labelling ${issue} ${label}`, () => octokit.rest.issues.addLabels({ owner, repo, issue_number: ref.number, labels: [label], request: request() }));
      if (attempt() > 1) {
        const marker = engineeringMarker(input.key);
        const iterator = octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number: ref.number, per_page: PAGE_SIZE, request: request() });
        const found = await call(`listing the comments of ${issue}`, async () => {
          for await (const page of iterator) {
            const hit = page.data.find((c) => (c.body ?? '').includes(marker));
            if (hit) return hit;
          }
          return undefined;
        });
        if (found) {
          Context.current().log.info('GitHub comment already posted by an earlier attempt', { issue, key: input.key });
          return { channel: 'github', attempts: attempt() };
        }
      }
      await call(`commenting on ${issue}`, () => octokit.rest.issues.createComment({ owner, repo, issue_number: ref.number, body, request: request() }));
      return { channel: 'github', attempts: attempt() };
    },
  };
}

export type GitHubActivities = ReturnType<typeof createGitHubActivities>;

/** What an Octokit request error carries: the status and, when GitHub answered, its response. */
interface OctokitError {
  name: string;
  status: number;
  message: string;
  response?: { headers: Record<string, string | undefined>; data?: unknown };
}

function isOctokitError(err: unknown): err is OctokitError {
  return err instanceof Error && err.name === 'HttpError' && typeof (err as Partial<OctokitError>).status === 'number';
}

/** GitHub's own message (`message`, and the field errors of a 422), without the documentation link. */
function gitHubMessage(err: OctokitError): string {
  const data = err.response?.data as { message?: unknown; errors?: unknown } | undefined;
  if (data && typeof data.message === 'string') {
    const fields = Array.isArray(data.errors)
      ? data.errors.map((e: { field?: unknown; code?: unknown; message?: unknown }) => (typeof e.message === 'string' ? e.message : [e.field, e.code].filter((x) => typeof x === 'string').join(' '))).filter(Boolean)
      : [];
    return `${data.message}${fields.length ? ` (${fields.join('; ')})` : ''}`;
  }
  return err.message;
}

/** Seconds until GitHub lets the token call again: Retry-After, else X-RateLimit-Reset. */
function rateLimitDelay(headers: Record<string, string | undefined>, nowMs: number): number | undefined {
  const retryAfter = parseRetryAfter(headers['retry-after'], nowMs);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(headers['x-ratelimit-reset']);
  return Number.isFinite(reset) && reset > 0 ? Math.max(1, Math.ceil(reset - nowMs / 1000)) : undefined;
}

/** Maps an Octokit error to a Temporal failure: rate limit, retryable or permanent. */
export function classifyGitHubError(what: string, err: unknown, secrets: readonly (string | undefined)[], timeoutMs = 15_000): ApplicationFailure {
  const say = (text: string) => redact(text, secrets);
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
    return ApplicationFailure.retryable(say(`GitHub did not answer ${what} within ${timeoutMs / 1000} s; retrying`), GitHubErrorType.Retryable);
  }
  if (!isOctokitError(err)) return ApplicationFailure.retryable(say(`GitHub failed ${what}: ${describe(err)}`), GitHubErrorType.Retryable);
  if (!err.response) return ApplicationFailure.retryable(say(`GitHub could not be reached ${what}: ${err.message}`), GitHubErrorType.Retryable);
  const { status } = err;
  const headers = err.response.headers;
  const message = gitHubMessage(err);
  const rateLimited = status === 429 || (status === 403 && (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0'));
  if (rateLimited) {
    const delay = rateLimitDelay(headers, Date.now());
    return ApplicationFailure.create({
      message: say(`GitHub rate-limited ${what} (${status}: ${message})${delay !== undefined ? `; retry after ${delay}s` : ''}`),
      type: GitHubErrorType.RateLimited,
      nonRetryable: false,
      ...(delay !== undefined ? { nextRetryDelay: `${delay}s` } : {}),
    });
  }
  if (status >= 500) return ApplicationFailure.retryable(say(`GitHub answered ${status} ${what}: ${message}; retrying`), GitHubErrorType.Retryable);
  const hint: Record<number, string> = {
    401: '; check GITHUB_TOKEN',
    403: '; the token lacks access to the repository',
    404: '; no such repository or issue, or the token cannot see it',
    422: '; GitHub did not accept the request as given',
  };
  return ApplicationFailure.nonRetryable(say(`GitHub answered ${status} ${what}: ${message}${hint[status] ?? ''}`), GitHubErrorType.Permanent);
}
