import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { ACTIONS, buildApi } from '../../adapters/http/server.js';
import { derivedTicketId, ticketWorkflowId } from '../../client/ticket-ids.js';
import { requesterLink } from '../../client/requester-links.js';
import { TicketClient } from '../../client/tickets.js';
import { loadOnCall } from '../../workers/oncall.js';
import { PROJECT_ROOT } from '../../workers/temporal-tools.js';
import type { TicketView } from '../../domain/ticket/view.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { devServerEnv, settled, ticketHarness, type TicketHarness } from '../helpers/temporal.js';
import { eventually, listenOnLoopback } from '../helpers/api.js';

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
    base = await listenOnLoopback(app);
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
    // The opening request's answer came in the start's own workflow task (Update-with-start).
    const handle = env.client.workflow.getHandle(ticketWorkflowId(first.body.id));
    const before = await settled(handle);
    const events = (await handle.fetchHistory()).events ?? [];
    const secondTask = events.findIndex((e, i) => i > 1 && e.workflowTaskScheduledEventAttributes);
    const opened = events.findIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes);
    assert.ok(opened > 0 && (secondTask === -1 || opened < secondTask), 'the opening Update completed in the first workflow task');
    const again = await call('POST', '/v1/tickets', intake('Repeatable (resent)', { externalId: 'mail-42@example.com' }));
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.body.subject, 'Repeatable', 'the repeat does not change the ticket');
    assert.equal(await settled(handle), before, "the repeat's refused Update added no event");

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

  test('the survey: the effort (CES) is answered alone or with the satisfaction (CSAT), each checked per field, by the API and by the signed survey page', async () => {
    const { body: ticket } = await call('POST', '/v1/tickets', intake('Survey me', { priority: 'P2' }));
    await call('POST', `/v1/tickets/${ticket.id}/resolve`, { resolution: 'Fixed in 1.4.2' });
    const effort = await call('POST', `/v1/tickets/${ticket.id}/csat`, { effort: 3 });
    assert.equal(effort.status, 200);
    assert.deepEqual(effort.body.csat, { effort: 3 });
    const bad = await call('POST', `/v1/tickets/${ticket.id}/csat`, { score: 0, effort: 9 });
    assert.equal(bad.status, 400);
    assert.deepEqual((bad.body.errors as { path: string }[]).sort((a, b) => a.path.localeCompare(b.path)), [
      { path: 'effort', message: 'effort (how hard the customer had to work) must be a whole number from 1 to 7' },
      { path: 'score', message: 'score (satisfaction) must be a whole number from 1 to 5' },
    ]);
    const neither = await call('POST', `/v1/tickets/${ticket.id}/csat`, { comment: 'no numbers' });
    assert.deepEqual([neither.status, neither.body.errors], [400, [{ path: 'score', message: 'answer the score (satisfaction, 1 to 5), the effort (1 to 7), or both' }]]);

    // The follow-up email's link: a form with both questions; its POST records the answers given.
    const secret = 'survey-link-secret-0123456789';
    const surveyApp = buildApi({ tickets: harness.tickets, tokens: new Map(), linkSecret: secret });
    try {
      const link = new URL(requesterLink('http://127.0.0.1', secret, 'survey', ticket.id));
      const path = `${link.pathname}${link.search}`;
      const form = await surveyApp.inject({ method: 'GET', url: path });
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /How satisfied are you with the help you got\?.*How hard did you have to work to get your issue resolved\?/s);
      const solvedSig = new URL(requesterLink('http://127.0.0.1', secret, 'solved', ticket.id)).search;
      assert.equal((await surveyApp.inject({ method: 'GET', url: `${link.pathname}${solvedSig}` })).statusCode, 403, 'a "solved" signature opens no survey');
      const post = (body: string) => surveyApp.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      const wrong = await post('effort=12&comment=');
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /effort \(how hard the customer had to work\) must be a whole number from 1 to 7/);
      assert.equal((await post('score=5&effort=2&comment=')).statusCode, 200);
      assert.deepEqual((await call('GET', `/v1/tickets/${ticket.id}`)).body.csat, { score: 5, effort: 2 });
    } finally {
      await surveyApp.close();
    }
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

  test('the list pages through every match with nextPageToken, and refuses a token it did not give', async () => {
    const tag = `page-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await call('POST', '/v1/tickets', intake(`Paged ${i}`, { priority: 'P3', category: tag }))).body.id as string);
    // The category is not a search attribute; the five are the only P3 tickets of this file.
    const rows = (body: unknown) => (body as { tickets: { id: string }[] }).tickets;
    await eventually('the five in visibility', async () => (rows((await call('GET', '/v1/tickets?priority=P3&limit=500')).body).length >= 5 ? true : undefined));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await call('GET', `/v1/tickets?priority=P3&limit=2${token ? `&pageToken=${token}` : ''}`);
      assert.equal(page.status, 200);
      assert.ok(rows(page.body).length <= 2);
      seen.push(...rows(page.body).map((t) => t.id));
      token = page.body.nextPageToken as string | undefined;
      pages++;
    } while (token && pages < 10);
    assert.deepEqual([...seen].sort(), [...ids].sort(), 'every ticket once, over the pages');
    assert.ok(pages >= 3, `five tickets two at a time take three pages (took ${pages})`);
    const bad = await call('GET', '/v1/tickets?pageToken=bm90LWEtdG9rZW4');
    assert.equal(bad.status, 400);
    const errors = (body: unknown) => (body as { errors: { path: string; message: string }[] }).errors;
    assert.equal(errors(bad.body)[0]!.path, 'pageToken');
    const first = await call('GET', '/v1/tickets?priority=P3&limit=2');
    const otherFilters = await call('GET', `/v1/tickets?priority=P2&limit=2&pageToken=${first.body.nextPageToken}`);
    assert.equal(otherFilters.status, 400);
    assert.match(errors(otherFilters.body)[0]!.message, /other filters/);
  });

  test('the OpenAPI document describes every route from the schemas that validate it, without a token', async () => {
    const res = await fetch(`${base}/v1/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> } }>> };
    assert.equal(doc.openapi, '3.1.0');
    for (const route of Object.keys(ACTIONS)) assert.ok(doc.paths[`/v1/tickets/{id}/${route}`]?.['post'], `the ${route} action is documented`);
    const respond = doc.paths['/v1/tickets/{id}/respond']!['post']!.requestBody!.content['application/json']!.schema;
    assert.deepEqual(respond.required, ['body']);
    const intakeSchema = doc.paths['/v1/tickets']!['post']!.requestBody!.content['application/json']!.schema;
    assert.ok(intakeSchema.properties?.['attachments'], 'attachments (as references) are part of the intake');
    assert.deepEqual([...(intakeSchema.required ?? [])].sort(), ['channel', 'requester', 'subject']);
    // What the document says is required is what the server refuses without.
    const missing = await call('POST', '/v1/tickets', { description: 'no subject, no requester, no channel' });
    assert.deepEqual((missing.body as unknown as { errors: { path: string }[] }).errors.map((e) => e.path).sort(), ['channel', 'requester', 'subject']);
  });
});
