/**
 * Tier 1, self-service, on a real (time-skipping) Temporal: the auto-reply offers the knowledge-base
 * articles that match (Caro's articles, real SMTP), the signed "this solved it" link resolves the
 * ticket as deflected, and a reply, no match or the timeout hands the ticket to the next tier.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../adapters/http/server.js';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';
import { caroLikePolicy, HOUR, MINUTE } from '../fixtures/policies.js';
import { skip, ticketHarness, timeSkippingEnv, type TicketHarness } from '../helpers/temporal.js';
import { start as startSmtp, type SmtpTestServer } from '../servers/smtp.js';

const SECRET = 'a-link-secret-for-tests-only-0123';

describe('tier 1 self-service on a real (time-skipping) Temporal', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let smtp: SmtpTestServer;
  let api: FastifyInstance;
  // Caro's table with a self-service tier first; the id 'caro' picks Caro's knowledge base.
  const policy = caroLikePolicy({
    id: 'caro',
    tiers: [
      { id: 'self-service', name: 'Self-Service', selfService: { timeout: '2h' } },
      { id: 'support', name: 'Support' },
    ],
  });

  before(async () => {
    smtp = await startSmtp();
    const config = loadConfig({
      TIERLINE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tierline-self-service-')),
      SMTP_URL: smtp.url,
      EMAIL_DOMAIN: 'tickets.caro.example',
      PUBLIC_URL: 'https://support.caro.example',
      LINK_SECRET: SECRET,
    });
    env = await timeSkippingEnv();
    harness = await ticketHarness(env, { policy, activities: createActivities(config, () => {}) });
    api = buildApi({ tickets: harness.tickets, tokens: new Map(), linkSecret: SECRET });
  });
  after(async () => {
    await api?.close();
    await harness?.shutdown();
    await env?.teardown();
    await smtp?.close();
  });

  const open = (subject: string, description = '') =>
    harness.tickets.open({ subject, description, requester: { email: 'ada@customer.example' }, channel: 'email', priority: 'P2' }).then((r) => r.ticket);
  const mailFor = async (id: string) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const mail = smtp.received.find((m) => (m.mail.subject ?? '').includes(`[${id}]`));
      if (mail) return mail.mail;
      if (Date.now() > deadline) throw new Error(`no email for ${id}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const waitFor = async (id: string, ok: (tier: string, status: string) => boolean) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const view = await harness.tickets.get(id);
      if (ok(view.tier, view.status)) return view;
      if (Date.now() > deadline) throw new Error(`ticket ${id} stayed ${view.tier}/${view.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  test('the matching article is offered, and the signed link resolves the ticket as deflected', async () => {
    await harness.run(async () => {
      const ticket = await open('caro: command not found after install', 'I installed it with cargo but the shell says command not found');
      assert.equal(ticket.tier, 'self-service');
      const mail = await mailFor(ticket.id);
      assert.match(mail.text ?? '', /1\. Fix: "caro: command not found"/);
      const link = /https:\/\/support\.caro\.example(\/v1\/tickets\/[^\s]+\/solved\?sig=[\w-]+)/.exec(mail.text ?? '')?.[1];
      assert.ok(link, 'the email carries the signed link');
      const suggested = (await harness.tickets.get(ticket.id)).timeline.find((e) => e.type === 'articles-suggested')!;
      assert.match(suggested.summary, /command not found/);

      assert.equal((await api.inject({ method: 'GET', url: link.replace(/sig=[\w-]+/, 'sig=forged') })).statusCode, 403);
      const form = await api.inject({ method: 'GET', url: link });
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /<form method="post">/);
      assert.equal((await harness.tickets.get(ticket.id)).status, 'awaiting_first_response', 'opening the link changes nothing');
      const solved = await api.inject({ method: 'POST', url: link });
      assert.equal(solved.statusCode, 200);
      const state = await harness.tickets.state(ticket.id);
      assert.equal(state.status, 'resolved');
      assert.equal(state.deflected, true);
      assert.equal((await harness.tickets.get(ticket.id)).deflected, true);
      assert.equal((await api.inject({ method: 'POST', url: link })).statusCode, 200, 'a second click is the same request');
    });
  });

  test('nothing matches: the plain auto-reply, and a person takes the ticket at once', async () => {
    await harness.run(async () => {
      const ticket = await open('Invoice for March', 'Please send the invoice for our March subscription to accounting');
      const view = await waitFor(ticket.id, (tier) => tier === 'support');
      assert.match(view.timeline.find((e) => e.type === 'escalated')!.summary, /no knowledge-base article matched/);
      const mail = await mailFor(ticket.id);
      assert.doesNotMatch(mail.text ?? '', /solved\?sig=/);
    });
  });

  test('a reply from the requester, or two hours without one, hands the ticket to support', async () => {
    await harness.run(async () => {
      const replied = await open('Installation fails on Linux', 'install script fails on Ubuntu');
      await mailFor(replied.id);
      await harness.tickets.customerMessage(replied.id, { body: 'The article did not help, same error' });
      const moved = await waitFor(replied.id, (tier) => tier === 'support');
      assert.match(moved.timeline.find((e) => e.type === 'escalated')!.summary, /the requester replied: the articles did not solve it/);

      const silent = await open('Telemetry: how do I turn it off?', 'privacy question about telemetry');
      const openedAt = Date.parse(silent.openedAt);
      await mailFor(silent.id);
      await skip(env, 2 * HOUR + MINUTE);
      const timedOut = await waitFor(silent.id, (tier) => tier === 'support');
      const entry = timedOut.timeline.find((e) => e.type === 'escalated')!;
      assert.match(entry.summary, /self-service timed out/);
      assert.ok(Date.parse(entry.at) - openedAt >= 2 * HOUR && Date.parse(entry.at) - openedAt < 2 * HOUR + 2000);
    });
  });
});
