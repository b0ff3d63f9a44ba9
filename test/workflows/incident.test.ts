/**
 * The incident workflow on a real (time-skipping) Temporal: the update cadence's reminder and
 * overdue notice at their exact workflow times, each status update broadcast once per channel
 * through a Slack outage, linked tickets' clocks paused and resumed, and the resolution closing
 * the loop (linked tickets resolved, the report written). Times are asserted on the workflow's
 * own timeline: the local servers see wall-clock time.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentClient } from '../../client/incidents.js';
import { incidentWorkflowId, ticketWorkflowId } from '../../client/ticket-ids.js';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';
import { caroLikePolicy, MINUTE } from '../fixtures/policies.js';
import { settled, skip, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';
import { start as startSlack, type SlackServer } from '../servers/slack.js';
import { start as startSmtp, type SmtpTestServer } from '../servers/smtp.js';

const INCIDENTS = 'C0INCIDENTS';
const SUPPORT = 'C0SUPPORT';

describe('incidents on a real (time-skipping) Temporal', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let incidents: IncidentClient;
  let slack: SlackServer;
  let smtp: SmtpTestServer;
  let dataDir: string;
  const policy = caroLikePolicy({
    incidents: { broadcast: ['slack', 'email', 'social', 'status-page'], linkedTicketClocks: 'pause', onResolve: 'resolve-linked', service: 'Caro' },
  });

  before(async () => {
    slack = await startSlack({ channels: [SUPPORT, INCIDENTS] });
    smtp = await startSmtp();
    dataDir = mkdtempSync(join(tmpdir(), 'tierline-incident-'));
    const config = loadConfig({
      TIERLINE_DATA_DIR: dataDir,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      SLACK_CHANNELS: `support=${SUPPORT},incidents=${INCIDENTS}`,
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Caro Support <support@caro.example>',
      EMAIL_DOMAIN: 'tickets.caro.example',
      PUBLIC_URL: 'https://support.caro.example',
    });
    env = await timeSkippingEnv();
    harness = await ticketHarness(env, { policy, activities: createActivities(config, () => {}) });
    incidents = new IncidentClient(env.client, { taskQueue: harness.taskQueue, policy, publicUrl: 'https://support.caro.example' });
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
    await slack?.close();
    await smtp?.close();
  });

  const incidentMessages = () => slack.messages(INCIDENTS);
  const timelineOf = async (id: string) => (await incidents.get(id)).timeline;
  const at = (iso: string) => Date.parse(iso);

  test('the cadence reminds 10 minutes before an update is due and marks it overdue 5 minutes after, on workflow time', async () => {
    await harness.run(async () => {
      const { incident } = await incidents.declare({ title: 'API returns 502', severity: 'critical', impact: 'Every API call fails' }, 'grace');
      const declaredAt = at(incident.declaredAt);
      assert.equal(at(incident.nextUpdateAt!), declaredAt + 30 * MINUTE, 'critical incidents update every 30 minutes');

      await skip(env, 19 * MINUTE);
      assert.ok(!(await timelineOf(incident.id)).some((e) => e.type === 'update-reminder'), 'no reminder before its time');
      await skip(env, 2 * MINUTE);
      const reminder = (await timelineOf(incident.id)).find((e) => e.type === 'update-reminder');
      assert.ok(reminder, 'the commander was reminded');
      // To the second: a timer starts when the server records it, a moment after the workflow's task began.
      assert.ok(Math.abs(at(reminder.at) - (declaredAt + 20 * MINUTE)) < 1000, `10 minutes before the update is due, to the second (${reminder.at})`);
      assert.equal(reminder.data?.['dueAt'], declaredAt + 30 * MINUTE);

      await skip(env, 16 * MINUTE);
      const overdue = (await timelineOf(incident.id)).find((e) => e.type === 'update-overdue');
      assert.ok(overdue, 'the missed update is marked overdue');
      assert.ok(Math.abs(at(overdue.at) - (declaredAt + 35 * MINUTE)) < 1000, `5 minutes after it was due, to the second (${overdue.at})`);
      await settled(env.client.workflow.getHandle(incidentWorkflowId(incident.id)));
      const texts = incidentMessages().map((m) => m.text ?? '');
      assert.equal(texts.filter((t) => t.startsWith('Reminder for grace')).length, 1, 'one reminder in the incident channel');
      assert.equal(texts.filter((t) => t.includes('is overdue')).length, 1, 'one overdue notice');

      // An update restarts the cadence from its own time.
      const updated = await incidents.act(incident.id, 'postUpdate', { actor: 'grace', status: 'identified', impact: 'Every API call fails', message: 'A bad deploy; rolling back' });
      const updateAt = at(updated.updates.at(-1)!.at);
      assert.equal(at(updated.nextUpdateAt!), updateAt + 30 * MINUTE);
      assert.equal(updated.cadence?.overdue, false);
      await incidents.act(incident.id, 'resolve', { actor: 'grace', summary: 'Rolled back' });
    });
  });

  test('each update goes to each channel once through a Slack outage; linked tickets pause, hear every update, and resolve with the incident', async () => {
    await harness.run(async () => {
      const { ticket } = await harness.tickets.open({
        subject: 'Cannot log in',
        description: 'The login page spins',
        requester: { email: 'ada@customer.example', name: 'Ada' },
        channel: 'email',
        priority: 'P1',
      });
      await settled(env.client.workflow.getHandle(ticketWorkflowId(ticket.id)));
      // Slack stores the first post of the declaration's update, then answers 500: the retry finds it.
      slack.faults.inject({ kind: 'store-then-500' }, { times: 1, method: 'chat.postMessage' });
      const { incident } = await incidents.declare({ title: 'Login <outage>', severity: 'major', impact: 'Nobody can log in', components: ['auth'], tickets: [ticket.id] }, 'grace');
      await settled(env.client.workflow.getHandle(incidentWorkflowId(incident.id)));
      await settled(env.client.workflow.getHandle(ticketWorkflowId(ticket.id)));

      const linked = await harness.tickets.get(ticket.id);
      assert.equal(linked.incident?.id, incident.id);
      const frClock = linked.clocks.find((c) => c.metric === 'firstResponse');
      assert.equal(frClock?.status, 'paused', "the linked ticket's first-response clock pauses (policy: pause)");

      await incidents.act(incident.id, 'postUpdate', { actor: 'grace', status: 'identified', impact: 'Nobody can log in', message: 'An expired certificate' });
      await skip(env, 20 * MINUTE);
      const resolved = await incidents.act(incident.id, 'resolve', { actor: 'grace', summary: 'Certificate renewed; logins work again', rootCause: 'The certificate expired' });
      assert.equal(resolved.status, 'resolved');
      await env.client.workflow.getHandle(incidentWorkflowId(incident.id)).result();
      await settled(env.client.workflow.getHandle(ticketWorkflowId(ticket.id)));

      // Slack: the three updates (declared, identified, resolved), each once, despite the failed first attempt.
      const updates = incidentMessages().filter((m) => /Caro Service Update/.test(m.text ?? '') && (m.text ?? '').includes('Login'));
      assert.equal(updates.length, 3, incidentMessages().map((m) => m.text).join('\n---\n'));
      const keys = updates.map((m) => m.metadata?.event_payload['idempotency_key']);
      assert.equal(new Set(keys).size, 3, 'one message per update key');
      // Email: the requester hears in the ticket's own thread.
      const mails = smtp.received.filter((m) => (m.mail.subject ?? '').includes(`[${ticket.id}]`));
      const updateMails = mails.filter((m) => /Service Update/.test(m.mail.text ?? ''));
      // The link notice stands for the declaration's update (the ticket was linked with it); each later update follows.
      assert.equal(mails.filter((m) => /part of a known incident/.test(m.mail.text ?? '')).length, 1, 'one link notice');
      assert.deepEqual(updateMails.map((m) => /\[(\w+)\] Caro Service Update/.exec(m.mail.text ?? '')?.[1]), ['Identified', 'Resolved']);
      assert.ok(mails.some((m) => /support\.caro\.example\/status\/incidents\//.test(m.mail.text ?? '')), 'the status page link is in the mail');
      // Social: one outbox line per update for a person to post.
      const outbox = readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { key: string; channel: string });
      const social = outbox.filter((l) => l.channel.includes('social') && l.key.startsWith(incident.id));
      assert.equal(social.length, 3);
      assert.equal(new Set(social.map((l) => l.key)).size, 3);

      // The loop closes: the linked ticket resolved with the summary, clocks no longer paused, the report written.
      const after = await harness.tickets.get(ticket.id);
      assert.equal(after.status, 'resolved');
      assert.equal(after.resolution, 'Certificate renewed; logins work again');
      assert.ok(!after.clocks.some((c) => c.status === 'paused'), 'nothing stays paused');
      const report = join(dataDir, 'reports', `${incident.id}.md`);
      assert.ok(existsSync(report), 'the incident report is written');
      const markdown = readFileSync(report, 'utf8');
      assert.match(markdown, /Root Cause[^\n]*\n+[^\n]*The certificate expired/i);
      assert.match(markdown, /TO FILL: /, 'fields nobody gave are marked for a person to fill');
      assert.match(markdown, new RegExp(ticket.id));
    });
  });

  test('a resolved incident refuses another update, with the reason', async () => {
    await harness.run(async () => {
      const { incident } = await incidents.declare({ title: 'Docs site slow', severity: 'minor', impact: 'Docs load slowly' }, 'grace');
      await incidents.act(incident.id, 'resolve', { actor: 'grace', summary: 'CDN purged' });
      await assert.rejects(
        incidents.act(incident.id, 'postUpdate', { actor: 'grace', status: 'monitoring', impact: 'none', message: 'watching' }),
        (err: Error) => /resolved/.test(err.message),
      );
    });
  });
});
