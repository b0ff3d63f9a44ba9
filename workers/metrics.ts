/**
 * The worker's `/metrics`: the Temporal Runtime's Prometheus exporter. It serves the SDK's runtime
 * metrics (`temporal_*`: workflow task latency, activity failures, slots, polls) and tierline's
 * ticket metrics, which the ticket workflow emits through the SDK's workflow `metricMeter`
 * (workflows/ticket-metrics.ts). A Runtime is installed once per process, before any worker or
 * connection: only `npm start` (workers/start.ts) installs this one; tests install their own.
 */
import type { MetricMeter } from '@temporalio/common';
import { DefaultLogger, Runtime, type LogLevel, type MetricsExporterConfig } from '@temporalio/worker';
import type { Policy } from '../domain/policy/schema.js';
import { SLA_BUCKETS_SECONDS, TICKET_COUNTERS, TICKET_HISTOGRAMS, ticketCounterSeries } from '../workflows/ticket-metrics.js';

/** The exporter's settings: where it listens, and support-SLA buckets for tierline's histograms. */
export function workerMetricsExporter(bindAddress: string): MetricsExporterConfig {
  const buckets = Object.fromEntries(Object.values(TICKET_HISTOGRAMS).map((h) => [h.name, [...SLA_BUCKETS_SECONDS]]));
  return { prometheus: { bindAddress, histogramBucketOverrides: buckets } };
}

/**
 * Installs the process's Runtime with the SDK's logger at `logLevel` and, unless `metricsAddress`
 * is undefined, the Prometheus exporter on it. A port already taken fails here, naming the setting.
 */
export function installWorkerRuntime(logLevel: LogLevel, metricsAddress: string | undefined): Runtime {
  const logger = new DefaultLogger(logLevel);
  if (metricsAddress === undefined) return Runtime.install({ logger });
  try {
    return Runtime.install({ logger, telemetryOptions: { metrics: workerMetricsExporter(metricsAddress) } });
  } catch (err) {
    throw new Error(`TEMPORAL_METRICS_ADDRESS: cannot serve the worker's metrics on ${metricsAddress} (${(err as Error).message}); set another host:port, or off`);
  }
}

/**
 * Starts tierline's ticket counters at 0 for every label set the policy allows, with the labels
 * the workflow's own counts carry (the worker adds namespace and taskQueue, the workflow its
 * type), so each series is scraped at 0 before its first event counts. Histograms have no such
 * start: the first observation of a priority after a restart is missing from `increase()`.
 */
export function zeroTicketCounters(meter: MetricMeter, policy: Policy, worker: { namespace: string; taskQueue: string }): void {
  const tagged = meter.withTags({ namespace: worker.namespace, taskQueue: worker.taskQueue, workflowType: 'ticketWorkflow' });
  for (const { metric, labels } of ticketCounterSeries(policy)) {
    const { name, help } = TICKET_COUNTERS[metric];
    tagged.createCounter(name, undefined, help).add(0, labels);
  }
}

/** Where the exporter answers from this process: an address bound to every interface is reached on loopback. */
export function workerMetricsUrl(bindAddress: string): string {
  const colon = bindAddress.lastIndexOf(':');
  const host = bindAddress.slice(0, colon);
  const port = bindAddress.slice(colon + 1);
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/metrics`;
}

/** The exporter's exposition text, for the API's `/metrics` in the same process. */
export async function scrapeWorkerMetrics(url: string, timeoutMs = 5_000): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`the worker's metrics at ${url} answered ${res.status}`);
  return res.text();
}
