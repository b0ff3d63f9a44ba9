import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../adapters/http/server.js';
import { derivedTicketId, ticketWorkflowId } from '../../client/ticket-ids.js';
import { TicketClient } from '../../client/tickets.js';
import { loadOnCall } from '../../workers/oncall.js';
import { PROJECT_ROOT } from '../../workers/temporal-tools.js';
import type { TicketView } from '../../domain/ticket/view.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { devServerEnv, settled, ticketHarness, type TicketHarness } from '../helpers/temporal.js';

const TOKEN = 'test-token-for-grace-0123456789';

describe('the HTTP API on a real Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let app: FastifyInstance;
  let base: string;

  before(async () => {
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outboxActivities().activities });
    app = buildApi({ tickets: harness.tickets, tokens: new Map([[TOKEN, 'grace']]) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app?.close();
    await harness?.shutdown();
    await env?.teardown();
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & TicketView };
  }

  const intake = (subject: string, extra: object = {}) => ({
    subject,
    description: 'The checker rejects every commit',
    requester: { email: 'ada@example.com', name: 'Ada' },
    channel: 'api',
    ...extra,
  });

  async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test('health needs no token; everything else refuses a missing or wrong one with 401', async () => {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const none = await fetch(`${base}/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(intake('x')) });
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const wrong = await call('GET', '/v1/tickets/T-0000000000000000', undefined, { authorization: 'Bearer not-the-token' });
    assert.equal(wrong.status, 401);
    assert.equal(JSON.stringify(wrong.body).includes(TOKEN), false);
  });

  test('a malformed intake gets 400 with a message per field, and no workflow is started', async () => {
    const bad = { subject: '', requester: { email: 'not-an-email' }, channel: 'carrier-pigeon', priority: 'P9', externalId: 'bad-1' };
    const res = await call('POST', '/v1/tickets', bad);
    assert.equal(res.status, 400);
    const paths = (res.body.errors as { path: string; message: string }[]).map((e) => e.path).sort();
    assert.deepEqual(paths, ['channel', 'priority', 'requester.email', 'subject']);
    for (const channel of ['carrier-pigeon', 'api']) {
      await assert.rejects(env.client.workflow.getHandle(ticketWorkflowId(derivedTicketId(channel, 'bad-1'))).describe(), WorkflowNotFoundError);
    }
    // Valid shape, but a priority the policy does not have: refused too, naming the choices.
    const unknown = await call('POST', '/v1/tickets', intake('Unknown priority', { priority: 'P9', externalId: 'bad-2' }));
    assert.equal(unknown.status, 400);
    assert.match((unknown.body.errors as { message: string }[])[0]!.message, /unknown priority 'P9'; expected one of P0, P1, P2, P3/);
    await assert.rejects(env.client.workflow.getHandle(ticketWorkflowId(derivedTicketId('api', 'bad-2'))).describe(), WorkflowNotFoundError);
    // Not JSON at all.
    const notJson = await fetch(`${base}/v1/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"subject":' });
    assert.equal(notJson.status, 400);
  });

  test('the same external id, or the same Idempotency-Key, gives the same ticket', async () => {
    const first = await call('POST', '/v1/tickets', intake('Repeatable', { externalId: 'mail-42@example.com' }));
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('location'), `/v1/tickets/${first.body.id}`);
    const again = await call('POST', '/v1/tickets', intake('Repeatable (resent)', { externalId: 'mail-42@example.com' }));
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.body.subject, 'Repeatable', 'the repeat does not change the ticket');

    const keyed = await call('POST', '/v1/tickets', intake('Keyed'), { 'idempotency-key': 'form-submit-7' });
    const keyedAgain = await call('POST', '/v1/tickets', intake('Keyed'), { 'idempotency-key': 'form-submit-7' });
    assert.deepEqual([keyed.status, keyedAgain.status], [201, 200]);
    assert.equal(keyedAgain.body.id, keyed.body.id);
    const unkeyed = [await call('POST', '/v1/tickets', intake('No key')), await call('POST', '/v1/tickets', intake('No key'))];
    assert.notEqual(unkeyed[0]!.body.id, unkeyed[1]!.body.id);
  });

  test('an unknown ticket is 404, whether or not the id is well formed', async () => {
    assert.equal((await call('GET', '/v1/tickets/T-ZZZZZZZZZZZZZZZZ')).status, 404);
    assert.equal((await call('GET', '/v1/tickets/nonsense')).status, 404);
    assert.equal((await call('POST', '/v1/tickets/T-ZZZZZZZZZZZZZZZZ/acknowledge', {})).status, 404);
  });

  test('an invalid transition is 409 with the reason, and leaves no trace in the history', async () => {
    const { body: ticket } = await call('POST', '/v1/tickets', intake('Resolve then acknowledge', { priority: 'P2' }));
    const resolved = await call('POST', `/v1/tickets/${ticket.id}/resolve`, { resolution: 'Fixed in 1.4.2' });
    assert.equal(resolved.status, 200);
    assert.equal(resolved.body.status, 'resolved');
    const handle = env.client.workflow.getHandle(ticketWorkflowId(ticket.id));
    const before = await settled(handle);
    const refused = await call('POST', `/v1/tickets/${ticket.id}/acknowledge`, {});
    assert.equal(refused.status, 409);
    assert.match(String(refused.body.reason), /cannot acknowledge a resolved ticket/);
    assert.equal(await settled(handle), before, 'the rejected update added no event');
    // The test policy has one tier: there is nowhere to escalate to, and the answer says so.
    const { body: open } = await call('POST', '/v1/tickets', intake('Escalate me', { priority: 'P1' }));
    const up = await call('POST', `/v1/tickets/${open.id}/escalate`, { reason: 'needs engineering' });
    assert.equal(up.status, 409);
    assert.match(String(up.body.reason), /already in the last tier \(Support\)/);
    assert.equal((await call('POST', `/v1/tickets/${open.id}/escalate`, {})).status, 400, 'a reason is required');
    // A bad body for a valid action is 400 and reaches no ticket either.
    const badBody = await call('POST', `/v1/tickets/${ticket.id}/respond`, { body: '' });
    assert.equal(badBody.status, 400);
    assert.deepEqual(badBody.body.errors, [{ path: 'body', message: 'body must not be empty' }]);
    assert.equal(await settled(handle), before);
  });

  test('migrate-policy moves a running ticket to the server\'s policy and records old and new deadlines', async () => {
    const { body: ticket } = await call('POST', '/v1/tickets', intake('Migrate me', { priority: 'P2' }));
    const v1 = caroLikePolicy();
    const faster = caroLikePolicy({
      version: 2,
      sla: { ...v1.sla, targets: [{ name: 'P2 faster', when: { priority: ['P2'] }, firstResponse: { within: '8h' } }, ...v1.sla.targets] },
    });
    const v2 = buildApi({ tickets: new TicketClient(env.client, { taskQueue: harness.taskQueue, policy: faster }), tokens: new Map([[TOKEN, 'grace']]) });
    try {
      const res = await v2.inject({ method: 'POST', url: `/v1/tickets/${ticket.id}/migrate-policy`, headers: { authorization: `Bearer ${TOKEN}` }, payload: {} });
      assert.equal(res.statusCode, 200);
      const migrated = res.json() as TicketView;
      assert.equal(migrated.policy, 'test-caro@2');
      const entry = migrated.timeline.find((e) => e.type === 'policy-migrated')!;
      assert.equal(entry.actor, 'grace');
      const { before: was, after: now } = entry.data as { before: Record<string, string>; after: Record<string, string> };
      assert.equal(Date.parse(was.firstResponse!) - Date.parse(ticket.openedAt), 24 * 3_600_000);
      assert.equal(Date.parse(now.firstResponse!) - Date.parse(ticket.openedAt), 8 * 3_600_000);
      const again = await v2.inject({ method: 'POST', url: `/v1/tickets/${ticket.id}/migrate-policy`, headers: { authorization: `Bearer ${TOKEN}` }, payload: {} });
      assert.equal(again.statusCode, 409);
      assert.match(again.json().reason, /already runs test-caro@2/);
    } finally {
      await v2.close();
    }
  });

  test('an on-call layer is served as an iCalendar feed; an unknown one is 404', async () => {
    const oncall = loadOnCall(join(PROJECT_ROOT, 'policies', 'oncall.example.yaml'))!;
    const withOnCall = buildApi({ tickets: harness.tickets, tokens: new Map([[TOKEN, 'grace']]), oncall });
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      const res = await withOnCall.inject({ method: 'GET', url: '/v1/oncall/signx-engineering/primary.ics?days=28', headers: auth });
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /^text\/calendar/);
      assert.match(res.body, /^BEGIN:VCALENDAR\r\n/);
      const events = res.body.split('BEGIN:VEVENT').length - 1;
      assert.ok(events >= 5 && events <= 6, `a weekly rota over five weeks: ${events} shifts`);
      assert.match(res.body, /SUMMARY:[^\r]*Engineer [ABCD]/);
      assert.equal((await withOnCall.inject({ method: 'GET', url: '/v1/oncall/signx-engineering/nobody.ics', headers: auth })).statusCode, 404);
      assert.equal((await withOnCall.inject({ method: 'GET', url: '/v1/oncall/signx-engineering/primary.ics' })).statusCode, 401);
    } finally {
      await withOnCall.close();
    }
  });

  test('tickets are found by TicketPriority and TicketStatus, and the status follows the ticket', async () => {
    const { body: ticket } = await call('POST', '/v1/tickets', intake('Findable', { priority: 'P1' }));
    const query = `TicketPriority = 'P1' AND TicketStatus = 'awaiting_first_response' AND TicketId = '${ticket.id}'`;
    const found = await eventually('the new ticket in visibility', async () => {
      for await (const wf of env.client.workflow.list({ query })) return wf;
      return undefined;
    });
    assert.equal(found.workflowId, ticketWorkflowId(ticket.id));
    assert.equal(await env.client.workflow.getHandle(found.workflowId).describe().then((d) => d.staticSummary()), `${ticket.id} · Findable`);

    // The Temporal UI's current details say the priority, the status and when the SLA is due.
    const handle = env.client.workflow.getHandle(ticketWorkflowId(ticket.id));
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', /^P1 · awaiting first response · firstResponse due \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);

    await call('POST', `/v1/tickets/${ticket.id}/resolve`, { resolution: 'Config fixed' });
    await eventually('the resolved status in visibility', async () => {
      for await (const wf of env.client.workflow.list({ query: `TicketStatus = 'resolved' AND TicketId = '${ticket.id}'` })) return wf;
      return undefined;
    });
    const listed = await call('GET', `/v1/tickets?priority=P1&status=resolved`);
    assert.equal(listed.status, 200);
    const row = (listed.body.tickets as { id: string; status: string; priority: string; slaBreached: boolean }[]).find((t) => t.id === ticket.id);
    assert.deepEqual(row && { status: row.status, priority: row.priority, slaBreached: row.slaBreached }, { status: 'resolved', priority: 'P1', slaBreached: false });
    assert.equal((await call('GET', `/v1/tickets?limit=0`)).status, 400);
    assert.equal((await call('GET', `/v1/tickets?colour=red`)).status, 400);
    // Quotes in a filter value are data, not query syntax.
    const injected = await call('GET', `/v1/tickets?status=${encodeURIComponent("x' OR TicketStatus != 'y")}`);
    assert.equal(injected.status, 200);
    assert.deepEqual(injected.body.tickets, []);
  });
});
