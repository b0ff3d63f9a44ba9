/**
 * The scheduled reports' activity: builds the report (the ledger and, for the daily queue, the
 * open tickets) and sends it to each destination configuration names: the reports channel in
 * Slack, the REPORT_EMAIL_TO recipients by SMTP, or the outbox when neither is set (an email
 * destination without SMTP goes to the outbox too). Idempotent on its key (one per report and
 * period): Slack finds a message carrying it on a retry, and the email's Message-ID is derived
 * from it and checked against the sent log, so a retry (after one destination failed) repeats
 * neither the post nor the mail that already went out.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { buildReport, type ReportKind, type ReportSources } from '../client/reports.js';
import { renderReportMarkdown } from '../domain/metrics/render.js';
import type { EmailActivities } from './email.js';
import { describe } from './errors.js';
import type { Delivery } from './notifications.js';
import type { Outbox } from './outbox.js';
import type { SlackActivities } from './slack.js';

export interface ReportDeps {
  /** Built on first use (the worker's own Temporal client and ledger); absent: reports cannot be built here. */
  sources: () => ReportSources | undefined;
  outbox: Outbox;
  slack?: { activities: SlackActivities; channels: Record<string, string> };
  /** The report's recipients (REPORT_EMAIL_TO); `activities` when SMTP is configured, else the outbox. */
  email?: { to: string[]; activities?: EmailActivities };
}

/** What became of the report at one destination: sent (or found sent by an earlier attempt), or failed for good. */
export type ReportDelivery = Delivery & { to?: string[]; messageId?: string; alreadySent?: boolean; failed?: string };

/** Report failure type when every destination refused the report for good. */
export const REPORT_UNDELIVERED = 'ReportUndeliveredError';

export function createReportActivities(deps: ReportDeps) {
  return {
    async sendReport(input: { key: string; kind: ReportKind; now: number }): Promise<{ title: string; deliveries: ReportDelivery[] }> {
      const sources = deps.sources();
      if (!sources) throw new Error('reports need the worker to know its Temporal client and ledger');
      const report = await buildReport(input.kind, sources, input.now);
      const markdown = renderReportMarkdown(report);
      const title = markdown.split('\n')[0]!.replace(/^#+\s*/, '');
      const attempts = Context.current().info.attempt;
      const log = Context.current().log;

      const sends: { channel: Delivery['channel']; send: () => Promise<Omit<ReportDelivery, 'attempts'>> }[] = [];
      const channel = deps.slack?.channels['reports'] ?? deps.slack?.channels['default'];
      if (deps.slack && channel) {
        const slack = deps.slack.activities;
        sends.push({
          channel: 'slack',
          send: async () => {
            await slack.postChannelMessage({ idempotencyKey: input.key, channel, text: markdown });
            return { channel: 'slack' };
          },
        });
      }
      const email = deps.email;
      if (email?.activities) {
        const smtp = email.activities;
        sends.push({
          channel: 'email',
          send: async () => ({ channel: 'email', to: email.to, ...(await smtp.sendReportEmail({ idempotencyKey: input.key, kind: input.kind, to: email.to, subject: title, markdown })) }),
        });
      } else if (email) {
        sends.push({
          channel: 'outbox',
          send: async () => {
            await deps.outbox.write(`${input.key}/email`, `report-email:${input.kind}`, { to: email.to, title, markdown });
            return { channel: 'outbox', to: email.to };
          },
        });
      }
      if (sends.length === 0) {
        await deps.outbox.write(input.key, `report:${input.kind}`, { title, markdown });
        return { title, deliveries: [{ channel: 'outbox', attempts }] };
      }

      // Every destination is tried, whatever another one did. A retryable failure anywhere retries
      // the whole activity: the destinations that succeeded find their send and skip it.
      const deliveries: ReportDelivery[] = [];
      let retry: unknown;
      for (const { channel: via, send } of sends) {
        try {
          deliveries.push({ ...(await send()), attempts });
        } catch (err) {
          if (!(err instanceof ApplicationFailure && err.nonRetryable)) {
            log.warn('Report not delivered yet; the activity will retry', { channel: via, key: input.key, error: describe(err) });
            retry ??= err;
            continue;
          }
          log.error('Report refused for good by one destination', { channel: via, key: input.key, error: err.message });
          deliveries.push({ channel: via, attempts, failed: err.message });
        }
      }
      if (retry !== undefined) throw retry;
      if (deliveries.every((d) => d.failed !== undefined)) {
        throw ApplicationFailure.nonRetryable(`the ${input.kind} report reached no destination: ${deliveries.map((d) => `${d.channel}: ${d.failed}`).join('; ')}`, REPORT_UNDELIVERED);
      }
      return { title, deliveries };
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
