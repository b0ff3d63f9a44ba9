/**
 * The public status page (issue #10), served without a token at the policy's
 * `incidents.statusPage.basePath`: the page (HTML), `index.json`, `feed.atom` and one page per
 * incident, all rendered by the core (domain/incident/render.ts, which escapes everything a person
 * typed) from what IncidentClient.published() lists.
 *
 * Anyone may load it, often, and most of all during an outage: one answer from Temporal serves
 * every load for a few seconds (and browsers and proxies may keep it as long, Cache-Control), and
 * concurrent loads share one fetch. A policy that does not broadcast to `status-page` publishes no
 * page: every path answers 404 and says so.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { IncidentClient } from '../../client/incidents.js';
import { escapeMarkup, renderAtomFeed, renderIncidentHtml, renderStatusPageHtml, renderStatusPageJson } from '../../domain/incident/render.js';
import { statusPage, statusPagePaths, type PublicIncident, type StatusPage } from '../../domain/incident/view.js';

export interface StatusPageOptions {
  incidents: IncidentClient;
  /** How long one answer from Temporal serves the page's loads; default 5 s. */
  cacheMs?: number;
}

export const STATUS_PAGE_CACHE_MS = 5_000;
/** How long a resolved incident stays on the page. */
export const STATUS_PAGE_HISTORY_DAYS = 14;

/** What the page shows, as fetched at `fetchedAt` (the page's "Updated" time). */
interface Snapshot {
  fetchedAt: number;
  incidents: PublicIncident[];
}

/** The published incidents, fetched at most once per `ttlMs`; loads during a fetch wait for it. */
function publishedCache(incidents: IncidentClient, ttlMs: number): () => Promise<Snapshot> {
  let current: Snapshot | undefined;
  let fetching: Promise<Snapshot> | undefined;
  return () => {
    if (current && Date.now() - current.fetchedAt < ttlMs) return Promise.resolve(current);
    fetching ??= incidents
      .published({ days: STATUS_PAGE_HISTORY_DAYS })
      .then((list) => (current = { fetchedAt: Date.now(), incidents: list }))
      .finally(() => {
        fetching = undefined;
      });
    return fetching;
  };
}

/** A page with no script at all: the policy forbids any, and anything else from elsewhere. */
const HTML_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

export const statusPageRoutes: FastifyPluginAsync<StatusPageOptions> = async (app, opts) => {
  const { policy, publicUrl } = opts.incidents.options;
  const paths = statusPagePaths(policy);
  const ttlMs = opts.cacheMs ?? STATUS_PAGE_CACHE_MS;
  const published = publishedCache(opts.incidents, ttlMs);
  const publishes = policy.incidents.broadcast.includes('status-page');
  const unpublished = `no status page: policy ${policy.id} does not broadcast incidents to status-page (incidents.broadcast)`;

  const cached = (reply: FastifyReply) => reply.header('cache-control', `public, max-age=${Math.ceil(ttlMs / 1000)}`);
  const html = (reply: FastifyReply, code: number, body: string) => cached(reply).code(code).headers(HTML_HEADERS).type('text/html; charset=utf-8').send(body);
  const notFoundHtml = (reply: FastifyReply, message: string) =>
    html(reply, 404, `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><p>${escapeMarkup(message)}</p></body></html>\n`);

  async function page(): Promise<StatusPage> {
    const snapshot = await published();
    return statusPage(policy, snapshot.incidents, snapshot.fetchedAt);
  }

  const overview = async (_req: unknown, reply: FastifyReply) => (publishes ? html(reply, 200, renderStatusPageHtml(await page())) : notFoundHtml(reply, unpublished));
  app.get(paths.page, overview);
  app.get(`${paths.page}/`, overview);

  app.get(paths.json, async (_req, reply) => {
    if (!publishes) return reply.code(404).send({ error: 'not_found', message: unpublished });
    return cached(reply).header('x-content-type-options', 'nosniff').type('application/json; charset=utf-8').send(renderStatusPageJson(await page()));
  });

  app.get(paths.feed, async (_req, reply) => {
    if (!publishes) return reply.code(404).send({ error: 'not_found', message: unpublished });
    return cached(reply).header('x-content-type-options', 'nosniff').type('application/atom+xml; charset=utf-8').send(renderAtomFeed(await page(), publicUrl));
  });

  app.get<{ Params: { id: string } }>(`${paths.page}/incidents/:id`, async (req, reply) => {
    if (!publishes) return notFoundHtml(reply, unpublished);
    const current = await page();
    const incident = current.incidents.find((i) => i.id === req.params.id);
    if (!incident) return notFoundHtml(reply, `No published incident ${req.params.id}. Incidents resolved more than ${STATUS_PAGE_HISTORY_DAYS} days ago are no longer listed.`);
    return html(reply, 200, renderIncidentHtml(current, incident));
  });
};
