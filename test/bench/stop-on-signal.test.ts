/**
 * A bench stopped mid-run (SIGTERM, or Ctrl-C's SIGINT) stops what it started: the Temporal dev
 * server, tierline's worker and its local Slack server, and removes its data folder (750 MB at
 * 10,000 open). The real `npm run bench` entry point in its own process, stopped once its
 * tickets are open and their deadlines still minutes away.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendantsOf } from '../../bench/lib/cpu.js';
import { alive, cmdline } from '../helpers/proc.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`npm run bench stopped with ${signal}: its server, worker and data folder are gone, and it exits as the signal says`, { timeout: 180_000 }, async () => {
    const bench = spawn(process.execPath, ['--import', 'tsx', 'bench/breach.ts', '--open', '4', '--due', '2', '--concurrency', '2', '--lead', '600', '--no-overload', '--no-baseline', '--no-listing'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    bench.stdout.on('data', (c: Buffer) => (output += c.toString()));
    bench.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => bench.once('exit', (code, sig) => resolve({ code, signal: sig })));
    // The tickets are open: the server, the worker and the Slack server are all running, the deadlines ten minutes off.
    while (!/opened 4 tickets/.test(output)) {
      assert.equal(bench.exitCode, null, `the bench ended before its tickets were open:\n${output}`);
      await sleep(100);
    }
    const started = descendantsOf(bench.pid!);
    const server = started.find((pid) => cmdline(pid).includes('start-dev'));
    assert.ok(server, `no dev server among the bench's processes:\n${output}`);
    const args = cmdline(server);
    const dataDir = dirname(args[args.indexOf('--db-filename') + 1]!);
    assert.ok(existsSync(dataDir), dataDir);
    const worker = started.find((pid) => cmdline(pid).some((a) => a.endsWith('workers/start.ts')));
    assert.ok(worker, `no tierline worker among the bench's processes:\n${output}`);

    bench.kill(signal);
    const { code } = await exited;
    assert.equal(code, signal === 'SIGTERM' ? 143 : 130, output);
    assert.match(output, new RegExp(`${signal}: stopping the bench's servers and workers`));
    assert.deepEqual(started.filter(alive), [], `left running: ${started.filter(alive).map((p) => cmdline(p).join(' ')).join('\n')}`);
    assert.equal(existsSync(dataDir), false, `${dataDir} left behind`);
  });
}
