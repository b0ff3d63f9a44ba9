/**
 * `npm start`: the embedded default. Starts a local Temporal dev server (unless TEMPORAL_ADDRESS
 * names one), registers the search attributes, runs the ticket worker and the HTTP API, prints
 * where everything is, and shuts it all down on Ctrl-C. Tickets live in the SQLite file under the
 * data folder, so they survive a restart.
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { fileAttachmentStore } from '../adapters/email/attachments.js';
import { receiveMail } from '../adapters/email/inbound.js';
import { startInboundSmtp } from '../adapters/email/smtp-listener.js';
import { openLedger } from '../activities/ledger.js';
import { buildApi } from '../adapters/http/server.js';
import { IncidentClient } from '../client/incidents.js';
import { TicketClient } from '../client/tickets.js';
import { statusPagePaths } from '../domain/incident/view.js';
import { holidaysRunningOut, holidaysWarning } from '../domain/policy/holidays.js';
import { loadPolicy } from '../policies/load.js';
import { createActivities, linkSecret } from './activities.js';
import { ensureLocalApiToken, LOCAL_ACTOR } from './api-token.js';
import { adapterSettings, ledgerLocation, loadConfig } from './config.js';
import { ensureReportSchedules } from './schedules.js';
import { startDevServer, type RunningDevServer } from './dev-server.js';
import { installWorkerRuntime, scrapeWorkerMetrics, workerMetricsUrl, zeroTicketCounters } from './metrics.js';
import { loadOnCall } from './oncall.js';
import { registerSearchAttributes } from './register-search-attributes.js';
import { cachedWorkflowBundle, createTicketWorker, NativeConnection, setHeapGrowth, stopWorkerProcess } from './worker.js';

async function main(): Promise<void> {
  const config = loadConfig();
  setHeapGrowth(config.WORKER_HEAP_GROWTH);
  const metricsAddress = config.TEMPORAL_METRICS_ADDRESS === 'off' ? undefined : config.TEMPORAL_METRICS_ADDRESS;
  const runtime = installWorkerRuntime(config.LOG_LEVEL, metricsAddress);
  const policy = loadPolicy(config.TIERLINE_POLICY);
  zeroTicketCounters(runtime.metricMeter, policy, { namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TIERLINE_TASK_QUEUE });
  const oncall = loadOnCall(config.ONCALL_FILE);

  let devServer: RunningDevServer | undefined;
  let address = config.TEMPORAL_ADDRESS;
  if (!address) {
    devServer = await startDevServer({
      dataDir: config.TIERLINE_DATA_DIR,
      ip: config.TEMPORAL_IP,
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      fastSqlite: config.TEMPORAL_SQLITE_FAST,
      sqliteCacheMiB: config.TEMPORAL_SQLITE_CACHE_MB,
    });
    address = devServer.address;
  }
  const stops: (() => Promise<void>)[] = [];
  const shutdown = async (code: number) => {
    for (const stop of stops.reverse()) await stop().catch((err: Error) => console.error(`tierline: ${err.message}`));
    await devServer?.stop();
    process.exit(code);
  };
  try {
    const connection = await Connection.connect({ address });
    stops.push(() => connection.close());
    const added = await registerSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    if (added.length) console.log(`tierline: registered search attributes ${added.join(', ')}`);

    /** The reports' activity reads open tickets through the client made below. */
    const reportSources: { tickets?: TicketClient } = {};
    const nativeConnection = await NativeConnection.connect({ address });
    const worker = await createTicketWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TIERLINE_TASK_QUEUE,
      activities: createActivities(config, undefined, oncall, { tickets: () => reportSources.tickets }),
      workflowBundle: await cachedWorkflowBundle(),
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTasks: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      workflowThreads: config.WORKER_WORKFLOW_THREADS,
      vm: {
        deadlockTimeoutS: config.WORKFLOW_DEADLOCK_TIMEOUT,
        deadlockGuard: config.WORKFLOW_DEADLOCK_GUARD,
        onStuck: stopWorkerProcess(config.WORKFLOW_DEADLOCK_TIMEOUT, async () => devServer?.stop()),
        stackTraces: config.WORKFLOW_STACK_TRACES,
      },
    });
    const running = worker.run();
    stops.push(async () => {
      // The SDK's own Ctrl-C handling may have begun draining the worker already.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await nativeConnection.close();
    });

    let tokens = config.API_TOKENS;
    if (!tokens) {
      const local = ensureLocalApiToken(config.TIERLINE_DATA_DIR);
      tokens = new Map([[local.token, LOCAL_ACTOR]]);
      console.log(`tierline: API token in ${local.path} (the CLI reads it from there)`);
      if (process.stdout.isTTY) console.log(`tierline: API token: ${local.token}`);
    }
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const tickets = new TicketClient(client, { taskQueue: config.TIERLINE_TASK_QUEUE, policy });
    reportSources.tickets = tickets;
    const schedules = await ensureReportSchedules(client, {
      taskQueue: config.TIERLINE_TASK_QUEUE,
      timeZone: config.REPORT_TIME_ZONE,
      crons: { daily: config.REPORT_DAILY_CRON, weekly: config.REPORT_WEEKLY_CRON, monthly: config.REPORT_MONTHLY_CRON },
    });
    if (schedules.length) console.log(`tierline: report schedules ${schedules.join(', ')} (Temporal UI: Schedules)`);
    // Links to the status page append its path to the public URL: without a trailing slash.
    const publicUrl = config.publicUrl.replace(/\/+$/, '');
    const incidents = new IncidentClient(client, { taskQueue: config.TIERLINE_TASK_QUEUE, policy, publicUrl });
    const inboundEmail = {
      ownAddresses: [config.SMTP_FROM],
      messageIdDomain: config.EMAIL_DOMAIN,
      attachments: { store: fileAttachmentStore(join(config.TIERLINE_DATA_DIR, 'attachments')), publicUrl: config.publicUrl },
    };
    const api = buildApi({
      tickets,
      incidents,
      inboundEmail,
      reports: { ledger: openLedger(ledgerLocation(config)).reader, tickets, policy },
      tokens,
      linkSecret: linkSecret(config),
      ...(oncall ? { oncall } : {}),
      adapters: adapterSettings(config),
      // Worker and API share this process: the API's /metrics carries the worker's too.
      metrics: {
        ...(config.METRICS_TOKEN ? { token: config.METRICS_TOKEN } : {}),
        ...(metricsAddress ? { include: () => scrapeWorkerMetrics(workerMetricsUrl(metricsAddress)) } : {}),
      },
    });
    await api.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
    stops.push(() => api.close());
    if (config.INBOUND_SMTP_PORT !== undefined) {
      const smtp = await startInboundSmtp({ host: config.INBOUND_SMTP_HOST, port: config.INBOUND_SMTP_PORT, receive: (raw) => receiveMail(raw, { tickets, ...inboundEmail }) });
      stops.push(() => smtp.close());
      console.log(`tierline: inbound mail smtp://${smtp.host}:${smtp.port} (any recipient, no AUTH)`);
    }

    console.log(`tierline: policy ${policy.id}@${policy.version} (${policy.name})`);
    for (const out of holidaysRunningOut(policy, Date.now())) console.warn(`tierline: ${holidaysWarning(policy.id, out)}`);
    console.log(`tierline: Temporal ${address}${devServer ? ` (dev server, data in ${config.TIERLINE_DATA_DIR})` : ''}`);
    if (devServer) console.log(`tierline: Temporal UI ${devServer.uiUrl}`);
    console.log(
      policy.incidents.broadcast.includes('status-page')
        ? `tierline: status page ${publicUrl}${statusPagePaths(policy).page} (public, no token)`
        : `tierline: no status page (policy ${policy.id} does not broadcast incidents to status-page)`,
    );
    console.log(
      `tierline: metrics http://${config.HTTP_HOST}:${config.HTTP_PORT}/metrics (API${metricsAddress ? ` and worker; the worker's alone at ${workerMetricsUrl(metricsAddress)}` : ''})`,
    );
    console.log(`tierline: HTTP API http://${config.HTTP_HOST}:${config.HTTP_PORT}  (Ctrl-C stops everything)`);

    let stopping = false;
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      console.log('tierline: stopping...');
      void shutdown(0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    running.catch((err: Error) => {
      console.error(`tierline: the worker stopped: ${err.message}`);
      void shutdown(1);
    });
  } catch (err) {
    console.error(`tierline: ${(err as Error).message}`);
    await shutdown(1);
  }
}

main().catch((err: Error) => {
  // Configuration and policy errors are one line naming the setting or field.
  console.error(`tierline: ${err.message}`);
  process.exit(2);
});
