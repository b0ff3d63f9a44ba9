import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../adapters/http/server.js';
import { IncidentClient } from '../../client/incidents.js';
import { derivedIncidentId, incidentWorkflowId } from '../../client/ticket-ids.js';
import { atomEntryId } from '../../domain/incident/render.js';
import type { IncidentView, PublicIncident, StatusPage } from '../../domain/incident/view.js';
import type { TicketView } from '../../domain/ticket/view.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { eventually, listenOnLoopback } from '../helpers/api.js';
import { devServerEnv, settled, ticketHarness, type TicketHarness } from '../helpers/temporal.js';

const TOKEN = 'test-token-for-grace-0123456789';
const PUBLIC_URL = 'https://status.example.com';
/** Names unique to this run (categories, components, keys). */
const run = randomBytes(3).toString('hex');

/**
 * Caro's ticket table with an incident section: linked tickets' clocks pause while the incident
 * is open, resolving it resolves them, updates go to the status page and to the linked tickets'
 * requesters, and three tickets of one category within ten minutes propose an incident.
 */
const policy = caroLikePolicy({
  incidents: {
    service: 'Caro',
    linkedTicketClocks: 'pause',
    onResolve: 'resolve-linked',
    broadcast: ['status-page', 'email'],
    statusPage: { title: 'Caro status', basePath: '/status' },
    proposals: [{ name: 'Same category', by: 'category', count: 3, within: '10m' }],
  },
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

describe('incidents over the HTTP API, and the public status page (real Temporal dev server)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let incidents: IncidentClient;
  let app: FastifyInstance;
  let base: string;
  const outbox = outboxActivities();

  before(async () => {
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy, activities: outbox.activities });
    incidents = new IncidentClient(env.client, { taskQueue: harness.taskQueue, policy, publicUrl: PUBLIC_URL });
    app = buildApi({ tickets: harness.tickets, incidents, tokens: new Map([[TOKEN, 'grace']]) });
    base = await listenOnLoopback(app);
  });
  after(async () => {
    await app?.close();
    await harness?.shutdown();
    await env?.teardown();
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const json = /json/.test(res.headers.get('content-type') ?? '') && text ? (JSON.parse(text) as Record<string, unknown>) : {};
    return { status: res.status, headers: res.headers, text, body: json };
  }

  /** A page of the status site, as anyone loads it: no token. */
  async function load(path: string): Promise<Answer> {
    const res = await fetch(`${base}${path}`);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: /json/.test(res.headers.get('content-type') ?? '') ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const declaration = (title: string, extra: object = {}) => ({ title, severity: 'major', impact: 'Sync fails for some users', ...extra });
  const incidentOf = (answer: Answer) => answer.body as unknown as IncidentView;

  async function declare(title: string, extra: object = {}): Promise<IncidentView> {
    const res = await call('POST', '/v1/incidents', declaration(title, extra));
    assert.equal(res.status, 201, res.text);
    return incidentOf(res);
  }

  async function openTicket(subject: string, extra: object = {}): Promise<TicketView> {
    const res = await call('POST', '/v1/tickets', { subject, description: 'Sync stopped this morning', requester: { email: 'ada@example.com', name: 'Ada' }, channel: 'api', priority: 'P2', ...extra });
    assert.equal(res.status, 201, res.text);
    return res.body as unknown as TicketView;
  }

  const ticket = async (id: string) => (await call('GET', `/v1/tickets/${id}`)).body as unknown as TicketView;
  const clock = (view: TicketView, id: string) => view.clocks.find((c) => c.id === id);

  test('declaring answers 201 and the incident; the same Idempotency-Key again answers 200 with the same one', async () => {
    await harness.run(async () => {
      const key = `declare-${run}`;
      const first = await call('POST', '/v1/incidents', declaration('Sync is down', { components: ['Sync'], commander: 'linus' }), { 'idempotency-key': key });
      assert.equal(first.status, 201, first.text);
      const incident = incidentOf(first);
      assert.equal(incident.id, derivedIncidentId(key));
      assert.equal(first.headers.get('location'), `/v1/incidents/${incident.id}`);
      assert.deepEqual([incident.status, incident.severity.id, incident.commander, incident.declaredBy], ['investigating', 'major', 'linus', 'grace']);
      assert.deepEqual(incident.components, ['sync']);
      assert.equal(incident.updates.length, 1);
      assert.equal(incident.updates[0]!.message, 'We are investigating: Sync is down');

      const again = await call('POST', '/v1/incidents', declaration('Sync is down (resent)'), { 'idempotency-key': key });
      assert.equal(again.status, 200);
      assert.equal(incidentOf(again).id, incident.id);
      assert.equal(incidentOf(again).title, 'Sync is down', 'the repeat changes nothing');

      const shown = await call('GET', `/v1/incidents/${incident.id}`);
      assert.equal(shown.status, 200);
      assert.equal(incidentOf(shown).title, 'Sync is down');

      const listed = await eventually('the incident in the list', async () => {
        const res = await call('GET', '/v1/incidents');
        assert.equal(res.status, 200);
        return (res.body.incidents as { id: string; status: string; linkedTickets: number; updates: number }[]).find((i) => i.id === incident.id);
      });
      assert.deepEqual({ status: listed.status, linkedTickets: listed.linkedTickets, updates: listed.updates }, { status: 'investigating', linkedTickets: 0, updates: 1 });
      assert.equal((await call('GET', '/v1/incidents?days=0')).status, 400);

      await call('POST', `/v1/incidents/${incident.id}/resolve`, { summary: 'Sync is back' });
    });
  });

  test('no token is 401; an unknown incident is 404, whether or not its id is well formed', async () => {
    const none = await fetch(`${base}/v1/incidents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(declaration('x')) });
    assert.equal(none.status, 401);
    assert.equal((await fetch(`${base}/v1/incidents/proposals`)).status, 401);
    assert.equal((await call('GET', '/v1/incidents/I-ZZZZZZZZZZZZZZZZ')).status, 404);
    assert.deepEqual((await call('GET', '/v1/incidents/nonsense')).body, { error: 'not_found', message: 'no incident nonsense' });
    assert.equal((await call('POST', '/v1/incidents/I-ZZZZZZZZZZZZZZZZ/update', { status: 'identified', impact: 'x', message: 'y' })).status, 404);
    assert.equal((await call('GET', '/v1/incidents/I-ZZZZZZZZZZZZZZZZ/report')).status, 404);
  });

  test('a bad declaration is 400 naming every bad field, and starts no incident', async () => {
    const key = `bad-${run}`;
    const bad = await call('POST', '/v1/incidents', { title: '', severity: 'catastrophic', impact: 'x', components: ['api', 'Web App!'], tickets: ['nope'] }, { 'idempotency-key': key });
    assert.equal(bad.status, 400);
    const errors = bad.body.errors as { path: string; message: string }[];
    assert.deepEqual(errors.map((e) => e.path).sort(), ['components[1]', 'severity', 'tickets[0]', 'title']);
    assert.equal(errors.find((e) => e.path === 'severity')!.message, "unknown severity 'catastrophic'; expected one of critical, major, minor");
    assert.match(errors.find((e) => e.path === 'components[1]')!.message, /'Web App!' is not a component name/);

    const late = await call('POST', '/v1/incidents', declaration('Too late', { severity: 'critical', nextUpdateIn: '2h' }), { 'idempotency-key': key });
    assert.equal(late.status, 400);
    assert.deepEqual((late.body.errors as { path: string }[]).map((e) => e.path), ['nextUpdateIn']);
    assert.match((late.body.errors as { message: string }[])[0]!.message, /later than the Critical cadence allows \(every 30m\)/);

    const unknownTicket = await call('POST', '/v1/incidents', declaration('Unknown ticket', { tickets: ['T-ZZZZZZZZZZZZZZZZ'] }), { 'idempotency-key': key });
    assert.equal(unknownTicket.status, 400);
    assert.deepEqual(unknownTicket.body.errors, [{ path: 'tickets[0]', message: 'no ticket T-ZZZZZZZZZZZZZZZZ' }]);

    await assert.rejects(env.client.workflow.getHandle(incidentWorkflowId(derivedIncidentId(key))).describe(), WorkflowNotFoundError);
  });

  test('a linked ticket shows the incident and its clocks pause (policy pause); unlinked, they run again', async () => {
    await harness.run(async () => {
      const opened = await openTicket('Sync stuck at 50%');
      assert.equal(clock(opened, 'firstResponse')?.status, 'running');
      const incident = await declare(`Sync outage ${run}`);

      const linked = await call('POST', `/v1/incidents/${incident.id}/link`, { ticketId: opened.id });
      assert.equal(linked.status, 200, linked.text);
      assert.deepEqual(incidentOf(linked).linkedTickets.map((t) => [t.ticketId, t.linkedBy, t.auto]), [[opened.id, 'grace', false]]);
      const held = await eventually('the ticket told of the incident', async () => {
        const view = await ticket(opened.id);
        return view.incident?.id === incident.id && view;
      });
      assert.equal(held.incident!.clocksPaused, true);
      assert.equal(held.incident!.statusPageUrl, `${PUBLIC_URL}/status/incidents/${incident.id}`);
      assert.equal(clock(held, 'firstResponse')?.status, 'paused');
      assert.ok(held.timeline.some((e) => e.type === 'incident-linked'));

      const twice = await call('POST', `/v1/incidents/${incident.id}/link`, { ticketId: opened.id });
      assert.equal(twice.status, 409);
      assert.equal(twice.body.reason, `ticket ${opened.id} is already linked to ${incident.id}`);
      const unknown = await call('POST', `/v1/incidents/${incident.id}/link`, { ticketId: 'T-ZZZZZZZZZZZZZZZZ' });
      assert.equal(unknown.status, 400);
      assert.deepEqual(unknown.body.errors, [{ path: 'ticketId', message: 'no ticket T-ZZZZZZZZZZZZZZZZ' }]);
      assert.equal((await call('POST', `/v1/incidents/${incident.id}/link`, { ticketId: 'not-a-ticket' })).status, 400);

      const unlinked = await call('POST', `/v1/incidents/${incident.id}/unlink`, { ticketId: opened.id, reason: 'a different problem' });
      assert.equal(unlinked.status, 200, unlinked.text);
      assert.deepEqual(incidentOf(unlinked).linkedTickets, []);
      const released = await eventually('the ticket let go', async () => {
        const view = await ticket(opened.id);
        return view.incident === undefined && view;
      });
      assert.equal(clock(released, 'firstResponse')?.status, 'running');
      assert.ok(released.timeline.some((e) => e.type === 'incident-unlinked'));

      await call('POST', `/v1/incidents/${incident.id}/resolve`, { summary: 'Fixed' });
    });
  });

  test('a new ticket tagged with an open incident’s component is linked on intake, and its requester is told', async () => {
    await harness.run(async () => {
      const component = `search-${run}`;
      const incident = await declare(`Search down ${run}`, { components: [component] });
      // The incident tells the watcher it is open; tickets opened after that link to it.
      await settled(env.client.workflow.getHandle(incidentWorkflowId(incident.id)));

      const opened = await openTicket('Search returns nothing', { tags: [`component:${component}`] });
      const linked = await eventually('the ticket linked on intake', async () => {
        const view = await ticket(opened.id);
        return view.incident?.id === incident.id && view;
      });
      assert.equal(linked.incident!.clocksPaused, true);
      const shown = incidentOf(await call('GET', `/v1/incidents/${incident.id}`));
      assert.deepEqual(shown.linkedTickets.map((t) => [t.ticketId, t.linkedBy, t.auto]), [[opened.id, 'tierline', true]]);
      const told = await eventually('the incident-linked email in the outbox', () => outbox.sent().find((line) => line.template === 'incident-linked' && line.ticketId === opened.id));
      assert.deepEqual(told.to, { email: 'ada@example.com', name: 'Ada' });

      // A ticket of another component stays out of it.
      const other = await openTicket('Billing page blank', { tags: [`component:billing-${run}`] });
      await settled(env.client.workflow.getHandle(incidentWorkflowId(incident.id)));
      assert.equal((await ticket(other.id)).incident, undefined);

      await call('POST', `/v1/incidents/${incident.id}/resolve`, { summary: 'Index rebuilt' });
    });
  });

  test('a burst of tickets proposes an incident and declares nothing; a person confirms it with the proposal key, which links the burst', async () => {
    await harness.run(async () => {
      const category = `login-${run}`;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await openTicket(`Cannot log in (${i})`, { category })).id);

      type Proposal = { key: string; value: string; count: number; tickets: string[]; from: string; title: string };
      const proposal = await eventually('the proposal', async () => {
        const res = await call('GET', '/v1/incidents/proposals');
        assert.equal(res.status, 200);
        return (res.body.proposals as Proposal[]).find((p) => p.value === category);
      });
      assert.deepEqual([...proposal.tickets].sort(), [...ids].sort());
      assert.equal(proposal.count, 3);
      assert.match(proposal.from, /^\d{4}-\d\d-\d\dT/);
      // Nothing declared itself: the incident this proposal would make does not exist.
      await assert.rejects(env.client.workflow.getHandle(incidentWorkflowId(derivedIncidentId(`proposal:${proposal.key}`))).describe(), WorkflowNotFoundError);

      // The proposal key alone links the burst's tickets.
      const confirmed = await call('POST', '/v1/incidents', declaration(proposal.title, { proposalKey: proposal.key }));
      assert.equal(confirmed.status, 201, confirmed.text);
      const incident = incidentOf(confirmed);
      assert.equal(incident.id, derivedIncidentId(`proposal:${proposal.key}`));
      assert.equal(incident.proposalKey, proposal.key);
      assert.deepEqual(incident.linkedTickets.map((t) => t.ticketId).sort(), [...ids].sort());
      for (const id of ids) await eventually(`${id} linked`, async () => (await ticket(id)).incident?.id === incident.id);
      await eventually('the proposal gone once declared', async () => {
        const res = await call('GET', '/v1/incidents/proposals');
        return !(res.body.proposals as Proposal[]).some((p) => p.key === proposal.key);
      });
      // Confirming again finds the same incident.
      const again = await call('POST', '/v1/incidents', declaration(proposal.title, { proposalKey: proposal.key }));
      assert.equal(again.status, 200);
      assert.equal(incidentOf(again).id, incident.id);

      await call('POST', `/v1/incidents/${incident.id}/resolve`, { summary: 'Login fixed' });
    });
  });

  test('resolving resolves the linked ticket (policy resolve-linked); an update afterwards is 409 with the reason; the report marks what is missing', async () => {
    await harness.run(async () => {
      const opened = await openTicket('Uploads fail');
      const incident = await declare(`Uploads failing ${run}`, { tickets: [opened.id] });
      assert.deepEqual(incident.linkedTickets.map((t) => t.ticketId), [opened.id]);

      const identified = await call('POST', `/v1/incidents/${incident.id}/update`, { status: 'identified', impact: 'Uploads over 10 MB fail', message: 'A bad proxy limit', nextUpdateIn: '30m' });
      assert.equal(identified.status, 200, identified.text);
      assert.equal(incidentOf(identified).status, 'identified');
      const back = await call('POST', `/v1/incidents/${incident.id}/update`, { status: 'investigating', impact: 'x', message: 'y' });
      assert.equal(back.status, 409);
      assert.equal(back.body.reason, 'going back from identified to investigating needs a reason');
      const badStatus = await call('POST', `/v1/incidents/${incident.id}/update`, { status: 'resolved', impact: 'x', message: 'y' });
      assert.equal(badStatus.status, 400);
      assert.equal((badStatus.body.errors as { path: string }[])[0]!.path, 'status');

      const severity = await call('POST', `/v1/incidents/${incident.id}/severity`, { severity: 'minor', reason: 'only large files' });
      assert.equal(severity.status, 200, severity.text);
      assert.equal(incidentOf(severity).severity.id, 'minor');
      const commander = await call('POST', `/v1/incidents/${incident.id}/commander`, { commander: 'linus' });
      assert.equal(incidentOf(commander).commander, 'linus');
      const noPage = await call('POST', `/v1/incidents/${incident.id}/acknowledge-page`, {});
      assert.equal(noPage.status, 409);
      assert.equal(noPage.body.reason, `no page of ${incident.id} is waiting for an acknowledgement`);

      const resolved = await call('POST', `/v1/incidents/${incident.id}/resolve`, { summary: 'Proxy limit raised to 1 GB', rootCause: 'A proxy default of 10 MB <after> the upgrade' });
      assert.equal(resolved.status, 200, resolved.text);
      assert.equal(incidentOf(resolved).status, 'resolved');
      const closedLoop = await eventually('the linked ticket resolved', async () => {
        const view = await ticket(opened.id);
        return view.status === 'resolved' && view;
      });
      assert.match(closedLoop.resolution ?? '', /Proxy limit raised to 1 GB/);

      const refused = await call('POST', `/v1/incidents/${incident.id}/update`, { status: 'monitoring', impact: 'none', message: 'watching' });
      assert.equal(refused.status, 409);
      assert.match(String(refused.body.reason), new RegExp(`^incident ${incident.id} is resolved; it takes no more`));

      const report = await call('GET', `/v1/incidents/${incident.id}/report`);
      assert.equal(report.status, 200);
      assert.match(report.headers.get('content-type') ?? '', /^text\/markdown; charset=utf-8/);
      assert.match(report.text, new RegExp(`^# Incident Report: Uploads failing ${run}$`, 'm'));
      assert.match(report.text, /^## Root Cause\n\nA proxy default of 10 MB &lt;after&gt; the upgrade$/m);
      assert.match(report.text, /^## Summary\n\nProxy limit raised to 1 GB$/m);
      assert.match(report.text, /^_TO FILL: resolution steps_$/m);
      assert.match(report.text, /^_TO FILL: prevention measures_$/m);
      assert.doesNotMatch(report.text, /TO FILL: root cause/);
      assert.match(report.text, new RegExp(`^- ${opened.id} \\(linked .* by grace\\)$`, 'm'));
    });
  });

  test('the status page, its JSON and its Atom feed show each update without a token, and escape what people typed', async () => {
    await harness.run(async () => {
      const title = `Sync <script>alert(1)</script> ${run}`;
      const incident = await declare(title, { message: 'We see <b>errors</b> & retries' });
      const update = await call('POST', `/v1/incidents/${incident.id}/update`, { status: 'identified', impact: 'EU users', message: 'Cause: <img src=x onerror=alert(2)>' });
      assert.equal(update.status, 200, update.text);

      const json = await eventually('both updates in index.json', async () => {
        const res = await load('/status/index.json');
        assert.equal(res.status, 200);
        const listed = (res.body as unknown as StatusPage).incidents.find((i) => i.id === incident.id);
        return listed?.updates.length === 2 && res;
      });
      assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
      assert.match(json.headers.get('cache-control') ?? '', /^public, max-age=5$/);
      const page = json.body as unknown as StatusPage;
      const published = page.incidents.find((i) => i.id === incident.id) as PublicIncident;
      assert.equal(published.title, title, 'JSON carries the text as typed');
      assert.deepEqual(published.updates.map((u) => u.status), ['investigating', 'identified']);
      assert.equal(page.title, 'Caro status');
      assert.equal(page.overall.operational, false);
      assert.equal(JSON.stringify(published).includes('grace'), false, 'the public page never names who wrote an update');

      const html = await load('/status');
      assert.equal(html.status, 200);
      assert.match(html.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
      assert.match(html.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.ok(html.text.includes(`Sync &lt;script&gt;alert(1)&lt;/script&gt; ${run}`), 'the title, escaped');
      assert.ok(html.text.includes('Cause: &lt;img src=x onerror=alert(2)&gt;'), 'the update, escaped');
      assert.ok(html.text.includes('We see &lt;b&gt;errors&lt;/b&gt; &amp; retries'), 'the first update, escaped');
      for (const raw of ['<script>alert(1)', '<img src=x', '<b>errors']) assert.equal(html.text.includes(raw), false, `no raw ${raw}`);

      const one = await load(`/status/incidents/${incident.id}`);
      assert.equal(one.status, 200);
      assert.ok(one.text.includes('Cause: &lt;img src=x onerror=alert(2)&gt;'));
      assert.equal(one.text.includes('<script>alert(1)'), false);

      const feed = await load('/status/feed.atom');
      assert.equal(feed.status, 200);
      assert.match(feed.headers.get('content-type') ?? '', /^application\/atom\+xml/);
      assert.ok(feed.text.includes(`<id>${atomEntryId(incident.id, 1)}</id>`) && feed.text.includes(`<id>${atomEntryId(incident.id, 2)}</id>`), 'one entry per update');
      assert.ok(feed.text.includes(`href="${PUBLIC_URL}/status/incidents/${incident.id}"`), 'absolute links from the public URL');
      assert.ok(feed.text.includes('[Identified] Caro Service Update: Sync &lt;script&gt;alert(1)&lt;/script&gt;'));
      for (const raw of ['<script>', '<img']) assert.equal(feed.text.includes(raw), false, `no raw ${raw} in the feed`);

      const missing = await load(`/status/incidents/${encodeURIComponent('<script>x</script>')}`);
      assert.equal(missing.status, 404);
      assert.ok(missing.text.includes('&lt;script&gt;x&lt;/script&gt;') && !missing.text.includes('<script>'), 'the unknown id is escaped too');

      await call('POST', `/v1/incidents/${incident.id}/resolve`, { summary: 'Sync is back' });
    });
  });

  test('page loads within the cache time share one fetch from Temporal', async () => {
    class CountingIncidents extends IncidentClient {
      fetches = 0;
      override async published(opts: { days?: number } = {}): Promise<PublicIncident[]> {
        this.fetches++;
        return super.published(opts);
      }
    }
    const counting = new CountingIncidents(env.client, { taskQueue: harness.taskQueue, policy, publicUrl: PUBLIC_URL });
    const cachedApp = buildApi({ tickets: harness.tickets, incidents: counting, tokens: new Map([[TOKEN, 'grace']]) });
    try {
      const loads = await Promise.all(['/status', '/status/index.json', '/status/feed.atom', '/status'].map((url) => cachedApp.inject({ method: 'GET', url })));
      assert.deepEqual(loads.map((r) => r.statusCode), [200, 200, 200, 200]);
      assert.equal((await cachedApp.inject({ method: 'GET', url: '/status' })).statusCode, 200);
      assert.equal(counting.fetches, 1);
    } finally {
      await cachedApp.close();
    }
  });

  test('a policy that does not broadcast to the status page publishes none: 404 saying why', async () => {
    const quiet = caroLikePolicy({ incidents: { broadcast: ['slack'] } });
    const quietApp = buildApi({ tickets: harness.tickets, incidents: new IncidentClient(env.client, { taskQueue: harness.taskQueue, policy: quiet, publicUrl: PUBLIC_URL }), tokens: new Map([[TOKEN, 'grace']]) });
    try {
      for (const url of ['/status', '/status/index.json', '/status/feed.atom', '/status/incidents/I-ZZZZZZZZZZZZZZZZ']) {
        const res = await quietApp.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 404, url);
        assert.match(res.body, /no status page: policy test-caro does not broadcast incidents to status-page/);
      }
    } finally {
      await quietApp.close();
    }
  });

  test('the OpenAPI document lists the incident routes and the public status page', async () => {
    const res = await fetch(`${base}/v1/openapi.json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { security?: unknown[]; requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }>> };
    for (const path of ['/v1/incidents', '/v1/incidents/proposals', '/v1/incidents/{id}', '/v1/incidents/{id}/report']) assert.ok(doc.paths[path]?.['get'], `GET ${path}`);
    for (const action of ['update', 'severity', 'commander', 'link', 'unlink', 'resolve', 'acknowledge-page']) assert.ok(doc.paths[`/v1/incidents/{id}/${action}`]?.['post'], `POST ${action}`);
    assert.deepEqual([...(doc.paths['/v1/incidents']!['post']!.requestBody!.content['application/json']!.schema.required ?? [])].sort(), ['impact', 'severity', 'title']);
    for (const path of ['/status', '/status/index.json', '/status/feed.atom', '/status/incidents/{id}']) assert.deepEqual(doc.paths[path]?.['get']?.security, [], `${path} needs no token`);
  });
});
