import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faultQueue, type FaultQueue } from './faults.js';

/**
 * A local Slack Web API speaking the real wire format: POST /api/<method> with a form-encoded or
 * JSON body, a bearer token, and `{ ok, error }` JSON answers. It keeps channels and their messages
 * (with metadata and threads), so tests can assert what a channel finally holds.
 */

export type SlackFault =
  /** Answer 429 with a Retry-After header, as Slack does when a method's rate limit is hit. */
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  /** Answer HTTP 500 without doing anything. */
  | { kind: 'http-500' }
  /** Answer 200 `{ ok: false, error }` without doing anything. */
  | { kind: 'error'; error: string }
  /** Carry the call out (the message is stored), then answer HTTP 500. */
  | { kind: 'store-then-500' }
  /** Carry the call out, then drop the connection without an answer. */
  | { kind: 'store-then-drop' };

export interface SlackMessage {
  ts: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  edited?: { ts: string };
}

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  /** How the call ended: 'ok', an error code, 'http-500', 'rate-limited' or 'dropped'. */
  outcome: string;
  /** When the call arrived (wall clock, ms). */
  at: number;
}

export interface SlackServerOptions {
  token?: string;
  channels?: string[];
  archivedChannels?: string[];
}

export interface SlackServer {
  /** Base URL for `slackApiUrl`, ending in /api/. */
  url: string;
  token: string;
  received: SlackCall[];
  faults: FaultQueue<SlackFault>['controls'];
  /** The channel's messages in posting order (roots and replies). */
  messages(channel: string): SlackMessage[];
  /** Modals opened with views.open, in order. */
  views: { trigger_id: string; view: Record<string, unknown> }[];
  /** chat.postEphemeral calls, in order. */
  ephemerals: { channel: string; user: string; text: string }[];
  /** What was posted to a `response_url` (`<url>hooks/...`), in order. */
  responses: { path: string; body: Record<string, unknown> }[];
  /** A response_url on this server, as Slack gives one with each interaction. */
  responseUrl(id: string): string;
  close(): Promise<void>;
}


const JSON_PARAMS = new Set(['blocks', 'attachments', 'metadata', 'view']);

export async function start(options: SlackServerOptions = {}): Promise<SlackServer> {
  const token = options.token ?? 'xoxb-test-token';
  const channels = new Map<string, SlackMessage[]>();
  /**
   * Each channel's messages by ts, beside the lists: a thread reply and an edit find their message
   * at once, as Slack does, where a scan of the channel would cost the process that runs this
   * server (a benchmark's, with tens of thousands of messages) more with every message posted.
   */
  const byTs = new Map<string, SlackMessage>();
  const at = (channel: string, ts: unknown) => byTs.get(`${channel}/${String(ts)}`);
  for (const id of [...(options.channels ?? ['C0TICKETS']), ...(options.archivedChannels ?? [])]) channels.set(id, []);
  const archived = new Set(options.archivedChannels ?? []);
  const received: SlackCall[] = [];
  const faults = faultQueue<SlackFault>();
  const views: SlackServer['views'] = [];
  const ephemerals: SlackServer['ephemerals'] = [];
  const responses: SlackServer['responses'] = [];
  let lastTs = 0;

  function nextTs(): string {
    // Real ts values are "<unix seconds>.<6 digits>" and grow within a channel.
    lastTs = Math.max(lastTs + 1, Date.now() * 1000);
    return `${Math.floor(lastTs / 1e6)}.${String(lastTs % 1e6).padStart(6, '0')}`;
  }


  const methods: Record<string, (p: Record<string, unknown>) => Record<string, unknown>> = {
    'auth.test': () => ({ ok: true, user_id: 'U0TIERLINE', team_id: 'T0TEAM' }),
    'chat.postMessage': (p) => {
      const channel = channelOf(p);
      if (p['text'] === undefined && p['blocks'] === undefined) return { ok: false, error: 'no_text' };
      const messages = channels.get(channel) as SlackMessage[];
      const threadTs = p['thread_ts'] === undefined ? undefined : String(p['thread_ts']);
      if (threadTs !== undefined && at(channel, threadTs) === undefined) return { ok: false, error: 'thread_not_found' };
      const message: SlackMessage = { ts: nextTs(), ...pick(p), ...(threadTs === undefined ? {} : { thread_ts: threadTs }) };
      messages.push(message);
      byTs.set(`${channel}/${message.ts}`, message);
      return { ok: true, channel, ts: message.ts, message: { type: 'message', user: 'U0TIERLINE', ...message } };
    },
    // A direct message channel with a user: the same id for the same user, as Slack gives.
    'conversations.open': (p) => {
      const user = String(p['users'] ?? '');
      if (!/^U[A-Z0-9]+$/.test(user)) return { ok: false, error: 'user_not_found' };
      const id = `D${user.slice(1)}`;
      if (!channels.has(id)) channels.set(id, []);
      return { ok: true, channel: { id } };
    },
    'views.open': (p) => {
      const trigger = String(p['trigger_id'] ?? '');
      if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
      const view = (typeof p['view'] === 'string' ? JSON.parse(p['view']) : p['view']) as Record<string, unknown>;
      views.push({ trigger_id: trigger, view });
      return { ok: true, view: { id: `V${views.length}`, ...view } };
    },
    'chat.postEphemeral': (p) => {
      channelOf(p);
      ephemerals.push({ channel: String(p['channel']), user: String(p['user']), text: String(p['text'] ?? '') });
      return { ok: true, message_ts: nextTs() };
    },
    'chat.update': (p) => {
      const channel = channelOf(p);
      const message = at(channel, p['ts']);
      if (message === undefined) return { ok: false, error: 'message_not_found' };
      Object.assign(message, pick(p), { edited: { ts: nextTs() } });
      return { ok: true, channel, ts: message.ts, text: message.text };
    },
    'conversations.history': (p) => {
      const messages = (channels.get(channelOf(p, false)) as SlackMessage[])
        .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
        .filter((m) => p['oldest'] === undefined || Number(m.ts) >= Number(p['oldest']))
        .filter((m) => p['latest'] === undefined || Number(m.ts) <= Number(p['latest']))
        .reverse();
      return page(messages, p);
    },
    'conversations.replies': (p) => {
      const channel = channelOf(p, false);
      const all = channels.get(channel) as SlackMessage[];
      const parent = at(channel, p['ts']);
      if (parent === undefined) return { ok: false, error: 'thread_not_found' };
      return page([parent, ...all.filter((m) => m.thread_ts === parent.ts && m !== parent)], p);
    },
  };

  function channelOf(p: Record<string, unknown>, writing = true): string {
    const channel = String(p['channel'] ?? '');
    if (!channels.has(channel)) throw new SlackError('channel_not_found');
    if (writing && archived.has(channel)) throw new SlackError('is_archived');
    return channel;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if ((req.url ?? '').startsWith('/hooks/')) {
      // A response_url: no token, a JSON body, and a bare "ok" as Slack answers.
      responses.push({ path: req.url ?? '', body: JSON.parse((await readBody(req)) || '{}') as Record<string, unknown> });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end('ok');
    }
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const params = parseBody(req.headers['content-type'] ?? '', await readBody(req));
    const call: SlackCall = { method, params: withoutToken(params), outcome: 'ok', at: Date.now() };
    received.push(call);
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (params['token'] as string | undefined);
    const reply = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (auth === undefined) return void reply(200, fail(call, 'not_authed'));
    if (auth !== token) return void reply(200, fail(call, 'invalid_auth'));
    const fault = faults.take(method);
    if (fault?.kind === 'rate-limit') {
      call.outcome = 'rate-limited';
      return void reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === 'http-500') {
      call.outcome = 'http-500';
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      return void res.end('Internal Server Error');
    }
    if (fault?.kind === 'error') return void reply(200, fail(call, fault.error));
    const run = methods[method];
    let body: Record<string, unknown>;
    try {
      body = run === undefined ? { ok: false, error: 'unknown_method' } : run(params);
    } catch (err) {
      if (!(err instanceof SlackError)) throw err;
      body = { ok: false, error: err.code };
    }
    call.outcome = body['ok'] === true ? 'ok' : String(body['error']);
    if (fault?.kind === 'store-then-500') {
      call.outcome = 'http-500';
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      return void res.end('Internal Server Error');
    }
    if (fault?.kind === 'store-then-drop') {
      call.outcome = 'dropped';
      return void req.socket.destroy();
    }
    reply(200, body);
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
    url: `http://127.0.0.1:${port}/api/`,
    token,
    received,
    faults: faults.controls,
    messages: (channel) => [...(channels.get(channel) ?? [])],
    views,
    ephemerals,
    responses,
    responseUrl: (id) => `http://127.0.0.1:${port}/hooks/${id}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

class SlackError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

function fail(call: SlackCall, error: string): Record<string, unknown> {
  call.outcome = error;
  return { ok: false, error };
}

function pick(p: Record<string, unknown>): Partial<SlackMessage> {
  const out: Partial<SlackMessage> = {};
  if (p['text'] !== undefined) out.text = String(p['text']);
  if (p['blocks'] !== undefined) out.blocks = p['blocks'] as unknown[];
  if (p['metadata'] !== undefined) out.metadata = p['metadata'] as SlackMessage['metadata'];
  return out;
}

/** A page of messages; metadata only with include_all_metadata, as Slack does. Cursor = offset. */
function page(messages: SlackMessage[], p: Record<string, unknown>): Record<string, unknown> {
  const limit = Math.min(Number(p['limit'] ?? 100) || 100, 999);
  const offset = p['cursor'] ? Number(Buffer.from(String(p['cursor']), 'base64').toString('utf8')) : 0;
  const withMetadata = p['include_all_metadata'] === true || p['include_all_metadata'] === 'true';
  const slice = messages.slice(offset, offset + limit).map(({ metadata, ...rest }) => ({
    type: 'message',
    user: 'U0TIERLINE',
    ...rest,
    ...(withMetadata && metadata !== undefined ? { metadata } : {}),
  }));
  const more = offset + limit < messages.length;
  return {
    ok: true,
    messages: slice,
    has_more: more,
    response_metadata: { next_cursor: more ? Buffer.from(String(offset + limit)).toString('base64') : '' },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(contentType: string, raw: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    params[key] = JSON_PARAMS.has(key) ? JSON.parse(value) : value;
  }
  return params;
}

function withoutToken(params: Record<string, unknown>): Record<string, unknown> {
  const { token: _token, ...rest } = params;
  return rest;
}
