/**
 * The whole test command (`npm test`): installs the Temporal binaries if they are missing, then
 * the type check, the linter, the policy-schema check and every test file, each file in its own
 * process (Temporal's native bridge does not survive thread-pool runners).
 *
 *   npm test                         everything
 *   npm test -- test/workflows       only the test files under the given paths (checks still run)
 *   npm test -- --no-checks test/api skip the type check, linter and schema check
 *
 * TEST_CONCURRENCY sets how many test files run at once (default: the number of CPUs, at most 4).
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { PROJECT_ROOT, resolveTemporalTool } from '../workers/temporal-tools.js';

interface Step {
  name: string;
  ok: boolean;
  ms: number;
}

function run(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Step> {
  const started = Date.now();
  console.log(`\n▶ ${name}: ${[cmd, ...args].join(' ')}`);
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: PROJECT_ROOT, stdio: 'inherit', env });
    child.on('error', (err) => {
      console.error(`${name}: ${err.message}`);
      done({ name, ok: false, ms: Date.now() - started });
    });
    child.on('exit', (code, signal) => done({ name, ok: code === 0 && !signal, ms: Date.now() - started }));
  });
}

function testFiles(under: string): string[] {
  const stat = statSync(under);
  if (stat.isFile()) return under.endsWith('.test.ts') ? [under] : [];
  return readdirSync(under, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.name === 'node_modules' ? [] : testFiles(join(under, entry.name))));
}

const args = process.argv.slice(2);
const checks = !args.includes('--no-checks');
const roots = args.filter((a) => !a.startsWith('--'));
const files = (roots.length ? roots : ['test']).flatMap((root) => testFiles(resolve(PROJECT_ROOT, root))).map((f) => relative(PROJECT_ROOT, f));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(2);
}
const concurrency = Number(process.env.TEST_CONCURRENCY ?? Math.min(4, availableParallelism()));

const began = Date.now();
// Installed once here, before parallel test processes each look for them.
console.log('▶ Temporal binaries');
const tools = { cli: await resolveTemporalTool('cli'), testServer: await resolveTemporalTool('testServer') };
console.log(`  temporal: ${tools.cli ?? 'SDK download'}\n  test server: ${tools.testServer ?? 'SDK download'}`);
const env = {
  ...process.env,
  ...(tools.cli ? { TEMPORAL_CLI: tools.cli } : {}),
  ...(tools.testServer ? { TEMPORAL_TEST_SERVER: tools.testServer } : {}),
};

const bin = (name: string) => join(PROJECT_ROOT, 'node_modules', '.bin', name);
const steps: Step[] = [];
if (checks) {
  steps.push(await run('type check', bin('tsc'), ['-p', '.']));
  steps.push(await run('lint', bin('eslint'), ['--max-warnings=0', '.']));
  steps.push(await run('policy schema is current', process.execPath, ['--import', 'tsx', 'scripts/export-policy-schema.ts', '--check']));
}
// Files whose scenarios lean hardest on the Java time-skipping server (child workflows signalling
// their parent) run on their own after the rest: under CPU contention that server has stalled.
const ALONE = new Set(['test/workflows/paging.test.ts']);
const together = files.filter((f) => !ALONE.has(f));
const alone = files.filter((f) => ALONE.has(f));
if (together.length) {
  steps.push(
    await run(`tests (${together.length} files, ${concurrency} at a time)`, process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...together], env),
  );
}
for (const file of alone) {
  steps.push(await run(`tests (${file}, alone)`, process.execPath, ['--import', 'tsx', '--test', '--test-timeout=600000', file], env));
}

console.log('\nSummary');
for (const step of steps) console.log(`  ${step.ok ? 'ok  ' : 'FAIL'} ${step.name} (${(step.ms / 1000).toFixed(1)} s)`);
console.log(`  total ${((Date.now() - began) / 1000).toFixed(1)} s on Node ${process.versions.node}`);
process.exit(steps.every((s) => s.ok) ? 0 : 1);
