/**
 * Email in over HTTP, for mail providers that forward each message to a webhook:
 * `POST /v1/inbound/email` with the raw message as the body (message/rfc822 or text/plain), and
 * `GET /v1/inbound/email/attachments/:id/:name` for the attachments the tickets refer to. Both sit
 * behind the API's bearer token (registered inside the authenticated scope of adapters/http/server.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TicketClient } from '../../client/tickets.js';
import { receiveMail, type InboundEmailSettings } from './inbound.js';
import { DEFAULT_MAX_MAIL_BYTES } from './smtp-listener.js';

export interface EmailInboundRouteOptions extends InboundEmailSettings {
  tickets: TicketClient;
  /** The largest raw message accepted, in bytes; 25 MiB by default, like the SMTP listener. */
  maxBytes?: number;
}

const RAW_TYPES = ['message/rfc822', 'text/plain'];

export const emailInboundRoutes: FastifyPluginAsync<EmailInboundRouteOptions> = async (app, opts) => {
  const bodyLimit = opts.maxBytes ?? DEFAULT_MAX_MAIL_BYTES;
  // This scope only: the raw message arrives as bytes, exactly as the provider sent it.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(RAW_TYPES, { parseAs: 'buffer', bodyLimit }, (_req, body: Buffer, done) => done(null, body));

  app.post('/v1/inbound/email', { bodyLimit }, async (req, reply) => {
    if (req.body !== undefined && !Buffer.isBuffer(req.body)) {
      return reply.code(415).send({ error: 'invalid_request', errors: [{ path: 'content-type', message: `expected the raw message as ${RAW_TYPES.join(' or ')}, got ${req.headers['content-type']}` }] });
    }
    const outcome = await receiveMail(req.body ?? Buffer.alloc(0), opts);
    return reply.code(202).send(outcome);
  });

  app.get<{ Params: { id: string; name: string } }>('/v1/inbound/email/attachments/:id/:name', async (req, reply) => {
    const stored = await opts.attachments?.store.get(req.params.id);
    if (!stored) return reply.code(404).send({ error: 'not_found', message: `no attachment ${req.params.id}` });
    // Always a download, never rendered by the browser on the API's origin.
    return reply
      .type(/^[\w.+-]+\/[\w.+-]+$/.test(stored.type) ? stored.type : 'application/octet-stream')
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(req.params.name)}`)
      .send(stored.content);
  });
};
