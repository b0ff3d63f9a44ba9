/**
 * Properties of the ticket decider over random lives of a ticket: every preset, random intake,
 * then random commands, customer messages, timer ticks and delivery reports at non-decreasing
 * instants (often exactly at the next wake-up, where deadlines and warnings fall), tier moves and
 * page reports included. Commands that canApply refuses are fed too: decide must ignore them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import util from 'node:util';
import fc from 'fast-check';
import { PolicySchema, type Policy } from '../../../domain/policy/schema.js';
import { elapsedMs } from '../../../domain/sla/clock.js';
import { canApply, type Command, type TicketEvent } from '../../../domain/ticket/commands.js';
import { decide, nextWake, openTicket } from '../../../domain/ticket/decide.js';
import { calendarOf, holdOf } from '../../../domain/ticket/ticket-clocks.js';
import type { Decision, Effect, TicketState } from '../../../domain/ticket/types.js';
import { loadPolicy } from '../../../policies/load.js';
import { caroLikePolicy } from '../../fixtures/policies.js';
import { DAY, HOUR, intakeOf } from './ticket-run.js';

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 150), includeErrorInReport: true };

const NINE_TO_FIVE = [{ start: '09:00', end: '17:00' }];
const caroLike = caroLikePolicy();
/** The same table on New York office hours: migrating onto it moves 24/7 clocks onto business time. */
const caroLikeOffice = caroLikePolicy({
  version: 2,
  calendars: { office: { timeZone: 'America/New_York', week: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE }, holidays: [] } },
  defaultCalendar: 'office',
});
/**
 * Targets by tag, plan, account, channel and keyword, some unnamed, the bench's shape: most of
 * them can never apply to any one ticket, and the ticket carries only those that can.
 */
const byFacts = caroLikePolicy({
  id: 'test-facts',
  sla: {
    targets: [
      ...[0, 1, 2].map((k) => ({ when: { tags: [`due-${k}`] }, firstResponse: { within: `${30 + k}m` } })),
      { name: 'enterprise', when: { plan: ['enterprise'], priority: ['P0', 'P1'] }, firstResponse: { within: '15m' }, resolution: { within: '4h' } },
      { when: { account: ['acme'] }, nextResponse: { within: '2h' } },
      { name: 'outage words', when: { keywords: ['outage'] }, firstResponse: { within: '10m' } },
      { when: { channel: ['email'], tags: ['vip', 'due-1'] }, resolution: { within: '1d' } },
      { name: 'triaged vip', when: { tags: ['vip'] }, periodicUpdate: { within: '3h' } },
      { name: 'rest', when: {}, firstResponse: { within: '8h' }, nextResponse: { within: '1d' }, resolution: { within: '1w' } },
    ],
  },
  triage: { manual: false, rules: [{ when: { keywords: ['down'] }, set: { tags: ['vip'], priority: 'P1' } }] },
});
const POLICIES: readonly Policy[] = [caroLike, byFacts, loadPolicy('caro'), loadPolicy('signx'), loadPolicy('trkv'), loadPolicy('fm08'), loadPolicy('devrel')];
const MIGRATIONS = new Map<Policy, Policy>(POLICIES.map((p) => [p, p === caroLike ? caroLikeOffice : { ...p, version: p.version + 1 }]));

const TICKET_ID = 'T-prop';

/** Instants through 2026, often on the weekends the New York clocks change. */
const anInstant = fc.oneof(
  fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 1) }),
  fc.integer({ min: Date.UTC(2026, 2, 5), max: Date.UTC(2026, 2, 10) }),
  fc.integer({ min: Date.UTC(2026, 9, 29), max: Date.UTC(2026, 10, 3) }),
);

type TimeStep = { kind: 'wake' } | { kind: 'just-before-wake' } | { kind: 'after'; ms: number };
const aTimeStep: fc.Arbitrary<TimeStep> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'wake' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'just-before-wake' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'after' as const, ms: 0 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: HOUR }).map((ms) => ({ kind: 'after' as const, ms })) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 4 * DAY }).map((ms) => ({ kind: 'after' as const, ms })) },
);

function anEvent(policy: Policy): fc.Arbitrary<TicketEvent> {
  const actor = fc.constantFrom('alice', 'bob');
  const requestId = fc.option(fc.constantFrom('req-1', 'req-2', 'req-3'), { nil: undefined });
  const command = <C extends Command>(arb: fc.Arbitrary<C>): fc.Arbitrary<TicketEvent> =>
    fc.tuple(arb, requestId).map(([c, id]) => (id === undefined ? c : { ...c, requestId: id }));
  const priorities = [...policy.priorities.map((p) => p.id), 'P9'];
  const tiers = [...policy.tiers.map((t) => t.id), 'nowhere'];
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant<TicketEvent>({ type: 'tick' }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('customerMessage' as const), body: fc.constantFrom('more detail', 'still broken'), automatic: fc.boolean() }) },
    fc.constant<TicketEvent>({ type: 'teamCardPosted', channel: 'C1', ts: '1.1' }),
    fc.constant<TicketEvent>({ type: 'notificationOutcome', key: 'k', channel: 'slack', outcome: 'sent', attempts: 1 }),
    { weight: 2, arbitrary: command(fc.record({ type: fc.constant('acknowledge' as const), actor })) },
    { weight: 3, arbitrary: command(fc.record({ type: fc.constant('respond' as const), actor, body: fc.constantFrom('On it', ' ') })) },
    command(fc.record({ type: fc.constant('note' as const), actor, body: fc.constant('internal') })),
    { weight: 2, arbitrary: command(fc.record({ type: fc.constant('setPriority' as const), actor, priority: fc.constantFrom(...priorities) })) },
    command(fc.record({ type: fc.constant('assign' as const), actor, assignee: fc.constantFrom('carol', '') })),
    { weight: 3, arbitrary: command(fc.record({ type: fc.constant('setPending' as const), actor, reason: fc.constantFrom('customer' as const, 'vendor' as const, 'none' as const) })) },
    { weight: 2, arbitrary: command(fc.record({ type: fc.constant('resolve' as const), actor, resolution: fc.constantFrom('Fixed', '') })) },
    command(fc.record({ type: fc.constant('reopen' as const), actor })),
    command(fc.record({ type: fc.constant('close' as const), actor })),
    command(fc.record({ type: fc.constant('markDuplicate' as const), actor, of: fc.constantFrom('T-original', TICKET_ID, '42') })),
    command(fc.record({ type: fc.constant('recordCsat' as const), actor, score: fc.integer({ min: 0, max: 6 }) })),
    command(fc.constant({ type: 'migratePolicy' as const, actor: 'admin', policy: MIGRATIONS.get(policy)! })),
    command(fc.record({ type: fc.constantFrom('escalate' as const, 'deescalate' as const), actor, reason: fc.constantFrom('needs engineering', ''), to: fc.option(fc.constantFrom(...tiers), { nil: undefined }) }, { requiredKeys: ['type', 'actor', 'reason'] })),
    fc.record({ type: fc.constant('pageProgress' as const), pageId: fc.constantFrom(`${TICKET_ID}-page-1`, `${TICKET_ID}-page-2`), kind: fc.constantFrom('paged' as const, 'skipped' as const, 'exhausted' as const, 'failed' as const), person: fc.constant('pat') }),
    { weight: 2, arbitrary: fc.record({ type: fc.constant('incidentLinked' as const), incidentId: fc.constantFrom('I-1', 'I-2'), title: fc.constant('Outage'), pauseClocks: fc.boolean() }) },
    fc.record({ type: fc.constant('incidentUnlinked' as const), incidentId: fc.constantFrom('I-1', 'I-2') }),
    fc.record({ type: fc.constant('incidentResolved' as const), incidentId: fc.constantFrom('I-1', 'I-2'), summary: fc.constant('Fixed with the incident'), resolveTicket: fc.boolean() }),
  );
}

/** Every value the policy's conditions name, so that intakes meet them (and miss them). */
function conditionValues(policy: Policy): { tags: string[]; plans: string[]; accounts: string[]; keywords: string[] } {
  const whens = [...policy.sla.targets, ...policy.escalation.rules, ...policy.escalation.paging, ...policy.triage.rules].map((r) => r.when);
  const all = (pick: (w: (typeof whens)[number]) => string[] | undefined, other: string) => [...new Set([...whens.flatMap((w) => pick(w) ?? []), other])];
  return { tags: all((w) => w.tags, 'other'), plans: all((w) => w.plan, 'free'), accounts: all((w) => w.account, 'initech'), keywords: all((w) => w.keywords, 'thanks') };
}

interface Scenario {
  policy: Policy;
  openedAt: number;
  intake: { channel: string; priority?: string; subject: string; description?: string; tags?: string[]; plan?: string; account?: string };
  steps: { time: TimeStep; event: TicketEvent }[];
}

const aScenario: fc.Arbitrary<Scenario> = fc.constantFrom(...POLICIES).chain((policy) => fc.record({
  policy: fc.constant(policy),
  openedAt: anInstant,
  intake: fc.record({
    channel: fc.constantFrom(...policy.channels.map((c) => c.id)),
    priority: fc.option(fc.constantFrom(...policy.priorities.map((p) => p.id)), { nil: undefined }),
    subject: fc.constantFrom('Question about exports', 'Production down', 'Service outage', 'Urgent: deploys blocked'),
    description: fc.subarray(conditionValues(policy).keywords, { maxLength: Math.min(2, conditionValues(policy).keywords.length) }).map((words) => words.join(' and ')),
    tags: fc.subarray(conditionValues(policy).tags, { maxLength: Math.min(3, conditionValues(policy).tags.length) }),
    plan: fc.constantFrom(...conditionValues(policy).plans),
    account: fc.constantFrom(...conditionValues(policy).accounts),
  }, { requiredKeys: ['channel', 'subject'] }),
  steps: fc.array(fc.record({ time: aTimeStep, event: anEvent(policy) }), { minLength: 1, maxLength: 25 }),
}));

interface Step {
  before: TicketState;
  event: TicketEvent;
  now: number;
  decision: Decision;
}

/**
 * Plays a scenario; every instant comes from the scenario or from nextWake. With `whole`, the
 * ticket carries its whole policy (or the one it migrated to) instead of the part that can apply
 * to it: the reference that `policyForTicket` must not change.
 */
function play(scenario: Scenario, whole = false): { opened: Decision; steps: Step[] } {
  const opened = openTicket(TICKET_ID, intakeOf(scenario.intake), scenario.policy, scenario.openedAt);
  const migrated = MIGRATIONS.get(scenario.policy)!;
  const carry = (s: TicketState): TicketState => (whole ? { ...s, policy: s.policy.version === migrated.version ? migrated : scenario.policy } : s);
  let state = carry(opened.state);
  let now = scenario.openedAt;
  const steps: Step[] = [];
  for (const { time, event } of scenario.steps) {
    const wake = nextWake(state);
    if (time.kind === 'after') now += time.ms;
    else if (wake !== undefined) now = Math.max(now, time.kind === 'wake' ? wake : wake - 1);
    const decision = decide(state, event, now);
    steps.push({ before: state, event, now, decision });
    state = carry(decision.state);
  }
  return { opened, steps };
}

const isCommand = (event: TicketEvent): event is Command => 'actor' in event;
const OPEN_STATUSES = new Set(['new', 'triaged', 'awaiting_first_response', 'in_progress', 'pending_customer', 'pending_vendor']);

describe('the ticket decider over random command sequences', () => {
  test('decide never throws, and a refused or repeated command changes nothing but the passing of time', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      for (const { before, event, now, decision } of play(scenario).steps) {
        if (!isCommand(event)) continue;
        // canApply judges the ticket as it stands at `now`: what fell due first (a page) can change the answer.
        const ticked = decide(before, { type: 'tick' }, now);
        const repeated = event.requestId !== undefined && ticked.state.requests[event.requestId] !== undefined;
        if (!repeated && canApply(ticked.state, event) === undefined) continue;
        assert.deepEqual(decision, ticked);
        const wake = nextWake(before);
        if (wake === undefined || wake > now) {
          assert.equal(decision.state, before);
          assert.deepEqual(decision.effects, []);
        }
      }
    }), RUNS);
  });

  test('a clock breaches at exactly its due instant, never after now; only a new target moves or forgives a breach', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      for (const { before, event, now, decision } of play(scenario).steps) {
        for (const clock of decision.state.clocks) {
          const was = before.clocks.find((c) => c.id === clock.id);
          if (clock.breachedAt === was?.breachedAt) continue;
          if (was?.breachedAt !== undefined) assert.ok(event.type === 'setPriority' || event.type === 'migratePolicy', `${clock.id}'s breach changed on ${event.type}`);
          if (clock.breachedAt === undefined) continue;
          assert.ok(clock.breachedAt <= now, `${clock.id} breached in the future`);
          assert.ok(clock.breachedAt === was?.dueAt || clock.breachedAt === clock.dueAt,
            `${clock.id} breached at ${clock.breachedAt}, not at its due instant (${was?.dueAt} before, ${clock.dueAt} after)`);
        }
      }
    }), RUNS);
  });

  test('a clock met before its deadline never breaches; one met at or after it has breached at the deadline', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      for (const { before, now, decision } of play(scenario).steps) {
        for (const clock of decision.state.clocks) {
          const was = before.clocks.find((c) => c.id === clock.id);
          if (!was) continue;
          if (was.status === 'met' && clock.status === 'met') assert.equal(clock.breachedAt, was.breachedAt, `met ${clock.id} breached`);
          if (was.status === 'met' && clock.status !== 'met') {
            assert.equal(clock.metric, 'resolution', `only a reopen runs a met clock again, and only the resolution clock; ${clock.id} did`);
            assert.equal(decision.state.reopenCount, before.reopenCount + 1);
          }
          if (was.status === 'stopped') assert.equal(clock.status, 'stopped');
          if (was.status === 'running' && clock.status === 'met' && was.dueAt !== null && was.breachedAt === undefined) {
            assert.equal(clock.breachedAt, was.dueAt <= now ? was.dueAt : undefined, `${clock.id} met at ${now}, due ${was.dueAt}`);
          }
        }
      }
    }), RUNS);
  });

  test('nextWake lies after now for an open ticket, and exists while a deadline is pending', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      const { opened, steps } = play(scenario);
      const checks = [{ state: opened.state, now: scenario.openedAt }, ...steps.map((s) => ({ state: s.decision.state, now: s.now }))];
      for (const { state, now } of checks) {
        const wake = nextWake(state);
        if (state.status === 'closed') {
          assert.equal(wake, undefined);
          continue;
        }
        if (wake !== undefined) assert.ok(wake > now, `nextWake ${wake} is not after now ${now}`);
        const awaited = state.clocks.filter((c) => c.status === 'running' && c.dueAt !== null && c.breachedAt === undefined);
        if (awaited.length > 0) assert.ok(wake !== undefined && wake <= Math.min(...awaited.map((c) => c.dueAt!)), 'no wake-up before a pending deadline');
      }
    }), RUNS);
  });

  test('elapsed working time is monotone: a decision neither adds nor takes back time a clock counted', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      let previousNow = scenario.openedAt;
      for (const { before, now, decision } of play(scenario).steps) {
        for (const was of before.clocks) {
          const clock = decision.state.clocks.find((c) => c.id === was.id);
          assert.ok(clock, `clock ${was.id} disappeared`);
          const elapsedThen = elapsedMs(was, calendarOf(before, was), previousNow);
          const elapsedNow = elapsedMs(was, calendarOf(before, was), now);
          assert.ok(elapsedNow >= elapsedThen, `${was.id} counted backwards from ${elapsedThen} to ${elapsedNow}`);
          assert.equal(elapsedMs(clock, calendarOf(decision.state, clock), now), elapsedNow, `${was.id}: ${before.policy.id} → ${decision.state.policy.id}`);
          assert.ok(elapsedNow <= now - was.startedAt);
        }
        previousNow = now;
      }
    }), RUNS);
  });

  test('status, pending and clocks agree: paused exactly what the pending reason or an open incident holds, one counting clock per metric', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      for (const { decision: { state } } of play(scenario).steps) {
        const { status, pending } = state;
        assert.equal(pending?.reason, status === 'pending_customer' ? 'customer' : status === 'pending_vendor' ? 'vendor' : undefined, `status ${status}`);
        if (OPEN_STATUSES.has(status) && !pending) {
          const expected = state.firstResponseAt !== undefined ? 'in_progress' : state.triaged ? 'awaiting_first_response' : 'new';
          assert.equal(status, expected);
        }
        for (const clock of state.clocks) {
          const hold = holdOf(state, clock.metric);
          if (clock.status === 'paused') assert.equal(clock.pausedBy, hold, `${clock.id} paused on a ${status} ticket${state.incident ? ` linked to ${state.incident.id}` : ''}`);
          if (clock.status === 'running') assert.equal(hold, undefined, `${clock.id} runs on a ticket held by ${hold}`);
        }
        const counting = state.clocks.filter((c) => c.status === 'running' || c.status === 'paused').map((c) => c.metric);
        assert.equal(new Set(counting).size, counting.length, `two counting clocks of one metric: ${counting.join(', ')}`);
        if (!OPEN_STATUSES.has(status)) assert.deepEqual(counting, [], `clocks still count on a ${status} ticket`);
      }
    }), RUNS);
  });

  test('effects have unique idempotency keys; the timeline is numbered and in time order; one repeat notice per clock per decision', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      const { opened, steps } = play(scenario);
      const all: Effect[] = [...opened.effects, ...steps.flatMap((s) => s.decision.effects)];
      const keys = all.map((e) => e.key);
      assert.equal(new Set(keys).size, keys.length, `repeated keys: ${keys.filter((k, i) => keys.indexOf(k) !== i).join(', ')}`);
      const { timeline, seq } = steps.at(-1)!.decision.state;
      // Numbered in order; a repeat that folded its predecessor counts it, so nothing goes uncounted.
      for (let i = 1; i < timeline.length; i++) assert.ok(timeline[i]!.seq > timeline[i - 1]!.seq);
      const folds = timeline.reduce((n, e) => n + (Number(e.data?.['folded']) || 1) - 1, 0);
      assert.equal(seq, timeline.length + folds);
      for (let i = 1; i < timeline.length; i++) assert.ok(timeline[i]!.at >= timeline[i - 1]!.at);
      for (const { decision } of steps) {
        const repeats = decision.effects.flatMap((e) => (e.type === 'notifyTeam' && e.event === 'sla-breach-repeat' ? [e.text] : []));
        assert.equal(new Set(repeats).size, repeats.length, `repeat notices caught up one by one: ${repeats.join('; ')}`);
      }
    }), RUNS);
  });

  test('replaying the same events at the same instants gives deep-equal states and effects (determinism)', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      assert.deepEqual(play(scenario), play(scenario));
    }), { ...RUNS, numRuns: Math.ceil(RUNS.numRuns / 3) });
  });

  test('the state is plain data: carried through JSON halfway (continue-as-new), the ticket decides the same', () => {
    fc.assert(fc.property(aScenario, fc.nat(), (scenario, cut) => {
      const { steps } = play(scenario);
      const half = cut % steps.length;
      let state: TicketState = JSON.parse(JSON.stringify(steps[half]!.before));
      for (const { event, now, decision } of steps.slice(half)) {
        const carried = decide(state, event, now);
        assert.deepEqual(carried.effects, decision.effects);
        assert.deepEqual(JSON.parse(JSON.stringify(carried.state)), JSON.parse(JSON.stringify(decision.state)));
        state = carried.state;
      }
    }), { ...RUNS, numRuns: Math.ceil(RUNS.numRuns / 3) });
  });

  test('a ticket carrying only the part of its policy that can apply to it decides as under the whole policy', () => {
    const withoutPolicy = ({ policy: _policy, ...rest }: TicketState) => rest;
    let pruned = 0;
    fc.assert(fc.property(aScenario, (scenario) => {
      const part = play(scenario);
      const whole = play(scenario, true);
      assert.deepEqual(part.opened.effects, whole.opened.effects);
      part.steps.forEach((step, i) => {
        const reference = whole.steps[i]!;
        assert.equal(step.now, reference.now, `step ${i} at another instant`);
        assert.deepEqual(step.decision.effects, reference.decision.effects, `step ${i} (${step.event.type}): other effects`);
        assert.deepEqual(withoutPolicy(step.decision.state), withoutPolicy(reference.decision.state), `step ${i} (${step.event.type}): another state`);
      });
      // The part is a policy in its own right, whose rules are the whole's (a target may gain the
      // name of its place), in the same order.
      const carried = part.opened.state.policy;
      assert.ok(PolicySchema.safeParse(carried).success, JSON.stringify(PolicySchema.safeParse(carried).error?.issues[0]));
      const isSubsequence = <T>(kept: readonly T[], all: readonly T[], same: (a: T, b: T) => boolean) => {
        let at = 0;
        return kept.every((rule) => {
          while (at < all.length && !same(rule, all[at]!)) at++;
          return at++ < all.length;
        });
      };
      const unnamed = ({ name: _name, ...rest }: { name?: string | undefined }) => rest;
      assert.ok(isSubsequence(carried.sla.targets, scenario.policy.sla.targets, (a, b) => (b.name === undefined ? util.isDeepStrictEqual(unnamed(a), b) : util.isDeepStrictEqual(a, b))));
      assert.ok(isSubsequence(carried.escalation.rules, scenario.policy.escalation.rules, util.isDeepStrictEqual));
      assert.ok(isSubsequence(carried.escalation.paging, scenario.policy.escalation.paging, util.isDeepStrictEqual));
      if (carried.sla.targets.length < scenario.policy.sla.targets.length) pruned++;
    }), RUNS);
    assert.ok(pruned > RUNS.numRuns / 4, `rules left out in ${pruned} of ${RUNS.numRuns} tickets only`);
  });

  test('a request id applies once: the same command again, at any later instant, is only a tick', () => {
    fc.assert(fc.property(aScenario, fc.integer({ min: 0, max: 3 * DAY }), (scenario, later) => {
      for (const { event, now, decision } of play(scenario).steps) {
        if (!isCommand(event) || event.requestId === undefined || !decision.state.requests[event.requestId]) continue;
        assert.deepEqual(decide(decision.state, event, now + later), decide(decision.state, { type: 'tick' }, now + later));
        const again = decide(decision.state, event, now);
        assert.equal(again.state, decision.state);
        assert.deepEqual(again.effects, []);
      }
    }), RUNS);
  });
});

describe('the generator reaches the interesting places', () => {
  test('breaches, pauses, reopens, refusals and closes all occur', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(aScenario, (scenario) => {
      for (const { before, event, decision } of play(scenario).steps) {
        for (const entry of decision.state.timeline.slice(before.timeline.length)) seen.add(entry.type);
        if (isCommand(event) && canApply(before, event) !== undefined) seen.add('refused');
      }
    }), { numRuns: 100, seed: 1 });
    for (const type of ['sla-warning', 'sla-breach', 'sla-breach-repeat', 'pending', 'resumed', 'resolved', 'reopened', 'follow-up', 'closed', 'policy-migrated', 'escalated', 'page-started', 'incident-linked', 'incident-unlinked', 'incident-resolved', 'refused']) {
      assert.ok(seen.has(type), `no scenario reached '${type}'`);
    }
  });
});
