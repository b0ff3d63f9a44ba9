/**
 * `npm run bench:replay`: what replaying a ticket costs the worker, with the SDK's deadlock guard
 * (the default, WORKFLOW_DEADLOCK_TIMEOUT=5) and without it (off). A ticket that is not in the
 * worker's cache replays its whole history when it next wakes: at 10,000 open tickets and a cache
 * of 1,000, nearly every breach in the overload is a replay.
 *
 *   npm run bench:replay -- [--replays 300] [--rounds 3] [--json FILE]
 *
 * The history is a real one: a P2 ticket opened and left to breach its first response on the
 * time-skipping server, through the ticket worker with outbox activities. It is then replayed
 * `--replays` times by each variant, alternating, `--rounds` times; the figure is the process's CPU
 * per replay (user + system), whose median over the rounds is reported. CPU rather than wall time:
 * the machine is shared.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Worker } from '@temporalio/worker';
import { caroLikePolicy } from '../test/fixtures/policies.js';
import { outboxActivities } from '../test/helpers/activities.js';
import { breachedTicketHistory, ticketHarness, timeSkippingEnv } from '../test/helpers/temporal.js';
import { cachedWorkflowBundle, workerWithDeadlockTimeout } from '../workers/worker.js';
import { intake } from './lib/p2-lifecycle.js';
import { environment, median } from './lib/run.js';

const { values } = parseArgs({ options: { replays: { type: 'string', default: '300' }, rounds: { type: 'string', default: '3' }, json: { type: 'string' } } });
const REPLAYS = Number(values.replays);
const ROUNDS = Number(values.rounds);
if (!(Number.isInteger(REPLAYS) && REPLAYS > 0)) throw new Error('--replays: expected a positive whole number');
if (!(Number.isInteger(ROUNDS) && ROUNDS > 0)) throw new Error('--rounds: expected a positive whole number');

// 1. One ticket's history: opened, then its first response breached.
const env = await timeSkippingEnv();
const harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outboxActivities().activities });
const { history } = await breachedTicketHistory(env, harness, intake(1));
await harness.shutdown();
await env.teardown();
console.log(`history: a P2 ticket opened and breached, ${history.events?.length} events`);

// 2. Replays, each variant in turn.
const bundle = await cachedWorkflowBundle();
const variants: [string, typeof Worker][] = [
  ['deadlock guard 5 s (default)', Worker],
  ['deadlock guard off', workerWithDeadlockTimeout(0)],
];
const cpuPerReplay: Record<string, number[]> = Object.fromEntries(variants.map(([name]) => [name, []]));
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, Cls] of variants) {
    async function* histories() {
      for (let i = 0; i < REPLAYS; i++) yield { workflowId: `replay-${round}-${i}`, history };
    }
    const before = process.cpuUsage();
    let failed = 0;
    for await (const result of Cls.runReplayHistories({ workflowBundle: bundle }, histories())) if (result.error) failed++;
    if (failed) throw new Error(`${name}: ${failed} of ${REPLAYS} replays failed`);
    const used = process.cpuUsage(before);
    const ms = (used.user + used.system) / 1000 / REPLAYS;
    cpuPerReplay[name]!.push(ms);
    console.log(`  round ${round}, ${name}: ${ms.toFixed(1)} ms CPU per replay`);
  }
}
const medians = Object.fromEntries(Object.entries(cpuPerReplay).map(([name, xs]) => [name, Math.round(median(xs) * 10) / 10]));
const [guarded, unguarded] = variants.map(([name]) => medians[name]!);
console.log(`\nCPU per replay (median of ${ROUNDS} rounds of ${REPLAYS}):`);
for (const [name, ms] of Object.entries(medians)) console.log(`  ${name.padEnd(30)} ${ms.toFixed(1)} ms`);
console.log(`  off / default: ${(unguarded! / guarded!).toFixed(2)}`);
if (values.json) {
  writeFileSync(values.json, `${JSON.stringify({ ...environment(), historyEvents: history.events?.length, replays: REPLAYS, rounds: ROUNDS, cpuPerReplayMs: cpuPerReplay, medians, ratio: unguarded! / guarded! }, null, 2)}\n`);
}
process.exit(0);
