/**
 * `GET /v1/reports/:kind` and `tierline report` on a real Temporal dev server: the ticket workflow
 * writes its milestones to the SQLite ledger in the data folder (a local activity), the API builds
 * the report from that ledger and the open tickets, as JSON or Markdown.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { openLedger, type TicketLedger } from '../../activities/ledger.js';
import { buildApi } from '../../adapters/http/server.js';
import type { DailyReport, WeeklyReport } from '../../domain/metrics/reports.js';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { eventually, listenOnLoopback } from '../helpers/api.js';
import { devServerEnv, ticketHarness, type TicketHarness } from '../helpers/temporal.js';
import { tierlineRunner } from '../cli/run-tierline.js';

const TOKEN = 'test-token-for-reports-0123456789';
const WEEK_MS = 7 * 86_400_000;

describe('the reports API and `tierline report`, from the ledger the ticket workflow writes (dev server, SQLite)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let ledger: TicketLedger;
  let app: FastifyInstance;
  let bare: FastifyInstance;
  let base: string;
  let bareBase: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'tierline-reports-'));
  const emptyDataDir = mkdtempSync(join(tmpdir(), 'tierline-reports-cli-'));
  const policy = caroLikePolicy({
    metrics: { targets: [{ label: 'Average first response time < 2 hours', metric: 'firstResponse.avg', op: '<', value: 2, unit: 'h' }] },
  } as never);
  const tierline = tierlineRunner(() => ({ TIERLINE_API_URL: base, TIERLINE_API_TOKEN: TOKEN, TIERLINE_DATA_DIR: emptyDataDir }), [TOKEN]);
  let openId: string;
  let resolvedId: string;

  before(async () => {
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy, activities: createActivities(loadConfig({ TIERLINE_DATA_DIR: dataDir }), () => {}) });
    ledger = openLedger({ kind: 'sqlite', path: join(dataDir, 'ledger.db') });
    const tokens = new Map([[TOKEN, 'grace']]);
    app = buildApi({ tickets: harness.tickets, tokens, reports: { ledger: ledger.reader, tickets: harness.tickets, policy } });
    bare = buildApi({ tickets: harness.tickets, tokens });
    base = await listenOnLoopback(app);
    bareBase = await listenOnLoopback(bare);

    await harness.run(async () => {
      const intake = (subject: string) => ({ subject, description: 'The export stops at 99%', requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P2' });
      openId = (await harness.tickets.open(intake('Still waiting'))).ticket.id;
      resolvedId = (await harness.tickets.open(intake('Export fails'))).ticket.id;
      await harness.tickets.act(resolvedId, 'respond', { actor: 'grace', body: 'Clear the cache and retry' });
      await harness.tickets.act(resolvedId, 'resolve', { actor: 'grace', resolution: 'Cache cleared' });
    });
    await eventually('both tickets in the ledger, one resolved', async () => {
      const rows = await ledger.reader.tickets({ from: 0, to: Date.now() + 1 });
      const open = rows.find((r) => r.ticketId === openId);
      const resolved = rows.find((r) => r.ticketId === resolvedId);
      return open && resolved?.status === 'resolved';
    });
  });
  after(async () => {
    await app?.close();
    await bare?.close();
    await harness?.shutdown();
    await env?.teardown();
    await ledger?.close();
  });

  /** `token` null: no Authorization header. */
  const get = (path: string, token: string | null = TOKEN, at = base) => fetch(`${at}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  test('daily as JSON: the open ticket in the queue (Temporal visibility), the resolved one not', async () => {
    const report = await eventually('the daily queue to hold the open ticket alone', async () => {
      const res = await get('/v1/reports/daily?format=json');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await res.json()) as DailyReport;
      return body.queue.open === 1 && body;
    });
    assert.equal(report.kind, 'daily');
    assert.equal(report.policy.startsWith('test-caro'), true, report.policy);
    assert.equal(report.queue.open, 1);
    const queued = [...report.urgent.open, ...report.queue.breachedNow].map((t) => t.ticketId);
    assert.ok(!queued.includes(resolvedId), 'the resolved ticket is not in the queue');
    // No format: JSON.
    const plain = await get('/v1/reports/daily');
    assert.equal(plain.status, 200);
    assert.match(plain.headers.get('content-type') ?? '', /^application\/json/);
  });

  test('weekly as Markdown, as of a week later: the week with both tickets and the targets table', async () => {
    const at = new Date(Date.now() + WEEK_MS).toISOString();
    const res = await get(`/v1/reports/weekly?format=markdown&at=${encodeURIComponent(at)}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/markdown; charset=utf-8');
    const markdown = await res.text();
    assert.match(markdown, /^# /);
    assert.ok(markdown.includes('| Target | Goal | Actual | Based on | Result |'), markdown);
    assert.ok(markdown.includes('Average first response time < 2 hours'), markdown);

    const json = await get(`/v1/reports/weekly?at=${encodeURIComponent(at)}`);
    const weekly = (await json.json()) as WeeklyReport;
    assert.equal(weekly.kind, 'weekly');
    assert.ok(weekly.period.to <= Date.parse(at) && weekly.period.from < Date.now(), 'the previous week, which holds today');
    assert.equal(weekly.summary.tickets, 2);
    assert.equal(weekly.summary.resolved, 1);
  });

  test('a bad kind, format or instant is a 400 naming the field; no token 401; no ledger 404', async () => {
    const kind = await get('/v1/reports/yearly');
    assert.equal(kind.status, 400);
    const kindBody = (await kind.json()) as { errors: { path: string; message: string }[] };
    assert.equal(kindBody.errors[0]?.path, 'kind');
    assert.match(kindBody.errors[0]!.message, /daily, weekly, monthly/);

    const format = await get('/v1/reports/daily?format=pdf');
    assert.equal(format.status, 400);
    assert.equal(((await format.json()) as { errors: { path: string }[] }).errors[0]?.path, 'format');

    for (const at of ['yesterday', '2026-13-45T00:00:00Z', '2026-03-11']) {
      const res = await get(`/v1/reports/weekly?at=${encodeURIComponent(at)}`);
      assert.equal(res.status, 400, at);
      assert.equal(((await res.json()) as { errors: { path: string }[] }).errors[0]?.path, 'at');
    }

    assert.equal((await get('/v1/reports/daily', null)).status, 401);
    assert.equal((await get('/v1/reports/daily', 'wrong-token')).status, 401);

    const none = await get('/v1/reports/daily', TOKEN, bareBase);
    assert.equal(none.status, 404);
    assert.match(((await none.json()) as { message: string }).message, /reports are not configured/);
  });

  test('the OpenAPI document describes the route', async () => {
    const doc = (await (await get('/v1/openapi.json', null)).json()) as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/v1/reports/{kind}']);
  });

  test('tierline report: JSON with --json, Markdown by default, usage errors exit 2', async () => {
    const json = await tierline(['report', 'daily', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const daily = JSON.parse(json.stdout) as DailyReport;
    assert.equal(daily.kind, 'daily');
    assert.equal(daily.queue.open, 1);

    const at = new Date(Date.now() + WEEK_MS).toISOString();
    const markdown = await tierline(['report', 'weekly', '--at', at]);
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.ok(markdown.stdout.startsWith('# '), markdown.stdout);
    assert.ok(markdown.stdout.includes('| Target | Goal | Actual | Based on | Result |'));
    assert.equal((await tierline(['report', 'weekly', '--markdown', '--at', at])).stdout, markdown.stdout);

    const badKind = await tierline(['report', 'yearly']);
    assert.equal(badKind.code, 2);
    assert.match(badKind.stderr, /KIND: expected one of daily, weekly, monthly/);
    const badAt = await tierline(['report', 'monthly', '--at', 'yesterday']);
    assert.equal(badAt.code, 2);
    assert.match(badAt.stderr, /--at: expected an ISO 8601 instant/);
    const both = await tierline(['report', 'daily', '--json', '--markdown']);
    assert.equal(both.code, 2);
  });
});
