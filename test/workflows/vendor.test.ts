/**
 * A SIGN X vendor escalation (tier 4) on a real (time-skipping) Temporal: the escalation template
 * goes to the vendor contact by real SMTP, the ticket waits on the vendor with its resolution clock
 * stopped, and the vendor is followed up when it stays silent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TicketRefused } from '../../client/tickets.js';
import { loadPolicy } from '../../policies/load.js';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';
import { HOUR } from '../fixtures/policies.js';
import { skip, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';
import { start as startSmtp, type SmtpTestServer } from '../servers/smtp.js';

const DAY = 24 * HOUR;

describe('a vendor escalation on a real (time-skipping) Temporal', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let smtp: SmtpTestServer;

  before(async () => {
    smtp = await startSmtp();
    const config = loadConfig({
      TIERLINE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tierline-vendor-')),
      SMTP_URL: smtp.url,
      SMTP_FROM: 'SIGN X Support <support@signx.example>',
      EMAIL_DOMAIN: 'tickets.signx.example',
      VENDOR_CONTACTS: 'aws=support@aws.example,sendgrid=support@sendgrid.example',
    });
    env = await timeSkippingEnv();
    harness = await ticketHarness(env, { policy: loadPolicy('signx'), activities: createActivities(config, () => {}) });
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
    await smtp?.close();
  });

  const toVendor = (address: string) => smtp.received.filter((m) => m.envelope.to.includes(address));

  test('the template goes to the vendor, the ticket waits in Tier 4, the vendor is followed up after a day', async () => {
    await harness.run(async () => {
      const { ticket } = await harness.tickets.open({ subject: 'Uploads to S3 time out', description: 'Since 09:00', requester: { email: 'ops@customer.example' }, channel: 'email', priority: 'P1' });
      await harness.tickets.act(ticket.id, 'respond', { actor: 'grace', body: 'Looking into it' });
      const escalated = await harness.tickets.act(ticket.id, 'escalateToVendor', {
        actor: 'grace',
        vendor: 'aws',
        issue: 'PutObject times out in us-east-1',
        impact: 'All uploads fail for every customer',
        reproduction: '1. Upload any file\n2. Wait 30 s',
        platform: 'S3, us-east-1',
        attempted: 'Retried from two regions: same result',
        need: 'Root cause and an ETA',
      });
      assert.equal(escalated.tier, 'tier4');
      assert.equal(escalated.status, 'pending_vendor');
      assert.equal(escalated.vendor?.id, 'aws');
      assert.equal(escalated.clocks.find((c) => c.metric === 'resolution')!.paused, true, 'the vendor wait stops the resolution clock');
      const escalatedAt = Date.parse(escalated.timeline.find((e) => e.type === 'vendor-escalated')!.at);

      await waitFor(() => toVendor('support@aws.example').length === 1);
      const mail = toVendor('support@aws.example')[0]!.mail;
      assert.match(mail.subject ?? '', /^\[T-[0-9A-Z]+\] ESCALATION: P1 Uploads to S3 time out$/);
      for (const line of ['ESCALATION: P1', 'Issue: PutObject times out in us-east-1', 'Impact: All uploads fail for every customer', 'Platform: S3, us-east-1', 'Retried from two regions', 'Need: Root cause and an ETA']) {
        assert.ok((mail.text ?? '').includes(line), `the template carries "${line}"`);
      }

      await skip(env, DAY + HOUR);
      await waitFor(() => toVendor('support@aws.example').length === 2);
      assert.match(toVendor('support@aws.example')[1]!.mail.text ?? '', /Following up on our escalation of ticket/);
      const followUp = (await harness.tickets.get(ticket.id)).timeline.find((e) => e.type === 'vendor-follow-up')!;
      assert.ok(Date.parse(followUp.at) - escalatedAt >= DAY && Date.parse(followUp.at) - escalatedAt < DAY + 2000);

      // The vendor answers: its reference is recorded and its clock starts again.
      const replied = await harness.tickets.act(ticket.id, 'recordVendorReply', { actor: 'grace', reference: 'AWS-CASE-1234', note: 'known issue, fix rolling out' });
      assert.match(replied.timeline.at(-1)!.summary, /aws answered \(reference AWS-CASE-1234: known issue, fix rolling out\)/);
      await skip(env, 20 * HOUR);
      assert.equal(toVendor('support@aws.example').length, 2, 'no follow-up before a day has passed since the reply');
      await harness.tickets.act(ticket.id, 'resolve', { actor: 'grace', resolution: 'AWS fixed S3 in us-east-1' });
      await skip(env, 2 * DAY);
      assert.equal(toVendor('support@aws.example').length, 2, 'resolving stops the vendor clock');

      await assert.rejects(harness.tickets.act(ticket.id, 'recordVendorReply', { actor: 'grace', note: 'late' }), TicketRefused);
    });
  });

  test('an unknown vendor fails for good and says so on the timeline', async () => {
    await harness.run(async () => {
      const { ticket } = await harness.tickets.open({ subject: 'Email bounces', description: 'x', requester: { email: 'ops@customer.example' }, channel: 'email', priority: 'P2' });
      await harness.tickets.act(ticket.id, 'escalateToVendor', { actor: 'grace', vendor: 'mailgun', issue: 'bounces', impact: 'some', reproduction: 'send one' });
      const failed = await waitFor(async () => (await harness.tickets.get(ticket.id)).timeline.find((e) => e.type === 'notification-failed'));
      assert.match(failed.summary, /no contact for the vendor 'mailgun' \(VENDOR_CONTACTS has aws, sendgrid\)/);
    });
  });

  async function waitFor<T>(probe: () => T | Promise<T>): Promise<NonNullable<T>> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});
