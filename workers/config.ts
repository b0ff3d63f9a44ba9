/**
 * tierline's configuration: environment variables, validated with zod once at start-up.
 * A wrong setting stops the process with one line naming it (`ConfigError`).
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { LedgerLocation } from '../activities/ledger.js';
import type { AdapterSettings } from '../adapters/http/server.js';
import { MALLOC_ARENAS_DEFAULT, MALLOC_ARENAS_EXPECTED, parseArenas } from './malloc-arenas.mjs';
import { PROJECT_ROOT } from './temporal-tools.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const portNumber = z.coerce
  .number({ error: 'expected a port number' })
  .int('expected a whole port number')
  .min(1, 'expected a port from 1 to 65535')
  .max(65535, 'expected a port from 1 to 65535');
const port = (fallback: number) => portNumber.default(fallback);

const bool = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], { error: 'expected true or false' })
    .transform((v) => ['1', 'true', 'yes', 'on'].includes(v))
    .default(fallback);

/** `name=value,name=value` lists (Slack channels per tier, pager keys per on-call layer). */
const namedList = z.string().transform((text, ctx) => {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) {
      ctx.addIssue({ code: 'custom', message: `expected name=value pairs separated by commas, got an entry without '=' or value` });
      return z.NEVER;
    }
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
});

/** `API_TOKENS`: `actor:token` pairs (a bare token acts as `api`). Tokens are secrets: never echoed. */
const apiTokens = z.string().transform((text, ctx) => {
  const out = new Map<string, string>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = part.indexOf(':');
    const [actor, token] = colon > 0 ? [part.slice(0, colon), part.slice(colon + 1)] : ['api', part];
    if (token.length < 16) {
      ctx.addIssue({ code: 'custom', message: `the token for '${actor}' is shorter than 16 characters` });
      return z.NEVER;
    }
    out.set(token, actor);
  }
  return out;
});

const oneToEight = 'expected a whole number from 1 to 8';
const growthPercent = 'expected a whole percent from 10 to 300, or auto';

/** WORKER_HEAP_GROWTH's default, in percent (measured in bench/NOTES.md, 7 December). */
export const HEAP_GROWTH_DEFAULT = 60;

/**
 * What stops a ticket whose workflow code runs past WORKFLOW_DEADLOCK_TIMEOUT (ticketWorkerClass in
 * workers/worker.ts): `task` fails that ticket's workflow task and the others go on (vm's timeout,
 * a watchdog thread per activation; Node 24 and later); `worker` stops the worker process with a
 * line naming the ticket (a watch from the main thread, no thread per activation).
 */
export type DeadlockGuard = 'task' | 'worker';

/** `task` where Node can stop one activation and go on (24 and later), `worker` before it. */
export function defaultDeadlockGuard(nodeVersion = process.versions.node): DeadlockGuard {
  return nodeMajor(nodeVersion) >= 24 ? 'task' : 'worker';
}

const nodeMajor = (version: string) => Number(version.split('.')[0]);

const cron = z.string().regex(/^(off|(\S+\s+){4}\S+)$/, "expected a five-field cron expression such as '0 9 * * 1', or off");

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `REPORT_EMAIL_TO`: email addresses separated by commas; each one must be an address. */
const emailList = z.string().transform((text, ctx) => {
  const addresses = text.split(',').map((a) => a.trim()).filter(Boolean);
  const bad = addresses.find((a) => !z.email().safeParse(a).success);
  if (bad !== undefined || addresses.length === 0) {
    ctx.addIssue({ code: 'custom', message: bad === undefined ? 'expected at least one email address' : `'${bad}' is not an email address; expected addresses separated by commas, e.g. lead@example.com,team@example.com` });
    return z.NEVER;
  }
  return addresses;
});

const address = z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233');

/** TEMPORAL_SQLITE_CACHE_MB's default, which the breach bench's dev server takes too. */
export const SQLITE_CACHE_MB_DEFAULT = 0;
const wholeMiB = 'expected whole MiB from 0 to 65536';

const EnvSchema = z.object({
  TEMPORAL_ADDRESS: address.optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TIERLINE_TASK_QUEUE: z.string().min(1).default('tierline-tickets'),
  TIERLINE_DATA_DIR: z.string().min(1).default(join(PROJECT_ROOT, '.data')),
  TEMPORAL_IP: z.ipv4({ error: 'expected an IPv4 address' }).default('127.0.0.1'),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_SQLITE_FAST: bool(true),
  // The dev server's own SQLite page cache in MiB (workers/dev-server.ts); 0: SQLite's 2 MiB.
  TEMPORAL_SQLITE_CACHE_MB: z.coerce.number({ error: wholeMiB }).int(wholeMiB).min(0, wholeMiB).max(65536, wholeMiB).default(SQLITE_CACHE_MB_DEFAULT),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: port(3000),
  PUBLIC_URL: z.url({ error: 'expected an absolute URL, e.g. https://support.example.com' }).optional(),
  API_TOKENS: apiTokens.optional(),
  TIERLINE_POLICY: z.string().min(1).default('caro'),
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'], { error: 'expected one of TRACE, DEBUG, INFO, WARN, ERROR' }).default('WARN'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1, 'expected at least 1').default(2000),
  // Workflow tasks the worker takes from the server at once (workers/worker.ts).
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2, 'expected a whole number of at least 2').default(16),
  // Threads the worker runs workflow code on (the SDK's workflowThreadPoolSize; workers/worker.ts).
  WORKER_WORKFLOW_THREADS: z.coerce.number({ error: oneToEight }).int(oneToEight).min(1, oneToEight).max(8, oneToEight).default(1),
  // How far each of the worker's JS heaps may grow past what survived its last major collection
  // before the next one (setHeapGrowth in workers/worker.ts): a percent, or auto (0) for V8's own.
  WORKER_HEAP_GROWTH: z
    .string()
    .regex(/^(auto|[1-9]\d|[12]\d\d|300)$/, growthPercent)
    .transform((v) => (v === 'auto' ? 0 : Number(v)))
    .default(HEAP_GROWTH_DEFAULT),
  // glibc's malloc arenas in the worker's process (MALLOC_ARENA_MAX, set by workers/launch.mjs as
  // the process starts): a number, or auto (0) for glibc's own, eight per core.
  WORKER_MALLOC_ARENAS: z
    .string()
    .refine((v) => parseArenas(v) !== undefined, MALLOC_ARENAS_EXPECTED)
    .transform((v) => parseArenas(v)!)
    .default(MALLOC_ARENAS_DEFAULT),
  // How long one activation of a ticket's workflow code may run before its task fails as
  // deadlocked (ticketWorkerClass in workers/worker.ts): seconds, or off.
  WORKFLOW_DEADLOCK_TIMEOUT: z
    .string()
    .regex(/^(off|[1-9]\d{0,3})$/, 'expected whole seconds from 1 to 9999, or off')
    .transform((v) => (v === 'off' ? 0 : Number(v)))
    .default(5),
  // What acts on an activation past that timeout (DeadlockGuard above): auto picks task on Node 24
  // and later, worker before it. On Node 20 a stopped activation aborts the whole process.
  WORKFLOW_DEADLOCK_GUARD: z
    .enum(['auto', 'task', 'worker'], { error: 'expected auto, task or worker' })
    .default('auto')
    .refine((v) => v !== 'task' || defaultDeadlockGuard() === 'task', `task needs Node 24 or later (on Node ${process.versions.node} a stopped workflow aborts the whole process): use worker or auto`)
    .transform((v): DeadlockGuard => (v === 'auto' ? defaultDeadlockGuard() : v)),
  // The SDK's per-promise stack capture, for the Temporal UI's stack-trace query (ticketWorkerClass).
  WORKFLOW_STACK_TRACES: z.enum(['on', 'off'], { error: 'expected on or off' }).default('off').transform((v) => v === 'on'),
  // Metrics (workers/metrics.ts, adapters/http/metrics.ts): the worker's Prometheus exporter, and
  // the bearer token the API's GET /metrics asks for (without it, loopback clients only).
  TEMPORAL_METRICS_ADDRESS: z.string().regex(/^(off|[^\s:/]+:\d{1,5})$/, 'expected host:port, e.g. 127.0.0.1:9464, or off').default('127.0.0.1:9464'),
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  SLACK_API_URL: z.url().optional(),
  SLACK_CHANNELS: namedList.optional(),
  SMTP_URL: z.url({ error: 'expected smtp://user:password@host:port or smtps://...' }).refine((u) => /^smtps?:/.test(u), 'expected smtp:// or smtps://').optional(),
  SMTP_FROM: z.string().min(3).default('tierline support <support@tierline.local>'),
  EMAIL_DOMAIN: z.string().regex(/^[a-z0-9.-]+$/i, 'expected a domain name').default('tierline.local'),
  PAGERDUTY_EVENTS_URL: z.url().default('https://events.pagerduty.com/v2/enqueue'),
  PAGERDUTY_ROUTING_KEYS: namedList.optional(),
  ONCALL_FILE: z.string().min(1).optional(),
  VENDOR_CONTACTS: namedList.optional(),
  LINK_SECRET: z.string().min(16, 'expected at least 16 characters').optional(),
  // Adapters (issue #6): each is enabled by its secret; the *_USERS maps name the engineer an
  // outside identity acts as on the timeline.
  SLACK_SIGNING_SECRET: z.string().min(16, 'expected the Slack app signing secret').optional(),
  SLACK_USERS: namedList.optional(),
  GITHUB_WEBHOOK_SECRET: z.string().min(16, 'expected at least 16 characters').optional(),
  GITHUB_USERS: namedList.optional(),
  // Engineering issues (issue #9, FM-08): a token (a secret) that may open issues, comment and
  // label; without it engineering issues go to the outbox.
  GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_API_URL: z.url({ protocol: /^https?$/, error: 'expected the REST API base URL, e.g. https://api.github.com' }).default('https://api.github.com'),
  GITHUB_ENGINEERING_REPO: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+$/, 'expected owner/name, e.g. fm08/platform').optional(),
  DISCORD_PUBLIC_KEY: z.string().regex(/^[0-9a-f]{64}$/i, 'expected the application public key, 64 hex characters').optional(),
  DISCORD_USERS: namedList.optional(),
  // Incidents (issue #10): the incoming webhook of the announcements channel. A secret: the URL
  // holds the webhook's token.
  DISCORD_ANNOUNCE_WEBHOOK_URL: z
    .url({ protocol: /^https?$/, error: 'expected the webhook URL, https://discord.com/api/webhooks/<id>/<token>' })
    .refine((u) => URL.canParse(u) && /\/webhooks\/\d+\/[A-Za-z0-9_-]+\/?$/.test(new URL(u).pathname), 'expected the webhook URL, https://discord.com/api/webhooks/<id>/<token>')
    .optional(),
  PAGERDUTY_WEBHOOK_SECRET: z.string().min(16, 'expected the webhook subscription signing secret').optional(),
  PAGERDUTY_USERS: namedList.optional(),
  // The scheduled reports (Temporal Schedules): a cron expression each, or 'off'.
  REPORT_TIME_ZONE: z.string().min(1).refine(validTimeZone, 'expected an IANA time zone such as Europe/Berlin').default('UTC'),
  REPORT_DAILY_CRON: cron.default('0 9 * * *'),
  REPORT_WEEKLY_CRON: cron.default('0 9 * * 1'),
  REPORT_MONTHLY_CRON: cron.default('0 9 1 * *'),
  // Who gets the scheduled reports by email (through SMTP_URL; without it, the outbox).
  REPORT_EMAIL_TO: emailList.optional(),
  INBOUND_SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  INBOUND_SMTP_PORT: portNumber.optional(),
  // The ticket ledger (activities/ledger.ts): PostgreSQL at this URL, else SQLite in the data
  // folder. A secret: the URL holds the password.
  LEDGER_URL: z
    .string()
    .refine((u) => URL.canParse(u) && /^postgres(ql)?:$/.test(new URL(u).protocol) && new URL(u).hostname !== '', 'expected postgres://user:password@host:port/database')
    .optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export interface TierlineConfig extends Env {
  /** Where tickets are linked to in notifications. */
  publicUrl: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TierlineConfig {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'configuration');
    const shown = name.includes('TOKEN') || name.includes('KEYS') || name.includes('SECRET') || name === 'SMTP_URL' || name === 'DISCORD_ANNOUNCE_WEBHOOK_URL' || name === 'LEDGER_URL' ? '(value hidden)' : JSON.stringify(env[name]);
    throw new ConfigError(`${name}: ${issue.message} (got ${shown})`);
  }
  const cfg = parsed.data;
  return { ...cfg, publicUrl: cfg.PUBLIC_URL ?? `http://${cfg.HTTP_HOST}:${cfg.HTTP_PORT}` };
}

/** Where the ticket ledger is: PostgreSQL at LEDGER_URL, else `<data dir>/ledger.db`. */
export function ledgerLocation(cfg: Env): LedgerLocation {
  return cfg.LEDGER_URL ? { kind: 'postgres', url: cfg.LEDGER_URL } : { kind: 'sqlite', path: join(cfg.TIERLINE_DATA_DIR, 'ledger.db') };
}

/** The adapters' settings for the HTTP API: an adapter is on when its secret is set. */
export function adapterSettings(cfg: Env): AdapterSettings {
  return {
    ...(cfg.SLACK_SIGNING_SECRET ? { slack: { signingSecret: cfg.SLACK_SIGNING_SECRET, users: cfg.SLACK_USERS ?? {}, ...(cfg.SLACK_BOT_TOKEN ? { botToken: cfg.SLACK_BOT_TOKEN } : {}), ...(cfg.SLACK_API_URL ? { apiUrl: cfg.SLACK_API_URL } : {}) } } : {}),
    ...(cfg.GITHUB_WEBHOOK_SECRET ? { github: { secret: cfg.GITHUB_WEBHOOK_SECRET, users: cfg.GITHUB_USERS ?? {} } } : {}),
    ...(cfg.DISCORD_PUBLIC_KEY ? { discord: { publicKey: cfg.DISCORD_PUBLIC_KEY.toLowerCase(), users: cfg.DISCORD_USERS ?? {} } } : {}),
    ...(cfg.PAGERDUTY_WEBHOOK_SECRET ? { pagerduty: { secret: cfg.PAGERDUTY_WEBHOOK_SECRET, users: cfg.PAGERDUTY_USERS ?? {} } } : {}),
  };
}
