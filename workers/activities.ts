/**
 * Builds the activities from configuration: the real channel where its settings are present,
 * the local outbox where they are not.
 */
import { join } from 'node:path';
import { createEmailActivities } from '../activities/email.js';
import { createGitHubActivities } from '../activities/github.js';
import { createIncidentActivities } from '../activities/incidents.js';
import { createNotificationActivities } from '../activities/notifications.js';
import { fileOutbox } from '../activities/outbox.js';
import { createKnowledgeBaseActivities, knowledgeBaseDirs } from '../activities/knowledge-base.js';
import { createLedgerActivities, openLedger, secretsOf } from '../activities/ledger.js';
import { createReportActivities } from '../activities/reports.js';
import type { TicketClient } from '../client/tickets.js';
import { createPagerActivities } from '../activities/pager.js';
import { createPagingActivities } from '../activities/paging.js';
import { fileSentLog } from '../activities/sent-log.js';
import { createSlackActivities } from '../activities/slack.js';
import { ledgerLocation, type TierlineConfig } from './config.js';
import { ensureLocalSecret } from './api-token.js';
import { loadOnCall } from './oncall.js';

/**
 * `oncall`: the schedules when the caller has loaded them already (start-up validates them first).
 * `tickets`: the ticket client the scheduled reports read open tickets through, once the caller
 * has one (the worker starts before its client); without it a report fails with a clear error.
 */
export function createActivities(
  config: TierlineConfig,
  log: (line: string) => void = (line) => console.log(line),
  oncall = loadOnCall(config.ONCALL_FILE),
  reports: { tickets: () => TicketClient | undefined } = { tickets: () => undefined },
) {
  const slack = config.SLACK_BOT_TOKEN
    ? {
        activities: createSlackActivities({ token: config.SLACK_BOT_TOKEN, ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}) }),
        channels: config.SLACK_CHANNELS ?? {},
      }
    : undefined;
  const email = config.SMTP_URL ? createEmailActivities(smtpSettings(config), fileSentLog(join(config.TIERLINE_DATA_DIR, 'email-sent.jsonl'))) : undefined;
  const outbox = fileOutbox(join(config.TIERLINE_DATA_DIR, 'outbox.jsonl'), log);
  const routingKeys = config.PAGERDUTY_ROUTING_KEYS;
  // One ledger (opened at its first use) for the workflow's writes and the reports' reads.
  const location = ledgerLocation(config);
  const ledger = openLedger(location);
  return {
    ...createNotificationActivities({
      outbox,
      publicUrl: config.publicUrl,
      teamName: 'Support',
      ...(slack ? { slack } : {}),
      ...(email ? { email } : {}),
      ...(config.VENDOR_CONTACTS ? { vendors: config.VENDOR_CONTACTS } : {}),
      linkSecret: linkSecret(config),
    }),
    ...createKnowledgeBaseActivities({ dirs: knowledgeBaseDirs(), publicUrl: config.publicUrl }),
    ...createGitHubActivities({
      outbox,
      publicUrl: config.publicUrl,
      ...(config.GITHUB_TOKEN ? { github: { token: config.GITHUB_TOKEN, apiUrl: config.GITHUB_API_URL } } : {}),
      ...(config.GITHUB_ENGINEERING_REPO ? { defaultRepo: config.GITHUB_ENGINEERING_REPO } : {}),
    }),
    ...createPagingActivities({
      outbox,
      ...(email ? { email } : {}),
      ...(slack ? { slack: slack.activities } : {}),
      publicUrl: config.publicUrl,
      ...(oncall ? { oncall } : {}),
      ...(routingKeys ? { pager: createPagerActivities({ eventsUrl: config.PAGERDUTY_EVENTS_URL, routingKeys }), pagerKeyNames: Object.keys(routingKeys) } : {}),
    }),
    ...createIncidentActivities({
      outbox,
      reportsDir: join(config.TIERLINE_DATA_DIR, 'reports'),
      ...(slack ? { slack } : {}),
      ...(config.DISCORD_ANNOUNCE_WEBHOOK_URL
        ? { discord: { webhookUrl: config.DISCORD_ANNOUNCE_WEBHOOK_URL, sentLog: fileSentLog(join(config.TIERLINE_DATA_DIR, 'discord-sent.jsonl')) } }
        : {}),
    }),
    ...createLedgerActivities(ledger, secretsOf(location)),
    ...createReportActivities({
      outbox,
      ...(slack ? { slack } : {}),
      ...(config.REPORT_EMAIL_TO ? { email: { to: config.REPORT_EMAIL_TO, ...(email ? { activities: email } : {}) } } : {}),
      sources: () => {
        const tickets = reports.tickets();
        return tickets ? { ledger: ledger.reader, tickets, policy: tickets.options.policy } : undefined;
      },
    }),
  };
}

/** The key that signs "this solved it" links: LINK_SECRET, or one made once in the data folder. */
export function linkSecret(config: TierlineConfig): string {
  return config.LINK_SECRET ?? ensureLocalSecret(config.TIERLINE_DATA_DIR, 'link-secret').token;
}

function smtpSettings(config: TierlineConfig) {
  const url = new URL(config.SMTP_URL!);
  return {
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
    secure: url.protocol === 'smtps:',
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    from: config.SMTP_FROM,
    messageIdDomain: config.EMAIL_DOMAIN,
  };
}
