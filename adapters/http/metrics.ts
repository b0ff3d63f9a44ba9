/**
 * `GET /metrics` on the HTTP API, in the Prometheus text format: the API's own metrics (requests
 * by route, method and status, with their duration; the Node process's CPU, memory, event-loop
 * lag) and, when the worker runs in the same process (`npm start`), the worker's exposition after
 * them, so one scrape of the API shows tierline's ticket metrics and the SDK's too.
 *
 * Who may read it: without METRICS_TOKEN, loopback clients only (the embedded default listens on
 * 127.0.0.1 anyway); with it, every client sends `Authorization: Bearer <METRICS_TOKEN>`, loopback
 * too, since a reverse proxy on the same host makes every visitor look local. The numbers carry no
 * ticket ids or people, but a ticket volume by priority is the support team's business.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface ApiMetricsOptions {
  /** METRICS_TOKEN: when set, the bearer token every scraper sends; unset, loopback clients only. */
  token?: string;
  /** More exposition text served after the API's own: the worker's, when it runs in this process. */
  include?: () => Promise<string>;
}

// The API's options carry these, given where the API is built (workers/start.ts).
declare module './server.js' {
  interface ApiOptions {
    metrics?: ApiMetricsOptions;
  }
}

/** Request durations, from a fast health check to a slow visibility query. */
const REQUEST_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const digest = (token: string) => createHash('sha256').update(token).digest();

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * The families of `text` whose names `taken` does not hold: two families of one name would make
 * the whole answer invalid. Families are the runs of lines after their `# HELP` / `# TYPE` lines.
 */
export function familiesExcept(text: string, taken: ReadonlySet<string>): string {
  const kept: string[] = [];
  let family: string | undefined;
  for (const line of text.split('\n')) {
    const header = /^# (?:HELP|TYPE) (\S+)/.exec(line);
    if (header) family = header[1];
    if (line.trim() && !(family !== undefined && taken.has(family))) kept.push(line);
  }
  return kept.length ? `${kept.join('\n')}\n` : '';
}

const apiMetricsPlugin: FastifyPluginAsync<ApiMetricsOptions> = async (app, opts) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: 'tierline_http_request_duration_seconds',
    help: 'HTTP API requests by method, route (its pattern, not the URL) and status code, with their duration',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: REQUEST_BUCKETS_SECONDS,
    registers: [registry],
  });
  const workerUp = opts.include
    ? new Gauge({ name: 'tierline_worker_metrics_up', help: "1 when the worker's metrics in this process could be read for this answer, else 0", registers: [registry] })
    : undefined;
  const token = opts.token ? digest(opts.token) : undefined;

  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', async (req, reply) => {
    if (token) {
      const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!given || !timingSafeEqual(digest(given), token)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'GET /metrics needs the METRICS_TOKEN as a bearer token' });
      }
    } else if (!isLoopback(req.socket.remoteAddress)) {
      return reply.code(403).send({
        error: 'forbidden',
        message: `GET /metrics answers loopback clients only, not ${req.socket.remoteAddress ?? 'an unknown address'}; set METRICS_TOKEN to let a remote Prometheus scrape with it as a bearer token`,
      });
    }
    let included = '';
    if (opts.include) {
      try {
        included = await opts.include();
        workerUp?.set(1);
      } catch (err) {
        workerUp?.set(0);
        req.log.warn(`the worker's metrics could not be read: ${(err as Error).message}`);
      }
    }
    const own = await registry.metrics();
    const taken = new Set(registry.getMetricsAsArray().map((m) => m.name));
    return reply.type(registry.contentType).send(own + familiesExcept(included, taken));
  });
};

/** Registered on the root instance without encapsulation, so its timing hook sees every route. */
export const apiMetrics = Object.assign(apiMetricsPlugin, { [Symbol.for('skip-override')]: true });
