/**
 * On-call paging on a real (time-skipping) Temporal with the SIGN X preset, its on-call schedule
 * (policies/oncall.example.yaml) and a local PagerDuty Events API: who is paged, when, and what
 * happens when somebody answers or nobody does. Times are asserted on the workflow time each page
 * carries in its payload (the local server sees wall-clock time).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import { loadPolicy } from '../../policies/load.js';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';
import { PROJECT_ROOT } from '../../workers/temporal-tools.js';
import { HOUR, MINUTE } from '../fixtures/policies.js';
import { scenarioYear } from '../helpers/scenario-year.js';
import { skip, skipTo, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';
import { start as startPager, type PagerServer } from '../servers/pager.js';
import { start as startSlack, type SlackServer } from '../servers/slack.js';
import { start as startSmtp, type SmtpTestServer } from '../servers/smtp.js';

const KEYS = { 'signx-primary': 'R0PRIMARY0000000000000000000000A', 'signx-secondary': 'R0SECONDARY000000000000000000000', 'signx-lead': 'R0LEAD00000000000000000000000000' };

// The year the scenarios run in: 2026 while their dates are ahead, else a later year with its calendar.
const scenario = scenarioYear(Date.UTC(2026, 11, 1, 15, 0, 0));

describe('SIGN X on-call paging on a real (time-skipping) Temporal', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let pager: PagerServer;
  let smtp: SmtpTestServer;
  let slack: SlackServer;

  let config: ReturnType<typeof loadConfig>;
  before(async () => {
    pager = await startPager();
    smtp = await startSmtp();
    slack = await startSlack({ channels: ['C0ENGINEERING'] });
    // The preset's schedule, plus an override: Engineer C covers the primary layer (Engineer B's
    // week) on 2026-12-15 from 13:00 to 17:00 UTC.
    const dir = mkdtempSync(join(tmpdir(), 'tierline-paging-'));
    const oncall = readFileSync(join(PROJECT_ROOT, 'policies', 'oncall.example.yaml'), 'utf8').replace(
      "        overrides:\n",
      "        overrides:\n          - { from: '2026-12-15T13:00:00Z', to: '2026-12-15T17:00:00Z', person: engineer-c, note: test override }\n",
    );
    writeFileSync(join(dir, 'oncall.yaml'), scenario.text(oncall));
    config = loadConfig({
      TIERLINE_DATA_DIR: dir,
      ONCALL_FILE: join(dir, 'oncall.yaml'),
      PAGERDUTY_EVENTS_URL: pager.url,
      SMTP_URL: smtp.url,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      SLACK_CHANNELS: 'engineering=C0ENGINEERING,apex-support=C0ENGINEERING,default=C0ENGINEERING',
      PAGERDUTY_ROUTING_KEYS: Object.entries(KEYS).map(([k, v]) => `${k}=${v}`).join(','),
    });
  });
  // A fresh test server per scenario: each starts its clock where it needs it, and no scenario
  // waits through the timers another one left behind.
  beforeEach(async () => {
    env = await timeSkippingEnv();
    harness = await ticketHarness(env, { policy: scenario.policy(loadPolicy('signx')), activities: createActivities(config, () => {}) });
  });
  afterEach(async () => {
    await harness?.shutdown();
    await env?.teardown();
  });
  after(async () => {
    await pager?.close();
    await smtp?.close();
    await slack?.close();
  });

  const open = (subject: string, priority: string) =>
    harness.tickets.open({ subject, description: 'details', requester: { email: 'ops@customer.example' }, channel: 'email', priority }).then((r) => r.ticket);
  /** The triggers PagerDuty received for a ticket: who (by routing key name), and when (workflow time). */
  const triggers = (ticketId: string) =>
    pager.received
      .filter((r) => r.status === 202 && r.body.event_action === 'trigger' && String(r.body.dedup_key).startsWith(ticketId))
      .map((r) => {
        const details = (r.body.payload as { custom_details: { person: string; layer: string; pagedAt: string } }).custom_details;
        return { key: String(r.body.routing_key), person: details.person, layer: details.layer, at: Date.parse(details.pagedAt), severity: (r.body.payload as { severity: string }).severity };
      });
  const alertsOf = (ticketId: string) => [...pager.alerts.values()].filter((a) => a.dedupKey.startsWith(ticketId));
  const timelineTypes = async (id: string) => (await harness.tickets.get(id)).timeline.map((e) => e.type);

  test('a P0 nobody answers: primary at once, secondary at +15 min, lead at +30 min, then the plan again', async () => {
    await harness.run(async () => {
      await skipTo(env, scenario.at(11, 1, 15, 0, 0)); // Tuesday 10:00 New York: week of Nov 30, Engineer D primary
      const ticket = await open('System down: uploads fail for everyone', 'P0');
      const openedAt = Date.parse(ticket.openedAt);
      assert.equal(ticket.tier, 'tier3');
      await skip(env, 95 * MINUTE);
      const paged = triggers(ticket.id);
      assert.ok(paged[0]!.at - openedAt < 2000, 'the primary is paged at once');
      assert.deepEqual(
        paged.map((p) => [p.layer, p.person, p.at - paged[0]!.at]),
        [
          ['primary', 'Engineer D', 0],
          ['secondary', 'Engineer C', 15 * MINUTE],
          ['lead', 'Engineering Lead', 30 * MINUTE],
          ['primary', 'Engineer D', 45 * MINUTE],
          ['secondary', 'Engineer C', 60 * MINUTE],
          ['lead', 'Engineering Lead', 75 * MINUTE],
        ],
      );
      assert.deepEqual(paged.slice(0, 3).map((p) => p.key), [KEYS['signx-primary'], KEYS['signx-secondary'], KEYS['signx-lead']]);
      // Everyone paged who has an address got the page by email too, once per level and round.
      const mails = smtp.received.filter((m) => (m.mail.subject ?? '').includes(ticket.id) && m.envelope.to[0] !== 'ops@customer.example');
      assert.deepEqual(mails.map((m) => m.envelope.to[0]).sort(), ['engineer-c@signx.example', 'engineer-c@signx.example', 'engineer-d@signx.example', 'engineer-d@signx.example', 'lead@signx.example', 'lead@signx.example']);
      assert.match(mails[0]!.mail.subject ?? '', /PAGE P0: System down/);
      assert.match(mails[0]!.mail.text ?? '', /You are paged as primary on-call/);
      // The lead has a Slack id: paged by direct message too, once per round.
      const dms = slack.messages('D0SIGNXLEAD').filter((m) => String(m.text).includes(ticket.id));
      assert.equal(dms.length, 2);
      assert.match(String(dms[0]!.text), /You are paged as lead on-call/);
      assert.ok(paged.every((p) => p.severity === 'critical'));
      const state = await harness.tickets.state(ticket.id);
      assert.equal(state.page?.status, 'exhausted');
      const exhausted = state.timeline.find((e) => e.type === 'page-exhausted')!;
      assert.ok(exhausted.at >= openedAt + 90 * MINUTE && exhausted.at < openedAt + 90 * MINUTE + 2000);

      await harness.tickets.act(ticket.id, 'resolve', { actor: 'engineer-d', resolution: 'Rolled back the deploy' });
      await waitUntil(() => alertsOf(ticket.id).every((a) => a.state === 'resolved'), 'every incident resolved');
      assert.equal(alertsOf(ticket.id).length, 6);
    });
  });

  test('an acknowledgement stops the page and assigns the ticket; still open after 4 h, it pages again', async () => {
    await harness.run(async () => {
      await skipTo(env, scenario.at(11, 7, 15, 0, 0)); // Monday 10:00 New York: week of Dec 7, Engineer A primary, D secondary
      const ticket = await open('Data loss after the last import', 'P0');
      const openedAt = Date.parse(ticket.openedAt);
      await skip(env, 20 * MINUTE);
      const acked = await harness.tickets.act(ticket.id, 'acknowledge', { actor: 'engineer-d' });
      assert.equal(acked.assignee, 'engineer-d');
      assert.deepEqual([acked.page?.status, acked.page?.acknowledgedBy], ['acknowledged', 'engineer-d']);
      await skip(env, 30 * MINUTE);
      assert.deepEqual(triggers(ticket.id).map((p) => p.person), ['Engineer A', 'Engineer D'], 'the lead was never paged');
      await waitUntil(() => alertsOf(ticket.id).every((a) => a.state === 'acknowledged'), 'both incidents acknowledged');

      await skip(env, 4 * HOUR);
      const again = triggers(ticket.id).slice(2);
      const ackedAt = Date.parse(acked.acknowledgedAt!);
      assert.equal(again[0]!.person, 'Engineer A');
      assert.ok(again[0]!.at - ackedAt >= 4 * HOUR && again[0]!.at - ackedAt < 4 * HOUR + 2000, 'paged again 4 h after the acknowledgement');
      void openedAt;
      const state = await harness.tickets.state(ticket.id);
      assert.match(state.timeline.filter((e) => e.type === 'page-started').at(-1)!.summary, /acknowledged by engineer-d but not resolved within 4h/);

      await harness.tickets.act(ticket.id, 'acknowledge', { actor: 'engineer-a' });
      await harness.tickets.act(ticket.id, 'resolve', { actor: 'engineer-a', resolution: 'Restored from backup' });
      await waitUntil(() => alertsOf(ticket.id).every((a) => a.state === 'resolved'), `every incident resolved with the ticket: ${JSON.stringify(alertsOf(ticket.id))}`).catch(async (err) => {
        for (const id of [ticketWorkflowId(ticket.id), `page-${ticket.id}-page-2`]) {
          const h = await env.client.workflow.getHandle(id).fetchHistory();
          console.error(id, JSON.stringify(h.events!.slice(-14).map((e) => [e.eventId?.toString(), e.eventType, e.workflowTaskFailedEventAttributes?.failure?.message, e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName])));
        }
        throw err;
      });
      const types = await timelineTypes(ticket.id);
      assert.equal(types.filter((t) => t === 'page-acknowledged').length, 2);
    });
  });

  test('at the weekend the lead is not on call: the level is skipped and recorded', async () => {
    await harness.run(async () => {
      await skipTo(env, scenario.at(11, 12, 17, 0, 0)); // Saturday 12:00 New York
      const ticket = await open('Security breach suspected', 'P0');
      const openedAt = Date.parse(ticket.openedAt);
      await skip(env, 35 * MINUTE);
      const paged = triggers(ticket.id).slice(0, 3);
      assert.ok(paged[0]!.at - openedAt < 2000);
      assert.deepEqual(paged.map((p) => [p.layer, p.at - paged[0]!.at]), [['primary', 0], ['secondary', 15 * MINUTE], ['primary', 30 * MINUTE]], 'the lead skipped, the plan runs again at once');
      const skipped = (await harness.tickets.get(ticket.id)).timeline.find((e) => e.type === 'page-skipped')!;
      assert.match(skipped.summary, /nobody on call \(lead\)/);
      await harness.tickets.act(ticket.id, 'close', { actor: 'engineer-a', reason: 'test over' });
    });
  });

  test('a P1 pages the primary, the secondary after 1 h; an override and a handoff pick the right person', async () => {
    await harness.run(async () => {
      await skipTo(env, scenario.at(11, 14, 13, 30, 0)); // Monday 08:30 New York, before the 09:00 handoff
      const ticket = await open('High error rate on the API', 'P1');
      const openedAt = Date.parse(ticket.openedAt);
      await skip(env, HOUR + 5 * MINUTE);
      const paged = triggers(ticket.id);
      // Paged before the 09:00 handoff, the primary is last week's (Engineer A); the secondary,
      // paged after it, is this week's: Engineer A again, as the secondary rota trails by a week.
      assert.ok(paged[0]!.at - openedAt < 2000);
      assert.deepEqual(paged.map((p) => [p.layer, p.person, p.at - paged[0]!.at]), [['primary', 'Engineer A', 0], ['secondary', 'Engineer A', HOUR]]);
      assert.ok(paged.every((p) => p.severity === 'error'));
      // The page ends (with the resolution) before the ticket closes: the time-skipping test
      // server stops skipping time for good once a workflow closes while its abandoned child
      // still runs (temporalio/sdk-typescript#1101), which a ticket closed mid-page does.
      await harness.tickets.act(ticket.id, 'resolve', { actor: 'engineer-a', resolution: 'test over' });
      await env.client.workflow.getHandle(`page-${ticket.id}-page-1`).result();
      await harness.tickets.act(ticket.id, 'close', { actor: 'engineer-a', reason: 'test over' });

      await skipTo(env, scenario.at(11, 15, 14, 0, 0)); // Engineer B's week, inside the override window
      const overridden = await open('Major feature broken: exports', 'P1');
      await skip(env, MINUTE);
      assert.deepEqual(triggers(overridden.id).map((p) => p.person), ['Engineer C']);
      await harness.tickets.act(overridden.id, 'close', { actor: 'engineer-c', reason: 'test over' });
      const handle = env.client.workflow.getHandle(ticketWorkflowId(overridden.id));
      assert.equal((await handle.result()).status, 'closed');
    });
  });

  async function waitUntil(ok: () => boolean, what: string) {
    const deadline = Date.now() + 15_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});
