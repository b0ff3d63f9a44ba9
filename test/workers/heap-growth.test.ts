/**
 * WORKER_HEAP_GROWTH: how far the worker's JS heaps grow past their survivors before V8 collects
 * again (setHeapGrowth in workers/worker.ts). Proved on the heaps themselves: the same garbage,
 * made in the main thread and in a worker thread started after the setting (as the SDK starts its
 * workflow threads), with the setting at 10 % and with V8's own growth, each in a process of its
 * own. Nothing here is timed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HEAP_GROWTH_DEFAULT, ConfigError, loadConfig } from '../../workers/config.js';

interface Heap {
  peakMiB: number;
}

async function churn(growth: number): Promise<{ main: Heap; thread: Heap }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../fixtures/heap-churn.ts', import.meta.url))], {
    env: { ...process.env, HEAP_GROWTH: String(growth) },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { main: Heap; thread: Heap };
}

test('WORKER_HEAP_GROWTH: 60 % unless set, auto for the growth V8 picks itself, a whole percent from 10 to 300, anything else stops the start naming the setting', () => {
  assert.equal(HEAP_GROWTH_DEFAULT, 60);
  assert.equal(loadConfig({}).WORKER_HEAP_GROWTH, 60);
  assert.equal(loadConfig({ WORKER_HEAP_GROWTH: 'auto' }).WORKER_HEAP_GROWTH, 0);
  assert.equal(loadConfig({ WORKER_HEAP_GROWTH: '10' }).WORKER_HEAP_GROWTH, 10);
  assert.equal(loadConfig({ WORKER_HEAP_GROWTH: '300' }).WORKER_HEAP_GROWTH, 300);
  for (const wrong of ['0', '9', '301', '1000', '60%', '1.5', 'off']) {
    assert.throws(
      () => loadConfig({ WORKER_HEAP_GROWTH: wrong }),
      (err: unknown) => err instanceof ConfigError && err.message === `WORKER_HEAP_GROWTH: expected a whole percent from 10 to 300, or auto (got "${wrong}")`,
    );
  }
});

test('at a heap growth of 10 % the same garbage leaves both heaps, the main thread and a worker thread, well below what V8 lets them reach on its own', async () => {
  const own = await churn(0);
  const bounded = await churn(10);
  for (const where of ['main', 'thread'] as const) {
    assert.ok(
      bounded[where].peakMiB < 0.6 * own[where].peakMiB,
      `${where}: largest heap ${bounded[where].peakMiB} MiB at 10 % against ${own[where].peakMiB} MiB with V8's own growth`,
    );
  }
});
