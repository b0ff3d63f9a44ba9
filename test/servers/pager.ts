import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faultQueue, type FaultQueue } from './faults.js';

/**
 * A local PagerDuty Events API v2: POST /v2/enqueue with a JSON event, 202 `{ status, message,
 * dedup_key }` when accepted, 400 `{ status, message, errors }` when invalid. It keeps one alert
 * per dedup key with its state (triggered, acknowledged, resolved), as PagerDuty folds events.
 */

export type PagerFault =
  /** Answer 400 with these errors, as PagerDuty does for an invalid event. */
  | { kind: 'invalid'; errors: string[] }
  /** Answer 429, with a Retry-After header when given. */
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  /** Answer HTTP 500 without processing. */
  | { kind: 'http-500' }
  /** Process the event, then answer HTTP 500. */
  | { kind: 'store-then-500' }
  /** Process the event, then drop the connection without an answer. */
  | { kind: 'store-then-drop' };

export interface PagerEventReceived {
  body: Record<string, unknown>;
  /** The HTTP status answered, or 0 when the connection was dropped. */
  status: number;
}

export interface Alert {
  dedupKey: string;
  routingKey: string;
  state: 'triggered' | 'acknowledged' | 'resolved';
  /** How many trigger events PagerDuty folded into this alert. */
  triggers: number;
}

export interface PagerServer {
  url: string;
  received: PagerEventReceived[];
  alerts: Map<string, Alert>;
  faults: FaultQueue<PagerFault>['controls'];
  close(): Promise<void>;
}

const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);
const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

export async function start(): Promise<PagerServer> {
  const received: PagerEventReceived[] = [];
  const alerts = new Map<string, Alert>();
  const faults = faultQueue<PagerFault>();


  /** Applies a valid event; returns the dedup key, as PagerDuty does. */
  function apply(body: Record<string, unknown>): string {
    const action = body['event_action'] as string;
    const routingKey = body['routing_key'] as string;
    const dedupKey = typeof body['dedup_key'] === 'string' ? body['dedup_key'] : randomUUID();
    const open = alerts.get(dedupKey);
    const isOpen = open !== undefined && open.state !== 'resolved' && open.routingKey === routingKey;
    if (action === 'trigger') {
      if (isOpen) open.triggers += 1;
      else alerts.set(dedupKey, { dedupKey, routingKey, state: 'triggered', triggers: 1 });
    } else if (isOpen) {
      // An acknowledge or resolve for no open alert (or from another routing key) is dropped.
      open.state = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    }
    return dedupKey;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      received.push({ body: {}, status: 400 });
      return void reply(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Invalid JSON'] });
    }
    const entry: PagerEventReceived = { body, status: 202 };
    received.push(entry);
    const fault = faults.take();
    if (req.method !== 'POST' || req.url !== '/v2/enqueue') {
      entry.status = 404;
      return void reply(404, { status: 'not found' });
    }
    const errors = fault?.kind === 'invalid' ? fault.errors : validate(body);
    if (errors.length > 0) {
      entry.status = 400;
      return void reply(400, { status: 'invalid event', message: 'Event object is invalid', errors });
    }
    if (fault?.kind === 'rate-limit') {
      entry.status = 429;
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
      return void reply(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly' }, headers);
    }
    if (fault?.kind === 'http-500') {
      entry.status = 500;
      return void reply(500, { status: 'error', message: 'Internal server error' });
    }
    const dedupKey = apply(body);
    if (fault?.kind === 'store-then-500') {
      entry.status = 500;
      return void reply(500, { status: 'error', message: 'Internal server error' });
    }
    if (fault?.kind === 'store-then-drop') {
      entry.status = 0;
      return void req.socket.destroy();
    }
    reply(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
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
    url: `http://127.0.0.1:${port}/v2/enqueue`,
    received,
    alerts,
    faults: faults.controls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The checks PagerDuty makes, with its wording. */
function validate(body: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const routingKey = body['routing_key'];
  if (typeof routingKey !== 'string' || routingKey.length !== 32) {
    errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  }
  const action = body['event_action'];
  if (typeof action !== 'string' || !ACTIONS.has(action)) errors.push("'event_action' is invalid");
  const dedupKey = body['dedup_key'];
  if (dedupKey !== undefined && (typeof dedupKey !== 'string' || dedupKey.length > 255)) errors.push("'dedup_key' is invalid");
  if (action !== 'trigger') {
    if (dedupKey === undefined) errors.push("'dedup_key' is missing");
    return errors;
  }
  const payload = body['payload'] as Record<string, unknown> | undefined;
  if (payload === undefined || typeof payload !== 'object') return [...errors, "'payload' is missing or blank"];
  if (typeof payload['summary'] !== 'string' || payload['summary'] === '') errors.push("'payload.summary' is missing or blank");
  if (typeof payload['source'] !== 'string' || payload['source'] === '') errors.push("'payload.source' is missing or blank");
  if (typeof payload['severity'] !== 'string' || !SEVERITIES.has(payload['severity'])) errors.push("'payload.severity' is invalid");
  return errors;
}
