/**
 * The scheduled reports. The report workflow runs under the time-skipping server (which has no
 * Schedules); the Schedule itself runs on the dev server, triggered, as an operator's "trigger
 * now" in the Temporal UI would. Both post to a local Slack; the workflow also mails the report
 * through the real nodemailer transport to a local SMTP server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TicketClient } from '../../client/tickets.js';
import { createActivities } from '../../workers/activities.js';
import { ConfigError, loadConfig } from '../../workers/config.js';
import { ensureReportSchedules, reportScheduleId } from '../../workers/schedules.js';
import type { reportWorkflow } from '../../workflows/report.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { eventually } from '../helpers/api.js';
import { devServerEnv, settled, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';
import { start as startSlack, type SlackServer } from '../servers/slack.js';
import { start as startSmtp, type SmtpTestServer } from '../servers/smtp.js';
import { reportMessageId } from '../../activities/email.js';
import { ticketWorkflowId } from '../../client/ticket-ids.js';

const REPORTS = 'C0REPORTS';

const RECIPIENTS = 'lead@support.example, team@support.example';

async function reportHarness(env: TestWorkflowEnvironment, slack: SlackServer, smtp?: SmtpTestServer): Promise<TicketHarness> {
  const holder: { tickets?: TicketClient } = {};
  const config = loadConfig({
    TIERLINE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tierline-reports-')),
    SLACK_BOT_TOKEN: slack.token,
    SLACK_API_URL: slack.url,
    SLACK_CHANNELS: `reports=${REPORTS},default=${REPORTS}`,
    ...(smtp ? { SMTP_URL: smtp.url, REPORT_EMAIL_TO: RECIPIENTS } : {}),
  });
  const harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: createActivities(config, () => {}, undefined, { tickets: () => holder.tickets }) });
  holder.tickets = harness.tickets;
  return harness;
}

test('REPORT_EMAIL_TO takes addresses separated by commas; a bad one stops start-up with one line naming the setting', () => {
  assert.deepEqual(loadConfig({ REPORT_EMAIL_TO: RECIPIENTS }).REPORT_EMAIL_TO, ['lead@support.example', 'team@support.example']);
  assert.throws(
    () => loadConfig({ REPORT_EMAIL_TO: 'lead@support.example, team at support' }),
    (err: Error) => err instanceof ConfigError && err.message === `REPORT_EMAIL_TO: 'team at support' is not an email address; expected addresses separated by commas, e.g. lead@example.com,team@example.com (got "lead@support.example, team at support")`,
  );
});

describe('the report workflow (time-skipping Temporal)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let mailing: TicketHarness;
  let slack: SlackServer;
  let smtp: SmtpTestServer;
  before(async () => {
    slack = await startSlack({ channels: [REPORTS] });
    smtp = await startSmtp();
    env = await timeSkippingEnv();
    harness = await reportHarness(env, slack);
    mailing = await reportHarness(env, slack, smtp);
  });
  after(async () => {
    await harness?.shutdown();
    await mailing?.shutdown();
    await env?.teardown();
    await slack?.close();
    await smtp?.close();
  });

  const run = (on: TicketHarness, workflowId: string) => env.client.workflow.execute<typeof reportWorkflow>('reportWorkflow', { taskQueue: on.taskQueue, workflowId, args: [{ kind: 'weekly' }] });
  const postsOf = (key: string) => slack.messages(REPORTS).filter((m) => m.metadata?.event_payload['idempotency_key'] === key);
  const mailsOf = (key: string) => smtp.received.filter((m) => m.mail.messageId === reportMessageId(key, 'tierline.local'));

  test('the weekly report is taken as of workflow time and posted once to the reports channel', async () => {
    await harness.run(async () => {
      const result = await run(harness, 'report-weekly-test');
      assert.deepEqual(result.deliveries.map((d) => d.channel), ['slack']);
      const posted = postsOf('report/weekly/report-weekly-test');
      assert.equal(posted.length, 1);
      assert.match(posted[0]!.text ?? '', /Target/i, 'the weekly report shows its targets');
    });
  });

  test('with REPORT_EMAIL_TO the report also goes by email: one message to every recipient, the title as subject, the Markdown as text', async () => {
    await mailing.run(async () => {
      const result = await run(mailing, 'report-weekly-mail');
      const key = 'report/weekly/report-weekly-mail';
      assert.deepEqual(result.deliveries.map((d) => [d.channel, d.failed]), [['slack', undefined], ['email', undefined]]);
      assert.equal(postsOf(key).length, 1);
      const mails = mailsOf(key);
      assert.equal(mails.length, 1, 'mailed once');
      const { envelope, mail } = mails[0]!;
      assert.deepEqual(envelope.to, ['lead@support.example', 'team@support.example']);
      assert.equal(mail.subject, result.title);
      assert.match(result.title, /weekly/i);
      assert.match(mail.text ?? '', /Target/i, 'the body is the Markdown report');
      assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
    });
  });

  test('a retry after Slack failed mails nothing twice and posts nothing twice', async () => {
    await mailing.run(async () => {
      // Slack stores the post but answers 500: the activity retries; the mail went out on attempt 1.
      slack.faults.inject({ kind: 'store-then-500' }, { method: 'chat.postMessage' });
      const result = await run(mailing, 'report-weekly-retry');
      const key = 'report/weekly/report-weekly-retry';
      const email = result.deliveries.find((d) => d.channel === 'email');
      assert.deepEqual([email?.attempts, email?.alreadySent], [2, true], 'the second attempt found the mail in the sent log');
      assert.equal(mailsOf(key).length, 1, 'mailed once');
      assert.equal(postsOf(key).length, 1, 'posted once');
    });
  });

  test('an SMTP server that defers (4xx) is retried; one that rejects (5xx) is reported and Slack still has the report', async () => {
    await mailing.run(async () => {
      smtp.faults.inject({ kind: 'reply', code: 451 });
      const deferred = await run(mailing, 'report-weekly-451');
      assert.deepEqual(deferred.deliveries.map((d) => [d.channel, d.attempts, d.failed]), [['slack', 2, undefined], ['email', 2, undefined]]);
      assert.equal(mailsOf('report/weekly/report-weekly-451').length, 1);

      smtp.faults.inject({ kind: 'reply', code: 550 });
      const rejected = await run(mailing, 'report-weekly-550');
      const email = rejected.deliveries.find((d) => d.channel === 'email');
      assert.match(email?.failed ?? '', /SMTP server rejected the email/);
      assert.equal(email?.attempts, 1, 'a 5xx is not retried');
      assert.equal(postsOf('report/weekly/report-weekly-550').length, 1);
      assert.equal(mailsOf('report/weekly/report-weekly-550').length, 0);
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
