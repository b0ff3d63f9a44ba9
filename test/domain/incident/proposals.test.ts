/**
 * Bursts of tickets propose an incident ("five tickets of the same category or component within
 * ten minutes"); a person confirms by declaring. Proposals never declare, and never repeat for
 * the same burst.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { componentsOf } from '../../../domain/incident/components.js';
import { NO_PROPOSALS, incidentsForTicket, observeOpening, openingOf, watchedOpening, type IncidentProposal, type ProposalState, type TicketOpening } from '../../../domain/incident/proposals.js';
import { openTicket } from '../../../domain/ticket/decide.js';
import type { PolicyInput } from '../../../domain/policy/schema.js';
import { caroLikePolicy } from '../../fixtures/policies.js';
import { intakeOf } from '../ticket/ticket-run.js';
import { MINUTE, T0 } from './incident-run.js';

const policyWith = (proposals: NonNullable<PolicyInput['incidents']>['proposals']) => caroLikePolicy({ incidents: { proposals } });
const fivePerTenMinutes = policyWith([{ by: 'category', count: 5, within: '10m' }]);

let serial = 0;
function opening(at: number, fields: Partial<TicketOpening> = {}): TicketOpening {
  serial += 1;
  return { ticketId: `T-${serial}`, at, priority: 'P2', channel: 'email', category: 'login', components: [], tags: [], ...fields };
}

/** Feeds openings in order; returns every proposal and the final state. */
function feed(policy: ReturnType<typeof caroLikePolicy>, openings: readonly TicketOpening[], state: ProposalState = NO_PROPOSALS) {
  const proposals: IncidentProposal[] = [];
  for (const o of openings) {
    const out = observeOpening(state, o, policy);
    state = out.state;
    proposals.push(...out.proposals);
  }
  return { state, proposals };
}

describe('five tickets of the same category within ten minutes', () => {
  test('the fifth proposes, once, with the burst of tickets', () => {
    const burst = [0, 2, 4, 6, 8].map((m) => opening(T0 + m * MINUTE));
    const { proposals } = feed(fivePerTenMinutes, burst);
    assert.equal(proposals.length, 1);
    const [proposal] = proposals;
    assert.deepEqual(
      { ...proposal, key: undefined },
      { key: undefined, rule: 'rule 1', by: 'category', value: 'login', count: 5, within: '10m', tickets: burst.map((o) => o.ticketId), from: T0, to: T0 + 8 * MINUTE, title: '5 tickets about category login within 10m', components: [] },
    );
    assert.equal(proposal!.key, `proposal/1/category:login/${burst[0]!.ticketId}`);
  });

  test('four do not', () => {
    assert.deepEqual(feed(fivePerTenMinutes, [0, 1, 2, 3].map((m) => opening(T0 + m * MINUTE))).proposals, []);
  });

  test('a sixth in the same window does not propose again', () => {
    const { state, proposals } = feed(fivePerTenMinutes, [0, 1, 2, 3, 4].map((m) => opening(T0 + m * MINUTE)));
    assert.equal(proposals.length, 1);
    assert.deepEqual(observeOpening(state, opening(T0 + 5 * MINUTE), fivePerTenMinutes).proposals, []);
  });

  test('the window is ten minutes to the millisecond: five spread over exactly 10 min propose, over 10 min and 1 ms do not', () => {
    assert.equal(feed(fivePerTenMinutes, [0, 1, 2, 3].map((m) => opening(T0 + m * MINUTE)).concat(opening(T0 + 10 * MINUTE))).proposals.length, 1);
    assert.equal(feed(fivePerTenMinutes, [0, 1, 2, 3].map((m) => opening(T0 + m * MINUTE)).concat(opening(T0 + 10 * MINUTE + 1))).proposals.length, 0);
  });

  test('a burst that keeps going stays one proposal; after a quiet window, a new burst proposes again', () => {
    const steady = Array.from({ length: 20 }, (_, i) => opening(T0 + i * 2 * MINUTE));
    const first = feed(fivePerTenMinutes, steady);
    assert.equal(first.proposals.length, 1, 'twenty tickets two minutes apart are one burst');
    const quietUntil = T0 + 19 * 2 * MINUTE + 10 * MINUTE + 1;
    const second = feed(fivePerTenMinutes, [0, 1, 2, 3, 4].map((m) => opening(quietUntil + m * MINUTE)), first.state);
    assert.equal(second.proposals.length, 1);
    assert.equal(second.proposals[0]!.from, quietUntil);
  });

  test('the same ticket fed twice counts once', () => {
    const again = opening(T0);
    assert.deepEqual(feed(fivePerTenMinutes, [again, again, again, again, again]).proposals, []);
  });

  test('other categories, and tickets without one, do not count', () => {
    const mixed = [opening(T0, { category: 'billing' }), ...[1, 2, 3].map((m) => opening(T0 + m * MINUTE)), opening(T0 + 4 * MINUTE, { category: undefined })];
    assert.deepEqual(feed(fivePerTenMinutes, mixed).proposals, []);
  });

  test('openings that arrive out of order still make a burst', () => {
    const { proposals } = feed(fivePerTenMinutes, [4, 0, 3, 1, 2].map((m) => opening(T0 + m * MINUTE)));
    assert.equal(proposals.length, 1);
    assert.equal(proposals[0]!.from, T0);
  });
});

describe('by component or tag, and only tickets matching `when`', () => {
  test("components come from 'component:' tags; each component counts on its own", () => {
    assert.deepEqual(componentsOf(['component:API', 'security', 'component: web-app ', 'component:API', 'component:bad name']), ['api', 'web-app']);
    const policy = policyWith([{ name: 'Same component', by: 'component', count: 3, within: '10m' }]);
    const tickets = [
      opening(T0, { components: ['api', 'login'] }),
      opening(T0 + MINUTE, { components: ['api'] }),
      opening(T0 + 2 * MINUTE, { components: ['login', 'api'] }),
    ];
    const { proposals } = feed(policy, tickets);
    assert.deepEqual(proposals.map((p) => [p.rule, p.value, p.tickets.length, p.components]), [['Same component', 'api', 3, ['api']]]);
  });

  test('a rule with a condition counts only the tickets that match it', () => {
    const policy = policyWith([{ by: 'tag', count: 3, within: '10m', when: { priority: ['P0', 'P1'] } }]);
    const tickets = [opening(T0, { tags: ['sso'], priority: 'P0' }), opening(T0 + MINUTE, { tags: ['sso'], priority: 'P3' }), opening(T0 + 2 * MINUTE, { tags: ['sso'], priority: 'P1' })];
    assert.deepEqual(feed(policy, tickets).proposals, []);
    assert.equal(feed(policy, [...tickets, opening(T0 + 3 * MINUTE, { tags: ['sso'], priority: 'P0' })]).proposals.length, 1);
  });

  test("a ticket's opening comes from the core's ticket, after triage rules set its category and tags", () => {
    const policy = caroLikePolicy({ triage: { manual: false, rules: [{ when: { keywords: ['login'] }, set: { category: 'auth', tags: ['component:sso'] } }] } });
    const ticket = openTicket('T-open', intakeOf({ channel: 'email', subject: 'Login broken', tags: ['component:API'] }), policy, T0).state;
    const o = openingOf(ticket);
    assert.deepEqual([o.ticketId, o.at, o.category, o.components, o.priority], ['T-open', T0, 'auth', ['api', 'sso'], 'P2']);
  });

  test('the watcher hears of an opening only when it can link the ticket by component or its policy proposes incidents', () => {
    const plain = caroLikePolicy();
    const open = (policy: ReturnType<typeof caroLikePolicy>, tags: string[]) => openTicket('T-w', intakeOf({ channel: 'email', subject: 'Slow', tags }), policy, T0).state;
    assert.equal(watchedOpening(open(plain, ['billing'])), undefined);
    assert.deepEqual(watchedOpening(open(plain, ['component:api']))?.components, ['api']);
    assert.equal(watchedOpening(open(fivePerTenMinutes, ['billing']))?.ticketId, 'T-w');
  });
});

describe('linking new tickets to open incidents by component', () => {
  test('an open incident sharing a component takes the ticket; a resolved one, or one without it, does not', () => {
    const incidents = [
      { id: 'I-old', status: 'resolved' as const, components: ['api'] },
      { id: 'I-db', status: 'identified' as const, components: ['db'] },
      { id: 'I-api', status: 'investigating' as const, components: ['api', 'web'] },
    ];
    assert.deepEqual(incidentsForTicket(['api'], incidents), ['I-api']);
    assert.deepEqual(incidentsForTicket(['db', 'web'], incidents), ['I-db', 'I-api']);
    assert.deepEqual(incidentsForTicket([], incidents), []);
  });
});
