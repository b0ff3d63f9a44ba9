import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faultQueue, type FaultQueue } from './faults.js';

/**
 * A local Discord incoming webhook speaking Discord's wire format: POST
 * /api/webhooks/<id>/<token> with a JSON body; with `?wait=true` a 200 carrying the stored message,
 * without it a 204; errors as `{ message, code }` JSON (401 Invalid Webhook Token, 404 Unknown
 * Webhook, 400 Cannot send an empty message / Invalid Form Body); 429 with Retry-After and
 * `{ message, retry_after, global }`. It keeps the channel's messages so tests can assert what the
 * channel finally shows, including whether a message pinged @everyone.
 */

export type DiscordFault =
  /** Answer 429 as Discord's rate limiter does: Retry-After header and `retry_after` (seconds, fractional) in the body. */
  | { kind: 'rate-limit'; retryAfterSeconds: number; global?: boolean }
  /** Answer with this 5xx without storing anything (a 502 from Discord's edge, a 500). */
  | { kind: 'http-5xx'; status: number }
  /** Answer a Discord error without storing anything, e.g. 400 `{ message: 'Invalid Form Body', code: 50035 }`. */
  | { kind: 'error'; status: number; message: string; code: number }
  /** Store the message, then answer HTTP 500. */
  | { kind: 'store-then-500' }
  /** Store the message, then drop the connection without an answer. */
  | { kind: 'store-then-drop' };

/** A message as Discord stores and returns it (the fields tests look at). */
export interface DiscordMessage {
  id: string;
  type: 0;
  channel_id: string;
  webhook_id: string;
  content: string;
  author: { id: string; username: string; bot: true };
  mentions: unknown[];
  mention_roles: string[];
  /** Whether the message pinged @everyone/@here: only when the content has one and allowed_mentions allows it. */
  mention_everyone: boolean;
  timestamp: string;
}

export interface DiscordCall {
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
  /** The HTTP status answered, or 0 when the connection was dropped. */
  status: number;
  /** When the call arrived (wall clock, ms). */
  at: number;
}

export interface DiscordServer {
  /** The webhook URL, as Discord shows it: `http://127.0.0.1:PORT/api/webhooks/<id>/<token>`. */
  url: string;
  webhookId: string;
  token: string;
  received: DiscordCall[];
  /** The channel's messages in posting order. */
  messages: DiscordMessage[];
  faults: FaultQueue<DiscordFault>['controls'];
  close(): Promise<void>;
}

const CHANNEL_ID = '1190000000000000001';
const DISCORD_EPOCH = 1420070400000n;

export async function start(options: { webhookId?: string; token?: string } = {}): Promise<DiscordServer> {
  const webhookId = options.webhookId ?? '1234567890123456789';
  const token = options.token ?? 'tLw3bq0zT9vVn8KJx5c-AqPz_webhooktoken_RmY2sFhD7uNeW1oXgC4iB6lE0aQ';
  const received: DiscordCall[] = [];
  const messages: DiscordMessage[] = [];
  const faults = faultQueue<DiscordFault>();
  let increment = 0n;

  /** A snowflake: milliseconds since Discord's epoch, shifted, plus a counter. */
  function snowflake(): string {
    increment += 1n;
    return String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (increment & 0xfffn));
  }

  function store(body: Record<string, unknown>): DiscordMessage {
    const content = String(body['content']);
    const allowed = body['allowed_mentions'] as { parse?: unknown } | undefined;
    // Without allowed_mentions Discord parses every mention in the content.
    const parsesEveryone = allowed === undefined || (Array.isArray(allowed.parse) && allowed.parse.includes('everyone'));
    const message: DiscordMessage = {
      id: snowflake(),
      type: 0,
      channel_id: CHANNEL_ID,
      webhook_id: webhookId,
      content,
      author: { id: webhookId, username: 'Status', bot: true },
      mentions: [],
      mention_roles: [],
      mention_everyone: parsesEveryone && /@(everyone|here)\b/.test(content),
      timestamp: new Date().toISOString(),
    };
    messages.push(message);
    return message;
  }

  /** Discord's checks on an execute-webhook body, with its codes and wording. */
  function invalid(body: Record<string, unknown>): { message: string; code: number; errors?: unknown } | undefined {
    const content = body['content'];
    if (content === undefined || content === null || content === '') return { message: 'Cannot send an empty message', code: 50006 };
    if (typeof content !== 'string') {
      return { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'STRING_TYPE_CONVERT', message: 'Could not interpret the value as string.' }] } } };
    }
    if ([...content].length > 2000) {
      return { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } } };
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const call: DiscordCall = { path: url.pathname, query: Object.fromEntries(url.searchParams), body: {}, status: 0, at: Date.now() };
    received.push(call);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      if (body === undefined) {
        res.writeHead(status, headers);
        return void res.end();
      }
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };

    const route = /^\/api\/webhooks\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (route === null) return reply(404, { message: '404: Not Found', code: 0 });
    if (route[1] !== webhookId) return reply(404, { message: 'Unknown Webhook', code: 10015 });
    if (route[2] !== token) return reply(401, { message: 'Invalid Webhook Token', code: 50027 });
    if (req.method !== 'POST') return reply(405, { message: '405: Method Not Allowed', code: 0 });
    try {
      call.body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return reply(400, { message: 'The request body contains invalid JSON.', code: 50109 });
    }

    const fault = faults.take();
    if (fault?.kind === 'rate-limit') {
      return reply(
        429,
        { message: 'You are being rate limited.', retry_after: fault.retryAfterSeconds, global: fault.global ?? false },
        { 'Retry-After': String(Math.ceil(fault.retryAfterSeconds)), 'X-RateLimit-Scope': fault.global ? 'global' : 'user' },
      );
    }
    if (fault?.kind === 'http-5xx') return reply(fault.status, { message: `${fault.status}: Server Error`, code: 0 });
    if (fault?.kind === 'error') return reply(fault.status, { message: fault.message, code: fault.code });

    const problem = invalid(call.body);
    if (problem) return reply(400, problem);
    const message = store(call.body);
    if (fault?.kind === 'store-then-500') return reply(500, { message: '500: Internal Server Error', code: 0 });
    if (fault?.kind === 'store-then-drop') return void req.socket.destroy();
    if (url.searchParams.get('wait') === 'true') return reply(200, message);
    reply(204, undefined);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/webhooks/${webhookId}/${token}`,
    webhookId,
    token,
    received,
    messages,
    faults: faults.controls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
