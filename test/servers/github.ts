import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faultQueue, type FaultQueue } from './faults.js';

/**
 * A local GitHub REST API speaking what @octokit/rest calls for engineering issues: create and
 * list a repository's issues (labels, state, pages with a Link header), add labels, create and
 * list an issue's comments. JSON in and out, a token in the Authorization header, GitHub's error
 * bodies (`{ message, documentation_url, errors }`). Issues get html_urls on github.com, as GitHub
 * gives them, so the tickets and the webhook see the real shape.
 */

export type GitHubFault =
  /** Answer HTTP 500 without doing anything. */
  | { kind: 'http-500' }
  /** Carry the call out (the issue or comment is stored), then answer HTTP 500. */
  | { kind: 'store-then-500' }
  /** Carry the call out, then drop the connection without an answer. */
  | { kind: 'store-then-drop' }
  /** Answer this status with GitHub's error body, without doing anything. */
  | { kind: 'status'; status: number; message: string }
  /** Answer 429 (or a 403 secondary rate limit) with Retry-After. */
  | { kind: 'rate-limit'; status?: 429 | 403; retryAfterSeconds: number };

/** The routes, as faults and the call log name them. */
export type GitHubRoute = 'issues.create' | 'issues.listForRepo' | 'issues.get' | 'issues.addLabels' | 'issues.createComment' | 'issues.listComments';

export interface GitHubIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: { name: string }[];
  html_url: string;
  user: { login: string; type: string };
  comments: GitHubComment[];
}

export interface GitHubComment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type: string };
}

export interface GitHubCall {
  route: GitHubRoute | 'unknown';
  method: string;
  path: string;
  /** How the call ended: 'ok', the HTTP status of an error, 'http-500' or 'dropped'. */
  outcome: string;
  /** Whether an Authorization header came (never its value). */
  authorized: boolean;
}

export interface GitHubServer {
  /** Base URL for Octokit's `baseUrl` (no trailing slash). */
  url: string;
  token: string;
  received: GitHubCall[];
  faults: FaultQueue<GitHubFault>['controls'];
  /** A repository's issues, in creation order. */
  issues(repo: string): GitHubIssue[];
  /** Makes an issue as a person would on github.com (for linking). */
  seedIssue(repo: string, fields: { title: string; body?: string; login?: string }): GitHubIssue;
  /** Closes an issue as a person would; the issue as a webhook then carries it. */
  closeIssue(repo: string, number: number, reason?: 'completed' | 'not_planned'): GitHubIssue;
  close(): Promise<void>;
}

const BOT = { login: 'tierline-bot', type: 'User' };

export async function start(options: { token?: string; repos?: string[] } = {}): Promise<GitHubServer> {
  const token = options.token ?? 'ghp_test0123456789abcdefghijklmnopqrstuv';
  const repos = new Map<string, GitHubIssue[]>();
  for (const repo of options.repos ?? ['fm08/platform']) repos.set(repo.toLowerCase(), []);
  const received: GitHubCall[] = [];
  const faults = faultQueue<GitHubFault>();
  let nextId = 1000;
  let base = '';

  const repoOf = (owner: string, name: string) => repos.get(`${owner}/${name}`.toLowerCase());
  const htmlUrl = (owner: string, name: string, number: number) => `https://github.com/${owner}/${name}/issues/${number}`;
  const view = ({ comments, ...issue }: GitHubIssue) => ({ ...issue, comments: comments.length, url: `${base}/repos/${issue.html_url.slice('https://github.com/'.length)}` });

  class HttpError extends Error {
    constructor(readonly status: number, message: string, readonly errors?: unknown[]) {
      super(message);
    }
  }

  function addIssue(owner: string, name: string, fields: { title: string; body?: string | null; labels?: string[]; user?: { login: string; type: string } }): GitHubIssue {
    const issues = repoOf(owner, name);
    if (!issues) throw new HttpError(404, 'Not Found');
    const number = issues.length + 1;
    const issue: GitHubIssue = {
      id: nextId++,
      number,
      title: fields.title,
      body: fields.body ?? null,
      state: 'open',
      state_reason: null,
      labels: [...new Set(fields.labels ?? [])].map((l) => ({ name: l })),
      html_url: htmlUrl(owner, name, number),
      user: fields.user ?? BOT,
      comments: [],
    };
    issues.push(issue);
    return issue;
  }

  function issueOf(owner: string, name: string, number: string): GitHubIssue {
    const issue = repoOf(owner, name)?.find((i) => i.number === Number(number));
    if (!issue) throw new HttpError(404, 'Not Found');
    return issue;
  }

  /** One page of a list, with GitHub's Link header to the next. */
  function page<T>(items: T[], url: URL): { body: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30) || 30, 100);
    const pageNo = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
    const body = items.slice((pageNo - 1) * perPage, pageNo * perPage);
    if (pageNo * perPage >= items.length) return { body, headers: {} };
    const next = new URL(url.href);
    next.searchParams.set('page', String(pageNo + 1));
    return { body, headers: { link: `<${base}${next.pathname}${next.search}>; rel="next"` } };
  }

  const routes: { method: string; pattern: RegExp; route: GitHubRoute; run: (m: string[], url: URL, body: Record<string, unknown>) => { status?: number; body: unknown; headers?: Record<string, string> } }[] = [
    {
      method: 'POST',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues$/,
      route: 'issues.create',
      run: ([owner, name], _url, body) => {
        if (typeof body['title'] !== 'string' || body['title'] === '') throw new HttpError(422, 'Validation Failed', [{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
        const labels = Array.isArray(body['labels']) ? body['labels'].map(String) : [];
        return { status: 201, body: view(addIssue(owner!, name!, { title: body['title'], body: typeof body['body'] === 'string' ? body['body'] : null, labels })) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues$/,
      route: 'issues.listForRepo',
      run: ([owner, name], url) => {
        const issues = repoOf(owner!, name!);
        if (!issues) throw new HttpError(404, 'Not Found');
        const state = url.searchParams.get('state') ?? 'open';
        const wanted = (url.searchParams.get('labels') ?? '').split(',').map((l) => l.trim()).filter(Boolean);
        const matching = [...issues]
          .reverse() // newest first, as GitHub sorts by default
          .filter((i) => state === 'all' || i.state === state)
          .filter((i) => wanted.every((l) => i.labels.some((have) => have.name.toLowerCase() === l.toLowerCase())));
        const { body, headers } = page(matching.map(view), url);
        return { body, headers };
      },
    },
    { method: 'GET', pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/, route: 'issues.get', run: ([owner, name, number]) => ({ body: view(issueOf(owner!, name!, number!)) }) },
    {
      method: 'POST',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels$/,
      route: 'issues.addLabels',
      run: ([owner, name, number], _url, body) => {
        const issue = issueOf(owner!, name!, number!);
        const labels = Array.isArray(body['labels']) ? body['labels'].map(String) : [];
        if (!labels.length) throw new HttpError(422, 'Validation Failed', [{ resource: 'Label', code: 'missing_field', field: 'labels' }]);
        for (const label of labels) if (!issue.labels.some((l) => l.name === label)) issue.labels.push({ name: label });
        return { body: issue.labels };
      },
    },
    {
      method: 'POST',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      route: 'issues.createComment',
      run: ([owner, name, number], _url, body) => {
        const issue = issueOf(owner!, name!, number!);
        if (typeof body['body'] !== 'string' || body['body'] === '') throw new HttpError(422, 'Validation Failed', [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
        const id = nextId++;
        const comment: GitHubComment = { id, body: body['body'], html_url: `${issue.html_url}#issuecomment-${id}`, user: BOT };
        issue.comments.push(comment);
        return { status: 201, body: comment };
      },
    },
    {
      method: 'GET',
      pattern: /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      route: 'issues.listComments',
      run: ([owner, name, number], url) => page(issueOf(owner!, name!, number!).comments, url),
    },
  ];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const match = routes.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).find(({ r, m }) => m && r.method === method);
    const auth = req.headers.authorization;
    const call: GitHubCall = { route: match?.r.route ?? 'unknown', method, path: url.pathname, outcome: 'ok', authorized: auth !== undefined };
    received.push(call);
    const raw = await readBody(req);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-media-type': 'github.v3', ...headers });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, message: string, errors?: unknown[], headers: Record<string, string> = {}) => {
      call.outcome = String(status);
      reply(status, { message, documentation_url: 'https://docs.github.com/rest', ...(errors ? { errors } : {}), status: String(status) }, headers);
    };
    const given = /^(?:token|bearer) (.+)$/i.exec(auth ?? '')?.[1];
    if (given !== token) return fail(401, 'Bad credentials');
    if (!match) return fail(404, 'Not Found');
    const fault = faults.take(match.r.route);
    if (fault?.kind === 'http-500') {
      call.outcome = 'http-500';
      res.writeHead(500, { 'content-type': 'text/plain' });
      return void res.end('Internal Server Error');
    }
    if (fault?.kind === 'status') return fail(fault.status, fault.message);
    if (fault?.kind === 'rate-limit') {
      const status = fault.status ?? 429;
      return fail(status, status === 403 ? 'You have exceeded a secondary rate limit' : 'API rate limit exceeded', undefined, { 'retry-after': String(fault.retryAfterSeconds) });
    }
    let body: Record<string, unknown>;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return fail(400, 'Problems parsing JSON');
    }
    let out: { status?: number; body: unknown; headers?: Record<string, string> };
    try {
      out = match.r.run(match.m!.slice(1), url, body);
    } catch (err) {
      if (err instanceof HttpError) return fail(err.status, err.message, err.errors);
      throw err;
    }
    if (fault?.kind === 'store-then-500') {
      call.outcome = 'http-500';
      res.writeHead(500, { 'content-type': 'text/plain' });
      return void res.end('Internal Server Error');
    }
    if (fault?.kind === 'store-then-drop') {
      call.outcome = 'dropped';
      return void req.socket.destroy();
    }
    reply(out.status ?? 200, out.body, out.headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const split = (repo: string) => repo.split('/') as [string, string];
  return {
    url: base,
    token,
    received,
    faults: faults.controls,
    issues: (repo) => [...(repos.get(repo.toLowerCase()) ?? [])],
    seedIssue: (repo, fields) => addIssue(...split(repo), { title: fields.title, body: fields.body ?? null, user: { login: fields.login ?? 'octocat', type: 'User' } }),
    closeIssue(repo, number, reason = 'completed') {
      const issue = issueOf(...split(repo), String(number));
      issue.state = 'closed';
      issue.state_reason = reason;
      return issue;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
