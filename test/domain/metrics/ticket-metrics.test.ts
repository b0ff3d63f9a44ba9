/**
 * One ticket's metrics, read from the clocks and timeline the real core keeps: tickets are opened
 * and driven with `openTicket` and `decide` at chosen instants, and every figure is worked out by
 * hand in the test.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate } from '../../../domain/metrics/aggregate.js';
import { ticketMetrics } from '../../../domain/metrics/ticket-metrics.js';
import type { TicketState } from '../../../domain/ticket/types.js';
import { loadPolicy } from '../../../policies/load.js';
import { caroLikePolicy } from '../../fixtures/policies.js';
import { DAY, HOUR, MINUTE, TicketRun, at } from '../ticket/ticket-run.js';

const signx = loadPolicy('signx');
const trkv = loadPolicy('trkv');
const alice = { actor: 'alice' } as const;
const T0 = Date.UTC(2026, 2, 10, 9, 0);

describe('first response and resolution over a weekend on a business calendar (SIGN X, 8 AM-6 PM New York)', () => {
  // A P1 chat opened Friday 17:00, answered Monday 10:00, resolved Tuesday 12:00 (New York).
  const run = new TicketRun(signx, at('2026-03-13 17:00'), { channel: 'chat', priority: 'P1', subject: 'Exports fail' });
  run.send({ type: 'respond', ...alice, body: 'Looking into it' }, at('2026-03-16 10:00'));
  run.send({ type: 'resolve', ...alice, resolution: 'Fixed the exporter' }, at('2026-03-17 12:00'));
  const m = ticketMetrics(run.state, at('2026-03-17 12:00'));

  test('first response: 65 hours on the wall clock, 3 working hours (Friday 17-18, Monday 8-10)', () => {
    assert.deepEqual(m.firstResponse, { calendarMs: 65 * HOUR, businessMs: 3 * HOUR, slaMs: 3 * HOUR, calendar: 'business-hours' });
    assert.equal(m.sla.firstResponse?.withinSla, true, 'within the 4-hour P1 target');
  });

  test('resolution: 91 hours on the wall clock, 15 working hours (1 Friday, 10 Monday, 4 Tuesday)', () => {
    assert.deepEqual(m.resolution, { calendarMs: 91 * HOUR, businessMs: 15 * HOUR, slaMs: 15 * HOUR, calendar: 'business-hours' });
    assert.equal(m.sla.resolution?.withinSla, true, 'within the 24 working hours of P1');
    assert.deepEqual([m.resolvedAt, m.firstResolvedAt, m.open, m.status], [at('2026-03-17 12:00'), at('2026-03-17 12:00'), false, 'resolved']);
  });

  test('a P1 lands in Tier 3 on intake: escalated to Tier 3 without a move, and paged', () => {
    assert.deepEqual([m.tier, m.highestTier, m.escalationCount, m.escalationTier, m.reachedEscalationTier, m.escalated, m.pageCount], ['tier3', 'tier3', 0, 'tier3', true, true, 1]);
    assert.deepEqual(m.tierMs, { tier3: 91 * HOUR });
  });

  test('the record names its dimensions and survives JSON unchanged', () => {
    assert.deepEqual([m.ticketId, m.policy, m.channel, m.priority, m.urgency, m.subject], ['T-run', 'signx@1', 'chat', 'P1', 1, 'Exports fail']);
    assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
  });
});

describe('pauses: pending on the customer stops the resolution clock, not the wall clock (TRKV, 24/7)', () => {
  const run = new TicketRun(trkv, T0, { channel: 'email', priority: 'medium', subject: 'Webhook retries' });
  run.send({ type: 'respond', ...alice, body: 'Which endpoint?' }, T0 + 2 * HOUR);
  run.send({ type: 'setPending', reason: 'customer', ...alice }, T0 + 3 * HOUR);
  run.send({ type: 'customerMessage', body: 'The /hooks one' }, T0 + 27 * HOUR);
  run.send({ type: 'respond', ...alice, body: 'Fixed on our side' }, T0 + 28 * HOUR);
  run.send({ type: 'resolve', ...alice, resolution: 'Retry policy corrected' }, T0 + 30 * HOUR);
  run.send({ type: 'recordCsat', actor: 'customer', score: 5, effort: 2 }, T0 + 2 * DAY);
  const m = ticketMetrics(run.state, T0 + 2 * DAY);

  test('24 hours pending on the customer; 30 hours to resolution, of which the SLA clock counted 6', () => {
    assert.deepEqual(m.pendingMs, { customer: 24 * HOUR, vendor: 0 });
    assert.deepEqual(m.resolution, { calendarMs: 30 * HOUR, businessMs: 30 * HOUR, slaMs: 6 * HOUR, calendar: '24x7' });
    assert.equal(m.sla.resolution?.withinSla, true, '6 of the 24 hours TRKV allows');
  });

  test("the customer's answer opens a next-response wait of one hour", () => {
    assert.deepEqual(m.firstResponse, { calendarMs: 2 * HOUR, businessMs: 2 * HOUR, slaMs: 2 * HOUR, calendar: '24x7' });
    assert.deepEqual(m.nextResponses, [
      { clockId: 'nextResponse', startedAt: T0 + 27 * HOUR, respondedAt: T0 + 28 * HOUR, calendarMs: HOUR, businessMs: HOUR, slaMs: HOUR, calendar: '24x7', withinSla: true },
    ]);
  });

  test('the survey: satisfaction 5 of 5, effort 2 of 7', () => {
    assert.deepEqual([m.csat, m.ces], [5, 2]);
    // The effort question answered on its own counts as CES, with no CSAT.
    const effortOnly = new TicketRun(caroLikePolicy(), T0, { channel: 'email' });
    effortOnly.send({ type: 'resolve', actor: 'alice', resolution: 'Fixed' }, T0 + HOUR);
    effortOnly.send({ type: 'recordCsat', actor: 'requester', effort: 6 }, T0 + DAY);
    const e = ticketMetrics(effortOnly.state, T0 + 2 * DAY);
    assert.deepEqual([e.csat, e.ces], [undefined, 6]);
    assert.deepEqual(aggregate([m, e]).overall.ces, { responses: 2, total: 8, avg: 4 });
    assert.equal(aggregate([m, e]).overall.csat.responses, 1);
  });
});

describe('reopen: the resolution counts from opening to the last resolution; its clock leaves out the resolved stretch', () => {
  const run = new TicketRun(caroLikePolicy(), T0, { channel: 'email', priority: 'P1' });
  run.send({ type: 'respond', ...alice, body: 'On it' }, T0 + HOUR);
  run.send({ type: 'resolve', ...alice, resolution: 'Cleared the cache' }, T0 + 5 * HOUR);
  run.send({ type: 'customerMessage', body: 'It is back' }, T0 + 29 * HOUR);
  run.send({ type: 'respond', ...alice, body: 'Looking again' }, T0 + 30 * HOUR);
  run.send({ type: 'resolve', ...alice, resolution: 'Fixed the cache key' }, T0 + 32 * HOUR);
  const m = ticketMetrics(run.state, T0 + 40 * HOUR);

  test('one reopen; first resolved after 5 hours, finally after 32; the clock counted 5 + 3 hours', () => {
    assert.equal(m.reopenCount, 1);
    assert.deepEqual([m.firstResolvedAt, m.resolvedAt], [T0 + 5 * HOUR, T0 + 32 * HOUR]);
    assert.deepEqual(m.resolution, { calendarMs: 32 * HOUR, businessMs: 32 * HOUR, slaMs: 8 * HOUR, calendar: '24x7' });
  });

  test('time in the tier counts only while open: 5 + 3 hours, not the 24 it stood resolved nor the 8 since', () => {
    assert.deepEqual(m.tierMs, { support: 8 * HOUR });
  });

  test('the reopen starts a next-response wait, answered in an hour', () => {
    assert.deepEqual(m.nextResponses.map((n) => [n.startedAt, n.respondedAt, n.calendarMs]), [[T0 + 29 * HOUR, T0 + 30 * HOUR, HOUR]]);
  });
});

describe('warnings and breaches per metric', () => {
  test('a P0 left unanswered: three warnings (50, 75, 90 %), then the breach; a late answer stays outside the SLA', () => {
    const run = new TicketRun(caroLikePolicy(), T0, { channel: 'email', priority: 'P0' });
    run.tickAt(T0 + 2 * HOUR);
    run.send({ type: 'respond', ...alice, body: 'Sorry for the wait' }, T0 + 2 * HOUR + 30 * MINUTE);
    const m = ticketMetrics(run.state, T0 + 3 * HOUR);
    assert.deepEqual(m.sla.firstResponse, { clocks: 1, targetMs: HOUR, calendar: '24x7', warnings: 3, breaches: 1, withinSla: false });
    assert.equal(m.firstResponse?.calendarMs, 2 * HOUR + 30 * MINUTE);
  });

  test('a clock past its deadline counts as breached at asOf even before a tick has told the ticket', () => {
    const run = new TicketRun(caroLikePolicy(), T0, { channel: 'email', priority: 'P0' });
    assert.equal(ticketMetrics(run.state, T0 + 59 * MINUTE).sla.firstResponse?.withinSla, undefined, 'still running in time: undecided');
    assert.deepEqual(ticketMetrics(run.state, T0 + HOUR).sla.firstResponse, { clocks: 1, targetMs: HOUR, calendar: '24x7', warnings: 0, breaches: 1, withinSla: false });
  });

  test('a Caro P3 is tracked by release: no deadline, so its resolution is never judged', () => {
    const run = new TicketRun(caroLikePolicy(), T0, { channel: 'email', priority: 'P3' });
    run.send({ type: 'resolve', ...alice, resolution: 'Shipped in 1.2' }, T0 + 30 * DAY);
    const m = ticketMetrics(run.state, T0 + 30 * DAY);
    assert.deepEqual([m.sla.resolution?.targetMs, m.sla.resolution?.withinSla], [null, undefined]);
    assert.equal(m.resolution?.calendarMs, 30 * DAY);
  });
});

describe('tiers, vendors and pending on a vendor (SIGN X)', () => {
  test('two hours in the help desk, one in engineering, then four with a vendor, of which the vendor holds three', () => {
    const t = at('2026-03-10 09:00');
    const run = new TicketRun(signx, t, { channel: 'chat', priority: 'P2', subject: 'Email delivery delayed' });
    run.send({ type: 'escalate', ...alice, reason: 'needs an engineer' }, t + 2 * HOUR);
    run.send({ type: 'escalateToVendor', ...alice, vendor: 'sendgrid', issue: 'Delays', impact: 'All mail', reproduction: 'Send one' }, t + 3 * HOUR);
    run.send({ type: 'setPending', reason: 'none', ...alice }, t + 6 * HOUR);
    run.send({ type: 'resolve', ...alice, resolution: 'SendGrid fixed its queue' }, t + 7 * HOUR);
    const m = ticketMetrics(run.state, t + 10 * HOUR);
    assert.deepEqual(m.tierMs, { tier2: 2 * HOUR, tier3: HOUR, tier4: 4 * HOUR });
    assert.deepEqual(m.pendingMs, { customer: 0, vendor: 3 * HOUR });
    assert.deepEqual([m.escalationCount, m.highestTier, m.reachedEscalationTier, m.escalated, m.vendor], [2, 'tier4', true, true, 'sendgrid']);
  });

  test('a policy without an escalation tier counts a page or a vendor as the escalation', () => {
    const caro = loadPolicy('caro');
    const run = new TicketRun(caro, T0, { channel: 'github', priority: 'P2' });
    assert.equal(ticketMetrics(run.state, T0).escalated, false);
    run.send({ type: 'escalateToVendor', ...alice, vendor: 'homebrew', issue: 'Formula broken', impact: 'Installs', reproduction: 'brew install caro' }, T0 + HOUR);
    const m = ticketMetrics(run.state, T0 + HOUR);
    assert.deepEqual([m.escalationTier, m.reachedEscalationTier, m.escalated], [undefined, false, true]);
  });
});

describe('self-service, duplicates, incidents and the engineering issue', () => {
  const selfServicePolicy = caroLikePolicy({
    tiers: [{ id: 'self-service', name: 'Self-Service', selfService: { timeout: '2h', articles: 3 } }, { id: 'support', name: 'Support' }],
  });
  const article = { id: 'kb-1', title: 'Resetting your password', url: 'https://kb.example.com/kb-1' };

  test('"this solved it" is a deflection', () => {
    const run = new TicketRun(selfServicePolicy, T0, { channel: 'email', subject: 'Password reset' });
    run.send({ type: 'articlesSuggested', articles: [article] }, T0 + MINUTE);
    run.send({ type: 'markDeflected', actor: 'customer' }, T0 + 10 * MINUTE);
    const m = ticketMetrics(run.state, T0 + HOUR);
    assert.deepEqual([m.deflected, m.selfService, m.resolvedAt], [true, 'deflected', T0 + 10 * MINUTE]);
  });

  test('no matching article, or articles that did not help, are not', () => {
    const none = new TicketRun(selfServicePolicy, T0, { channel: 'email', subject: 'Odd export format' });
    none.send({ type: 'articlesSuggested', articles: [] }, T0 + MINUTE);
    assert.deepEqual([ticketMetrics(none.state, T0 + HOUR).selfService, ticketMetrics(none.state, T0 + HOUR).tier], ['none-matched', 'support']);
    const offered = new TicketRun(selfServicePolicy, T0, { channel: 'email', subject: 'Password reset' });
    offered.send({ type: 'articlesSuggested', articles: [article] }, T0 + MINUTE);
    offered.send({ type: 'customerMessage', body: 'Did not help' }, T0 + 20 * MINUTE);
    assert.deepEqual([ticketMetrics(offered.state, T0 + HOUR).selfService, ticketMetrics(offered.state, T0 + HOUR).deflected], ['offered', false]);
  });

  test('a duplicate is closed without a resolution', () => {
    const run = new TicketRun(caroLikePolicy(), T0, { channel: 'email' });
    run.send({ type: 'markDuplicate', ...alice, of: 'T-original' }, T0 + HOUR);
    const m = ticketMetrics(run.state, T0 + HOUR);
    assert.deepEqual([m.duplicateOf, m.closedAt, m.resolvedAt, m.resolution, m.status], ['T-original', T0 + HOUR, undefined, undefined, 'closed']);
  });

  test('the incident id and the engineering issue (read defensively from a field TicketState may not have yet)', () => {
    const run = new TicketRun(caroLikePolicy(), T0, { channel: 'email' });
    run.send({ type: 'incidentLinked', incidentId: 'INC-7', title: 'API down', pauseClocks: false }, T0 + MINUTE);
    const linked = { ...run.state, engineeringIssue: { url: 'https://github.com/acme/app/issues/12', number: 12, state: 'closed' } } as TicketState;
    const m = ticketMetrics(linked, T0 + HOUR);
    assert.equal(m.incidentId, 'INC-7');
    assert.deepEqual(m.engineeringIssue, { url: 'https://github.com/acme/app/issues/12', state: 'closed' });
    assert.deepEqual(
      ticketMetrics({ ...run.state, engineeringIssue: { url: 'https://x/1', state: 'closed', closedAt: T0, reason: 'not_planned' } } as TicketState, T0).engineeringIssue,
      { url: 'https://x/1', state: 'closed', reason: 'not_planned' },
    );
    assert.equal(ticketMetrics({ ...run.state, engineeringIssue: { state: 'open' } } as TicketState, T0).engineeringIssue, undefined, 'no URL: ignored');
    assert.equal(ticketMetrics(run.state, T0).engineeringIssue, undefined);
  });
});
