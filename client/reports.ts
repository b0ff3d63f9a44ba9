/**
 * The seeds' reports from what the tickets recorded: the ticket ledger for the period's metrics,
 * and (daily) the open tickets' current state from Temporal. Used by the API, the CLI (through
 * the API) and the scheduled report workflow's activity.
 */
import type { LedgerReader } from '../activities/ledger.js';
import { dailyReport, monthlyReport, weeklyReport, type Report } from '../domain/metrics/reports.js';
import type { TicketMetrics } from '../domain/metrics/ticket-metrics.js';
import type { Policy } from '../domain/policy/schema.js';
import type { TicketState } from '../domain/ticket/types.js';
import type { TicketClient } from './tickets.js';

export const REPORT_KINDS = ['daily', 'weekly', 'monthly'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

const DAY_MS = 86_400_000;
/** A monthly report compares with the month before: about 70 days of tickets cover both. */
const LOOKBACK_MS = { daily: 3 * DAY_MS, weekly: 16 * DAY_MS, monthly: 70 * DAY_MS } as const;
const MAX_OPEN = 1000;

export interface ReportSources {
  ledger: LedgerReader;
  /** For the daily queue: the open tickets as Temporal has them now. */
  tickets: TicketClient;
  policy: Policy;
}

export async function buildReport(kind: ReportKind, sources: ReportSources, now: number): Promise<Report> {
  const rows = await sources.ledger.tickets({ from: now - LOOKBACK_MS[kind], to: now + 1, policy: sources.policy.id });
  const records = rows.map((r) => r.metrics).filter((m): m is TicketMetrics => typeof m === 'object' && m !== null);
  switch (kind) {
    case 'daily': {
      const open = await sources.tickets.list({ open: true }, MAX_OPEN);
      const states = await Promise.all(open.map((t) => sources.tickets.state(t.id).catch(() => undefined)));
      return dailyReport(records, sources.policy, now, states.filter((s): s is TicketState => s !== undefined));
    }
    case 'weekly':
      return weeklyReport(records, sources.policy, now);
    case 'monthly':
      return monthlyReport(records, sources.policy, now);
  }
}
