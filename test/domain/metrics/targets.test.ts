/**
 * Each preset's report targets, as its seed states them, judged pass and fail on hand-made records;
 * the schema refuses targets that cannot be judged; boundaries are exact.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate } from '../../../domain/metrics/aggregate.js';
import { evaluateTargets, type TargetResult } from '../../../domain/metrics/targets.js';
import type { TicketMetrics } from '../../../domain/metrics/ticket-metrics.js';
import { MetricTargetSchema, type Policy } from '../../../domain/policy/schema.js';
import { loadPolicy, parsePolicy, PolicyError, presetPath } from '../../../policies/load.js';
import { readFileSync } from 'node:fs';
import { aRecord, hours, resolved } from './records.js';

const judged = (policy: Policy, records: TicketMetrics[]) =>
  evaluateTargets(policy, aggregate(records)).map((r): [string, string, number | undefined, boolean | null] => [r.label, r.target, r.actual, r.pass]);

/** `n` copies of a record made by `make`. */
const times = (n: number, make: () => TicketMetrics) => Array.from({ length: n }, make);
const sla = (firstResponse: boolean, resolution?: boolean) => ({
  firstResponse: { clocks: 1, targetMs: 3_600_000, calendar: '24x7', warnings: 0, breaches: firstResponse ? 0 : 1, withinSla: firstResponse },
  ...(resolution !== undefined ? { resolution: { clocks: 1, targetMs: 3_600_000, calendar: '24x7', warnings: 0, breaches: resolution ? 0 : 1, withinSla: resolution } } : {}),
});

describe('SIGN X: P1 first response < 4 h, P1 resolution < 24 h, CSAT > 4.5, self-service > 60 %, escalation < 20 %', () => {
  const signx = loadPolicy('signx');

  test('a good week passes every target', () => {
    const records = [
      resolved({ priority: 'P1', firstResponse: hours(3), resolution: hours(20), csat: 5, escalated: true }),
      resolved({ priority: 'P1', firstResponse: hours(3.5), resolution: hours(22), csat: 5 }),
      ...times(4, () => resolved({ priority: 'P2', deflected: true, selfService: 'deflected', csat: 4.6 })),
    ];
    assert.deepEqual(judged(signx, records), [
      ['P1 first response < 4 hours', '< 4 h', 3.25, true],
      ['P1 resolution < 24 hours', '< 24 h', 21, true],
      ['Customer satisfaction > 4.5/5.0', '> 4.5', 4.733333333333333, true],
      ['Self-service rate > 60 %', '> 60 %', 66.66666666666667, true],
      ['Escalation rate < 20 % (escalated to Tier 3)', '< 20 %', 16.666666666666668, true],
    ]);
  });

  test('a bad week fails every target; exactly 4 h is not under 4 h, and exactly 4.5 is not above 4.5', () => {
    const records = [
      resolved({ priority: 'P1', firstResponse: hours(4), resolution: hours(30), csat: 4.5, escalated: true }),
      ...times(4, () => aRecord({ priority: 'P2', escalated: false })),
    ];
    assert.deepEqual(judged(signx, records).map(([label, , , pass]) => [label, pass]), [
      ['P1 first response < 4 hours', false],
      ['P1 resolution < 24 hours', false],
      ['Customer satisfaction > 4.5/5.0', false],
      ['Self-service rate > 60 %', false],
      ['Escalation rate < 20 % (escalated to Tier 3)', false],
    ]);
  });

  test('a P1 target is judged on P1 tickets only: P2 answers do not pull the average down', () => {
    const records = [resolved({ priority: 'P1', firstResponse: hours(5) }), ...times(5, () => resolved({ priority: 'P2', firstResponse: hours(1) }))];
    const [p1] = evaluateTargets(signx, aggregate(records));
    assert.deepEqual([p1!.actual, p1!.basis, p1!.pass, p1!.when], [5, 1, false, { priority: ['P1'] }]);
  });

  test('business time is the default; a ticket whose wait ran overnight counts its working hours', () => {
    const overnight = resolved({ priority: 'P1', firstResponse: { calendarMs: 17 * 3_600_000, businessMs: 3 * 3_600_000, slaMs: 3 * 3_600_000, calendar: 'business-hours' } });
    assert.deepEqual([evaluateTargets(signx, aggregate([overnight]))[0]!.actual, evaluateTargets(signx, aggregate([overnight]))[0]!.time], [3, 'business']);
  });
});

describe('DevRel: community response < 24 h, resolution rate > 80 %, CSAT > 4.0, deflection > 60 %', () => {
  const devrel = loadPolicy('devrel');

  test('passes: community answered in 20 h on average (tickets channel left out), 5 of 6 resolved, CSAT 4.2, 4 of 6 deflected', () => {
    const records = [
      resolved({ channel: 'forum', firstResponse: hours(16), csat: 4 }),
      resolved({ channel: 'discord', firstResponse: hours(24), csat: 4.4 }),
      resolved({ channel: 'tickets', firstResponse: hours(47), deflected: true }),
      ...times(3, () => resolved({ channel: 'forum', deflected: true })),
    ].map((r, i) => (i === 5 ? { ...r, resolvedAt: undefined, open: true } as TicketMetrics : r));
    assert.deepEqual(judged(devrel, records), [
      ['Community response time < 24 hours', '< 24 h', 20, true],
      ['Resolution rate > 80 %', '> 80 %', 500 / 6, true],
      ['CSAT score > 4.0/5', '> 4', 4.2, true],
      ['Ticket deflection > 60 %', '> 60 %', 400 / 6, true],
    ]);
  });

  test('fails: exactly 80 % resolved is not above 80 %; CSAT 4.0 is not above 4.0; no deflection', () => {
    const records = [...times(4, () => resolved({ channel: 'forum', firstResponse: hours(30), csat: 4 })), aRecord({ channel: 'forum' })];
    assert.deepEqual(judged(devrel, records).map(([, , actual, pass]) => [actual, pass]), [[30, false], [80, false], [4, false], [0, false]]);
  });
});

describe('Caro: first response < 2 h average, > 95 % within SLA, P0 100 % < 1 h, resolved within SLA > 90 %, CSAT > 4.5, reopened < 5 %, escalation < 10 %', () => {
  const caro = loadPolicy('caro');

  test('twenty tickets within SLA, two P0s answered in time, one reopen in twenty-one resolved: every target passes; resolution time is tracked', () => {
    const records = [
      ...times(18, () => resolved({ priority: 'P2', firstResponse: hours(1.5), resolution: hours(10), sla: sla(true, true), csat: 5 })),
      ...times(2, () => resolved({ priority: 'P0', firstResponse: hours(0.5), resolution: hours(4), sla: sla(true, true), csat: 5 })),
      resolved({ priority: 'P2', firstResponse: hours(1), resolution: hours(8), reopenCount: 1 }),
    ];
    const results = evaluateTargets(caro, aggregate(records));
    assert.deepEqual(results.map((r) => [r.label, r.pass]), [
      ['Average first response time < 2 hours', true],
      ['Issues responded to within SLA > 95 %', true],
      ['P0 response time < 1 hour, 100 %', true],
      ['Average resolution time', null],
      ['Issues resolved within SLA > 90 %', true],
      ['User satisfaction > 4.5/5.0', true],
      ['Reopened issues < 5 %', true],
      ['Escalation rate < 10 %', true],
    ]);
    const tracked = results.find((r) => r.label === 'Average resolution time')!;
    assert.deepEqual([tracked.target, tracked.actual], ['tracked', (18 * 10 + 2 * 4 + 8) / 21]);
  });

  test('one P0 past its hour fails "100 %"; 19 of 20 within SLA is 95 %, not above it', () => {
    const records = [
      ...times(18, () => resolved({ priority: 'P2', firstResponse: hours(1), sla: sla(true) })),
      resolved({ priority: 'P0', firstResponse: hours(0.5), sla: sla(true) }),
      resolved({ priority: 'P0', firstResponse: hours(1.5), sla: sla(false), escalated: true }),
      ...times(2, () => resolved({ priority: 'P2', reopenCount: 1, escalated: true })),
    ];
    const results = new Map(evaluateTargets(caro, aggregate(records)).map((r): [string, TargetResult] => [r.label, r]));
    assert.deepEqual([results.get('Issues responded to within SLA > 95 %')!.actual, results.get('Issues responded to within SLA > 95 %')!.pass], [95, false]);
    assert.deepEqual([results.get('P0 response time < 1 hour, 100 %')!.actual, results.get('P0 response time < 1 hour, 100 %')!.pass], [50, false]);
    assert.equal(results.get('Reopened issues < 5 %')!.pass, false);
    assert.equal(results.get('Escalation rate < 10 %')!.pass, false);
    assert.equal(results.get('User satisfaction > 4.5/5.0')!.pass, null, 'no survey answers: no data, neither pass nor fail');
  });
});

describe('TRKV: first response < 2 h, resolution < 24 h, satisfaction rate > 90 %, resolution rate > 95 %', () => {
  const trkv = loadPolicy('trkv');

  test('passes with fast answers, all satisfied and everything resolved', () => {
    const records = times(10, () => resolved({ firstResponse: hours(1), resolution: hours(12), csat: 5 }));
    assert.deepEqual(judged(trkv, records).map(([, , actual, pass]) => [actual, pass]), [[1, true], [12, true], [100, true], [100, true]]);
  });

  test('fails: 3 h answers, 30 h resolutions, 9 of 10 satisfied (90 % is not above 90 %), 19 of 20 resolved', () => {
    const records = [
      ...times(9, () => resolved({ firstResponse: hours(3), resolution: hours(30), csat: 4 })),
      resolved({ firstResponse: hours(3), resolution: hours(30), csat: 3 }),
      ...times(9, () => resolved({})),
      aRecord({}),
    ];
    assert.deepEqual(judged(trkv, records).map(([, , actual, pass]) => [actual, pass]), [[3, false], [30, false], [90, false], [95, false]]);
  });
});

describe('FM-08: four measures, no numbers: tracked, never pass or fail', () => {
  test('first response, resolution, customer effort and the issues-to-improvements ratio are reported with their actuals', () => {
    const fm08 = loadPolicy('fm08');
    const issue = (state: 'open' | 'closed') => ({ url: 'https://github.com/fm08/app/issues/1', state });
    const records = [
      resolved({ firstResponse: hours(2), resolution: hours(10), ces: 2, engineeringIssue: issue('closed') }),
      resolved({ firstResponse: hours(4), resolution: hours(20), ces: 4, engineeringIssue: issue('open') }),
      resolved({ firstResponse: hours(3), resolution: hours(30) }),
    ];
    assert.deepEqual(judged(fm08, records), [
      ['First response time (how fast we acknowledge the issue)', 'tracked', 3, null],
      ['Resolution time (how fast we actually fix it)', 'tracked', 20, null],
      ['Customer effort score (how hard did the customer have to work?)', 'tracked', 3, null],
      ['Issues-to-improvements ratio', 'tracked', 50, null],
    ]);
  });
});

describe('pass and fail are exact', () => {
  test('57 of 100 is 57 %: not under a 57 % target, and no floating-point crumbs in the actual', () => {
    const policy = { ...loadPolicy('trkv'), metrics: { targets: [{ label: 'Escalation < 57 %', metric: 'escalationRate' as const, op: '<' as const, value: 57, unit: '%' as const }], knowledgeBaseAfter: 2 } };
    const records = [...times(57, () => aRecord({ escalated: true })), ...times(43, () => aRecord({}))];
    assert.deepEqual(judged(policy, records), [['Escalation < 57 %', '< 57 %', 57, false]]);
  });
});

describe('the metrics section of a policy is checked', () => {
  const refusal = (target: unknown) => {
    const result = MetricTargetSchema.safeParse(target);
    return result.success ? undefined : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };

  test('durations need a time unit, rates a percent, scores none; op and value go together', () => {
    assert.match(refusal({ label: 'x', metric: 'firstResponse.avg', op: '<', value: 4 })!, /unit: firstResponse.avg is a duration: give a unit of s, m, h or d/);
    assert.match(refusal({ label: 'x', metric: 'escalationRate', op: '<', value: 0.2 })!, /unit: escalationRate is a rate: give unit '%'/);
    assert.match(refusal({ label: 'x', metric: 'escalationRate', op: '<', value: 120, unit: '%' })!, /value: 120 is not a percentage from 0 to 100/);
    assert.match(refusal({ label: 'x', metric: 'csat.avg', op: '>', value: 6 })!, /value: 6 is above the survey's scale of 1 to 5/);
    assert.match(refusal({ label: 'x', metric: 'csat.avg', op: '>' })!, /value: give both 'op' and 'value'/);
    assert.match(refusal({ label: 'x', metric: 'csat.avg', value: 4, time: 'calendar' })!, /time: 'time' applies to durations only/);
    assert.equal(refusal({ label: 'Tracked', metric: 'resolution.avg', unit: 'h' }), undefined);
  });

  test('unknown priorities, channels and tiers in a target, or an unknown escalation tier, are refused with the file line', () => {
    const text = readFileSync(presetPath('signx'), 'utf8')
      .replace('escalationTier: tier3', 'escalationTier: tier9')
      .replace('unit: h\n      when: { priority: [P1] }', 'unit: h\n      when: { priority: [P7] }');
    assert.throws(() => parsePolicy(text, 'policies/signx.yaml'), (error: unknown) => {
      assert.ok(error instanceof PolicyError);
      assert.match(error.message, /metrics\.escalationTier: unknown tier 'tier9'; expected one of tier1, tier2, tier3, tier4 \(line \d+\)/);
      assert.match(error.message, /metrics\.targets\[0\]\.when\.priority\[0\]: unknown priority 'P7'; expected one of P0, P1, P2, P3 \(line \d+\)/);
      return true;
    });
  });
});
