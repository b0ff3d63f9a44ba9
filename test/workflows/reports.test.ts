/**
 * The scheduled reports. The report workflow runs under the time-skipping server (which has no
 * Schedules); the Schedule itself runs on the dev server, triggered, as an operator's "trigger
 * now" in the Temporal UI would. Both post to a local Slack.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TicketClient } from '../../client/tickets.js';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';
import { ensureReportSchedules, reportScheduleId } from '../../workers/schedules.js';
import type { reportWorkflow } from '../../workflows/report.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { eventually } from '../helpers/api.js';
import { devServerEnv, settled, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';
import { start as startSlack, type SlackServer } from '../servers/slack.js';
import { ticketWorkflowId } from '../../client/ticket-ids.js';

const REPORTS = 'C0REPORTS';

async function reportHarness(env: TestWorkflowEnvironment, slack: SlackServer): Promise<TicketHarness> {
  const holder: { tickets?: TicketClient } = {};
  const config = loadConfig({
    TIERLINE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tierline-reports-')),
    SLACK_BOT_TOKEN: slack.token,
    SLACK_API_URL: slack.url,
    SLACK_CHANNELS: `reports=${REPORTS},default=${REPORTS}`,
  });
  const harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: createActivities(config, () => {}, undefined, { tickets: () => holder.tickets }) });
  holder.tickets = harness.tickets;
  return harness;
}

describe('the report workflow (time-skipping Temporal)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let slack: SlackServer;
  before(async () => {
    slack = await startSlack({ channels: [REPORTS] });
    env = await timeSkippingEnv();
    harness = await reportHarness(env, slack);
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
    await slack?.close();
  });

  test('the weekly report is taken as of workflow time and posted once to the reports channel', async () => {
    await harness.run(async () => {
      const result = await env.client.workflow.execute<typeof reportWorkflow>('reportWorkflow', { taskQueue: harness.taskQueue, workflowId: 'report-weekly-test', args: [{ kind: 'weekly' }] });
      assert.equal(result.channel, 'slack');
      const posted = slack.messages(REPORTS);
      assert.equal(posted.length, 1);
      assert.match(posted[0]!.text ?? '', /Target/i, 'the weekly report shows its targets');
      assert.equal(posted[0]!.metadata?.event_payload['idempotency_key'], 'report/weekly/report-weekly-test');
    });
  });
});

describe('the report Schedules (dev server)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let slack: SlackServer;
  before(async () => {
    slack = await startSlack({ channels: [REPORTS] });
    env = await devServerEnv();
    harness = await reportHarness(env, slack);
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
    await slack?.close();
  });

  test('the schedules are created once, kept up to date, and a triggered one posts the daily report with the open queue', async () => {
    await harness.run(async () => {
      const crons = { daily: '0 9 * * *', weekly: '0 9 * * 1', monthly: 'off' };
      const first = await ensureReportSchedules(env.client, { taskQueue: harness.taskQueue, timeZone: 'Europe/Berlin', crons });
      assert.deepEqual(first, ['daily (0 9 * * * Europe/Berlin)', 'weekly (0 9 * * 1 Europe/Berlin)']);
      // A second start changes the weekly time: the schedule is updated, not duplicated.
      await ensureReportSchedules(env.client, { taskQueue: harness.taskQueue, timeZone: 'Europe/Berlin', crons: { ...crons, weekly: '30 8 * * 1' } });
      const weekly = await env.client.schedule.getHandle(reportScheduleId('weekly')).describe();
      assert.deepEqual(weekly.spec.calendars?.[0]?.hour, [{ start: 8, end: 8, step: 1 }]);
      assert.equal(weekly.spec.timezone, 'Europe/Berlin');
      await assert.rejects(env.client.schedule.getHandle(reportScheduleId('monthly')).describe(), 'monthly: off means no schedule');

      // The daily report's queue comes from the open tickets (visibility: the dev server has it).
      const { ticket } = await harness.tickets.open({ subject: 'Cannot export', requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P0' });
      await settled(env.client.workflow.getHandle(ticketWorkflowId(ticket.id)));
      await eventually('the ticket in visibility', async () => ((await harness.tickets.list({ open: true })).some((t) => t.id === ticket.id) ? true : undefined));
      await env.client.schedule.getHandle(reportScheduleId('daily')).trigger();
      const posted = await eventually('the daily report in Slack', () => slack.messages(REPORTS).find((m) => /daily/i.test(m.text ?? '')));
      assert.match(posted.text ?? '', new RegExp(ticket.id), 'the open P0 is in the daily report');
    });
  });
});
