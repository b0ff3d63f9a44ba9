/**
 * Tiers and paging decisions through the pure core, with the SIGN X preset: where a ticket starts,
 * what moves it, when a page starts and ends, and what the core refuses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canApply } from '../../../domain/ticket/commands.js';
import type { Effect } from '../../../domain/ticket/types.js';
import { loadPolicy } from '../../../policies/load.js';
import { at, TicketRun, wall } from './ticket-run.js';

const signx = loadPolicy('signx');
const pages = (effects: Effect[]) => effects.filter((e) => e.type === 'startPage' || e.type === 'endPage').map((e) => (e.type === 'startPage' ? `start ${e.plan.name}` : `end ${e.outcome}`));

describe('escalation through the pure core (SIGN X)', () => {
  test('a P0 lands in Tier 3 on intake and pages at once with the P0 plan', () => {
    const run = new TicketRun(signx, at('2026-12-01 10:00'), { channel: 'email', priority: 'P0', subject: 'System down' });
    assert.equal(run.state.tier, 'tier3');
    assert.deepEqual(pages(run.effects), ['start P0 critical']);
    assert.equal(run.state.page?.status, 'paging');
    const start = run.effects.find((e) => e.type === 'startPage');
    assert.ok(start && start.type === 'startPage');
    assert.deepEqual(start.plan.levels.map((l) => [l.layer, l.timeout]), [['primary', '15m'], ['secondary', '15m'], ['lead', '15m']]);
  });

  test('a P2 help-desk ticket whose first response breaches moves to Tier 3, with the cause recorded', () => {
    const run = new TicketRun(signx, at('2026-12-01 10:00'), { channel: 'chat', priority: 'P2', subject: 'Export is slow' });
    assert.equal(run.state.tier, 'tier2');
    run.wake(); // 50 % warning
    while (!run.state.timeline.some((e) => e.type === 'escalated')) run.wake();
    const moved = run.state.timeline.find((e) => e.type === 'escalated')!;
    assert.equal(run.state.tier, 'tier3');
    assert.match(moved.summary, /escalated to Engineering Escalation: firstResponse SLA breach \(Help desk breach\)/);
    // 24 working hours from Tuesday 10:00 with 10-hour days: Thursday 14:00 New York.
    assert.equal(wall(moved.at), '2026-12-03 14:00');
    assert.deepEqual(pages(run.effects), [], 'a P2 has no paging plan');
  });

  test('a manual escalate needs a reason and a tier above; de-escalate goes back down', () => {
    const run = new TicketRun(signx, at('2026-12-01 10:00'), { channel: 'chat', priority: 'P2' });
    assert.match(canApply(run.state, { type: 'escalate', actor: 'grace', reason: ' ' })!, /a reason is needed/);
    assert.match(canApply(run.state, { type: 'escalate', actor: 'grace', reason: 'x', to: 'tier1' })!, /not above/);
    assert.match(canApply(run.state, { type: 'escalate', actor: 'grace', reason: 'x', to: 'tier9' })!, /unknown tier 'tier9'/);
    run.send({ type: 'escalate', actor: 'grace', reason: 'AWS outage', to: 'tier4' });
    assert.equal(run.state.tier, 'tier4');
    assert.match(canApply(run.state, { type: 'escalate', actor: 'grace', reason: 'x' })!, /already in the last tier/);
    run.send({ type: 'deescalate', actor: 'grace', reason: 'vendor fixed it' });
    assert.equal(run.state.tier, 'tier3');
    assert.deepEqual(run.timelineTypes().filter((t) => t.endsWith('escalated')), ['escalated', 'de-escalated']);
  });

  test('escalating a P1 into Tier 3 pages; an acknowledgement ends the page and assigns; resolving ends it for good', () => {
    const run = new TicketRun(signx, at('2026-12-01 10:00'), { channel: 'chat', priority: 'P2' });
    run.send({ type: 'setPriority', actor: 'grace', priority: 'P1' }, at('2026-12-01 10:05'));
    assert.deepEqual(pages(run.effects), [], 'Tier 2 has no plan');
    run.send({ type: 'escalate', actor: 'grace', reason: 'high error rate' }, at('2026-12-01 10:10'));
    assert.deepEqual(pages(run.effects), ['start P1 high']);
    run.send({ type: 'pageProgress', pageId: run.state.page!.id, kind: 'paged', layer: 'primary', person: 'Engineer D', round: 0 }, at('2026-12-01 10:10'));
    run.send({ type: 'acknowledge', actor: 'engineer-d' }, at('2026-12-01 10:40'));
    assert.equal(run.state.assignee, 'engineer-d');
    assert.equal(run.state.page?.status, 'acknowledged');
    assert.equal(run.state.page?.reackAt, at('2026-12-02 10:40'), 'paged again 24 h after the acknowledgement if still open');
    run.send({ type: 'resolve', actor: 'engineer-d', resolution: 'config fixed' }, at('2026-12-01 12:00'));
    assert.deepEqual(pages(run.effects), ['start P1 high', 'end acknowledged', 'end resolved']);
    assert.equal(run.state.page?.status, 'ended');
  });

  test('a page nobody answers is recorded as exhausted and the team is told; it is not restarted by the same tier', () => {
    const run = new TicketRun(signx, at('2026-12-05 12:00'), { channel: 'email', priority: 'P0' });
    const pageId = run.state.page!.id;
    run.send({ type: 'pageProgress', pageId, kind: 'skipped', layer: 'lead', round: 0, detail: 'restricted' }, at('2026-12-05 12:30'));
    run.send({ type: 'pageProgress', pageId, kind: 'exhausted' }, at('2026-12-05 13:00'));
    assert.equal(run.state.page?.status, 'exhausted');
    assert.ok(run.effects.some((e) => e.type === 'notifyTeam' && /Nobody acknowledged the page/.test(e.text)));
    run.send({ type: 'note', actor: 'grace', body: 'still looking' }, at('2026-12-05 13:05'));
    assert.deepEqual(pages(run.effects), ['start P0 critical']);
  });
});

describe('assignment by customer account (FM-08)', () => {
  const base = loadPolicy('fm08');
  const fm08 = { ...base, accounts: { acme: { name: 'ACME Corp', engineer: 'grace' } } };

  test("an enterprise Slack ticket goes to its account's dedicated engineer", () => {
    const run = new TicketRun(fm08, at('2026-12-01 10:00'), { channel: 'enterprise-slack', account: 'acme', subject: 'Deploys fail' });
    assert.equal(run.state.assignee, 'grace');
    assert.match(run.state.timeline.find((e) => e.type === 'assigned')!.summary, /assigned to grace \(account engineer of acme\)/);
    assert.ok(run.state.tags.includes('account-engineer'));
  });

  test('an account without an engineer, or another channel, stays unassigned', () => {
    assert.equal(new TicketRun(fm08, at('2026-12-01 10:00'), { channel: 'enterprise-slack', account: 'globex' }).state.assignee, undefined);
    assert.equal(new TicketRun(fm08, at('2026-12-01 10:00'), { channel: 'email', account: 'acme' }).state.assignee, undefined);
  });
});

describe('tier clocks (SIGN X with two more rules)', () => {
  const policy = {
    ...signx,
    escalation: {
      ...signx.escalation,
      rules: [
        ...signx.escalation.rules,
        { on: 'not-acknowledged' as const, after: '30m', from: ['tier2'], to: 'tier3', when: { priority: ['P2'] } },
        { on: 'time-in-tier' as const, after: '8h', from: ['tier3'], to: 'next', name: 'stuck in engineering', when: {} },
      ],
    },
  };

  test('a help-desk ticket nobody acknowledges in 30 minutes goes to Tier 3; 8 hours there, Tier 4', () => {
    const run = new TicketRun(policy, at('2026-12-01 10:00'), { channel: 'chat', priority: 'P2' });
    run.wake();
    while (run.state.tier === 'tier2') run.wake();
    const first = run.state.timeline.find((e) => e.type === 'escalated')!;
    assert.equal(wall(first.at), '2026-12-01 10:30');
    assert.match(first.summary, /not acknowledged within 30m/);
    while (run.state.tier === 'tier3') run.wake();
    const second = run.state.timeline.filter((e) => e.type === 'escalated')[1]!;
    assert.equal(wall(second.at), '2026-12-01 18:30');
    assert.match(second.summary, /8h in Engineering Escalation \(stuck in engineering\)/);
  });

  test('an acknowledgement in time keeps the ticket at the help desk', () => {
    const run = new TicketRun(policy, at('2026-12-01 10:00'), { channel: 'chat', priority: 'P2' });
    run.send({ type: 'acknowledge', actor: 'grace' }, at('2026-12-01 10:20'));
    run.tickAt(at('2026-12-01 12:00'));
    assert.equal(run.state.tier, 'tier2');
  });
});
