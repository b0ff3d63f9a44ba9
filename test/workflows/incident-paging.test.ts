/**
 * A critical incident pages at once through the escalation issue's paging (SIGN X preset, its
 * on-call schedule, a local PagerDuty Events API), and its acknowledgement stops the page; on a
 * real Temporal dev server, because the page goes out at the wall-clock instant of declaration.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentClient } from '../../client/incidents.js';
import { loadPolicy } from '../../policies/load.js';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';
import { PROJECT_ROOT } from '../../workers/temporal-tools.js';
import { eventually } from '../helpers/api.js';
import { devServerEnv, ticketHarness, type TicketHarness } from '../helpers/temporal.js';
import { start as startPager, type PagerServer } from '../servers/pager.js';

const KEYS = 'signx-primary=R0PRIMARY0000000000000000000000A,signx-secondary=R0SECONDARY000000000000000000000,signx-lead=R0LEAD00000000000000000000000000';

describe('incident pages (SIGN X, real Temporal dev server)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let pager: PagerServer;
  let incidents: IncidentClient;

  before(async () => {
    pager = await startPager();
    const config = loadConfig({
      TIERLINE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tierline-incident-page-')),
      ONCALL_FILE: join(PROJECT_ROOT, 'policies', 'oncall.example.yaml'),
      PAGERDUTY_EVENTS_URL: pager.url,
      PAGERDUTY_ROUTING_KEYS: KEYS,
    });
    const policy = loadPolicy('signx');
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy, activities: createActivities(config, () => {}) });
    incidents = new IncidentClient(env.client, { taskQueue: harness.taskQueue, policy, publicUrl: 'https://support.signx.example' });
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
    await pager?.close();
  });

  test('a P0 incident pages the primary at once; acknowledging stops the page and tells PagerDuty', async () => {
    const { incident } = await incidents.declare({ title: 'Signing service down', severity: 'P0', impact: 'No document can be signed' }, 'grace');
    const trigger = await eventually('the page trigger', () =>
      pager.received.find((r) => r.status === 202 && r.body.event_action === 'trigger' && String(r.body.dedup_key).startsWith(`${incident.id}-page-1/`)),
    );
    assert.equal(trigger.body.routing_key, 'R0PRIMARY0000000000000000000000A', 'the primary layer is paged first');
    assert.match(String((trigger.body.payload as { summary: string }).summary), /Signing service down/);
    const paging = await eventually('the page on the incident', async () => ((await incidents.get(incident.id)).page?.status === 'paging' ? true : undefined));
    assert.ok(paging);

    const acked = await incidents.act(incident.id, 'acknowledgePage', { actor: 'engineer-a' });
    assert.equal(acked.page?.status, 'acknowledged');
    assert.equal(acked.page?.acknowledgedBy, 'engineer-a');
    await eventually('the acknowledge event', () => pager.received.find((r) => r.body.event_action === 'acknowledge' && r.body.dedup_key === trigger.body.dedup_key));

    await incidents.act(incident.id, 'resolve', { actor: 'engineer-a', summary: 'Failover completed' });
    await eventually('the resolve event', () => pager.received.find((r) => r.body.event_action === 'resolve' && r.body.dedup_key === trigger.body.dedup_key));
  });
});
