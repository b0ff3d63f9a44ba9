/**
 * The scheduled reports' activity: builds the report (the ledger and, for the daily queue, the
 * open tickets) and posts it to the reports channel in Slack, or to the outbox. Idempotent on its
 * key (one per report and period): Slack finds a message carrying it on a retry.
 */
import { Context } from '@temporalio/activity';
import { buildReport, type ReportKind, type ReportSources } from '../client/reports.js';
import { renderReportMarkdown } from '../domain/metrics/render.js';
import type { Delivery } from './notifications.js';
import type { Outbox } from './outbox.js';
import type { SlackActivities } from './slack.js';

export interface ReportDeps {
  /** Built on first use (the worker's own Temporal client and ledger); absent: reports cannot be built here. */
  sources: () => ReportSources | undefined;
  outbox: Outbox;
  slack?: { activities: SlackActivities; channels: Record<string, string> };
}

export function createReportActivities(deps: ReportDeps) {
  return {
    async sendReport(input: { key: string; kind: ReportKind; now: number }): Promise<Delivery & { title: string }> {
      const sources = deps.sources();
      if (!sources) throw new Error('reports need the worker to know its Temporal client and ledger');
      const report = await buildReport(input.kind, sources, input.now);
      const markdown = renderReportMarkdown(report);
      const title = markdown.split('\n')[0]!.replace(/^#+\s*/, '');
      const attempts = Context.current().info.attempt;
      const channel = deps.slack?.channels['reports'] ?? deps.slack?.channels['default'];
      if (deps.slack && channel) {
        await deps.slack.activities.postChannelMessage({ idempotencyKey: input.key, channel, text: markdown });
        return { channel: 'slack', attempts, title };
      }
      await deps.outbox.write(input.key, `report:${input.kind}`, { title, markdown });
      return { channel: 'outbox', attempts, title };
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
