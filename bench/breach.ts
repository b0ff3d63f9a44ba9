/**
 * Breach lateness: how long after its due time an SLA breach reaches Slack, with many tickets
 * open, against the naive-breach baseline (sleep, then post) in the same run, on the same dev
 * server (WAL SQLite) and the same local Slack server.
 *
 *   npx tsx bench/breach.ts [--open 2000] [--due 500] [--window 60] [--target 180] [--json FILE]
 *
 * --open tickets in all, of which --due have first-response deadlines spread over --window seconds
 * (the others are P3 with 48 h targets); each due ticket's target is --target seconds. The baseline
 * runs --due naive workflows with the same due times right after. Lateness = arrival of the breach
 * message at the Slack server - the ticket's due time.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { WebClient } from '@slack/web-api';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivities } from '../workers/activities.js';
import { loadConfig } from '../workers/config.js';
import { caroLikePolicy } from '../test/fixtures/policies.js';
import { devServerEnv, ticketHarness } from '../test/helpers/temporal.js';
import { start as startSlack } from '../test/servers/slack.js';

const { values } = parseArgs({
  options: {
    open: { type: 'string', default: '2000' },
    due: { type: 'string', default: '500' },
    window: { type: 'string', default: '60' },
    target: { type: 'string', default: '180' },
    json: { type: 'string' },
  },
});
const OPEN = Number(values.open);
const DUE = Number(values.due);
const WINDOW_MS = Number(values.window) * 1000;
const TARGET_S = Number(values.target);
const CHANNEL = 'C0BENCH';

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s.at(-1) ?? NaN };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `count` jobs, at most `limit` at a time. */
async function pooled<T>(count: number, limit: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await job(i);
    }
  }));
  return out;
}

async function startPaced<T>(count: number, spanMs: number, start: (i: number) => Promise<T>): Promise<T[]> {
  const began = Date.now();
  const out: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const at = began + (spanMs * i) / count;
    if (at > Date.now()) await sleep(at - Date.now());
    out.push(start(i));
  }
  return Promise.all(out);
}

const slack = await startSlack({ channels: [CHANNEL] });
const dataDir = mkdtempSync(join(tmpdir(), 'tierline-bench-'));
// A SQLite file with the pragmas `npm start` uses (WAL, synchronous=normal).
const env = await devServerEnv({ dbFilename: join(dataDir, 'temporal.sqlite') });
const config = loadConfig({ TIERLINE_DATA_DIR: dataDir, SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.url, SLACK_CHANNELS: `default=${CHANNEL},support=${CHANNEL}` });
const policy = caroLikePolicy({
  sla: {
    warnings: [0.5, 0.75, 0.9],
    targets: [
      { name: 'bench P0', when: { priority: ['P0'] }, firstResponse: { within: `${TARGET_S}s` } },
      { name: 'P3', when: { priority: ['P3'] }, firstResponse: { within: '48h' } },
      { name: 'catch-all', when: {}, firstResponse: { within: '24h' } },
    ],
  },
});
const harness = await ticketHarness(env, { policy, activities: createActivities(config, () => {}), maxCachedWorkflows: OPEN + 100 });
const result: Record<string, unknown> = {
  when: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  versions: { node: process.versions.node, temporalSdk: '1.24.0', temporalCli: '1.9.1 (server 1.32.0)' },
  server: 'temporal server start-dev, SQLite WAL + synchronous=normal',
  sizes: { open: OPEN, due: DUE, windowS: WINDOW_MS / 1000, targetS: TARGET_S },
};

try {
  await harness.run(async () => {
    const intake = (i: number, priority: string) => ({ subject: `Bench ticket ${i}`, description: 'bench', requester: { email: `u${i}@example.com` }, channel: 'api', priority });
    // The quiet majority first, as fast as the server takes them.
    let t = Date.now();
    await pooled(OPEN - DUE, 20, (i) => harness.tickets.open(intake(i, 'P3')));
    const quietStartS = (Date.now() - t) / 1000;
    console.log(`opened ${OPEN - DUE} P3 tickets in ${quietStartS.toFixed(1)} s`);
    // The due ones spread over the window, so their deadlines are too.
    t = Date.now();
    const due = await startPaced(DUE, WINDOW_MS, (i) => harness.tickets.open(intake(OPEN - DUE + i, 'P0')));
    const dueAt = new Map(due.map(({ ticket }) => [ticket.id, Date.parse(ticket.clocks.find((c) => c.metric === 'firstResponse')!.dueAt!)]));
    console.log(`opened ${DUE} P0 tickets over ${((Date.now() - t) / 1000).toFixed(1)} s; waiting for their breaches`);
    const last = Math.max(...dueAt.values());
    const breaches = () =>
      slack.received.filter((c) => c.method === 'chat.postMessage' && c.outcome === 'ok' && /firstResponse breached/.test(String(c.params.text)));
    while (breaches().length < DUE && Date.now() < last + 5 * 60_000) await sleep(500);
    const lateness: number[] = [];
    const seen = new Set<string>();
    let duplicates = 0;
    for (const call of breaches()) {
      const key = String((call.params.metadata as { event_payload?: { idempotency_key?: string } } | undefined)?.event_payload?.idempotency_key ?? '');
      const id = key.split('/')[0]!;
      if (seen.has(id)) duplicates++;
      seen.add(id);
      const dueTime = dueAt.get(id);
      if (dueTime !== undefined) lateness.push(call.at - dueTime);
    }
    result.tierline = { ...stats(lateness), notified: seen.size, expected: DUE, duplicates, quietStartS };
  });

  // The baseline: the same due times, a bare sleep-then-post workflow on its own task queue.
  const client = new WebClient(slack.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  const taskQueue = `naive-${Date.now()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./workflows/naive-breach.ts', import.meta.url)), logger: new DefaultLogger('WARN') }),
    activities: {
      async postBreach(input: { key: string; dueAt: number }) {
        await client.chat.postMessage({ channel: CHANNEL, text: `naive breach ${input.key}`, metadata: { event_type: 'bench', event_payload: { key: input.key, due_at: String(input.dueAt) } } });
      },
    },
    maxCachedWorkflows: OPEN + 100,
  });
  await worker.runUntil(async () => {
    const start = Date.now() + 10_000;
    const dues = Array.from({ length: DUE }, (_, i) => start + (TARGET_S * 1000) + (WINDOW_MS * i) / DUE);
    await startPaced(DUE, WINDOW_MS, (i) => env.client.workflow.start('naiveBreachWorkflow', { taskQueue, workflowId: `naive-${taskQueue}-${i}`, args: [{ key: `n${i}`, dueAt: dues[i]! }] }));
    const posts = () => slack.received.filter((c) => c.outcome === 'ok' && /^naive breach /.test(String(c.params.text)));
    while (posts().length < DUE && Date.now() < dues.at(-1)! + 5 * 60_000) await sleep(500);
    const lateness = posts().map((c) => c.at - Number((c.params.metadata as { event_payload: { due_at: string } }).event_payload.due_at));
    result.naive = { ...stats(lateness), notified: posts().length, expected: DUE };
  });

  const tl = result.tierline as ReturnType<typeof stats> & { notified: number; duplicates: number };
  const nv = result.naive as ReturnType<typeof stats> & { notified: number };
  result.ratios = { p50: tl.p50 / nv.p50, p99: tl.p99 / nv.p99 };
  console.log('\nbreach lateness (ms): due time -> breach message accepted by the Slack server');
  console.log(`  ${'run'.padEnd(10)} ${'notified'.padStart(9)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)}`);
  console.log(`  ${'tierline'.padEnd(10)} ${`${tl.notified}/${DUE}`.padStart(9)} ${String(tl.p50).padStart(7)} ${String(tl.p99).padStart(7)} ${String(tl.max).padStart(7)}   duplicates ${tl.duplicates}`);
  console.log(`  ${'naive'.padEnd(10)} ${`${nv.notified}/${DUE}`.padStart(9)} ${String(nv.p50).padStart(7)} ${String(nv.p99).padStart(7)} ${String(nv.max).padStart(7)}`);
  console.log(`  ratio tierline/naive: p50 ${(tl.p50 / nv.p50).toFixed(2)}, p99 ${(tl.p99 / nv.p99).toFixed(2)}`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await harness.shutdown();
  await env.teardown();
  await slack.close();
}
