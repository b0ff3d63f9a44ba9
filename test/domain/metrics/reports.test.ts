/**
 * The seeds' reports over hand-built tickets: a week of SIGN X support driven through the real
 * core, with every figure of the weekly report worked out by hand below; the daily queue; a
 * monthly report's trends against the month before.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { previousDay, previousMonth, previousWeek, reportTimeZone } from '../../../domain/metrics/periods.js';
import { cell, renderReportJson, renderReportMarkdown } from '../../../domain/metrics/render.js';
import { dailyReport, monthlyReport, weeklyReport } from '../../../domain/metrics/reports.js';
import { ticketMetrics } from '../../../domain/metrics/ticket-metrics.js';
import { loadPolicy } from '../../../policies/load.js';
import { HOUR, MINUTE, TicketRun, at } from '../ticket/ticket-run.js';
import { createKnowledgeBase, knowledgeBaseDirs } from '../../../activities/knowledge-base.js';

const signx = loadPolicy('signx');
const trkv = loadPolicy('trkv');
const alice = { actor: 'alice' } as const;

describe('report periods', () => {
  test("SIGN X reports in New York time, TRKV in UTC; periods are whole days, Monday-Sunday weeks and months before now", () => {
    assert.equal(reportTimeZone(signx), 'America/New_York');
    assert.equal(reportTimeZone(trkv), 'UTC');
    const now = at('2026-03-16 09:00');
    assert.deepEqual(previousDay(now, 'America/New_York'), { from: at('2026-03-15 00:00'), to: at('2026-03-16 00:00') });
    assert.deepEqual(previousWeek(now, 'America/New_York'), { from: at('2026-03-09 00:00'), to: at('2026-03-16 00:00') });
    // The week the clocks changed (Sunday 2026-03-08) is an hour short.
    const dst = previousWeek(at('2026-03-09 09:00'), 'America/New_York');
    assert.equal(dst.to - dst.from, 7 * 24 * HOUR - HOUR);
    assert.deepEqual(previousMonth(Date.UTC(2026, 0, 15), 'UTC'), { from: Date.UTC(2025, 11, 1), to: Date.UTC(2026, 0, 1) });
    assert.deepEqual(previousMonth(Date.UTC(2026, 0, 15), 'UTC', 2), { from: Date.UTC(2025, 10, 1), to: Date.UTC(2025, 11, 1) });
  });
});

/**
 * The week of Monday 2026-03-09 at the SIGN X help desk (8 AM-6 PM New York, weekdays), all by
 * live chat with the priority given, so each ticket's clocks are its priority's:
 *
 *   T1 P1 login   [sso]         Mon 10:00, answered 12:00 (2h), resolved 15:00 (5h, 5h wall); CSAT 5
 *   T2 P1 login   [sso,mobile]  Tue 09:00, answered 14:00 (5h: breaches 4h), resolved Wed 09:00 (10h, 24h wall); CSAT 4
 *   T3 P2 billing               Wed 10:00, answered 11:00 (1h), resolved Thu 10:00 (10h, 24h wall); CSAT 3
 *   T4 P2 login   [mobile]      Thu 16:00, answered Fri 09:00 (2h Thu + 1h Fri = 3h, 17h wall), open
 *   T5 P3 "Password reset link expired"   Fri 17:00, unanswered
 *   T6 P3 "password reset: link expired?" Sat 11:00, unanswered
 * and, outside the week, T0 on Sunday 2026-03-08 and T7 on Monday 2026-03-16 08:00.
 */
function seededWeek() {
  const runs: TicketRun[] = [];
  const open = (id: string, when: string, fields: Parameters<typeof ticket>[2]) => {
    const run = ticket(id, when, fields);
    runs.push(run);
    return run;
  };
  open('T-0', '2026-03-08 10:00', { priority: 'P2', subject: 'Before the week', category: 'login' });
  const t1 = open('T-1', '2026-03-09 10:00', { priority: 'P1', subject: 'SSO login loops', category: 'login', tags: ['sso'] });
  t1.send({ type: 'respond', ...alice, body: 'Looking' }, at('2026-03-09 12:00'));
  t1.send({ type: 'resolve', ...alice, resolution: 'IdP metadata refreshed' }, at('2026-03-09 15:00'));
  t1.send({ type: 'recordCsat', actor: 'customer', score: 5 }, at('2026-03-10 15:00'));
  const t2 = open('T-2', '2026-03-10 09:00', { priority: 'P1', subject: 'SSO fails on the mobile app', category: 'login', tags: ['sso', 'mobile'] });
  t2.send({ type: 'respond', ...alice, body: 'Sorry for the wait' }, at('2026-03-10 14:00'));
  t2.send({ type: 'resolve', ...alice, resolution: 'App update' }, at('2026-03-11 09:00'));
  t2.send({ type: 'recordCsat', actor: 'customer', score: 4 }, at('2026-03-12 09:00'));
  const t3 = open('T-3', '2026-03-11 10:00', { priority: 'P2', subject: 'Invoice shows the wrong plan', category: 'billing' });
  t3.send({ type: 'respond', ...alice, body: 'Checking' }, at('2026-03-11 11:00'));
  t3.send({ type: 'resolve', ...alice, resolution: 'Invoice reissued' }, at('2026-03-12 10:00'));
  t3.send({ type: 'recordCsat', actor: 'customer', score: 3 }, at('2026-03-13 10:00'));
  const t4 = open('T-4', '2026-03-12 16:00', { priority: 'P2', subject: 'Login on tablet', category: 'login', tags: ['mobile'] });
  t4.send({ type: 'respond', ...alice, body: 'Which tablet?' }, at('2026-03-13 09:00'));
  open('T-5', '2026-03-13 17:00', { priority: 'P3', subject: 'Password reset link expired' });
  open('T-6', '2026-03-14 11:00', { priority: 'P3', subject: 'password reset: link expired?' });
  open('T-7', '2026-03-16 08:00', { priority: 'P2', subject: 'After the week', category: 'billing' });
  return runs;
}

function ticket(id: string, when: string, fields: { priority: string; subject: string; category?: string; tags?: string[] }) {
  return new TicketRun(signx, at(when), { channel: 'chat', ...fields }, id);
}

describe('the weekly report for a seeded week at SIGN X, against numbers worked out by hand', () => {
  const now = at('2026-03-16 09:00');
  const runs = seededWeek();
  const records = runs.map((r) => ticketMetrics(r.state, now));
  const report = weeklyReport(records, signx, now);
  const s = report.summary;

  test('the week is Monday 2026-03-09 to Sunday 2026-03-15, New York time: six tickets, three open, three resolved', () => {
    assert.deepEqual(report.period, { from: at('2026-03-09 00:00'), to: at('2026-03-16 00:00') });
    assert.deepEqual([report.timeZone, report.policy], ['America/New_York', 'signx@1']);
    assert.deepEqual([s.tickets, s.open, s.resolved, s.duplicates], [6, 3, 3, 0]);
  });

  test('first response in business time: 2, 5, 1 and 3 hours; 2.75 h average, p50 2 h, p90 5 h', () => {
    const fr = s.times.firstResponse.business;
    assert.deepEqual([fr.count, fr.totalMs, fr.avgMs, fr.p50Ms, fr.p90Ms], [4, 11 * HOUR, 2.75 * HOUR, 2 * HOUR, 5 * HOUR]);
    // On the wall clock T4 waited 17 hours overnight: 2 + 5 + 1 + 17 = 25 hours.
    assert.equal(s.times.firstResponse.calendar.avgMs, 6.25 * HOUR);
  });

  test('resolution: 5, 10 and 10 working hours (25/3 h average); 5, 24 and 24 on the wall clock', () => {
    assert.deepEqual([s.times.resolution.business.count, s.times.resolution.business.totalMs], [3, 25 * HOUR]);
    assert.equal(s.times.resolution.calendar.totalMs, 53 * HOUR);
  });

  test('within SLA: first response 3 of 4 (T2 breached its 4 hours); resolution 2 of 2 (only P1 has a resolution target)', () => {
    assert.deepEqual(s.withinSla.firstResponse, { count: 3, of: 4, rate: 0.75 });
    assert.deepEqual(s.withinSla.resolution, { count: 2, of: 2, rate: 1 });
  });

  test('rates: resolved 3 of 6, escalated to Tier 3 2 of 6 (the P1s), deflected 0 of 6, reopened 0 of 3; CSAT 4.0 from 3 answers', () => {
    assert.deepEqual(s.resolutionRate, { count: 3, of: 6, rate: 0.5 });
    assert.deepEqual(s.escalationRate, { count: 2, of: 6, rate: 2 / 6 });
    assert.deepEqual(s.deflectionRate, { count: 0, of: 6, rate: 0 });
    assert.deepEqual(s.reopenRate, { count: 0, of: 3, rate: 0 });
    assert.deepEqual([s.csat.responses, s.csat.avg, s.csat.satisfied.count], [3, 4, 2]);
    assert.deepEqual(s.issuesToImprovements, { count: 0, of: 0 });
  });

  test('targets: P1 first response 3.5 h < 4 h and P1 resolution 7.5 h < 24 h pass; CSAT 4.0, self-service 0 % and escalation 33 % fail', () => {
    assert.deepEqual(report.targets.map((t) => [t.label, t.target, t.actual, t.basis, t.pass]), [
      ['P1 first response < 4 hours', '< 4 h', 3.5, 2, true],
      ['P1 resolution < 24 hours', '< 24 h', 7.5, 2, true],
      ['Customer satisfaction > 4.5/5.0', '> 4.5', 4, 3, false],
      ['Self-service rate > 60 %', '> 60 %', 0, 6, false],
      ['Escalation rate < 20 % (escalated to Tier 3)', '< 20 %', 100 / 3, 6, false],
    ]);
  });

  test('by priority, most urgent first: P1 two tickets, P2 two, P3 two', () => {
    assert.deepEqual(report.byPriority.map((p) => [p.priority, p.stats.tickets, p.stats.times.firstResponse.business.avgMs]), [
      ['P1', 2, 3.5 * HOUR],
      ['P2', 2, 2 * HOUR],
      ['P3', 2, undefined],
    ]);
  });

  test('top issues: login 3 (one open), uncategorised 2, billing 1; tags mobile 2 and sso 2', () => {
    assert.deepEqual(report.topCategories, [{ key: 'login', tickets: 3, open: 1 }, { key: '(none)', tickets: 2, open: 2 }, { key: 'billing', tickets: 1, open: 0 }]);
    assert.deepEqual(report.topTags, [{ key: 'mobile', tickets: 2, open: 1 }, { key: 'sso', tickets: 2, open: 0 }]);
  });

  test('knowledge-base articles needed: login (3 tickets), and the two password-reset questions found by their subject words', () => {
    assert.deepEqual(report.knowledgeBase.map((g) => [g.by, g.key, g.tickets, g.notOffered, g.examples.map((e) => e.ticketId)]), [
      ['category', 'login', 3, 3, ['T-1', 'T-2', 'T-4']],
      ['subject', 'expired link password reset', 2, 2, ['T-5', 'T-6']],
    ]);
  });

  test('the Markdown shows target, actual and pass or fail; the JSON is the report', () => {
    const md = renderReportMarkdown(report);
    assert.match(md, /^# Weekly support report: SIGN X Studio\n/);
    assert.match(md, /2026-03-09 to 2026-03-15 \(America\/New_York\)/);
    assert.ok(md.includes('| P1 first response < 4 hours | < 4 h | 3.5 h | 2 | pass |'), md);
    assert.ok(md.includes('| Escalation rate < 20 % (escalated to Tier 3) | < 20 % | 33.3 % | 6 | **FAIL** |'), md);
    assert.ok(md.includes('| First response (business time) | 2h45m avg · 2h p50 · 5h p90 (4) |'), md);
    assert.ok(md.includes('| subject: expired link password reset | 2 | 0 | 0 | 2 | T-5 Password reset link expired; T-6 password reset: link expired? |'), md);
    assert.deepEqual(JSON.parse(renderReportJson(report)), report);
  });
});

describe('the daily report: the queue now and the open P0s', () => {
  test('open tickets by status and priority, the breached ones, and the P0s with their deadlines', () => {
    const now = at('2026-03-11 09:00');
    const p0 = ticket('T-p0', '2026-03-11 07:00', { priority: 'P0', subject: 'System down' });
    const p0Answered = ticket('T-p0b', '2026-03-11 08:30', { priority: 'P0', subject: 'Data loss on export' });
    p0Answered.send({ type: 'respond', ...alice, body: 'On it' }, at('2026-03-11 08:40'));
    const p2 = ticket('T-p2', '2026-03-10 10:00', { priority: 'P2', subject: 'Slow export' });
    const done = ticket('T-done', '2026-03-10 11:00', { priority: 'P2', subject: 'Question' });
    done.send({ type: 'resolve', ...alice, resolution: 'Answered' }, at('2026-03-10 12:00'));
    const states = [p0, p0Answered, p2, done].map((r) => r.state);
    const report = dailyReport(states.map((s) => ticketMetrics(s, now)), signx, now, states);

    assert.deepEqual(report.period, { from: at('2026-03-10 00:00'), to: at('2026-03-11 00:00') });
    assert.equal(report.queue.open, 3);
    assert.deepEqual(report.queue.byStatus, [{ status: 'awaiting_first_response', tickets: 2 }, { status: 'in_progress', tickets: 1 }]);
    assert.deepEqual(report.queue.byPriority.map((p) => [p.priority, p.tickets]), [['P0', 2], ['P1', 0], ['P2', 1], ['P3', 0]]);
    // The P0 opened at 07:00 passed its 1-hour target at 08:00, though no tick has told it yet.
    assert.deepEqual(report.queue.breachedNow.map((t) => t.ticketId), ['T-p0']);
    assert.deepEqual(report.urgent.open.map((t) => [t.ticketId, t.breached, t.ageMs]), [['T-p0', true, 2 * HOUR], ['T-p0b', false, 30 * 60_000]]);
    assert.deepEqual([report.urgent.priority, report.urgent.name], ['P0', 'Critical']);
    assert.deepEqual(report.day, { opened: 2, resolved: 1, closed: 0 });

    const md = renderReportMarkdown(report);
    assert.match(md, /^# Daily support report: SIGN X Studio\n/);
    assert.ok(md.includes('3 open, 1 breached, 3 unassigned.'), md);
    assert.ok(md.includes('## Open P0 (Critical)'), md);
    assert.match(md, /\| T-p0 \| System down \| P0 \| awaiting first response \| tier3 \| _unassigned_ \| 2h \| \*\*breached\*\* \|/);
    assert.ok(md.includes('## The previous day, 2026-03-10\n\n2 opened, 1 resolved, 0 closed.'), md);
  });
});

describe('the monthly report: trends against the month before (TRKV, UTC)', () => {
  const run = (id: string, opened: number, answeredAfter: number, csat?: number) => {
    const t = new TicketRun(trkv, opened, { channel: 'email', priority: 'high', subject: `Question ${id}`, category: 'api' }, id);
    t.send({ type: 'respond', ...alice, body: 'Answer' }, opened + answeredAfter);
    t.send({ type: 'resolve', ...alice, resolution: 'Done' }, opened + answeredAfter + HOUR);
    if (csat !== undefined) t.send({ type: 'recordCsat', actor: 'customer', score: csat }, opened + answeredAfter + 2 * HOUR);
    return t;
  };
  const now = Date.UTC(2026, 3, 2, 9);
  const runs = [
    run('T-feb-1', Date.UTC(2026, 1, 3, 10), 1 * HOUR, 5),
    run('T-feb-2', Date.UTC(2026, 1, 20, 10), 3 * HOUR, 3),
    run('T-mar-1', Date.UTC(2026, 2, 4, 10), 1 * HOUR, 5),
    run('T-mar-2', Date.UTC(2026, 2, 18, 10), 1 * HOUR, 4),
    run('T-mar-3', Date.UTC(2026, 2, 30, 10), 1 * HOUR),
  ];
  const report = monthlyReport(runs.map((r) => ticketMetrics(r.state, now)), trkv, now);

  test('March against February: three tickets against two; first response 1 h average against 2 h, better', () => {
    assert.deepEqual(report.period, { from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 3, 1) });
    assert.deepEqual(report.previous.period, { from: Date.UTC(2026, 1, 1), to: Date.UTC(2026, 2, 1) });
    const byLabel = new Map(report.trends.map((t) => [t.label, t]));
    assert.deepEqual(byLabel.get('Tickets opened'), { label: 'Tickets opened', metric: 'tickets', current: 3, previous: 2, delta: 1, better: 'neither' });
    const fr = byLabel.get('First response, average (business time)')!;
    assert.deepEqual([fr.current, fr.previous, fr.delta, fr.improved], [1, 2, -1, true]);
    const csat = byLabel.get('Satisfaction (CSAT, 1-5)')!;
    assert.deepEqual([csat.current, csat.previous, csat.delta, csat.improved], [4.5, 4, 0.5, true]);
    // TRKV's own targets trend too: satisfied answers 2 of 2 in March, 1 of 2 in February.
    const satisfied = byLabel.get('Target: Satisfaction rate > 90 %')!;
    assert.deepEqual([satisfied.current, satisfied.previous, satisfied.delta, satisfied.improved], [100, 50, 50, true]);
  });

  test('the Markdown has the trends table', () => {
    const md = renderReportMarkdown(report);
    assert.match(md, /^# Monthly support report: TRKV\n/);
    assert.ok(md.includes('## Trends against 2026-02'), md);
    assert.ok(md.includes('| First response, average (business time) | 1 h | 2 h | −1 h (better) |'), md);
    assert.ok(md.includes('| Target: Satisfaction rate > 90 % | 100.0 % | 50.0 % | +50.0 pts (better) |'), md);
  });
});

describe('ticket text in a report', () => {
  test('a subject cannot break a table or carry HTML; a target label like "< 2 hours" stays readable', () => {
    assert.equal(cell('<img src=x onerror=alert(1)> | broken\nrow'), '&lt;img src=x onerror=alert(1)> \\| broken row');
    assert.equal(cell('First response < 2 hours &amp; more'), 'First response < 2 hours &amp;amp; more');
    assert.equal(cell('</script>'), '&lt;/script>');
  });
});

/**
 * DevRel's "| Ticket deflection | >60% |": a week of community questions at Tier 0 Self-Service,
 * each offered what the real DevRel knowledge base (kb/devrel/) finds for it.
 *
 *   D1 forum   "How do I authenticate with the API?"  articles offered; "this solved it" 20 min later, no agent ever answers
 *   D2 forum   "Where do I send API keys?"            articles offered; solved the same way
 *   D3 discord "API auth error: 401 Unauthorized"     articles offered; the developer replies they did not help; Tier 1 answers and resolves
 *   D4 tickets "Webhook retries"                     a support ticket: straight to the DevRel team, no articles
 */
describe('the weekly report counts a DevRel question the suggested articles solved as deflected', async () => {
  const devrel = loadPolicy('devrel');
  const kb = await createKnowledgeBase(knowledgeBaseDirs().devrel!);
  const utc = (text: string) => at(text, 'UTC');
  const question = (id: string, when: string, channel: string, subject: string) => {
    const run = new TicketRun(devrel, utc(when), { channel, subject }, id);
    const ask = run.effects.find((e) => e.type === 'notifyCustomer');
    if (ask?.type === 'notifyCustomer' && ask.suggest) {
      const articles = kb.searchTicket({ subject }, ask.suggest).map(({ id: article, title }) => ({ id: article, title, url: `https://docs.example.com/${article}` }));
      run.send({ type: 'articlesSuggested', articles }, utc(when) + MINUTE);
    }
    return run;
  };
  const d1 = question('D-1', '2026-03-09 10:00', 'forum', 'How do I authenticate with the API?');
  d1.send({ type: 'markDeflected', actor: 'requester' }, utc('2026-03-09 10:20'));
  const d2 = question('D-2', '2026-03-10 15:00', 'forum', 'Where do I send API keys?');
  d2.send({ type: 'markDeflected', actor: 'requester' }, utc('2026-03-10 15:30'));
  const d3 = question('D-3', '2026-03-11 09:00', 'discord', 'API auth error: 401 Unauthorized');
  d3.send({ type: 'customerMessage', body: 'Still 401 with a fresh key' }, utc('2026-03-11 09:30'));
  d3.send({ type: 'respond', ...alice, body: 'Your key is for the sandbox' }, utc('2026-03-11 11:00'));
  d3.send({ type: 'resolve', ...alice, resolution: 'Production key issued' }, utc('2026-03-11 12:00'));
  const d4 = question('D-4', '2026-03-12 09:00', 'tickets', 'Webhook retries');
  const now = utc('2026-03-16 09:00');
  const records = [d1, d2, d3, d4].map((r) => ticketMetrics(r.state, now));
  const report = weeklyReport(records, devrel, now);

  test('the solved questions got articles and no agent response, and were resolved as deflected', () => {
    for (const run of [d1, d2]) {
      assert.ok(run.state.timeline.some((e) => e.type === 'articles-suggested' && Array.isArray(e.data?.['articles']) && (e.data['articles'] as unknown[]).length > 0), `${run.state.ticketId} got articles`);
      assert.ok(!run.state.timeline.some((e) => e.type === 'responded'), `${run.state.ticketId} had no agent response`);
      assert.deepEqual([run.state.status, run.state.tier], ['resolved', 'tier0']);
    }
    assert.deepEqual(records.map((r) => [r.ticketId, r.selfService, r.deflected]), [
      ['D-1', 'deflected', true],
      ['D-2', 'deflected', true],
      ['D-3', 'offered', false],
      ['D-4', 'not-offered', false],
    ]);
    assert.equal(d3.state.tier, 'tier1', 'articles that did not help hand the question to the community tier');
  });

  test('deflection 2 of 4 (50 %) in the week: the "Ticket deflection > 60 %" target is measured and fails', () => {
    assert.deepEqual(report.summary.deflectionRate, { count: 2, of: 4, rate: 0.5 });
    const target = report.targets.find((t) => t.metric === 'deflectionRate');
    assert.deepEqual([target?.label, target?.actual, target?.basis, target?.pass], ['Ticket deflection > 60 %', 50, 4, false]);
    assert.match(renderReportMarkdown(report), /Deflection rate \| 50/);
  });
});
