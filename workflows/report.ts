/**
 * One scheduled report (started by a Temporal Schedule: visible and pausable in the UI). The
 * report is taken as of the workflow's own time, so a retried or replayed run describes the same
 * period, and the key (kind + that time) keeps the post and the mail to one each.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReportActivities, ReportDelivery } from '../activities/reports.js';
import type { ReportKind } from '../client/reports.js';

const reports = proxyActivities<ReportActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 10 },
});

/** The report's title and what became of it at each destination (Slack, email, outbox). */
export async function reportWorkflow(input: { kind: ReportKind }): Promise<{ title: string; deliveries: ReportDelivery[] }> {
  const now = Date.now();
  return reports.sendReport({ key: `report/${input.kind}/${workflowInfo().workflowId}`, kind: input.kind, now });
}
