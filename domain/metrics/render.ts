/**
 * Reports as Markdown (for Slack, email and `tierline report --markdown`) and as JSON. Instants
 * show in the report's time zone; durations as 1h30m; rates in percent with one decimal. Ticket
 * text is kept to one line and cannot break a table or carry HTML (see cell).
 */
import { formatDuration } from '../duration.js';
import type { Distribution, Stats } from './aggregate.js';
import { localDate, localDateTime } from './periods.js';
import type { DailyReport, MonthlyReport, PeriodSummary, QueueTicket, Report, ReportHeader, Trend, WeeklyReport } from './reports.js';
import type { TargetResult } from './targets.js';
import type { IssueCount } from './top-issues.js';

export function renderReportJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function renderReportMarkdown(report: Report): string {
  switch (report.kind) {
    case 'daily':
      return lines(daily(report));
    case 'weekly':
      return lines(weekly(report));
    case 'monthly':
      return lines(monthly(report));
  }
}

const lines = (parts: string[]) => `${parts.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;

/**
 * One table cell: one line, no pipe, no HTML. Only a `<` that could open a tag and an `&` that
 * could spell an entity are escaped, so "< 2 hours" stays readable as plain text.
 */
export function cell(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;')
    .replace(/\|/g, '\\|');
}

function table(head: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ['_None._', ''];
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`), ''];
}

const duration = (ms: number | undefined) => (ms === undefined ? '—' : formatDuration(ms));
const percent = (rate: number | undefined) => (rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`);
const number = (n: number | undefined, digits = 2) => (n === undefined ? '—' : n.toFixed(digits).replace(/\.?0+$/, ''));
const dist = (d: Distribution) => (d.count === 0 ? '—' : `${duration(d.avgMs)} avg · ${duration(d.p50Ms)} p50 · ${duration(d.p90Ms)} p90 (${d.count})`);

function title(kind: string, report: ReportHeader): string[] {
  const { from, to } = report.period;
  const last = localDate(to - 1, report.timeZone);
  const span = localDate(from, report.timeZone) === last ? last : `${localDate(from, report.timeZone)} to ${last}`;
  return [
    `# ${kind} support report: ${cell(report.policyName)}`,
    '',
    `Policy ${report.policy} · ${span} (${report.timeZone}) · generated ${localDateTime(report.generatedAt, report.timeZone)}`,
    '',
  ];
}

function queueRows(tickets: readonly QueueTicket[], timeZone: string): string[][] {
  return tickets.map((t) => [
    t.ticketId,
    cell(t.subject),
    t.priority,
    t.status.replace(/_/g, ' '),
    t.tier,
    t.assignee ? cell(t.assignee) : '_unassigned_',
    duration(t.ageMs),
    t.breached ? '**breached**' : t.nextDue ? `${t.nextDue.clock} due ${localDateTime(t.nextDue.dueAt, timeZone)}` : '—',
  ]);
}

const QUEUE_HEAD = ['Ticket', 'Subject', 'Priority', 'Status', 'Tier', 'Assignee', 'Age', 'SLA'];

function daily(r: DailyReport): string[] {
  return [
    ...title('Daily', r),
    '## Queue now',
    '',
    `${r.queue.open} open, ${r.queue.breachedNow.length} breached, ${r.queue.unassigned} unassigned.`,
    '',
    ...table(['Status', 'Tickets'], r.queue.byStatus.map((s) => [s.status.replace(/_/g, ' '), String(s.tickets)])),
    ...table(['Priority', 'Tickets'], r.queue.byPriority.map((p) => [`${p.priority} ${cell(p.name)}`, String(p.tickets)])),
    `## Open ${r.urgent.priority} (${cell(r.urgent.name)})`,
    '',
    ...table(QUEUE_HEAD, queueRows(r.urgent.open, r.timeZone)),
    '## Breached now',
    '',
    ...table(QUEUE_HEAD, queueRows(r.queue.breachedNow, r.timeZone)),
    `## The previous day, ${localDate(r.period.from, r.timeZone)}`,
    '',
    `${r.day.opened} opened, ${r.day.resolved} resolved, ${r.day.closed} closed.`,
  ];
}

function result(t: TargetResult): string {
  if (t.pass === true) return 'pass';
  if (t.pass === false) return '**FAIL**';
  return t.op === undefined ? 'tracked' : 'no data';
}

function actual(t: { actual?: number; unit?: string | undefined }): string {
  if (t.actual === undefined) return '—';
  if (t.unit === '%') return `${t.actual.toFixed(1)} %`;
  return t.unit ? `${number(t.actual)} ${t.unit}` : number(t.actual);
}

function targets(list: readonly TargetResult[]): string[] {
  return [
    '## Targets',
    '',
    ...table(['Target', 'Goal', 'Actual', 'Based on', 'Result'], list.map((t) => [
      cell(t.label),
      t.target + (t.time === 'calendar' ? ' (calendar time)' : ''),
      actual(t),
      String(t.basis),
      result(t),
    ])),
  ];
}

function summaryRows(s: Stats): string[][] {
  return [
    ['Tickets opened', `${s.tickets} (${s.open} still open, ${s.resolved} resolved, ${s.duplicates} duplicates)`],
    ['First response (business time)', dist(s.times.firstResponse.business)],
    ['First response (calendar time)', dist(s.times.firstResponse.calendar)],
    ['Next response (business time)', dist(s.times.nextResponse.business)],
    ['Resolution (business time)', dist(s.times.resolution.business)],
    ['Resolution (calendar time)', dist(s.times.resolution.calendar)],
    ['First response within SLA', `${percent(s.withinSla.firstResponse.rate)} of ${s.withinSla.firstResponse.of}`],
    ['Resolution within SLA', `${percent(s.withinSla.resolution.rate)} of ${s.withinSla.resolution.of}`],
    ['Breaches / warnings', `${Object.values(s.breaches).reduce((a, b) => a + b, 0)} / ${Object.values(s.warnings).reduce((a, b) => a + b, 0)}`],
    ['Resolution rate', percent(s.resolutionRate.rate)],
    ['Deflection rate', percent(s.deflectionRate.rate)],
    ['Escalation rate', percent(s.escalationRate.rate)],
    ['Reopen rate', percent(s.reopenRate.rate)],
    ['CSAT (1-5)', `${number(s.csat.avg)} (${s.csat.responses} answers, ${percent(s.csat.satisfied.rate)} satisfied)`],
    ['Customer effort (1-7)', `${number(s.ces.avg)} (${s.ces.responses} answers)`],
    ['Issues to improvements', `${percent(s.issuesToImprovements.rate)} (${s.issuesToImprovements.count} of ${s.issuesToImprovements.of} linked issues closed)`],
  ];
}

function issueRows(list: readonly IssueCount[]): string[][] {
  return list.map((i) => [cell(i.key), String(i.tickets), String(i.open)]);
}

function periodBody(r: PeriodSummary): string[] {
  return [
    ...targets(r.targets),
    '## Metrics summary',
    '',
    ...table(['Metric', 'Value'], summaryRows(r.summary)),
    '### By priority',
    '',
    ...table(['Priority', 'Tickets', 'First response avg', 'First response p90', 'Resolution avg', 'FR within SLA', 'CSAT'], r.byPriority.map((p) => [
      `${p.priority} ${cell(p.name)}`,
      String(p.stats.tickets),
      duration(p.stats.times.firstResponse.business.avgMs),
      duration(p.stats.times.firstResponse.business.p90Ms),
      duration(p.stats.times.resolution.business.avgMs),
      percent(p.stats.withinSla.firstResponse.rate),
      number(p.stats.csat.avg),
    ])),
    '## Top issues',
    '',
    '### By category',
    '',
    ...table(['Category', 'Tickets', 'Open'], issueRows(r.topCategories)),
    '### By tag',
    '',
    ...table(['Tag', 'Tickets', 'Open'], issueRows(r.topTags)),
    '## Knowledge-base articles needed',
    '',
    ...table(['Topic', 'Tickets', 'No article matched', 'Offered, not solved', 'Not offered', 'Examples'], r.knowledgeBase.map((g) => [
      `${g.by === 'category' ? 'category' : 'subject'}: ${cell(g.key)}`,
      String(g.tickets),
      String(g.noneMatched),
      String(g.offered),
      String(g.notOffered),
      g.examples.map((e) => `${e.ticketId} ${cell(e.subject)}`).join('; '),
    ])),
  ];
}

function weekly(r: WeeklyReport): string[] {
  return [...title('Weekly', r), ...periodBody(r)];
}

function change(t: Trend): string {
  if (t.delta === undefined) return '—';
  const sign = t.delta > 0 ? '+' : t.delta < 0 ? '−' : '±';
  const size = Math.abs(t.delta);
  const amount = t.unit === '%' ? `${size.toFixed(1)} pts` : t.unit ? `${number(size)} ${t.unit}` : number(size);
  const verdict = t.improved === undefined ? '' : t.improved ? ' (better)' : ' (worse)';
  return `${sign}${amount}${verdict}`;
}

function monthly(r: MonthlyReport): string[] {
  const previousMonth = localDate(r.previous.period.from, r.timeZone).slice(0, 7);
  return [
    ...title('Monthly', r),
    ...periodBody(r),
    `## Trends against ${previousMonth}`,
    '',
    ...table(['Metric', 'This month', previousMonth, 'Change'], r.trends.map((t) => [
      cell(t.label),
      actual({ ...(t.current !== undefined ? { actual: t.current } : {}), unit: t.unit }),
      actual({ ...(t.previous !== undefined ? { actual: t.previous } : {}), unit: t.unit }),
      change(t),
    ])),
  ];
}
