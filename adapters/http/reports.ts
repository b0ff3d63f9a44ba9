/**
 * The report routes of the API, inside its bearer-token scope (server.ts): `GET /v1/reports/:kind`
 * builds the daily, weekly or monthly report from the ticket ledger (and, daily, the open tickets
 * in Temporal) as of now or `at`, and answers it as JSON or Markdown.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { buildReport, REPORT_KINDS, type ReportKind, type ReportSources } from '../../client/reports.js';
import { renderReportJson, renderReportMarkdown } from '../../domain/metrics/render.js';

export interface ReportRouteOptions {
  /** Undefined when the server has no ledger: every report answers 404 saying so. */
  reports?: ReportSources | undefined;
}

export const REPORT_FORMATS = ['json', 'markdown'] as const;

/** An ISO 8601 instant with a date, a time and Z or an offset, e.g. 2026-03-11T15:00:00Z. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

export const ReportQuery = z
  .object({
    format: z.enum(REPORT_FORMATS, { error: `expected one of ${REPORT_FORMATS.join(', ')}` }).default('json').describe('json (the default) or markdown'),
    at: z
      .string()
      .trim()
      .max(100)
      .refine((v) => ISO_INSTANT.test(v) && Number.isFinite(Date.parse(v)), 'expected an ISO 8601 instant with Z or an offset, e.g. 2026-03-11T15:00:00Z')
      .optional()
      .describe('take the report as of this instant instead of now'),
  })
  .strict();

const ReportParams = z.object({
  kind: z.enum(REPORT_KINDS, { error: `expected one of ${REPORT_KINDS.join(', ')}` }),
});

function invalid(reply: FastifyReply, path: string, message: string) {
  return reply.code(400).send({ error: 'invalid_request', errors: [{ path, message }] });
}

export const reportRoutes: FastifyPluginAsync<ReportRouteOptions> = async (api, opts) => {
  api.get<{ Params: { kind: string } }>('/v1/reports/:kind', async (req, reply) => {
    const params = ReportParams.safeParse(req.params);
    if (!params.success) return invalid(reply, 'kind', `${params.error.issues[0]?.message ?? 'invalid'}, got '${req.params.kind}'`);
    const query = ReportQuery.parse(req.query ?? {});
    if (!opts.reports) {
      return reply.code(404).send({ error: 'not_found', message: 'reports are not configured on this server: it has no ticket ledger (see LEDGER_URL / TIERLINE_DATA_DIR)' });
    }
    const kind: ReportKind = params.data.kind;
    const now = query.at !== undefined ? Date.parse(query.at) : Date.now();
    const report = await buildReport(kind, opts.reports, now);
    if (query.format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(renderReportMarkdown(report));
    return reply.type('application/json; charset=utf-8').send(renderReportJson(report));
  });
};
