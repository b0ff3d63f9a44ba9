/**
 * Lifecycle throughput: full P2 lifecycles per second (intake, auto-reply, acknowledge, respond,
 * customer reply, resolve, follow-up, auto-close) at a fixed concurrency, against the same-actions
 * baseline (ADDENDA #7) in the same process, on the same dev server (SQLite file, WAL) and the same
 * local Slack and SMTP servers.
 *
 *   npx tsx bench/lifecycle.ts [--lifecycles 300] [--concurrency 20] [--rounds 2]
 *                              [--follow-up 1s] [--close-after 2s] [--json FILE]
 *
 * A pilot lifecycle first gives a real tierline history; the baseline's plan (its timers, Updates,
 * Signals, activities and local activities, per trigger) is read off it, never written by hand.
 * Then tierline and the baseline take turns, --rounds times each, --lifecycles in all per side.
 * A lifecycle's latency runs from the intake call to the workflow's end (the close).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createActivities } from '../workers/activities.js';
import { loadConfig } from '../workers/config.js';
import { FAST_SQLITE_PRAGMAS } from '../workers/dev-server.js';
import { caroLikePolicy } from '../test/fixtures/policies.js';
import { devServerEnv, ticketHarness } from '../test/helpers/temporal.js';
import { startChannelServers } from './lib/channel-servers.js';
import { childPids, cpuMeter } from './lib/cpu.js';
import { historyCounts } from './lib/history.js';
import { historyTiming, medianTiming } from './lib/history-timing.js';
import { p2Lifecycle, sameActionsTarget, tierlineTarget, type LifecycleTarget } from './lib/p2-lifecycle.js';
import { environment } from './lib/environment.js';
import { cleanUpOnStop, percentiles, pool } from './lib/run.js';
import { planFromHistory, planTotals } from './lib/same-actions-plan.js';
import { sameActionsActivities, sameActionsWorker } from './lib/same-actions-worker.js';
import { timedActivities } from './lib/timed-activities.js';

const { values } = parseArgs({
  options: {
    lifecycles: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    'follow-up': { type: 'string', default: '1s' },
    'close-after': { type: 'string', default: '2s' },
    json: { type: 'string' },
  },
});
const LIFECYCLES = Number(values.lifecycles);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const PER_ROUND = Math.ceil(LIFECYCLES / ROUNDS);
const SAMPLE = 20;

const channels = await startChannelServers();
const { slack, smtp } = channels;
const dataDir = mkdtempSync(join(tmpdir(), 'tierline-bench-'));
const env = await devServerEnv({ dbFilename: join(dataDir, 'temporal.sqlite') });
const config = loadConfig({
  TIERLINE_DATA_DIR: dataDir,
  SLACK_BOT_TOKEN: slack.token,
  SLACK_API_URL: slack.url,
  SLACK_CHANNELS: `default=${slack.channel},support=${slack.channel}`,
  SMTP_URL: smtp.url,
});
// The Caro table with a follow-up and an auto-close seconds after the resolution, so a lifecycle ends in seconds.
const followUp = { after: values['follow-up'], survey: true, reopenWindow: values['close-after'], closeAfter: values['close-after'] };
const policy = caroLikePolicy({ followUp });
const tierlineActivities = timedActivities(createActivities(config, () => {}));
const harness = await ticketHarness(env, { policy, activities: tierlineActivities.activities });
const bareIo = sameActionsActivities({ slack, smtp, sqlitePath: join(dataDir, 'same-actions.db') });
const bareActivities = timedActivities(bareIo, (name, args) => (name === 'send' ? `send ${(args[0] as { channel: string }).channel}` : name));
const bare = await sameActionsWorker(env, bareActivities.activities);
const bareRunning = bare.worker.run();

const result: Record<string, unknown> = {
  ...environment(),
  server: {
    kind: 'temporal server start-dev (CLI 1.9.1), SQLite file',
    sqlitePragmas: FAST_SQLITE_PRAGMAS,
    channels: 'local Slack Web API server (test/servers/slack.ts) and SMTP server (test/servers/smtp.ts) in a child process; the ledger in SQLite (data dir)',
    process: 'one Node process: client script, tierline worker, baseline worker; the channel servers and the dev server are processes of their own',
  },
  sizes: { lifecycles: LIFECYCLES, concurrency: CONCURRENCY, rounds: ROUNDS, policyFollowUp: followUp },
};

interface Side {
  name: string;
  target: LifecycleTarget;
  latencies: number[];
  wallMs: number;
  refs: string[];
  /** CPU ms by process over this side's batches. */
  cpuMs: Record<string, number>;
}

const processes = { worker: [process.pid], temporalServer: childPids(/^temporal/), channelServers: [channels.pid] };
result.processes = processes;

async function batch(side: Side, count: number): Promise<void> {
  const began = performance.now();
  const cpu = cpuMeter(processes);
  const offset = side.refs.length;
  await pool(count, CONCURRENCY, async (i) => {
    const t = performance.now();
    const ref = await p2Lifecycle(side.target, offset + i);
    side.latencies.push(performance.now() - t);
    side.refs.push(ref);
  });
  side.wallMs += performance.now() - began;
  for (const [name, ms] of Object.entries(cpu.read())) side.cpuMs[name] = (side.cpuMs[name] ?? 0) + ms;
}

/** Histories of up to SAMPLE lifecycles spread over the run: event counts and where the time went. */
async function sample(side: Side) {
  const step = Math.max(1, Math.floor(side.refs.length / SAMPLE));
  const refs = side.refs.filter((_, i) => i % step === 0).slice(0, SAMPLE);
  const histories = await Promise.all(refs.map(async (ref) => (await env.client.workflow.getHandle(side.target.workflowId(ref)).fetchHistory()).events ?? []));
  const lengths = histories.map((h) => h.length).sort((a, b) => a - b);
  return { histories: refs.length, eventsMin: lengths[0], eventsMax: lengths.at(-1), timing: medianTiming(histories.map(historyTiming)) };
}

const activityMedians = (durations: Map<string, number[]>) =>
  Object.fromEntries([...durations].map(([name, xs]) => [name, { calls: xs.length, p50Ms: Math.round(percentiles(xs).p50 * 10) / 10 }]));

const cleanUp = cleanUpOnStop(async () => {
  await harness.shutdown();
  bare.worker.shutdown();
  await bareRunning;
  bareIo.close();
  await env.teardown();
  await channels.close();
  rmSync(dataDir, { recursive: true, force: true });
});
try {
  await harness.run(async () => {
    const tierline: Side = { name: 'tierline', target: tierlineTarget(harness.tickets, env.client), latencies: [], wallMs: 0, refs: [], cpuMs: {} };
    // The pilot: one lifecycle on its own, whose history is the baseline's plan.
    const pilotRef = await p2Lifecycle(tierline.target, -1);
    const pilotHandle = env.client.workflow.getHandle(tierline.target.workflowId(pilotRef));
    const pilotEvents = (await pilotHandle.fetchHistory()).events ?? [];
    const plan = planFromHistory(pilotEvents);
    const counts = await historyCounts(pilotHandle);
    const totals = planTotals(plan);
    console.log(`pilot tierline lifecycle: ${counts.total} history events; the baseline takes the same actions:`);
    console.log(`  ${JSON.stringify(totals)}`);
    const baseline: Side = { name: 'same-actions', target: sameActionsTarget(env.client, bare.taskQueue, plan), latencies: [], wallMs: 0, refs: [], cpuMs: {} };
    const barePilot = await p2Lifecycle(baseline.target, -1);
    const bareCounts = await historyCounts(env.client.workflow.getHandle(baseline.target.workflowId(barePilot)));
    console.log(`pilot baseline lifecycle: ${bareCounts.total} history events`);
    result.plan = { totals, perTrigger: plan, tierlineHistory: Object.fromEntries(counts.byType), tierlineEvents: counts.total, baselineHistory: Object.fromEntries(bareCounts.byType), baselineEvents: bareCounts.total };
    tierlineActivities.durations.clear();
    bareActivities.durations.clear();

    for (let round = 0; round < ROUNDS; round++) {
      for (const side of [tierline, baseline]) {
        const count = Math.min(PER_ROUND, LIFECYCLES - side.latencies.length);
        const t = performance.now();
        await batch(side, count);
        console.log(`round ${round + 1}/${ROUNDS} ${side.name.padEnd(12)} ${count} lifecycles in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      }
    }

    const figures = (side: Side) => {
      const p = percentiles(side.latencies);
      const cpuMsPerLifecycle = Object.fromEntries(Object.entries(side.cpuMs).map(([name, ms]) => [name, Math.round(ms / side.latencies.length)]));
      return { lifecycles: side.latencies.length, perSecond: side.latencies.length / (side.wallMs / 1000), p50Ms: Math.round(p.p50), p99Ms: Math.round(p.p99), maxMs: Math.round(p.max), wallS: side.wallMs / 1000, cpuMsPerLifecycle };
    };
    const tl = figures(tierline);
    const bl = figures(baseline);
    result.tierline = { ...tl, sample: await sample(tierline), activities: activityMedians(tierlineActivities.durations) };
    result.sameActions = { ...bl, sample: await sample(baseline), activities: activityMedians(bareActivities.durations) };
    result.ratio = { throughput: tl.perSecond / bl.perSecond, p50: tl.p50Ms / bl.p50Ms, p99: tl.p99Ms / bl.p99Ms };
    result.target = { throughputAtLeast: 0.9, met: tl.perSecond / bl.perSecond >= 0.9 };

    console.log(`\nP2 lifecycles at concurrency ${CONCURRENCY}, ${LIFECYCLES} per side in ${ROUNDS} alternating rounds`);
    console.log(`  ${'run'.padEnd(13)} ${'per s'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)}`);
    for (const [name, f] of [['tierline', tl], ['same-actions', bl]] as const) {
      console.log(`  ${name.padEnd(13)} ${f.perSecond.toFixed(2).padStart(6)} ${String(f.p50Ms).padStart(7)} ${String(f.p99Ms).padStart(7)} ${String(f.maxMs).padStart(7)}`);
    }
    const ratio = result.ratio as { throughput: number; p50: number; p99: number };
    console.log(`  tierline / same-actions: throughput ${ratio.throughput.toFixed(2)} (target >= 0.9), p50 ${ratio.p50.toFixed(2)}, p99 ${ratio.p99.toFixed(2)}`);
    console.log('\nmedian per lifecycle, from a sample of histories (ms):');
    for (const [name, s] of [['tierline', (result.tierline as { sample: Awaited<ReturnType<typeof sample>> }).sample], ['same-actions', (result.sameActions as { sample: Awaited<ReturnType<typeof sample>> }).sample]] as const) {
      const t = s.timing;
      console.log(`  ${name.padEnd(13)} events ${s.eventsMin}-${s.eventsMax}, workflow tasks ${t.workflowTasks}: waiting ${t.workflowTaskQueueMs}, running ${t.workflowTaskRunMs}; activities waiting ${t.activityQueueMs}, running ${t.activityRunMs}`);
    }
    console.log('\nCPU per lifecycle (ms, user + system, by process):');
    console.log(`  tierline      ${JSON.stringify(tl.cpuMsPerLifecycle)}`);
    console.log(`  same-actions  ${JSON.stringify(bl.cpuMsPerLifecycle)}`);
    console.log('\nactivity calls (p50 ms):');
    console.log(`  tierline      ${JSON.stringify(activityMedians(tierlineActivities.durations))}`);
    console.log(`  same-actions  ${JSON.stringify(activityMedians(bareActivities.durations))}`);
  });
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await cleanUp();
}
