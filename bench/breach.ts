/**
 * `npm run bench`: breach lateness and the overload drain, tierline against the naive-breach
 * baseline in the same run, on the same dev server and local Slack server (see
 * bench/lib/breach-scenario.ts for how the deadlines are set).
 *
 *   npm run bench -- [--scenario breach|overload] [--open N] [--due N] [--concurrency 50]
 *                    [--lead 30] [--cache N] [--no-baseline] [--json FILE]
 *
 * breach (default): 10,000 open tickets, 2,000 due inside one minute; target p99 ≤ 1 s.
 * overload: 10,000 tickets all due inside one minute; target: drains faster than the baseline.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { runBreach } from './lib/breach-scenario.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'breach' },
    open: { type: 'string' },
    due: { type: 'string' },
    concurrency: { type: 'string', default: '50' },
    lead: { type: 'string', default: '30' },
    cache: { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    'no-listing': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const scenario = values.scenario;
if (scenario !== 'breach' && scenario !== 'overload') throw new Error(`--scenario: expected breach or overload, got ${scenario}`);
const open = Number(values.open ?? 10_000);
const due = Number(values.due ?? (scenario === 'overload' ? open : 2_000));
if (!(due > 0 && due <= open)) throw new Error('--due: expected 1 … --open');

const result = await runBreach({
  open,
  due,
  concurrency: Number(values.concurrency),
  leadS: Number(values.lead),
  baseline: !values['no-baseline'],
  listing: !values['no-listing'],
  ...(values.cache ? { cache: Number(values.cache) } : {}),
  log: (line) => console.log(line),
});

const record = {
  scenario,
  ...result,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  versions: { node: process.versions.node, temporalSdk: '1.24.0', temporalCli: '1.9.1 (server 1.32.0)' },
  server: 'temporal server start-dev as npm start runs it: SQLite file, WAL + synchronous=normal',
};
const row = (name: string, r: { notified: number; expected: number; duplicates: number; lateness: { p50: number; p99: number; max: number }; drainMs: number }, peak: number) =>
  `  ${name.padEnd(9)} ${`${r.notified}/${r.expected}`.padStart(11)} ${String(r.duplicates).padStart(4)} ${String(r.lateness.p50).padStart(7)} ${String(r.lateness.p99).padStart(7)} ${String(r.lateness.max).padStart(7)} ${String(r.drainMs).padStart(8)} ${String(peak).padStart(9)}`;
console.log(`\n${scenario}: ${open} open, ${due} due inside one minute; lateness = due time -> breach message accepted by the Slack server (ms)`);
console.log(`  ${'run'.padEnd(9)} ${'notified'.padStart(11)} ${'dup'.padStart(4)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)} ${'drain'.padStart(8)} ${'peak MiB'.padStart(9)}`);
console.log(row('tierline', result.tierline, result.tierline.memory.peakMiB));
if (result.naive) console.log(row('naive', result.naive, result.naive.memory.peakMiB));
if (result.ratios) console.log(`  tierline / naive: p50 ${result.ratios.p50.toFixed(2)}, p99 ${result.ratios.p99.toFixed(2)}, drain ${result.ratios.drain.toFixed(2)}`);
console.log(`  intake ${result.intake.perSecond.toFixed(1)} tickets/s at concurrency ${values.concurrency}`);
if (result.listing) for (const [name, l] of Object.entries(result.listing)) console.log(`  list ${name}: ${l.medianMs} ms (median of 5, ${l.rows} rows)`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(record, null, 2)}\n`);
process.exit(0);
