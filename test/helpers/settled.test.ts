/**
 * `settled()` is what many tests wait on before they count what a message added. The time-skipping
 * server does not report a workflow task that a worker holds open while a local activity runs: its
 * describe shows no pending task and a history that does not grow. A wait that trusted describe
 * returned in the middle of the task (a metrics test once counted 7 notifications, then 10).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { settled, timeSkippingEnv } from './temporal.js';
import { go } from '../fixtures/slow-local-activity-workflow.js';

test('settled() waits out a workflow task held open by a slow local activity', async () => {
  const env = await timeSkippingEnv();
  let finished = 0;
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'settled-test',
      workflowsPath: fileURLToPath(new URL('../fixtures/slow-local-activity-workflow.ts', import.meta.url)),
      activities: {
        slow: async () => {
          await new Promise((r) => setTimeout(r, 2_000));
          finished = Date.now();
        },
      },
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('slowLocalActivity', { taskQueue: 'settled-test', workflowId: `settled-${Date.now()}` });
      await settled(handle);
      await handle.signal(go);
      await new Promise((r) => setTimeout(r, 500));
      const { raw } = await handle.describe();
      assert.equal(raw.pendingWorkflowTask, null, 'the server shows no task in flight while the local activity runs');
      assert.equal(finished, 0, 'the local activity is still running');
      await settled(handle);
      assert.ok(finished > 0, 'settled() returned only after the local activity and its task completed');
      const last = (await handle.fetchHistory()).events?.at(-1);
      assert.ok(last?.markerRecordedEventAttributes, "the history ends in the local activity's marker");
    });
  } finally {
    await env.teardown();
  }
});
