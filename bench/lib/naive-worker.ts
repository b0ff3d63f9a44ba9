/**
 * The naive-breach baseline's worker, in its own process (as tierline's worker is): the bare
 * sleep-then-post workflow and one ordinary activity posting to Slack through the real client.
 * Settings come from the environment: TEMPORAL_ADDRESS, NAIVE_TASK_QUEUE, SLACK_BOT_TOKEN,
 * SLACK_API_URL, NAIVE_CHANNEL.
 */
import { fileURLToPath } from 'node:url';
import { WebClient } from '@slack/web-api';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`naive worker: ${name} is not set`);
  return value;
};

Runtime.install({ logger: new DefaultLogger('WARN') });
const slack = new WebClient(env('SLACK_BOT_TOKEN'), { slackApiUrl: env('SLACK_API_URL'), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
const channel = env('NAIVE_CHANNEL');
const worker = await Worker.create({
  connection: await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') }),
  taskQueue: env('NAIVE_TASK_QUEUE'),
  workflowBundle: await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../workflows/naive-breach.ts', import.meta.url)), logger: new DefaultLogger('WARN') }),
  activities: {
    async postBreach(input: { key: string; dueAt: number }) {
      await slack.chat.postMessage({ channel, text: `naive breach ${input.key}`, metadata: { event_type: 'bench', event_payload: { key: input.key, due_at: String(input.dueAt) } } });
    },
  },
});
process.once('SIGTERM', () => worker.shutdown());
console.log('naive worker ready');
await worker.run();
