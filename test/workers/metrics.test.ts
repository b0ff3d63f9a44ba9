import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, Worker } from '@temporalio/worker';
import { familiesExcept, isLoopback } from '../../adapters/http/metrics.js';
import { buildApi } from '../../adapters/http/server.js';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import { openTicket } from '../../domain/ticket/decide.js';
import { IntakeSchema } from '../../domain/ticket/intake.js';
import { record, SYSTEM } from '../../domain/ticket/timeline.js';
import { installWorkerRuntime, scrapeWorkerMetrics, workerMetricsUrl, zeroTicketCounters } from '../../workers/metrics.js';
import { COMMAND_SIGNALS } from '../../workflows/messages.js';
import { ticketMeasurements } from '../../workflows/ticket-metrics.js';
import { caroLikePolicy, HOUR, MINUTE } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { listenOnLoopback } from '../helpers/api.js';
import { settled, skip, ticketHarness, timeSkippingEnv, workflowBundle, type TicketHarness } from '../helpers/temporal.js';

const TOKEN = 'metrics-test-token-0123456789';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The values of the series of `name` whose labels include `labels`. */
function seriesOf(text: string, name: string, labels: Record<string, string> = {}): number[] {
  const values: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) values.push(Number(m[3]));
  }
  return values;
}

/** The sum of those values (0 when no series matches). */
const sampleOf = (text: string, name: string, labels: Record<string, string> = {}) => seriesOf(text, name, labels).reduce((a, b) => a + b, 0);

/** tierline's ticket series, sorted: what a replay must leave exactly as it was. */
const ticketSeries = (text: string) => text.split('\n').filter((l) => /^tierline_(tickets|sla|pages|notifications|first_response|resolution)_/.test(l)).sort();

const intake = (subject: string, priority: string, channel: string) => ({
  subject,
  description: 'Commands fail entirely',
  requester: { email: 'ada@example.com', name: 'Ada' },
  channel,
  priority,
});

describe("tierline's Prometheus metrics on a real (time-skipping) Temporal", () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let workerUrl: string;
  const outbox = outboxActivities();

  before(async () => {
    // test/helpers/temporal.ts installs a plain Runtime when it is imported, and nothing has used it
    // yet. A process has one Runtime: this file swaps it for the one `npm start` installs, with the
    // Prometheus exporter, on a free port.
    await Runtime.instance().shutdown();
    const address = `127.0.0.1:${await freePort()}`;
    installWorkerRuntime('WARN', address);
    workerUrl = workerMetricsUrl(address);
    env = await timeSkippingEnv();
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outbox.activities });
    // As `npm start` does: every counter the policy allows starts at 0.
    zeroTicketCounters(Runtime.instance().metricMeter, caroLikePolicy(), { namespace: env.namespace ?? 'default', taskQueue: harness.taskQueue });
  });
  after(async () => {
    await harness?.shutdown();
    await env?.teardown();
  });

  test('a P0 that breaches its first response and is resolved counts once, and a replay of its history adds nothing', async () => {
    await harness.run(async () => {
      const zeroed = await scrapeWorkerMetrics(workerUrl);
      assert.deepEqual(seriesOf(zeroed, 'tierline_sla_breaches_total', { priority: 'P0', metric: 'firstResponse' }), [0], 'scraped at 0 before the first breach');
      const { ticket } = await harness.tickets.open(intake('Caro crashes on launch', 'P0', 'email'));
      await skip(env, HOUR + 5 * MINUTE);
      // Resolved by Signal, not Update: the replay below is about the metrics, and a ticket history
      // with Updates does not always replay today (the Update's completion and the activity its
      // handler schedules can come back in another order).
      const handle = env.client.workflow.getHandle(ticketWorkflowId(ticket.id));
      await handle.signal(COMMAND_SIGNALS.resolve, { actor: 'grace', resolution: 'Fixed in v1.1.1' });
      await settled(handle);

      const text = await scrapeWorkerMetrics(workerUrl);
      const P0 = { priority: 'P0' };
      assert.equal(sampleOf(text, 'tierline_tickets_opened_total', { ...P0, channel: 'email' }), 1);
      assert.equal(sampleOf(text, 'tierline_sla_warnings_total', { ...P0, metric: 'firstResponse' }), 3, '50 %, 75 % and 90 % of 1 h');
      assert.deepEqual(seriesOf(text, 'tierline_sla_breaches_total', { ...P0, metric: 'firstResponse' }), [1], 'the workflow counted on the zeroed series');
      assert.equal(sampleOf(text, 'tierline_sla_breaches_total'), 1, 'nothing else breached');
      assert.equal(sampleOf(text, 'tierline_tickets_resolved_total', { ...P0, channel: 'email' }), 1);

      // The resolution is the first response: both observed once, 1 h 5 min after receipt, in the 2 h bucket.
      for (const histogram of ['tierline_first_response_seconds', 'tierline_resolution_seconds']) {
        assert.equal(sampleOf(text, `${histogram}_count`, P0), 1, histogram);
        assert.equal(sampleOf(text, `${histogram}_bucket`, { ...P0, le: '3600' }), 0, histogram);
        assert.equal(sampleOf(text, `${histogram}_bucket`, { ...P0, le: '7200' }), 1, histogram);
        const seconds = sampleOf(text, `${histogram}_sum`, P0);
        assert.ok(seconds >= 65 * 60 && seconds < 70 * 60, `${histogram}: ${seconds} s`);
      }

      // Notifications: one count per outcome on the timeline, with the channel they went to.
      const { timeline } = await harness.tickets.state(ticket.id);
      const sent = timeline.filter((e) => e.type === 'notification-sent').length;
      assert.ok(sent >= 4, `${sent} notifications sent`);
      assert.equal(sampleOf(text, 'tierline_notifications_total', { outcome: 'sent', channel: 'outbox' }), sent);
      assert.equal(sampleOf(text, 'tierline_notifications_total', { outcome: 'failed' }), 0);

      // The series carry the SDK's workflow labels, and the SDK's own metrics are on the same endpoint.
      assert.equal(sampleOf(text, 'tierline_tickets_opened_total', { workflowType: 'ticketWorkflow', taskQueue: harness.taskQueue }), 1);
      assert.ok(sampleOf(text, 'temporal_workflow_task_execution_latency_count') > 0);

      // Settled means settled: the counters stay put. Replaying the whole history from its first
      // event (what a worker that lost its cache does) adds nothing either: a replay worker's metric
      // sink feeds this Runtime too, so a count made in replay would show, under its own task queue.
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(ticketSeries(await scrapeWorkerMetrics(workerUrl)), ticketSeries(text));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await handle.fetchHistory(), handle.workflowId);
      assert.deepEqual(ticketSeries(await scrapeWorkerMetrics(workerUrl)), ticketSeries(text));
    });
  });

  test("the API's GET /metrics: its requests by route and status, and the worker's metrics of this process", async () => {
    const app = buildApi({ tickets: harness.tickets, tokens: new Map([[TOKEN, 'grace']]), metrics: { include: () => scrapeWorkerMetrics(workerUrl) } });
    const base = await listenOnLoopback(app);
    try {
      await harness.run(async () => {
        const opened = await fetch(`${base}/v1/tickets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(intake('Login loops', 'P1', 'api')),
        });
        assert.equal(opened.status, 201);
        assert.equal((await fetch(`${base}/v1/nothing-here`)).status, 404);
        await settled(env.client.workflow.getHandle(ticketWorkflowId(((await opened.json()) as { id: string }).id)));

        const res = await fetch(`${base}/metrics`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
        const text = await res.text();
        assert.equal(sampleOf(text, 'tierline_http_request_duration_seconds_count', { method: 'POST', route: '/v1/tickets', status_code: '201' }), 1);
        assert.equal(sampleOf(text, 'tierline_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' }), 1, 'unknown URLs share one series');
        assert.ok(sampleOf(text, 'process_resident_memory_bytes') > 0);
        assert.equal(sampleOf(text, 'tierline_worker_metrics_up'), 1);
        assert.equal(sampleOf(text, 'tierline_tickets_opened_total', { priority: 'P1', channel: 'api' }), 1);
        assert.ok(sampleOf(text, 'temporal_workflow_task_execution_latency_count') > 0);
        const types = text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
        assert.equal(new Set(types).size, types.length, 'each family once');
      });
    } finally {
      await app.close();
    }
  });

  test('GET /metrics: loopback only without METRICS_TOKEN, the bearer token from everyone with it', async () => {
    const open = buildApi({ tickets: harness.tickets, tokens: new Map([[TOKEN, 'grace']]) });
    const guarded = buildApi({ tickets: harness.tickets, tokens: new Map([[TOKEN, 'grace']]), metrics: { token: 'scrape-token-0123456789' } });
    try {
      assert.equal((await open.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode, 200);
      const remote = await open.inject({ url: '/metrics', remoteAddress: '10.1.2.3' });
      assert.equal(remote.statusCode, 403);
      assert.match(remote.json().message, /loopback clients only, not 10\.1\.2\.3; set METRICS_TOKEN/);

      const none = await guarded.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
      assert.equal(none.statusCode, 401, 'a proxy on this host makes everyone look local');
      assert.equal((await guarded.inject({ url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode, 401, 'an API token is not the metrics token');
      const ok = await guarded.inject({ url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: 'Bearer scrape-token-0123456789' } });
      assert.equal(ok.statusCode, 200);
      assert.match(ok.body, /^# HELP /m);
      assert.equal(sampleOf(ok.body, 'tierline_worker_metrics_up'), 0, 'no worker in this API: no such series');
    } finally {
      await open.close();
      await guarded.close();
    }
  });
});

describe('what a step of the ticket counts', () => {
  const opened = openTicket('T-1', IntakeSchema.parse(intake('Down', 'P0', 'email')), caroLikePolicy(), 0);

  test('a new ticket counts as opened once; the same state again counts nothing', () => {
    assert.deepEqual(ticketMeasurements(undefined, opened.state), [{ kind: 'counter', metric: 'opened', labels: { priority: 'P0', channel: 'email' } }]);
    assert.deepEqual(ticketMeasurements(opened.state, opened.state), []);
  });

  test('pages and notification outcomes, with the channel from the step', () => {
    let state = record(opened.state, 1000, SYSTEM, 'page-started', 'paging on-call', { pageId: 'p1' });
    state = record(state, 2000, 'grace', 'page-acknowledged', 'grace acknowledged the page', { pageId: 'p1' });
    state = record(state, 3000, SYSTEM, 'page-exhausted', 'nobody acknowledged the page', { pageId: 'p1' });
    state = record(state, 4000, SYSTEM, 'notification-failed', 'slack notification failed for good', { key: 'k', attempts: 0 });
    const counted = ticketMeasurements(opened.state, state, { type: 'notificationOutcome', key: 'k', channel: 'team', outcome: 'failed', attempts: 0 });
    assert.deepEqual(counted.map((m) => [m.metric, m.labels]), [
      ['pages', { event: 'started', priority: 'P0' }],
      ['pages', { event: 'acknowledged', priority: 'P0' }],
      ['pages', { event: 'exhausted', priority: 'P0' }],
      ['notifications', { outcome: 'failed', channel: 'team' }],
    ]);
  });

  test('a recurring clock counts under its metric', () => {
    const clock = { ...opened.state.clocks[0]!, id: 'nextResponse#3', metric: 'nextResponse' as const };
    const state = record({ ...opened.state, clocks: [...opened.state.clocks, clock] }, 5000, SYSTEM, 'sla-breach', 'breached', { clock: 'nextResponse#3' });
    assert.deepEqual(ticketMeasurements(opened.state, state), [{ kind: 'counter', metric: 'slaBreaches', labels: { metric: 'nextResponse', priority: 'P0' } }]);
  });
});

describe('merging exposition texts', () => {
  test('a family the API already serves is left out of the included text', () => {
    const worker = '# HELP a_total A\n# TYPE a_total counter\na_total 1\n# HELP process_cpu B\n# TYPE process_cpu gauge\nprocess_cpu 2\n';
    assert.equal(familiesExcept(worker, new Set(['process_cpu'])), '# HELP a_total A\n# TYPE a_total counter\na_total 1\n');
  });

  test('loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '0.0.0.0', undefined]) assert.equal(isLoopback(a), false, String(a));
  });
});
