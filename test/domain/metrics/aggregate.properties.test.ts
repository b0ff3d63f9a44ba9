/**
 * Aggregates equal the sum of their parts: over random sets of ticket records, grouped any way and
 * cut to any period, the groups' counts add to the total, their averages weighted by their counts
 * give the overall average, and every share's numerator and denominator add up. Then the same
 * for records of real ticket lives, driven at random through the core on every preset.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aggregate, distribution, GROUP_DIMENSIONS, percentile, statsOf, type Distribution, type Share, type Stats } from '../../../domain/metrics/aggregate.js';
import { openSpans } from '../../../domain/metrics/timeline-spans.js';
import { ticketMetrics, type TicketMetrics, type WaitTime } from '../../../domain/metrics/ticket-metrics.js';
import { METRICS, TIMED_METRICS } from '../../../domain/policy/schema.js';
import type { TicketEvent } from '../../../domain/ticket/commands.js';
import { decide, openTicket } from '../../../domain/ticket/decide.js';
import { loadPolicy, PRESETS } from '../../../policies/load.js';
import { DAY, HOUR, intakeOf } from '../ticket/ticket-run.js';
import { aRecord } from './records.js';

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 150), includeErrorInReport: true };
const START = Date.UTC(2026, 2, 1);

const aWait: fc.Arbitrary<WaitTime> = fc
  .tuple(fc.integer({ min: 0, max: 10 * DAY }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean())
  .map(([calendarMs, f, clocked]) => ({
    calendarMs,
    businessMs: Math.floor(calendarMs * f),
    ...(clocked ? { slaMs: Math.floor(calendarMs * f * f) } : {}),
    calendar: 'business-hours',
  }));

const anOutcome = fc.record(
  { clocks: fc.integer({ min: 1, max: 3 }), warnings: fc.integer({ min: 0, max: 3 }), breaches: fc.integer({ min: 0, max: 2 }), withinSla: fc.option(fc.boolean(), { nil: undefined }) },
  { requiredKeys: ['clocks', 'warnings', 'breaches'] },
).map((o) => ({ ...o, targetMs: HOUR, calendar: '24x7' }));

const aMetricsRecord: fc.Arbitrary<TicketMetrics> = fc
  .record({
    priority: fc.constantFrom('P0', 'P1', 'P2', 'P3'),
    channel: fc.constantFrom('email', 'chat', 'github'),
    tier: fc.constantFrom('tier1', 'tier2', 'tier3'),
    category: fc.option(fc.constantFrom('billing', 'login', 'bug'), { nil: undefined }),
    policy: fc.constantFrom('signx@1', 'signx@2', 'caro@1'),
    openedAt: fc.integer({ min: START, max: START + 30 * DAY }),
    open: fc.boolean(),
    firstResponse: fc.option(aWait, { nil: undefined }),
    next: fc.array(aWait, { maxLength: 3 }),
    resolution: fc.option(aWait, { nil: undefined }),
    triage: fc.option(aWait, { nil: undefined }),
    sla: fc.dictionary(fc.constantFrom(...METRICS), anOutcome),
    deflected: fc.boolean(),
    escalated: fc.boolean(),
    reopenCount: fc.integer({ min: 0, max: 2 }),
    everResolved: fc.boolean(),
    duplicate: fc.boolean(),
    csat: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    ces: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
    issue: fc.option(fc.constantFrom('open' as const, 'closed' as const), { nil: undefined }),
  })
  .map((r) =>
    aRecord({
      priority: r.priority,
      channel: r.channel,
      tier: r.tier,
      ...(r.category ? { category: r.category } : {}),
      policy: r.policy,
      openedAt: r.openedAt,
      open: r.open,
      ...(r.firstResponse ? { firstResponse: r.firstResponse } : {}),
      nextResponses: r.next.map((w, i) => ({ ...w, clockId: `nextResponse#${i + 1}`, startedAt: r.openedAt, respondedAt: r.openedAt + w.calendarMs })),
      ...(r.resolution ? { resolution: r.resolution, resolvedAt: r.openedAt + r.resolution.calendarMs } : {}),
      ...(r.triage ? { triage: r.triage } : {}),
      ...(r.everResolved || r.resolution ? { firstResolvedAt: r.openedAt + HOUR } : {}),
      ...(r.duplicate ? { duplicateOf: 'T-original' } : {}),
      sla: r.sla,
      deflected: r.deflected,
      escalated: r.escalated,
      reopenCount: r.reopenCount,
      ...(r.csat !== undefined ? { csat: r.csat } : {}),
      ...(r.ces !== undefined ? { ces: r.ces } : {}),
      ...(r.issue ? { engineeringIssue: { url: 'https://github.com/acme/app/issues/1', state: r.issue } } : {}),
    }),
  );

const aGrouping = fc.subarray([...GROUP_DIMENSIONS], { minLength: 0, maxLength: 3 });
const aPeriod = fc.option(
  fc.tuple(fc.integer({ min: START - DAY, max: START + 31 * DAY }), fc.integer({ min: 0, max: 20 * DAY })).map(([from, len]) => ({ from, to: from + len })),
  { nil: undefined },
);

const SHARES = ['resolutionRate', 'deflectionRate', 'escalationRate', 'reopenRate', 'issuesToImprovements'] as const;

function assertAdds(label: string, parts: number[], whole: number): void {
  assert.equal(parts.reduce((a, b) => a + b, 0), whole, `${label}: the groups add to ${parts.join(' + ')}, not ${whole}`);
}

function assertDistributionsCombine(label: string, parts: Distribution[], whole: Distribution): void {
  assertAdds(`${label} count`, parts.map((d) => d.count), whole.count);
  assertAdds(`${label} total`, parts.map((d) => d.totalMs), whole.totalMs);
  if (whole.count === 0) return;
  const weighted = parts.reduce((sum, d) => sum + (d.avgMs ?? 0) * d.count, 0) / whole.count;
  assert.ok(Math.abs(weighted - whole.avgMs!) <= 1e-9 * Math.max(1, whole.avgMs!), `${label}: weighted back ${weighted} is not the overall ${whole.avgMs}`);
  assert.equal(Math.max(...parts.filter((d) => d.count).map((d) => d.maxMs!)), whole.maxMs, `${label}: max`);
  assert.equal(Math.min(...parts.filter((d) => d.count).map((d) => d.minMs!)), whole.minMs, `${label}: min`);
  assert.ok(whole.minMs! <= whole.p50Ms! && whole.p50Ms! <= whole.p90Ms! && whole.p90Ms! <= whole.maxMs!, `${label}: min <= p50 <= p90 <= max`);
}

function assertSharesAdd(label: string, parts: Share[], whole: Share): void {
  assertAdds(`${label} count`, parts.map((s) => s.count), whole.count);
  assertAdds(`${label} of`, parts.map((s) => s.of), whole.of);
}

function assertStatsCombine(parts: Stats[], whole: Stats): void {
  for (const key of ['tickets', 'open', 'resolved', 'duplicates'] as const) assertAdds(key, parts.map((s) => s[key]), whole[key]);
  for (const metric of TIMED_METRICS) {
    for (const measure of ['calendar', 'business', 'sla'] as const) {
      assertDistributionsCombine(`${metric}.${measure}`, parts.map((s) => s.times[metric][measure]), whole.times[metric][measure]);
    }
  }
  for (const metric of METRICS) {
    assertSharesAdd(`${metric}.withinSla`, parts.map((s) => s.withinSla[metric]), whole.withinSla[metric]);
    assertAdds(`${metric} breaches`, parts.map((s) => s.breaches[metric]), whole.breaches[metric]);
    assertAdds(`${metric} warnings`, parts.map((s) => s.warnings[metric]), whole.warnings[metric]);
  }
  for (const key of SHARES) assertSharesAdd(key, parts.map((s) => s[key]), whole[key]);
  assertSharesAdd('csat.satisfied', parts.map((s) => s.csat.satisfied), whole.csat.satisfied);
  for (const key of ['csat', 'ces'] as const) {
    assertAdds(`${key} responses`, parts.map((s) => s[key].responses), whole[key].responses);
    assertAdds(`${key} total`, parts.map((s) => s[key].total), whole[key].total);
  }
}

describe('nearest-rank percentiles', () => {
  test('p50 of 1, 2, 3, 4 is 2 and p90 is 4; p50 of one value is that value; p90 of 1..10 is 9', () => {
    assert.deepEqual([percentile([1, 2, 3, 4], 50), percentile([1, 2, 3, 4], 90)], [2, 4]);
    assert.equal(percentile([7], 50), 7);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
    assert.deepEqual(distribution([40, 10, 30, 20]), { count: 4, totalMs: 100, avgMs: 25, p50Ms: 20, p90Ms: 40, minMs: 10, maxMs: 40 });
    assert.deepEqual(distribution([]), { count: 0, totalMs: 0 });
  });

  test('a percentile is always one of the values, and p50 <= p90', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 60 }), (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      const [p50, p90] = [percentile(sorted, 50), percentile(sorted, 90)];
      assert.ok(values.includes(p50) && values.includes(p90) && p50 <= p90);
      // At least half the values are at or below p50, and at least 90 % at or below p90.
      assert.ok(sorted.filter((v) => v <= p50).length >= values.length * 0.5);
      assert.ok(sorted.filter((v) => v <= p90).length >= values.length * 0.9);
    }), RUNS);
  });
});

describe('aggregates equal the sum of their parts', () => {
  test('any grouping, any period: group counts add to the total and weighted averages give the overall', () => {
    fc.assert(fc.property(fc.array(aMetricsRecord, { maxLength: 40 }), aGrouping, aPeriod, (records, groupBy, period) => {
      const agg = aggregate(records, { groupBy, ...(period ? { period } : {}) });
      const inPeriod = records.filter((r) => !period || (r.openedAt >= period.from && r.openedAt < period.to));
      assert.equal(agg.overall.tickets, inPeriod.length);
      assert.deepEqual(agg.records, inPeriod);
      assertStatsCombine(agg.groups.map((g) => g.stats), agg.overall);
      // Each group holds exactly the records with its key.
      for (const group of agg.groups) {
        const members = inPeriod.filter((r) => groupBy.every((d) => (d === 'category' ? (r.category ?? '(none)') : r[d]) === group.key[d]));
        assert.deepEqual(group.stats, statsOf(members));
      }
      // Grouping by nothing is one group, the overall.
      if (groupBy.length === 0 && inPeriod.length > 0) assert.deepEqual(agg.groups.map((g) => g.stats), [agg.overall]);
    }), RUNS);
  });

  test('two disjoint periods add up to the period that spans both', () => {
    fc.assert(fc.property(fc.array(aMetricsRecord, { maxLength: 40 }), fc.integer({ min: START, max: START + 30 * DAY }), (records, cut) => {
      const first = aggregate(records, { period: { from: START - DAY, to: cut } }).overall;
      const second = aggregate(records, { period: { from: cut, to: START + 32 * DAY } }).overall;
      assertStatsCombine([first, second], aggregate(records, { period: { from: START - DAY, to: START + 32 * DAY } }).overall);
    }), RUNS);
  });
});

const POLICIES = PRESETS.map((name) => loadPolicy(name));

function anEvent(priorities: string[]): fc.Arbitrary<TicketEvent> {
  const actor = fc.constantFrom('alice', 'bob');
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<TicketEvent>({ type: 'tick' }) },
    { weight: 3, arbitrary: actor.map((a): TicketEvent => ({ type: 'respond', actor: a, body: 'an answer' })) },
    { weight: 2, arbitrary: fc.constant<TicketEvent>({ type: 'customerMessage', body: 'more detail' }) },
    { weight: 1, arbitrary: actor.map((a): TicketEvent => ({ type: 'acknowledge', actor: a })) },
    { weight: 2, arbitrary: fc.tuple(actor, fc.constantFrom('customer', 'vendor', 'none') as fc.Arbitrary<'customer' | 'vendor' | 'none'>).map(([a, reason]): TicketEvent => ({ type: 'setPending', actor: a, reason })) },
    { weight: 1, arbitrary: fc.tuple(actor, fc.constantFrom(...priorities)).map(([a, priority]): TicketEvent => ({ type: 'setPriority', actor: a, priority })) },
    { weight: 1, arbitrary: actor.map((a): TicketEvent => ({ type: 'escalate', actor: a, reason: 'needs engineering' })) },
    { weight: 2, arbitrary: actor.map((a): TicketEvent => ({ type: 'resolve', actor: a, resolution: 'fixed' })) },
    { weight: 1, arbitrary: actor.map((a): TicketEvent => ({ type: 'reopen', actor: a })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }).map((score): TicketEvent => ({ type: 'recordCsat', actor: 'customer', score, effort: 3 })) },
  );
}

describe('records of real ticket lives', () => {
  test('time in the tiers adds up to the time open; waits are consistent; the record is plain JSON', () => {
    const aLife = fc.constantFrom(...POLICIES).chain((policy) =>
      fc.record({
        policy: fc.constant(policy),
        openedAt: fc.integer({ min: Date.UTC(2026, 0, 5), max: Date.UTC(2026, 10, 1) }),
        priority: fc.constantFrom(...policy.priorities.map((p) => p.id)),
        channel: fc.constantFrom(...policy.channels.map((c) => c.id)),
        steps: fc.array(fc.tuple(fc.integer({ min: 0, max: 2 * DAY }), anEvent(policy.priorities.map((p) => p.id))), { maxLength: 14 }),
      }),
    );
    fc.assert(fc.property(aLife, ({ policy, openedAt, priority, channel, steps }) => {
      let state = openTicket('T-life', intakeOf({ channel, priority, subject: 'A life' }), policy, openedAt).state;
      let now = openedAt;
      for (const [gap, event] of steps) {
        now += gap;
        state = decide(state, event, now).state;
      }
      const asOf = now + HOUR;
      const m = ticketMetrics(state, asOf);
      assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
      const openMs = openSpans(state, asOf).reduce((sum, s) => sum + s.to - s.from, 0);
      assert.equal(Object.values(m.tierMs).reduce((a, b) => a + b, 0), openMs, 'time in tiers = time open');
      assert.ok(m.pendingMs.customer + m.pendingMs.vendor <= asOf - openedAt);
      for (const wait of [m.firstResponse, m.resolution, m.triage, ...m.nextResponses]) {
        if (!wait) continue;
        assert.ok(wait.businessMs >= 0 && wait.businessMs <= wait.calendarMs, 'business time never exceeds wall-clock time');
      }
      if (m.firstResponse) assert.equal(m.firstResponse.calendarMs, m.firstResponseAt! - m.openedAt);
      if (m.resolution) assert.equal(m.resolution.calendarMs, m.resolvedAt! - m.openedAt);
      assert.equal(m.open, m.resolvedAt === undefined && m.closedAt === undefined);
      assert.equal(statsOf([m]).tickets, 1);
    }), { ...RUNS, numRuns: Math.ceil(RUNS.numRuns / 2) });
  });
});
