/**
 * The CLI's HTTP client for the tierline API: ApiClient speaks HTTP, TicketApi asks for tickets
 * (incident-api.ts for incidents). Every answer other than success becomes a CliError with the
 * API's own words and the exit code for its kind (see errors.ts).
 */
import type { OnCallAnswer } from '../adapters/http/oncall-routes.js';
import type { TicketSummary } from '../client/tickets.js';
import type { IntakeInput } from '../domain/ticket/intake.js';
import type { TicketView } from '../domain/ticket/view.js';
import { CliError, EXIT } from './errors.js';
import type { Settings } from './settings.js';

/** The engineer actions the CLI runs, by their API route. */
export type ActionRoute =
  | 'acknowledge'
  | 'respond'
  | 'note'
  | 'priority'
  | 'assign'
  | 'pending'
  | 'escalate'
  | 'deescalate'
  | 'resolve'
  | 'reopen'
  | 'close'
  | 'duplicate'
  | 'engineering-issue'
  | 'engineering-link';

/** `GET /v1/tickets`; a paginating API adds the token of the next page. */
export interface TicketList {
  tickets: TicketSummary[];
  nextPageToken?: string | null;
}

/** How long a request may take: an action waits for the ticket's worker to run it. */
const TIMEOUT_MS = 60_000;

interface FieldError {
  path: string;
  message: string;
}

interface Request {
  method: 'GET' | 'POST';
  path: string;
  /** Query parameters; undefined ones are left out. */
  query?: Record<string, string | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** API field paths -> the CLI options that set them, so a 400 names what to change. */
  fields?: Record<string, string>;
  /** What a success carries: JSON (the default), or Markdown given back as text. */
  accept?: 'json' | 'markdown';
}

export class ApiClient {
  constructor(private readonly settings: Settings) {}

  protected async request(req: Request): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.path, this.settings.apiUrl);
    for (const [name, value] of Object.entries(req.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    let res: Response;
    try {
      res = await fetch(url, {
        method: req.method,
        headers: {
          accept: req.accept === 'markdown' ? 'text/markdown, application/json' : 'application/json',
          authorization: `Bearer ${this.settings.token}`,
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...req.headers,
        },
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw this.unreachable(err);
    }
    const text = await res.text();
    if (res.ok && req.accept === 'markdown' && /^text\/markdown/.test(res.headers.get('content-type') ?? '')) return { status: res.status, body: text };
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (res.ok) {
      if (body === undefined || req.accept === 'markdown') throw new CliError(EXIT.failure, [`the API at ${this.origin} answered ${res.status} without ${req.accept === 'markdown' ? 'Markdown' : 'JSON'}; is --api pointing at tierline?`]);
      return { status: res.status, body };
    }
    throw this.failure(res.status, body, req.fields ?? {});
  }

  /**
   * `--limit: Too big ...`; a parameter this API does not know names the option and says so. An
   * item of a list (`tickets[1]`) is named by the option that gives the list.
   */
  private fieldError(e: FieldError, fields: Record<string, string>): string {
    const unknown = e.path === '' ? /^Unrecognized keys?: "([^"]+)"/.exec(e.message)?.[1] : undefined;
    if (unknown !== undefined && fields[unknown]) return `${fields[unknown]}: the API at ${this.origin} does not take ${unknown}; it may be an older tierline`;
    return `${fields[e.path] ?? fields[e.path.replace(/\[\d+\]$/, '')] ?? (e.path || 'request')}: ${e.message}`;
  }

  private get origin(): string {
    return this.settings.apiUrl.href.replace(/\/$/, '');
  }

  private unreachable(err: unknown): CliError {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') {
      return new CliError(EXIT.unreachable, [`the API at ${this.origin} did not answer within ${TIMEOUT_MS / 1000} s; is its Temporal worker running?`]);
    }
    const why = e.cause?.message ?? e.cause?.code ?? e.message;
    return new CliError(EXIT.unreachable, [`cannot reach the tierline API at ${this.origin} (${why}); start it with npm start, or pass --api URL / set TIERLINE_API_URL`]);
  }

  private failure(status: number, body: unknown, fields: Record<string, string>): CliError {
    const answer = (body ?? {}) as { error?: string; message?: string; reason?: string; errors?: FieldError[] };
    switch (status) {
      case 400: {
        const errors = answer.errors?.length ? answer.errors : [{ path: '', message: answer.message ?? 'the request is invalid' }];
        return new CliError(EXIT.usage, errors.map((e) => this.fieldError(e, fields)));
      }
      case 401:
        return new CliError(EXIT.unauthorized, [`the API at ${this.origin} refused the token from ${this.settings.tokenSource} (401); pass the right one with --token or TIERLINE_API_TOKEN`]);
      case 404:
        return new CliError(EXIT.notFound, [answer.error === 'not_found' && answer.message ? answer.message : `not found at ${this.origin} (404): ${answer.message ?? 'no such route'}; is --api pointing at tierline?`]);
      case 409:
        return new CliError(EXIT.refused, [`refused: ${answer.reason ?? answer.message ?? 'the ticket refused the action'}`]);
      default:
        return new CliError(EXIT.failure, [`the API failed (${status}): ${answer.message ?? answer.error ?? 'no details'}`]);
    }
  }
}

export class TicketApi extends ApiClient {
  async open(intake: IntakeInput, opts: { idempotencyKey?: string; fields: Record<string, string> }): Promise<{ ticket: TicketView; created: boolean }> {
    const { status, body } = await this.request({
      method: 'POST',
      path: 'v1/tickets',
      body: intake,
      ...(opts.idempotencyKey ? { headers: { 'idempotency-key': opts.idempotencyKey } } : {}),
      fields: opts.fields,
    });
    return { ticket: body as TicketView, created: status === 201 };
  }

  async get(ticketId: string): Promise<TicketView> {
    return (await this.request({ method: 'GET', path: `v1/tickets/${encodeURIComponent(ticketId)}` })).body as TicketView;
  }

  async act(ticketId: string, route: ActionRoute, body: Record<string, string>, fields: Record<string, string>): Promise<TicketView> {
    return (await this.request({ method: 'POST', path: `v1/tickets/${encodeURIComponent(ticketId)}/${route}`, body, fields })).body as TicketView;
  }

  async list(query: Record<string, string | undefined>, fields: Record<string, string>): Promise<TicketList> {
    return (await this.request({ method: 'GET', path: 'v1/tickets', query, fields })).body as TicketList;
  }

  async oncall(query: Record<string, string | undefined>, fields: Record<string, string>): Promise<OnCallAnswer> {
    return (await this.request({ method: 'GET', path: 'v1/oncall', query, fields })).body as OnCallAnswer;
  }
}
