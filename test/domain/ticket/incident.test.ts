/**
 * A ticket that belongs to an incident: the link on its timeline and view, and, where the policy
 * pauses linked tickets' clocks, its customer-facing SLA clocks stopped while the incident is open
 * and running again at the unlink or the resolution, to the millisecond.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SystemEvent } from '../../../domain/ticket/commands.js';
import { decide } from '../../../domain/ticket/decide.js';
import { elapsedMs } from '../../../domain/sla/clock.js';
import { calendarOf } from '../../../domain/ticket/ticket-clocks.js';
import { viewTicket } from '../../../domain/ticket/view.js';
import { caroLikePolicy } from '../../fixtures/policies.js';
import { DAY, HOUR, MINUTE, TicketRun, at } from './ticket-run.js';

const TUESDAY_10 = at('2026-03-10 10:00');
const policy = caroLikePolicy({
  triage: { manual: true, rules: [] },
  sla: {
    warnings: [0.5, 0.75, 0.9],
    targets: [
      { name: 'triage', triage: { within: '1h' } },
      { name: 'P1', when: { priority: ['P1'] }, firstResponse: { within: '4h' }, resolution: { within: '3d' } },
      { name: 'default', firstResponse: { within: '24h' }, nextResponse: { within: '24h' }, resolution: { within: '1w' } },
    ],
  },
});

const linked = (pauseClocks: boolean, incidentId = 'I-1'): SystemEvent => ({ type: 'incidentLinked', incidentId, title: 'Logins fail', statusPageUrl: 'https://support.example.com/status/incidents/I-1', pauseClocks, });
const unlinked = (incidentId = 'I-1'): SystemEvent => ({ type: 'incidentUnlinked', incidentId });
const resolved = (resolveTicket: boolean, incidentId = 'I-1'): SystemEvent => ({ type: 'incidentResolved', incidentId, summary: 'Logins work again', resolveTicket, commander: 'alice' });

function p1Ticket(): TicketRun {
  return new TicketRun(policy, TUESDAY_10, { channel: 'email', priority: 'P1' });
}

describe('an incident that pauses its linked tickets’ clocks (linkedTicketClocks: pause)', () => {
  test('first response and resolution stop at the link and run again at the unlink, to the millisecond', () => {
    const ticket = p1Ticket();
    const linkAt = TUESDAY_10 + HOUR + 250;
    ticket.send(linked(true), linkAt);
    for (const metric of ['firstResponse', 'resolution'] as const) {
      const clock = ticket.clock(metric);
      assert.deepEqual([clock.status, clock.pausedBy, clock.accumulatedMs, clock.dueAt], ['paused', 'incident', HOUR + 250, null], metric);
    }
    assert.deepEqual(ticket.state.timeline.at(-1)?.data, { incidentId: 'I-1', pauseClocks: true, paused: ['firstResponse', 'resolution'] });
    const view = viewTicket(ticket.state, linkAt + MINUTE);
    assert.deepEqual(view.incident, { id: 'I-1', title: 'Logins fail', statusPageUrl: 'https://support.example.com/status/incidents/I-1', linkedAt: new Date(linkAt).toISOString(), clocksPaused: true });

    // Nothing breaches while the incident holds the clocks, however long it lasts.
    ticket.tickAt(TUESDAY_10 + 2 * DAY);
    assert.equal(ticket.clock('firstResponse').breachedAt, undefined);

    const unlinkAt = TUESDAY_10 + 2 * DAY + 1;
    ticket.send(unlinked(), unlinkAt);
    const firstResponse = ticket.clock('firstResponse');
    assert.deepEqual([firstResponse.status, firstResponse.pausedBy, firstResponse.dueAt], ['running', undefined, unlinkAt + 4 * HOUR - (HOUR + 250)]);
    assert.equal(ticket.clock('resolution').dueAt, unlinkAt + 3 * DAY - (HOUR + 250));
    assert.deepEqual(ticket.state.timeline.at(-1)?.data, { incidentId: 'I-1', resumed: ['firstResponse', 'resolution'] });
    assert.equal(viewTicket(ticket.state, unlinkAt).incident, undefined);
  });

  test('the team\'s own triage clock keeps running', () => {
    const ticket = new TicketRun(policy, TUESDAY_10, { channel: 'email' });
    ticket.send(linked(true), TUESDAY_10 + 10 * MINUTE);
    assert.deepEqual([ticket.clock('triage').status, ticket.clock('triage').dueAt], ['running', TUESDAY_10 + HOUR]);
    assert.equal(ticket.clock('firstResponse').status, 'paused');
  });

  test('the incident resolving resumes the clocks; with resolve-linked the ticket resolves with the summary and gets its follow-up', () => {
    const ticket = p1Ticket();
    ticket.send(linked(true), TUESDAY_10 + 30 * MINUTE);
    const effects = ticket.send(resolved(true), TUESDAY_10 + 5 * HOUR);
    assert.deepEqual([ticket.state.status, ticket.state.resolution, ticket.state.resolvedAt], ['resolved', 'Logins work again', TUESDAY_10 + 5 * HOUR]);
    // Resumed at the resolution, then met by it: 30 minutes counted, not five hours.
    assert.deepEqual([ticket.clock('resolution').status, elapsedMs(ticket.clock('resolution'), calendarOf(ticket.state, ticket.clock('resolution')), TUESDAY_10 + 5 * HOUR)], ['met', 30 * MINUTE]);
    const notice = effects.find((e) => e.type === 'notifyCustomer');
    assert.deepEqual(notice && notice.type === 'notifyCustomer' ? [notice.template, notice.body, notice.author] : [], ['resolution', 'Logins work again', 'alice']);
    assert.equal(ticket.state.followUp.dueAt, TUESDAY_10 + 5 * HOUR + DAY);
    assert.deepEqual(viewTicket(ticket.state, TUESDAY_10 + 6 * HOUR).incident?.resolvedAt, new Date(TUESDAY_10 + 5 * HOUR).toISOString());
    assert.deepEqual(ticket.timelineTypes().slice(-2), ['incident-resolved', 'resolved']);
  });

  test('with notify-linked the ticket stays open, its clocks run again from the resolution, and its engineer is told', () => {
    const ticket = p1Ticket();
    ticket.send(linked(true), TUESDAY_10 + 30 * MINUTE);
    const effects = ticket.send(resolved(false), TUESDAY_10 + 5 * HOUR);
    assert.equal(ticket.state.status, 'awaiting_first_response');
    assert.deepEqual([ticket.clock('firstResponse').status, ticket.clock('firstResponse').dueAt], ['running', TUESDAY_10 + 5 * HOUR + 3 * HOUR + 30 * MINUTE]);
    assert.ok(effects.some((e) => e.type === 'notifyTeam' && /stays open/.test(e.text)));
    assert.equal(viewTicket(ticket.state, TUESDAY_10 + 5 * HOUR).incident?.clocksPaused, false);
  });

  test('pending on the customer and an incident together: the reply ends the one, the clocks wait for the other', () => {
    const ticket = p1Ticket();
    ticket.send({ type: 'respond', actor: 'bob', body: 'Which browser?' }, TUESDAY_10 + 10 * MINUTE);
    ticket.send({ type: 'setPending', actor: 'bob', reason: 'customer' }, TUESDAY_10 + 11 * MINUTE);
    ticket.send(linked(true), TUESDAY_10 + 20 * MINUTE);
    assert.equal(ticket.clock('resolution').pausedBy, 'customer', 'the pending reason comes first');
    ticket.send({ type: 'customerMessage', body: 'Firefox' }, TUESDAY_10 + HOUR);
    assert.deepEqual([ticket.state.pending, ticket.clock('resolution').status, ticket.clock('resolution').pausedBy], [undefined, 'paused', 'incident']);
    // The next-response clock the reply starts starts paused.
    assert.deepEqual([ticket.clock('nextResponse').status, ticket.clock('nextResponse').pausedBy], ['paused', 'incident']);
    ticket.send(unlinked(), TUESDAY_10 + 2 * HOUR);
    assert.equal(ticket.clock('resolution').dueAt, TUESDAY_10 + 2 * HOUR + 3 * DAY - 11 * MINUTE);
    assert.equal(ticket.clock('nextResponse').dueAt, TUESDAY_10 + 2 * HOUR + DAY);
  });

  test('a ticket reopened while the incident is open reopens with its clocks held', () => {
    const ticket = p1Ticket();
    ticket.send(linked(true), TUESDAY_10 + 10 * MINUTE);
    ticket.send({ type: 'resolve', actor: 'bob', resolution: 'Workaround: use the app' }, TUESDAY_10 + 20 * MINUTE);
    ticket.send({ type: 'customerMessage', body: 'Still broken' }, TUESDAY_10 + HOUR);
    assert.equal(ticket.state.status, 'in_progress');
    assert.deepEqual([ticket.clock('resolution').status, ticket.clock('resolution').pausedBy], ['paused', 'incident']);
  });
});

describe('an incident that keeps its linked tickets’ clocks running (linkedTicketClocks: keep)', () => {
  test('the link shows on the ticket and nothing pauses: the first response still breaches on time', () => {
    const ticket = p1Ticket();
    ticket.send(linked(false), TUESDAY_10 + HOUR);
    assert.equal(ticket.clock('firstResponse').status, 'running');
    assert.equal(viewTicket(ticket.state, TUESDAY_10 + HOUR).incident?.clocksPaused, false);
    ticket.wake();
    assert.equal(ticket.clock('firstResponse').breachedAt, undefined);
    ticket.tickAt(TUESDAY_10 + 4 * HOUR);
    assert.equal(ticket.clock('firstResponse').breachedAt, TUESDAY_10 + 4 * HOUR);
  });
});

describe('repeated and stray incident messages change nothing', () => {
  test('the same link twice, an unlink or resolution from another incident, a second resolution', () => {
    const ticket = p1Ticket();
    ticket.send(linked(true), TUESDAY_10 + MINUTE);
    const state = ticket.state;
    for (const event of [linked(true), unlinked('I-2'), resolved(true, 'I-2')]) {
      assert.deepEqual(decide(state, event, TUESDAY_10 + 2 * MINUTE), { state, effects: [] });
    }
    ticket.send(resolved(false), TUESDAY_10 + 3 * MINUTE);
    assert.deepEqual(decide(ticket.state, resolved(true), TUESDAY_10 + 4 * MINUTE), { state: ticket.state, effects: [] });
  });

  test('a link to another incident moves the ticket there, with that incident’s clock rule', () => {
    const ticket = p1Ticket();
    ticket.send(linked(true), TUESDAY_10 + MINUTE);
    ticket.send(linked(false, 'I-2'), TUESDAY_10 + HOUR);
    assert.deepEqual([ticket.state.incident?.id, ticket.clock('firstResponse').status, ticket.clock('firstResponse').dueAt], ['I-2', 'running', TUESDAY_10 + 4 * HOUR + HOUR - MINUTE]);
    assert.deepEqual(ticket.state.timeline.at(-1)?.data, { incidentId: 'I-2', pauseClocks: false, paused: [], resumed: ['firstResponse', 'resolution'], replaces: 'I-1' });
  });
});
