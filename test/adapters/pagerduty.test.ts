/**
 * PagerDuty's v3 webhooks answering tierline's pages, on a real Temporal dev server with the SIGN X
 * preset and its on-call schedule: pages go to a local PagerDuty Events API, and the webhook comes
 * back signed as PagerDuty signs it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../adapters/http/server.js';
import { pageOfDedupKey } from '../../adapters/pagerduty/routes.js';
import { hmacSha256Hex } from '../../adapters/shared/signatures.js';
import { loadPolicy } from '../../policies/load.js';
import { createActivities } from '../../workers/activities.js';
import { adapterSettings, loadConfig } from '../../workers/config.js';
import { PROJECT_ROOT } from '../../workers/temporal-tools.js';
import { devServerEnv, ticketHarness, type TicketHarness } from '../helpers/temporal.js';
import { start as startPager, type PagerServer } from '../servers/pager.js';
import { eventually, listenOnLoopback } from '../helpers/api.js';

const SECRET = 'pagerduty-webhook-secret-0123456789';
const KEYS = 'signx-primary=R0PRIMARY0000000000000000000000A,signx-secondary=R0SECONDARY000000000000000000000,signx-lead=R0LEAD00000000000000000000000000';

describe('PagerDuty webhooks acknowledge tierline pages (real Temporal dev server)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let pager: PagerServer;
  let api: FastifyInstance;
  let base: string;

  before(async () => {
    pager = await startPager();
    const config = loadConfig({
      TIERLINE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tierline-pd-webhook-')),
      ONCALL_FILE: join(PROJECT_ROOT, 'policies', 'oncall.example.yaml'),
      PAGERDUTY_EVENTS_URL: pager.url,
      PAGERDUTY_ROUTING_KEYS: KEYS,
      PAGERDUTY_WEBHOOK_SECRET: SECRET,
      PAGERDUTY_USERS: 'PUSERA=engineer-a',
    });
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy: loadPolicy('signx'), activities: createActivities(config, () => {}) });
    api = buildApi({ tickets: harness.tickets, tokens: new Map(), adapters: adapterSettings(config) });
    base = await listenOnLoopback(api);
  });
  after(async () => {
    await api?.close();
    await harness?.shutdown();
    await env?.teardown();
    await pager?.close();
  });

  /** A P0 opens and pages the primary at once; the key PagerDuty got is returned. */
  async function pagedTicket(subject: string) {
    const { ticket } = await harness.tickets.open({ subject, description: 'signing is down', requester: { email: 'ops@customer.example' }, channel: 'email', priority: 'P0' });
    const trigger = await eventually('the page trigger', () =>
      pager.received.find((r) => r.status === 202 && r.body.event_action === 'trigger' && String(r.body.dedup_key).startsWith(`${ticket.id}-page-`)),
    );
    return { ticket, dedupKey: String(trigger.body.dedup_key) };
  }
  const webhook = (eventType: string, incidentKey: string | null, opts: { id?: string; agent?: { id: string; summary: string }; signature?: (body: string) => string | undefined } = {}) => {
    const body = JSON.stringify({
      event: {
        id: opts.id ?? `01EVENT${Math.random().toString(36).slice(2)}`,
        event_type: eventType,
        resource_type: 'incident',
        occurred_at: new Date().toISOString(),
        agent: opts.agent ?? { id: 'PUSERA', summary: 'Engineer A', type: 'user_reference' },
        client: { name: 'PagerDuty' },
        data: { id: 'PINC123', type: 'incident', number: 7, status: 'acknowledged', incident_key: incidentKey, title: 'tierline page' },
      },
    });
    const signature = opts.signature ? opts.signature(body) : `v1=${hmacSha256Hex(SECRET, body)}`;
    return fetch(`${base}/v1/webhooks/pagerduty`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-pagerduty-signature': signature }) },
      body,
    }).then(async (res) => ({ status: res.status, json: (await res.json()) as Record<string, unknown> }));
  };

  test('the dedup key of a page names its ticket and page', () => {
    assert.deepEqual(pageOfDedupKey('T-01KB2Q3R4S5T6V7W8X-page-2/signx-primary/1'), { ticketId: 'T-01KB2Q3R4S5T6V7W8X', pageId: 'T-01KB2Q3R4S5T6V7W8X-page-2' });
    assert.equal(pageOfDedupKey('some-other-alert'), undefined);
    assert.equal(pageOfDedupKey('../../etc-page-1/x/1'), undefined);
  });

  test('an acknowledgement in PagerDuty acknowledges the page as the mapped engineer, once', async () => {
    const { ticket, dedupKey } = await pagedTicket('Signing API returns 500');
    const eventId = 'PD-EVENT-ACK-1';
    const first = await webhook('incident.acknowledged', dedupKey, { id: eventId });
    assert.equal(first.status, 200, JSON.stringify(first.json));
    assert.equal(first.json['by'], 'engineer-a');
    const view = await harness.tickets.get(ticket.id);
    assert.equal(view.page?.status, 'acknowledged');
    assert.equal(view.page?.acknowledgedBy, 'engineer-a');
    assert.equal(view.assignee, 'engineer-a', 'the page acknowledgement gives the ticket to the responder');
    // tierline tells PagerDuty the page is acknowledged (on every key it paged), as with any acknowledgement.
    await eventually('the acknowledge event', () => pager.received.find((r) => r.body.event_action === 'acknowledge' && r.body.dedup_key === dedupKey));

    const again = await webhook('incident.acknowledged', dedupKey, { id: eventId });
    assert.equal(again.status, 202);
    assert.match(String(again.json['ignored']), /already acknowledged/);
    const acks = (await harness.tickets.get(ticket.id)).timeline.filter((e) => e.type === 'page-acknowledged');
    assert.equal(acks.length, 1, 'one page acknowledgement on the timeline');
  });

  test('a resolution in PagerDuty stops the page (an unmapped user is named) but leaves the ticket open', async () => {
    const { ticket, dedupKey } = await pagedTicket('Webhooks delayed');
    const res = await webhook('incident.resolved', dedupKey, { agent: { id: 'PNOBODY', summary: 'Sam Night' } });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const view = await harness.tickets.get(ticket.id);
    assert.equal(view.page?.status, 'acknowledged');
    assert.equal(view.page?.acknowledgedBy, 'pagerduty:Sam Night');
    assert.notEqual(view.status, 'resolved', "the customer's ticket still needs an answer");
  });

  test('forged, unsigned, malformed and foreign webhooks change nothing', async () => {
    const { ticket, dedupKey } = await pagedTicket('Nothing should acknowledge this');
    const forged = await webhook('incident.acknowledged', dedupKey, { signature: (body) => `v1=${hmacSha256Hex('not-the-secret-at-all-000000', body)}` });
    assert.equal(forged.status, 401);
    const unsigned = await webhook('incident.acknowledged', dedupKey, { signature: () => undefined });
    assert.equal(unsigned.status, 401);
    const malformed = await fetch(`${base}/v1/webhooks/pagerduty`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-pagerduty-signature': `v1=${hmacSha256Hex(SECRET, '{"event":{}}')}` },
      body: '{"event":{}}',
    });
    assert.equal(malformed.status, 400);
    const foreign = await webhook('incident.acknowledged', 'some-monitoring-alert');
    assert.equal(foreign.status, 202);
    assert.match(String(foreign.json['ignored']), /not triggered by a tierline page/);
    const other = await webhook('incident.priority_updated', dedupKey);
    assert.equal(other.status, 202);
    assert.equal((await harness.tickets.get(ticket.id)).page?.status, 'paging', 'the page is still running');

    // During a secret rotation PagerDuty sends two signatures: one valid one is enough.
    const rotated = await webhook('incident.acknowledged', dedupKey, { signature: (body) => `v1=${hmacSha256Hex('the-old-secret-000000000000', body)},v1=${hmacSha256Hex(SECRET, body)}` });
    assert.equal(rotated.status, 200);
  });
});
