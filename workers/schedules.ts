/**
 * The report schedules: one Temporal Schedule per report (daily, weekly, monthly), created or
 * brought up to date at every start, so they show in the Temporal UI's Schedules page where an
 * operator can pause, trigger or edit them. `off` leaves a report unscheduled (and removes an
 * existing schedule).
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { REPORT_KINDS, type ReportKind } from '../client/reports.js';

export interface ReportScheduleSettings {
  taskQueue: string;
  timeZone: string;
  /** Cron expression per report, or 'off'. */
  crons: Record<ReportKind, string>;
}

export const reportScheduleId = (kind: ReportKind) => `tierline-report-${kind}`;

export async function ensureReportSchedules(client: Client, settings: ReportScheduleSettings): Promise<string[]> {
  const active: string[] = [];
  for (const kind of REPORT_KINDS) {
    const scheduleId = reportScheduleId(kind);
    const cron = settings.crons[kind];
    if (cron === 'off') {
      await client.schedule
        .getHandle(scheduleId)
        .delete()
        .catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
      continue;
    }
    const options: ScheduleOptions = {
      scheduleId,
      spec: { cronExpressions: [cron], timezone: settings.timeZone },
      action: { type: 'startWorkflow', workflowType: 'reportWorkflow', workflowId: `report-${kind}`, taskQueue: settings.taskQueue, args: [{ kind }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
      memo: { what: `tierline ${kind} report` },
    };
    try {
      await client.schedule.create(options);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: { ...previous.policies, ...options.policies } }));
    }
    active.push(`${kind} (${cron} ${settings.timeZone})`);
  }
  return active;
}
