/**
 * Properties of the incident decider over random lives of an incident: every preset, random
 * commands (refused ones too), timer ticks and page reports at non-decreasing instants, often at
 * the next wake-up. One broadcast per update per channel, with keys that a replay reproduces and
 * a repeated request never changes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Policy } from '../../../domain/policy/schema.js';
import { canApply, type IncidentCommand, type IncidentEvent } from '../../../domain/incident/commands.js';
import { declareIncident, decide, nextWake } from '../../../domain/incident/decide.js';
import type { IncidentDecision, IncidentEffect, IncidentState } from '../../../domain/incident/types.js';
import { loadPolicy } from '../../../policies/load.js';
import { caroLikePolicy } from '../../fixtures/policies.js';
import { HOUR, T0 } from './incident-run.js';

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 150), includeErrorInReport: true };
const POLICIES: readonly Policy[] = [caroLikePolicy(), loadPolicy('trkv'), loadPolicy('signx'), loadPolicy('caro'), loadPolicy('fm08'), loadPolicy('devrel')];
const ID = 'I-prop';

type TimeStep = { kind: 'wake' } | { kind: 'after'; ms: number };
const aTimeStep: fc.Arbitrary<TimeStep> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'wake' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'after' as const, ms: 0 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 * HOUR }).map((ms) => ({ kind: 'after' as const, ms })) },
);

function anEvent(policy: Policy): fc.Arbitrary<IncidentEvent> {
  const actor = fc.constantFrom('alice', 'bob');
  const requestId = fc.option(fc.constantFrom('req-1', 'req-2', 'req-3'), { nil: undefined });
  const command = <C extends IncidentCommand>(arb: fc.Arbitrary<C>): fc.Arbitrary<IncidentEvent> =>
    fc.tuple(arb, requestId).map(([c, id]) => (id === undefined ? c : { ...c, requestId: id }));
  const severities = [...policy.incidents.severities.map((s) => s.id), 'sev9'];
  const ticket = fc.constantFrom('T-1', 'T-2', 'T-3', '42');
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<IncidentEvent>({ type: 'tick' }) },
    {
      weight: 6,
      arbitrary: command(fc.record({
        type: fc.constant('postUpdate' as const), actor,
        status: fc.constantFrom('investigating' as const, 'identified' as const, 'monitoring' as const, 'resolved' as 'monitoring'),
        impact: fc.constantFrom('Logins fail', ''), message: fc.constantFrom('Working on it', 'Rolled back'),
        nextUpdateIn: fc.option(fc.constantFrom('10m', '1h', '30h'), { nil: undefined }),
        reason: fc.option(fc.constant('errors are back'), { nil: undefined }),
      }, { requiredKeys: ['type', 'actor', 'status', 'impact', 'message'] })),
    },
    { weight: 2, arbitrary: command(fc.record({ type: fc.constant('setSeverity' as const), actor, severity: fc.constantFrom(...severities) })) },
    command(fc.record({ type: fc.constant('setCommander' as const), actor, commander: fc.constantFrom('carol', 'alice', '') })),
    { weight: 2, arbitrary: command(fc.record({ type: fc.constant('linkTicket' as const), actor, ticketId: ticket, auto: fc.boolean() })) },
    { weight: 2, arbitrary: command(fc.record({ type: fc.constant('unlinkTicket' as const), actor, ticketId: ticket })) },
    command(fc.record({ type: fc.constant('resolve' as const), actor, summary: fc.constantFrom('Fixed', ''), rootCause: fc.constant('A migration') })),
    command(fc.record({ type: fc.constant('acknowledgePage' as const), actor })),
    fc.record({ type: fc.constant('pageProgress' as const), pageId: fc.constantFrom(`${ID}-page-1`, `${ID}-page-2`), kind: fc.constantFrom('paged' as const, 'exhausted' as const), person: fc.constant('pat') }),
    fc.constant<IncidentEvent>({ type: 'notificationOutcome', key: 'k', channel: 'discord', outcome: 'sent', attempts: 2 }),
  );
}

interface Scenario {
  policy: Policy;
  severity: string;
  steps: { time: TimeStep; event: IncidentEvent }[];
}

const aScenario: fc.Arbitrary<Scenario> = fc.constantFrom(...POLICIES).chain((policy) => fc.record({
  policy: fc.constant(policy),
  severity: fc.constantFrom(...policy.incidents.severities.map((s) => s.id)),
  steps: fc.array(fc.record({ time: aTimeStep, event: anEvent(policy) }), { minLength: 1, maxLength: 30 }),
}));

interface Step {
  before: IncidentState;
  event: IncidentEvent;
  now: number;
  decision: IncidentDecision;
}

function play(scenario: Scenario): { declared: IncidentDecision; steps: Step[] } {
  const declared = declareIncident(ID, { type: 'declare', actor: 'alice', title: 'Logins fail', severity: scenario.severity, impact: 'Users cannot log in', components: ['api'] }, scenario.policy, T0);
  let state = declared.state;
  let now = T0;
  const steps: Step[] = [];
  for (const { time, event } of scenario.steps) {
    const wake = nextWake(state);
    if (time.kind === 'after') now += time.ms;
    else if (wake !== undefined) now = Math.max(now, wake);
    const decision = decide(state, event, now);
    steps.push({ before: state, event, now, decision });
    state = decision.state;
  }
  return { declared, steps };
}

const isCommand = (event: IncidentEvent): event is IncidentCommand => 'actor' in event;
const allEffects = ({ declared, steps }: ReturnType<typeof play>): IncidentEffect[] => [...declared.effects, ...steps.flatMap((s) => s.decision.effects)];

describe('the incident decider over random command sequences', () => {
  test('one broadcast per update per channel, keyed by (update, channel); every key unique', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      const run = play(scenario);
      const effects = allEffects(run);
      const keys = effects.map((e) => e.key);
      assert.equal(new Set(keys).size, keys.length, `repeated keys: ${keys.filter((k, i) => keys.indexOf(k) !== i).join(', ')}`);
      const final = run.steps.at(-1)!.decision.state;
      const channels = scenario.policy.incidents.broadcast;
      const broadcasts = effects.flatMap((e) => (e.type === 'broadcastUpdate' ? [e] : []));
      assert.equal(broadcasts.length, final.updates.length * channels.length);
      for (const update of final.updates) {
        const mine = broadcasts.filter((b) => b.update === update.number);
        assert.deepEqual(mine.map((b) => b.channel), channels);
        assert.deepEqual(mine.map((b) => b.key), channels.map((c) => `${ID}/${update.seq}/broadcast/${c}`));
        assert.ok(mine.every((b) => b.final === (update.status === 'resolved')));
      }
      assert.ok(final.updates.filter((u) => u.status === 'resolved').length <= 1, 'more than one final update');
    }), RUNS);
  });

  test('a refused or repeated command changes nothing but the passing of time', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      for (const { before, event, now, decision } of play(scenario).steps) {
        if (!isCommand(event)) continue;
        const ticked = decide(before, { type: 'tick' }, now);
        const repeated = event.requestId !== undefined && ticked.state.requests[event.requestId] !== undefined;
        if (!repeated && canApply(ticked.state, event) === undefined) continue;
        assert.deepEqual(decision, ticked);
      }
    }), RUNS);
  });

  test('a request id applies once: the same command again, at any later instant, is only a tick', () => {
    fc.assert(fc.property(aScenario, fc.integer({ min: 0, max: 5 * HOUR }), (scenario, later) => {
      for (const { event, now, decision } of play(scenario).steps) {
        if (!isCommand(event) || event.requestId === undefined || !decision.state.requests[event.requestId]) continue;
        assert.deepEqual(decide(decision.state, event, now + later), decide(decision.state, { type: 'tick' }, now + later));
      }
    }), RUNS);
  });

  test('replaying the same commands at the same instants gives the same states and the same keys', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      const first = play(scenario);
      const again = play(scenario);
      assert.deepEqual(again, first);
      assert.deepEqual(allEffects(again).map((e) => e.key), allEffects(first).map((e) => e.key));
    }), { ...RUNS, numRuns: Math.ceil(RUNS.numRuns / 3) });
  });

  test('the state is plain data: carried through JSON halfway (continue-as-new), the incident decides the same', () => {
    fc.assert(fc.property(aScenario, fc.nat(), (scenario, cut) => {
      const { steps } = play(scenario);
      let state: IncidentState = JSON.parse(JSON.stringify(steps[cut % steps.length]!.before));
      for (const { event, now, decision } of steps.slice(cut % steps.length)) {
        const carried = decide(state, event, now);
        assert.deepEqual(carried.effects, decision.effects);
        assert.deepEqual(JSON.parse(JSON.stringify(carried.state)), JSON.parse(JSON.stringify(decision.state)));
        state = carried.state;
      }
    }), { ...RUNS, numRuns: Math.ceil(RUNS.numRuns / 3) });
  });

  test('after every decision the next wake-up lies in the future; the timeline is numbered and in time order', () => {
    fc.assert(fc.property(aScenario, (scenario) => {
      for (const { now, decision } of play(scenario).steps) {
        const wake = nextWake(decision.state);
        assert.ok(wake === undefined || wake > now, `wake ${wake} is not after ${now}`);
        if (decision.state.status === 'resolved') assert.equal(wake, undefined);
      }
      const { timeline, seq } = play(scenario).steps.at(-1)!.decision.state;
      assert.deepEqual(timeline.map((e) => e.seq), timeline.map((_, i) => i + 1));
      assert.equal(seq, timeline.length);
      for (let i = 1; i < timeline.length; i++) assert.ok(timeline[i]!.at >= timeline[i - 1]!.at);
    }), RUNS);
  });
});

describe('the generator reaches the interesting places', () => {
  test('updates, reminders, overdue updates, pages, links and resolutions all occur', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(aScenario, (scenario) => {
      const { declared, steps } = play(scenario);
      for (const entry of (steps.at(-1)?.decision.state ?? declared.state).timeline) seen.add(entry.type);
      for (const { before, event } of steps) if (isCommand(event) && canApply(before, event) !== undefined) seen.add('refused');
    }), { numRuns: 100, seed: 1 });
    for (const type of ['update', 'update-reminder', 'update-overdue', 'severity', 'page-started', 'page-acknowledged', 'ticket-linked', 'ticket-unlinked', 'resolved', 'refused']) {
      assert.ok(seen.has(type), `no scenario reached '${type}'`);
    }
  });
});
