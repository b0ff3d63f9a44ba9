/**
 * The worker of the same-actions baseline: the bare workflow and activities that do the same I/O
 * as tierline's, minus tierline's logic. A Slack send is one chat.postMessage, an email one SMTP
 * message, a local activity (tierline's ledger write) one row in a SQLite file in WAL mode.
 * Without `io` every activity returns at once (enough for counting history events).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient } from '@libsql/client';
import { WebClient } from '@slack/web-api';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import type { SameActionsActivities } from '../workflows/same-actions.js';

export interface SameActionsIo {
  slack: { url: string; token: string; channel: string };
  smtp: { host: string; port: number };
  /** The SQLite file the local activities write to. */
  sqlitePath: string;
}

export function sameActionsActivities(io?: SameActionsIo): SameActionsActivities & { close(): void } {
  if (!io) return { async send() {}, async record() {}, close() {} };
  const slack = new WebClient(io.slack.token, { slackApiUrl: io.slack.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  const mail = nodemailer.createTransport({ host: io.smtp.host, port: io.smtp.port, secure: false });
  const db = createClient({ url: pathToFileURL(io.sqlitePath).href });
  const ready = db.executeMultiple('PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS actions (key TEXT, at INTEGER)');
  return {
    async send({ channel, key }) {
      if (channel === 'slack') await slack.chat.postMessage({ channel: io.slack.channel, text: `same-actions ${key}` });
      if (channel === 'email') await mail.sendMail({ from: 'support@tierline.local', to: 'customer@example.com', subject: `same-actions ${key}`, text: 'same actions' });
    },
    async record({ key }) {
      await ready;
      await db.execute({ sql: 'INSERT INTO actions (key, at) VALUES (?, ?)', args: [key, Date.now()] });
    },
    close() {
      mail.close();
      db.close();
    },
  };
}

/** A worker for the bare workflow on its own task queue of `env`'s server. */
export async function sameActionsWorker(env: TestWorkflowEnvironment, activities: SameActionsActivities, opts: { maxCachedWorkflows?: number } = {}): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = `same-actions-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../workflows/same-actions.ts', import.meta.url)), logger: new DefaultLogger('WARN') }),
    activities,
    ...(opts.maxCachedWorkflows ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
  return { worker, taskQueue };
}
