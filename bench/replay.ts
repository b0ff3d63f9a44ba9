/**
 * `npm run bench:replay`: what replaying a ticket costs the worker, for each way of running
 * workflow code (workers/workflow-vm.mjs): the SDK as it comes (its deadlock guard on every call
 * into workflow code, a stack captured for every promise, the modules of the workflow code
 * evaluated for each workflow), and tierline's worker with its guard per activation, with and
 * without the stack capture, without the preloading of the workflow code, and with no guard. A
 * ticket that is not in the worker's cache replays its whole history when it next wakes: at 10,000
 * open tickets and a cache of 2,000, most breaches in the overload are replays.
 *
 *   npm run bench:replay -- [--replays 200] [--rounds 3] [--json FILE]
 *
 * The history is a real one: a P2 ticket opened and left to breach its first response on the
 * time-skipping server, through the ticket worker with outbox activities. Each variant then replays
 * it `--replays` times in a process of its own (the promise hook, once installed, stays for the
 * process), the variants in turn, `--rounds` times; the figure is that process's CPU per replay
 * (user + system) over the replays, whose median over the rounds is reported. CPU rather than wall
 * time: the machine is shared.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { cachedWorkflowBundle, ticketWorkerClass, WORKFLOW_BUNDLE_OPTIONS } from '../workers/worker.js';
import { environment } from './lib/environment.js';
import { median } from './lib/run.js';

/**
 * Each variant: the worker class, and the bundle: tierline's (the workflow code preloaded, shared by
 * every workflow on the thread: WORKFLOW_BUNDLE_OPTIONS) or the SDK's default one (each workflow
 * evaluates the modules of the workflow code again).
 */
const VARIANTS: Record<string, { worker: () => typeof Worker; preloaded: boolean }> = {
  'SDK as it comes': { worker: () => Worker, preloaded: false },
  'guard per activation, stacks on': { worker: () => ticketWorkerClass({ stackTraces: true }), preloaded: true },
  'modules per workflow': { worker: () => ticketWorkerClass(), preloaded: false },
  'guard per activation (default)': { worker: () => ticketWorkerClass(), preloaded: true },
  'no guard': { worker: () => ticketWorkerClass({ deadlockTimeoutS: 0 }), preloaded: true },
};
const DEFAULT_VARIANT = 'guard per activation (default)';

const { values } = parseArgs({
  options: { replays: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' }, json: { type: 'string' }, child: { type: 'string' }, history: { type: 'string' } },
});
const REPLAYS = Number(values.replays);
const ROUNDS = Number(values.rounds);
if (!(Number.isInteger(REPLAYS) && REPLAYS > 0)) throw new Error('--replays: expected a positive whole number');
if (!(Number.isInteger(ROUNDS) && ROUNDS > 0)) throw new Error('--rounds: expected a positive whole number');

if (values.child) {
  // One variant's replays; prints the CPU per replay in ms.
  const variant = VARIANTS[values.child];
  if (!variant || !values.history) throw new Error(`--child: expected one of ${Object.keys(VARIANTS).join(', ')}, with --history`);
  const Cls = variant.worker();
  const history = proto.temporal.api.history.v1.History.decode(readFileSync(values.history));
  const bundle = variant.preloaded ? await cachedWorkflowBundle() : { code: readFileSync(join(dirname(values.history), 'unshared-bundle.js'), 'utf8') };
  async function* histories() {
    for (let i = 0; i < REPLAYS; i++) yield { workflowId: `replay-${i}`, history };
  }
  const before = process.cpuUsage();
  let failed = 0;
  for await (const result of Cls.runReplayHistories({ workflowBundle: bundle }, histories())) if (result.error) failed++;
  if (failed) throw new Error(`${values.child}: ${failed} of ${REPLAYS} replays failed`);
  const used = process.cpuUsage(before);
  console.log(((used.user + used.system) / 1000 / REPLAYS).toFixed(2));
  process.exit(0);
}

// 1. One ticket's history: opened, then its first response breached.
const { caroLikePolicy } = await import('../test/fixtures/policies.js');
const { outboxActivities } = await import('../test/helpers/activities.js');
const { breachedTicketHistory, ticketHarness, timeSkippingEnv } = await import('../test/helpers/temporal.js');
const { intake } = await import('./lib/p2-lifecycle.js');
const env = await timeSkippingEnv();
const harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outboxActivities().activities });
const { history } = await breachedTicketHistory(env, harness, intake(1));
await harness.shutdown();
await env.teardown();
console.log(`history: a P2 ticket opened and breached, ${history.events?.length} events`);
const dir = mkdtempSync(join(tmpdir(), 'tierline-replay-'));
const historyFile = join(dir, 'history.bin');
writeFileSync(historyFile, proto.temporal.api.history.v1.History.encode(history).finish());
// Built once here, so that the children only read them (and none times the build).
await cachedWorkflowBundle();
writeFileSync(join(dir, 'unshared-bundle.js'), (await bundleWorkflowCode({ workflowsPath: WORKFLOW_BUNDLE_OPTIONS.workflowsPath, logger: new DefaultLogger('WARN') })).code);

// 2. Replays, each variant in a process of its own, in turn.
const self = fileURLToPath(import.meta.url);
const cpuPerReplay: Record<string, number[]> = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, []]));
for (let round = 1; round <= ROUNDS; round++) {
  for (const name of Object.keys(VARIANTS)) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', name, '--history', historyFile, '--replays', String(REPLAYS)], { encoding: 'utf8' });
    const ms = Number(out.trim().split('\n').at(-1));
    cpuPerReplay[name]!.push(ms);
    console.log(`  round ${round}, ${name}: ${ms.toFixed(1)} ms CPU per replay`);
  }
}
rmSync(dir, { recursive: true, force: true });
const medians = Object.fromEntries(Object.entries(cpuPerReplay).map(([name, xs]) => [name, Math.round(median(xs) * 10) / 10]));
const sdk = medians['SDK as it comes']!;
console.log(`\nCPU per replay (median of ${ROUNDS} rounds of ${REPLAYS}), and its ratio to the SDK as it comes:`);
for (const [name, ms] of Object.entries(medians)) console.log(`  ${name.padEnd(34)} ${ms.toFixed(1).padStart(6)} ms  ${(ms / sdk).toFixed(2)}`);
if (values.json) {
  const ratios = Object.fromEntries(Object.entries(medians).map(([name, ms]) => [name, Math.round((ms / sdk) * 100) / 100]));
  writeFileSync(values.json, `${JSON.stringify({ ...environment(), historyEvents: history.events?.length, replays: REPLAYS, rounds: ROUNDS, defaultVariant: DEFAULT_VARIANT, cpuPerReplayMs: cpuPerReplay, medians, ratioToSdk: ratios }, null, 2)}\n`);
}
process.exit(0);
