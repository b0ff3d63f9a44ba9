/**
 * The ticket decider, fed events and instants: the seed tables as scenarios, in milliseconds and
 * without a server. Every instant is given; no test reads a clock.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Policy } from '../../../domain/policy/schema.js';
import { canApply, type Command } from '../../../domain/ticket/commands.js';
import { decide, nextWake, openTicket } from '../../../domain/ticket/decide.js';
import { loadPolicy } from '../../../policies/load.js';
import { caroLikePolicy } from '../../fixtures/policies.js';
import { DAY, HOUR, MINUTE, TicketRun, at, intakeOf, teamEventsOf, wall } from './ticket-run.js';

/** Tuesday 2026-03-10 10:00 New York: a working morning for every preset. */
const TUESDAY_10 = at('2026-03-10 10:00');
const engineer = { actor: 'alice' } as const;

describe("Caro's P0-P3 first-response table (1h / 4h / 24h / 48h), counted 24/7", () => {
  const policy = caroLikePolicy();
  const table = [['P0', 1 * HOUR], ['P1', 4 * HOUR], ['P2', 24 * HOUR], ['P3', 48 * HOUR]] as const;

  for (const [priority, target] of table) {
    test(`a ${priority} ticket left unanswered breaches at exactly ${target / HOUR}h, not when the tick sees it`, () => {
      const ticket = new TicketRun(policy, TUESDAY_10, { channel: 'email', priority });
      assert.equal(ticket.clock('firstResponse').dueAt, TUESDAY_10 + target);
      assert.deepEqual(teamEventsOf(ticket.tickAt(TUESDAY_10 + target - 1)).filter((e) => e === 'sla-breach'), []);
      // The shell wakes late (a worker restart): the breach still dates from the deadline.
      assert.deepEqual(teamEventsOf(ticket.tickAt(TUESDAY_10 + target + 5 * MINUTE)).filter((e) => e === 'sla-breach'), ['sla-breach']);
      const clock = ticket.clock('firstResponse');
      assert.equal(clock.breachedAt, TUESDAY_10 + target);
      assert.equal(ticket.state.timeline.find((e) => e.type === 'sla-breach')?.data?.observedAt, TUESDAY_10 + target + 5 * MINUTE);
    });

    test(`a ${priority} ticket answered a millisecond before ${target / HOUR}h meets its target and never breaches`, () => {
      const ticket = new TicketRun(policy, TUESDAY_10, { channel: 'email', priority });
      ticket.send({ type: 'respond', ...engineer, body: 'We are on it' }, TUESDAY_10 + target - 1);
      const clock = ticket.clock('firstResponse');
      assert.deepEqual([clock.status, clock.metAt, clock.breachedAt], ['met', TUESDAY_10 + target - 1, undefined]);
      ticket.tickAt(TUESDAY_10 + 30 * DAY);
      assert.equal(ticket.clock('firstResponse').breachedAt, undefined);
    });
  }

  test('a reply at the due instant itself is late: the breach is recorded first, then the reply', () => {
    const ticket = new TicketRun(policy, TUESDAY_10, { channel: 'email', priority: 'P0' });
    ticket.send({ type: 'respond', ...engineer, body: 'Sorry for the wait' }, TUESDAY_10 + HOUR);
    const clock = ticket.clock('firstResponse');
    assert.deepEqual([clock.status, clock.breachedAt, clock.metAt], ['met', TUESDAY_10 + HOUR, TUESDAY_10 + HOUR]);
    assert.deepEqual(ticket.timelineTypes().filter((t) => t === 'sla-breach' || t === 'responded'), ['sla-breach', 'responded']);
  });

  test('the auto-reply is not a response: the clock keeps running after it', () => {
    const ticket = new TicketRun(policy, TUESDAY_10, { channel: 'email', priority: 'P1' });
    assert.ok(ticket.effects.some((e) => e.type === 'notifyCustomer' && e.template === 'auto-reply'));
    assert.equal(ticket.clock('firstResponse').status, 'running');
    assert.equal(ticket.state.status, 'awaiting_first_response');
  });

  test('an acknowledgement does not stop the clock where a public reply is the first response', () => {
    const ticket = new TicketRun(policy, TUESDAY_10, { channel: 'email', priority: 'P1' });
    ticket.send({ type: 'acknowledge', ...engineer }, TUESDAY_10 + MINUTE);
    assert.deepEqual([ticket.clock('firstResponse').status, ticket.state.assignee], ['running', 'alice']);
  });

  test('repeats while breached: one notice an hour, from the breach', () => {
    const ticket = new TicketRun(policy, TUESDAY_10, { channel: 'email', priority: 'P0' });
    ticket.tickAt(TUESDAY_10 + HOUR);
    assert.equal(nextWake(ticket.state), TUESDAY_10 + 2 * HOUR);
    assert.deepEqual(teamEventsOf(ticket.wake()), ['sla-breach-repeat']);
    assert.equal(nextWake(ticket.state), TUESDAY_10 + 3 * HOUR);
  });

  test('a ticket breached for months carries one "still breached" entry per clock, counting the folded ones', () => {
    const ticket = new TicketRun(policy, TUESDAY_10, { channel: 'email', priority: 'P0' });
    ticket.tickAt(TUESDAY_10 + HOUR);
    let notices = 0;
    for (let i = 0; i < 24 * 90; i++) {
      const effects = ticket.wake();
      for (const effect of effects) {
        if (effect.type === 'notifyTeam' && effect.event === 'sla-breach-repeat') notices++;
        if (effect.type === 'notifyTeam') ticket.send({ type: 'notificationOutcome', key: effect.key, channel: 'slack', outcome: 'sent', attempts: 1 });
      }
    }
    const repeats = ticket.state.timeline.filter((e) => e.type === 'sla-breach-repeat');
    const sent = ticket.state.timeline.filter((e) => e.type === 'notification-sent' && String(e.data?.['key']).endsWith('/sla-breach-repeat'));
    assert.equal(repeats.length, new Set(repeats.map((e) => e.data?.['clock'])).size, 'one entry per clock');
    assert.ok(repeats.length === 2 && sent.length === 1, 'first response and resolution both repeat');
    assert.equal(repeats.reduce((n, e) => n + Number(e.data?.['folded'] ?? 1), 0), notices, 'every notice is counted');
    assert.equal(sent[0]!.data?.['folded'], notices);
    assert.ok(ticket.state.timeline.length < 40, `timeline of ${ticket.state.timeline.length} entries`);
    assert.ok(JSON.stringify(ticket.state).length < 64 * 1024);
    const seqs = ticket.state.timeline.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  });
});

describe('each preset: a ticket breaches its first-response target at the due instant, or meets it', () => {
  /** Opens the ticket, checks its due instant, then plays it both ways. */
  function bothWays(policy: Policy, openedAt: number, fields: Parameters<typeof intakeOf>[0], expectedDue: string, answer: Command, timeZone?: string) {
    const late = new TicketRun(policy, openedAt, fields);
    const due = late.clock('firstResponse').dueAt!;
    assert.equal(wall(due, timeZone), expectedDue);
    late.tickAt(due - 1);
    assert.equal(late.clock('firstResponse').breachedAt, undefined, 'not yet breached a millisecond before');
    late.wake();
    assert.equal(late.now, due, 'the next wake-up is the deadline');
    assert.equal(late.clock('firstResponse').breachedAt, due);
    assert.ok(late.state.timeline.some((e) => e.type === 'sla-breach' && e.data?.clock === 'firstResponse'));

    const onTime = new TicketRun(policy, openedAt, fields);
    onTime.send(answer, due - MINUTE);
    assert.deepEqual([onTime.clock('firstResponse').status, onTime.clock('firstResponse').metAt], ['met', due - MINUTE]);
    onTime.tickAt(due + 60 * DAY);
    assert.equal(onTime.clock('firstResponse').breachedAt, undefined);
  }

  const reply: Command = { type: 'respond', ...engineer, body: 'Here is what we found' };
  const acknowledge: Command = { type: 'acknowledge', ...engineer };

  test('Caro: a P1 GitHub issue at 10:00 is due at 14:00 (4 work hours); an acknowledgement meets it', () => {
    bothWays(loadPolicy('caro'), TUESDAY_10, { channel: 'github', priority: 'P1' }, '2026-03-10 14:00', acknowledge);
  });

  test('Caro: an untriaged ticket must be triaged within one work hour, and setting its priority triages it', () => {
    const ticket = new TicketRun(loadPolicy('caro'), at('2026-03-13 16:30'), { channel: 'email' });
    assert.deepEqual([ticket.state.status, ticket.state.triaged], ['new', false]);
    assert.equal(wall(ticket.clock('triage').dueAt), '2026-03-16 08:30');
    ticket.send({ type: 'setPriority', ...engineer, priority: 'P1' }, at('2026-03-16 08:15'));
    assert.deepEqual([ticket.clock('triage').status, ticket.state.status, ticket.state.triaged], ['met', 'awaiting_first_response', true]);
    assert.equal(wall(ticket.clock('firstResponse').dueAt), '2026-03-16 11:30', 'P1: 4 work hours from Friday 16:30');
  });

  test('SIGN X: a P1 chat at 17:00 on Friday is due at 11:00 on Monday (help-desk hours); a public reply meets it', () => {
    bothWays(loadPolicy('signx'), at('2026-03-13 17:00'), { channel: 'chat', priority: 'P1' }, '2026-03-16 11:00', reply);
  });

  test('TRKV: "Service outage" is Critical, due within 1 hour around the clock', () => {
    bothWays(loadPolicy('trkv'), at('2026-03-14 03:00'), { channel: 'discord', subject: 'Service outage in EU' }, '2026-03-14 04:00', reply);
  });

  test('TRKV: an untriaged email is held to Medium, 12 hours', () => {
    bothWays(loadPolicy('trkv'), TUESDAY_10, { channel: 'email', subject: 'Export looks wrong' }, '2026-03-10 22:00', reply);
  });

  test('FM-08: enterprise Slack is answered within 4 hours; acknowledging the issue is the first response', () => {
    bothWays(loadPolicy('fm08'), at('2026-03-14 22:00', 'UTC'), { channel: 'enterprise-slack' }, '2026-03-15 02:00', acknowledge, 'UTC');
  });

  test('FM-08: "production down" on GitHub is critical, 1 hour', () => {
    bothWays(loadPolicy('fm08'), TUESDAY_10, { channel: 'github', subject: 'Production down after upgrade' }, '2026-03-10 11:00', acknowledge);
  });

  test('DevRel: live chat is answered within 15 minutes', () => {
    bothWays(loadPolicy('devrel'), TUESDAY_10, { channel: 'live-chat' }, '2026-03-10 10:15', reply);
  });

  test('DevRel: a normal support ticket within 48 hours, an urgent one within 24', () => {
    bothWays(loadPolicy('devrel'), TUESDAY_10, { channel: 'tickets' }, '2026-03-12 10:00', reply);
    bothWays(loadPolicy('devrel'), TUESDAY_10, { channel: 'tickets', subject: 'Urgent: deploys fail' }, '2026-03-11 10:00', reply);
  });
});

describe('warnings at the fractions of the target the policy names', () => {
  test('a 4h P1 warns at 50 %, 75 % and 90 % (2:00, 3:00, 3:36), then breaches at 4:00', () => {
    const ticket = new TicketRun(caroLikePolicy(), TUESDAY_10, { channel: 'email', priority: 'P1' });
    const wakes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const events = teamEventsOf(ticket.wake()).filter((e) => e.startsWith('sla-'));
      wakes.push(`${wall(ticket.now)} ${events.join(',')}`);
    }
    assert.deepEqual(wakes, [
      '2026-03-10 12:00 sla-warning',
      '2026-03-10 13:00 sla-warning',
      '2026-03-10 13:36 sla-warning',
      '2026-03-10 14:00 sla-breach',
    ]);
  });

  test('a policy warning only at 80 % warns once, at 48 minutes into a 1h target', () => {
    const base = caroLikePolicy();
    const policy = caroLikePolicy({ sla: { ...base.sla, warnings: [0.8] } });
    const ticket = new TicketRun(policy, TUESDAY_10, { channel: 'email', priority: 'P0' });
    assert.deepEqual(teamEventsOf(ticket.wake()), ['sla-warning']);
    assert.equal(ticket.now, TUESDAY_10 + 48 * MINUTE);
    assert.match(ticket.state.timeline.at(-1)!.summary, /firstResponse at 80% of 1h/);
    assert.deepEqual(teamEventsOf(ticket.wake()).filter((e) => e.startsWith('sla-')), ['sla-breach']);
  });

  test('on business hours a warning waits for the desk to open: SIGN X P1 at Friday 16:00 warns at 18:00 Friday and 09:00 Monday', () => {
    const ticket = new TicketRun(loadPolicy('signx'), at('2026-03-13 16:00'), { channel: 'chat', priority: 'P1' });
    for (let i = 0; i < 4; i++) ticket.wake();
    const warnings = ticket.state.timeline.filter((e) => e.type === 'sla-warning' && e.data?.clock === 'firstResponse').map((e) => wall(e.data!.at as number));
    assert.deepEqual(warnings, ['2026-03-13 18:00', '2026-03-16 09:00', '2026-03-16 09:36']);
    assert.equal(wall(ticket.clock('firstResponse').breachedAt), '2026-03-16 10:00');
  });

  test('a warning point passed while the ticket was re-prioritised fires at once, then the breach at its instant', () => {
    const ticket = new TicketRun(caroLikePolicy(), TUESDAY_10, { channel: 'email', priority: 'P2' });
    const effects = ticket.send({ type: 'setPriority', ...engineer, priority: 'P0', reason: 'customers are down' }, TUESDAY_10 + 50 * MINUTE);
    assert.deepEqual(teamEventsOf(effects).filter((e) => e.startsWith('sla-')), ['sla-warning', 'sla-warning']);
    assert.equal(ticket.clock('firstResponse').dueAt, TUESDAY_10 + HOUR);
    assert.equal(nextWake(ticket.state), TUESDAY_10 + 54 * MINUTE);
  });
});

describe('pending on the customer pauses the clocks the policy names; the customer’s reply resumes them', () => {
  test('resolution pauses while waiting on the customer and resumes with the time it had left', () => {
    const ticket = new TicketRun(caroLikePolicy(), TUESDAY_10, { channel: 'email', priority: 'P0' });
    ticket.send({ type: 'respond', ...engineer, body: 'Which version are you on?' }, TUESDAY_10 + 10 * MINUTE);
    ticket.send({ type: 'setPending', ...engineer, reason: 'customer' }, TUESDAY_10 + 2 * HOUR);
    assert.deepEqual([ticket.state.status, ticket.clock('resolution').status, ticket.clock('resolution').dueAt], ['pending_customer', 'paused', null]);
    assert.equal(ticket.clock('resolution').accumulatedMs, 2 * HOUR);
    // Two days later, long past the 24h resolution target on the wall clock: nothing has breached.
    ticket.tickAt(TUESDAY_10 + 2 * DAY);
    assert.equal(ticket.clock('resolution').breachedAt, undefined);

    ticket.send({ type: 'customerMessage', body: 'v2.3.1, sorry for the delay' }, TUESDAY_10 + 2 * DAY);
    assert.equal(ticket.state.status, 'in_progress');
    assert.equal(ticket.state.pending, undefined);
    assert.deepEqual([ticket.clock('resolution').status, ticket.clock('resolution').dueAt], ['running', TUESDAY_10 + 2 * DAY + 22 * HOUR]);
    assert.equal(ticket.clock('nextResponse').dueAt, TUESDAY_10 + 3 * DAY, 'the customer now waits for our next response: 24h');
  });

  test('waiting on the customer does not stop the first-response clock', () => {
    const ticket = new TicketRun(caroLikePolicy(), TUESDAY_10, { channel: 'email', priority: 'P0' });
    ticket.send({ type: 'setPending', ...engineer, reason: 'customer' }, TUESDAY_10 + 5 * MINUTE);
    ticket.tickAt(TUESDAY_10 + HOUR);
    assert.equal(ticket.clock('firstResponse').breachedAt, TUESDAY_10 + HOUR);
  });

  test('SIGN X: waiting on a vendor stops only the resolution clock; the requester still gets periodic updates', () => {
    const ticket = new TicketRun(loadPolicy('signx'), TUESDAY_10, { channel: 'phone', priority: 'P0' });
    ticket.send({ type: 'respond', ...engineer, body: 'Escalated to AWS' }, TUESDAY_10 + 5 * MINUTE);
    ticket.send({ type: 'setPending', ...engineer, reason: 'vendor', note: 'AWS case 123' }, TUESDAY_10 + 10 * MINUTE);
    assert.equal(ticket.state.status, 'pending_vendor');
    assert.equal(ticket.clock('resolution').status, 'paused');
    assert.equal(ticket.clock('periodicUpdate').status, 'running');
    // A customer message does not end a vendor wait.
    ticket.send({ type: 'customerMessage', body: 'any news?' }, TUESDAY_10 + 20 * MINUTE);
    assert.deepEqual([ticket.state.status, ticket.clock('resolution').status], ['pending_vendor', 'paused']);
    ticket.send({ type: 'setPending', ...engineer, reason: 'none', note: 'AWS fixed it' }, TUESDAY_10 + 3 * HOUR);
    assert.deepEqual([ticket.state.status, ticket.clock('resolution').status], ['in_progress', 'running']);
    assert.equal(ticket.clock('resolution').dueAt, TUESDAY_10 + 3 * HOUR + 24 * HOUR - 10 * MINUTE);
  });

  test('a reply sent while waiting on the customer restarts the periodic-update clock paused, not running', () => {
    const ticket = new TicketRun(loadPolicy('signx'), TUESDAY_10, { channel: 'phone', priority: 'P0' });
    ticket.send({ type: 'respond', ...engineer, body: 'Can you send the logs?' }, TUESDAY_10 + 5 * MINUTE);
    ticket.send({ type: 'setPending', ...engineer, reason: 'customer' }, TUESDAY_10 + 6 * MINUTE);
    ticket.send({ type: 'respond', ...engineer, body: 'Reminder: the logs, please' }, TUESDAY_10 + 2 * HOUR);
    assert.deepEqual([ticket.clock('periodicUpdate').id, ticket.clock('periodicUpdate').status], ['periodicUpdate#3', 'paused']);
    ticket.tickAt(TUESDAY_10 + 10 * HOUR);
    assert.equal(ticket.clock('periodicUpdate').breachedAt, undefined);
    ticket.send({ type: 'customerMessage', body: 'logs attached' }, TUESDAY_10 + 10 * HOUR);
    assert.deepEqual([ticket.clock('periodicUpdate').status, ticket.clock('periodicUpdate').dueAt], ['running', TUESDAY_10 + 11 * HOUR]);
  });

  test('a breached clock that resumes after three days sends one repeat notice, not one per missed hour', () => {
    const ticket = new TicketRun(caroLikePolicy(), TUESDAY_10, { channel: 'email', priority: 'P0' });
    ticket.send({ type: 'respond', ...engineer, body: 'Looking' }, TUESDAY_10 + 10 * MINUTE);
    ticket.tickAt(TUESDAY_10 + 24 * HOUR);
    assert.equal(ticket.clock('resolution').breachedAt, TUESDAY_10 + 24 * HOUR);
    ticket.send({ type: 'setPending', ...engineer, reason: 'customer' }, TUESDAY_10 + 24 * HOUR + MINUTE);
    const effects = ticket.send({ type: 'customerMessage', body: 'here you go' }, TUESDAY_10 + 4 * DAY);
    assert.deepEqual(teamEventsOf(effects).filter((e) => e.startsWith('sla-')), ['sla-breach-repeat']);
    assert.ok(nextWake(ticket.state)! > ticket.now);
  });

  test('an untriaged ticket that stops waiting goes back to new, and acknowledging it while pending keeps it pending', () => {
    const ticket = new TicketRun(loadPolicy('caro'), TUESDAY_10, { channel: 'github' });
    ticket.send({ type: 'setPending', ...engineer, reason: 'customer' }, TUESDAY_10 + MINUTE);
    ticket.send({ type: 'setPending', ...engineer, reason: 'none' }, TUESDAY_10 + 2 * MINUTE);
    assert.equal(ticket.state.status, 'new');
    ticket.send({ type: 'setPending', ...engineer, reason: 'customer' }, TUESDAY_10 + 3 * MINUTE);
    ticket.send({ type: 'acknowledge', ...engineer }, TUESDAY_10 + 4 * MINUTE);
    assert.deepEqual([ticket.state.status, ticket.state.triaged, ticket.state.firstResponseAt], ['pending_customer', true, TUESDAY_10 + 4 * MINUTE]);
    ticket.send({ type: 'customerMessage', body: 'more detail' }, TUESDAY_10 + 5 * MINUTE);
    assert.equal(ticket.state.status, 'in_progress');
  });
});

describe('business-hours targets wait over the weekend', () => {
  const signx = loadPolicy('signx');

  test('a SIGN X P2 chat at 17:30 on Friday: 24 help-desk hours are due Wednesday 11:30; nothing wakes it on the weekend', () => {
    const ticket = new TicketRun(signx, at('2026-05-15 17:30'), { channel: 'chat', priority: 'P2' });
    assert.equal(wall(ticket.clock('firstResponse').dueAt), '2026-05-20 11:30');
    assert.equal(wall(nextWake(ticket.state)), '2026-05-19 09:30', 'the 50 % warning: 12 help-desk hours in');
    ticket.tickAt(at('2026-05-17 23:59'));
    assert.equal(ticket.state.timeline.filter((e) => e.type.startsWith('sla-')).length, 0);
  });

  test('across the spring-forward weekend a SIGN X P1 at Friday 17:00 EST is due Monday 11:00 EDT, 15:00 UTC', () => {
    const ticket = new TicketRun(signx, at('2026-03-06 17:00'), { channel: 'chat', priority: 'P1' });
    assert.equal(ticket.clock('firstResponse').dueAt, Date.UTC(2026, 2, 9, 15, 0));
    ticket.tickAt(Date.UTC(2026, 2, 9, 15, 0));
    assert.equal(ticket.clock('firstResponse').breachedAt, Date.UTC(2026, 2, 9, 15, 0));
  });

  test('across the fall-back weekend a SIGN X P1 at Friday 17:00 EDT is due Monday 11:00 EST, 16:00 UTC', () => {
    const ticket = new TicketRun(signx, at('2026-10-30 17:00'), { channel: 'chat', priority: 'P1' });
    assert.equal(ticket.clock('firstResponse').dueAt, Date.UTC(2026, 10, 2, 16, 0));
  });

  test('a P0 raised to 24/7 and lowered to business hours keeps the hours it counted on the wall clock', () => {
    const caro = loadPolicy('caro');
    const ticket = new TicketRun(caro, at('2026-05-08 19:00'), { channel: 'github', priority: 'P0' });
    ticket.send({ type: 'acknowledge', ...engineer }, at('2026-05-08 19:01'));
    ticket.send({ type: 'setPriority', ...engineer, priority: 'P2', reason: 'workaround found' }, at('2026-05-09 05:00'));
    const resolution = ticket.clock('resolution');
    assert.deepEqual([resolution.calendar, resolution.accumulatedMs], ['coverage-hours', 10 * HOUR]);
    // 45 work hours less the 10 already counted: 35 from Monday 08:00 is Thursday 16:00.
    assert.equal(wall(resolution.dueAt), '2026-05-14 16:00');
  });
});

describe('resolution, follow-up and the reopen window', () => {
  function resolvedTicket() {
    const ticket = new TicketRun(caroLikePolicy(), TUESDAY_10, { channel: 'email', priority: 'P1' });
    ticket.send({ type: 'respond', ...engineer, body: 'Try 2.3.2' }, TUESDAY_10 + HOUR);
    ticket.send({ type: 'resolve', ...engineer, resolution: 'Fixed in 2.3.2' }, TUESDAY_10 + 2 * HOUR);
    return ticket;
  }
  const resolvedAt = TUESDAY_10 + 2 * HOUR;

  test('resolving sends the resolution, then the follow-up a day later, and closes after a week', () => {
    const ticket = resolvedTicket();
    assert.equal(ticket.state.status, 'resolved');
    assert.deepEqual(ticket.state.followUp, { dueAt: resolvedAt + DAY, reopenUntil: resolvedAt + 7 * DAY, closeAt: resolvedAt + 7 * DAY });
    assert.deepEqual(ticket.wake().filter((e) => e.type === 'notifyCustomer').map((e) => e.type === 'notifyCustomer' && e.template), ['follow-up']);
    assert.equal(ticket.now, resolvedAt + DAY);
    ticket.wake();
    assert.deepEqual([ticket.state.status, ticket.now], ['closed', resolvedAt + 7 * DAY]);
  });

  test('a reply within the window reopens the ticket; its resolution clock keeps the time it counted', () => {
    const ticket = resolvedTicket();
    ticket.send({ type: 'customerMessage', body: 'Still broken on Linux' }, resolvedAt + 3 * DAY);
    assert.deepEqual([ticket.state.status, ticket.state.reopenCount, ticket.state.followUp], ['in_progress', 1, {}]);
    const resolution = ticket.clock('resolution');
    assert.deepEqual([resolution.id, resolution.status, resolution.accumulatedMs], ['resolution', 'running', 2 * HOUR]);
    assert.equal(resolution.dueAt, resolvedAt + 3 * DAY + 3 * DAY - 2 * HOUR);
    assert.equal(ticket.clock('nextResponse').dueAt, resolvedAt + 4 * DAY);
    assert.ok(ticket.teamEvents().includes('reopened'));
  });

  test('the window is half-open: a millisecond before it ends the reply reopens; at its end the ticket has closed', () => {
    const early = resolvedTicket();
    early.send({ type: 'customerMessage', body: 'wait' }, resolvedAt + 7 * DAY - 1);
    assert.equal(early.state.status, 'in_progress');
    const late = resolvedTicket();
    late.send({ type: 'customerMessage', body: 'wait' }, resolvedAt + 7 * DAY);
    assert.equal(late.state.status, 'closed');
  });

  test('with a window shorter than the close, a late reply is kept on the timeline but does not reopen', () => {
    const policy = caroLikePolicy({ followUp: { after: '1d', survey: true, reopenWindow: '2d', closeAfter: '7d' } });
    const ticket = new TicketRun(policy, TUESDAY_10, { channel: 'email', priority: 'P1' });
    ticket.send({ type: 'resolve', ...engineer, resolution: 'Done' }, TUESDAY_10 + HOUR);
    ticket.send({ type: 'customerMessage', body: 'thanks!' }, TUESDAY_10 + HOUR + 3 * DAY);
    assert.deepEqual([ticket.state.status, ticket.state.reopenCount, ticket.state.timeline.at(-1)!.type], ['resolved', 0, 'customer-message']);
  });

  test('automatic replies (out of office) never reopen a resolved ticket', () => {
    const ticket = resolvedTicket();
    ticket.send({ type: 'customerMessage', body: 'I am out of office', automatic: true }, resolvedAt + HOUR);
    assert.equal(ticket.state.status, 'resolved');
  });

  test('an engineer can reopen a resolved ticket, and satisfaction is recorded only on a resolved one', () => {
    const ticket = resolvedTicket();
    ticket.send({ type: 'recordCsat', actor: 'customer', score: 5, effort: 2 }, resolvedAt + DAY);
    assert.deepEqual(ticket.state.csat, { score: 5, effort: 2, at: resolvedAt + DAY });
    ticket.send({ type: 'reopen', ...engineer, reason: 'regression' }, resolvedAt + 2 * DAY);
    assert.equal(ticket.state.status, 'in_progress');
    assert.match(canApply(ticket.state, { type: 'recordCsat', actor: 'customer', score: 4 })!, /resolved ticket; this one is in_progress/);
  });

  test('the survey asks two questions: the effort (CES) may be answered alone, and the satisfaction (CSAT) added later', () => {
    const ticket = resolvedTicket();
    ticket.send({ type: 'recordCsat', actor: 'requester', effort: 2 }, resolvedAt + DAY);
    assert.deepEqual(ticket.state.csat, { effort: 2, at: resolvedAt + DAY });
    assert.equal(ticket.state.timeline.at(-1)!.summary, 'effort 2/7');
    ticket.send({ type: 'recordCsat', actor: 'requester', score: 4, comment: 'quick' }, resolvedAt + DAY + HOUR);
    assert.deepEqual(ticket.state.csat, { effort: 2, score: 4, comment: 'quick', at: resolvedAt + DAY + HOUR });
    assert.match(canApply(ticket.state, { type: 'recordCsat', actor: 'requester' })!, /^a survey answer needs the score \(satisfaction, 1 to 5\), the effort \(1 to 7\), or both$/);
    assert.match(canApply(ticket.state, { type: 'recordCsat', actor: 'requester', effort: 8 })!, /^effort 8 is not a whole number from 1 to 7$/);
  });
});

describe('mark as duplicate', () => {
  test('links to the original, closes this one, stops its clocks and tells the requester', () => {
    const ticket = new TicketRun(caroLikePolicy(), TUESDAY_10, { channel: 'email', priority: 'P1' }, 'T-dup');
    const effects = ticket.send({ type: 'markDuplicate', ...engineer, of: 'T-original' }, TUESDAY_10 + HOUR);
    assert.deepEqual([ticket.state.status, ticket.state.duplicateOf, ticket.state.closedAt], ['closed', 'T-original', TUESDAY_10 + HOUR]);
    assert.ok(ticket.state.clocks.every((c) => c.status === 'stopped' || c.status === 'met'));
    assert.deepEqual(effects.filter((e) => e.type === 'notifyCustomer').map((e) => e.type === 'notifyCustomer' && [e.template, e.body]), [['duplicate', 'T-original']]);
    assert.equal(nextWake(ticket.state), undefined);
    const after = ticket.state;
    ticket.send({ type: 'customerMessage', body: 'hello?' }, TUESDAY_10 + 2 * HOUR);
    assert.equal(ticket.state, after, 'a closed ticket does not change');
  });

  test('a ticket cannot be a duplicate of itself or of something that is not a ticket id', () => {
    const { state } = openTicket('T-dup', intakeOf({ channel: 'email' }), caroLikePolicy(), TUESDAY_10);
    assert.equal(canApply(state, { type: 'markDuplicate', ...engineer, of: 'T-dup' }), 'a ticket cannot be a duplicate of itself');
    assert.equal(canApply(state, { type: 'markDuplicate', ...engineer, of: '42' }), "'42' is not a ticket id (T-...)");
  });
});

describe('invalid transitions are refused by canApply with a reason, and decide then changes nothing', () => {
  const policy = caroLikePolicy();
  const open = () => openTicket('T-9', intakeOf({ channel: 'email', priority: 'P1' }), policy, TUESDAY_10).state;
  const resolved = () => decide(open(), { type: 'resolve', ...engineer, resolution: 'Fixed' }, TUESDAY_10 + HOUR).state;
  const closed = () => decide(open(), { type: 'close', ...engineer }, TUESDAY_10 + HOUR).state;

  const cases: [string, () => ReturnType<typeof open>, Command, RegExp][] = [
    ['reopening an open ticket', open, { type: 'reopen', ...engineer }, /^only a resolved ticket can be reopened; this one is awaiting_first_response$/],
    ['responding on a resolved ticket', resolved, { type: 'respond', ...engineer, body: 'hi' }, /^cannot respond on a resolved ticket; reopen it first$/],
    ['resolving twice', resolved, { type: 'resolve', ...engineer, resolution: 'again' }, /^cannot resolve a resolved ticket$/],
    ['anything on a closed ticket', closed, { type: 'note', ...engineer, body: 'x' }, /^ticket T-9 is closed; nothing can change it$/],
    ['an unknown priority', open, { type: 'setPriority', ...engineer, priority: 'P9' }, /^unknown priority 'P9'; expected one of P0, P1, P2, P3$/],
    ['the priority it already has', open, { type: 'setPriority', ...engineer, priority: 'P1' }, /^the ticket is already P1$/],
    ['resuming a ticket that is not pending', open, { type: 'setPending', ...engineer, reason: 'none' }, /^the ticket is not pending$/],
    ['an empty reply', open, { type: 'respond', ...engineer, body: '   ' }, /^a response needs a body$/],
    ['a satisfaction score of 6', resolved, { type: 'recordCsat', actor: 'customer', score: 6 }, /^score 6 is not a whole number from 1 to 5$/],
    ['an empty assignee', open, { type: 'assign', ...engineer, assignee: ' ' }, /^an assignee is needed$/],
  ];
  for (const [what, stateOf, command, reason] of cases) {
    test(what, () => {
      const state = stateOf();
      assert.match(canApply(state, command) ?? 'accepted', reason);
      // Nothing falls due by then (the first warning is at 12:00), so nothing at all changes.
      const decision = decide(state, command, TUESDAY_10 + HOUR + MINUTE);
      assert.equal(decision.state, state);
      assert.deepEqual(decision.effects, []);
    });
  }

  test('acknowledging twice by the same engineer is refused; by a colleague it is recorded but keeps the first assignee', () => {
    let state = decide(open(), { type: 'acknowledge', actor: 'alice' }, TUESDAY_10 + MINUTE).state;
    assert.equal(canApply(state, { type: 'acknowledge', actor: 'alice' }), 'already acknowledged by alice');
    state = decide(state, { type: 'acknowledge', actor: 'bob' }, TUESDAY_10 + 2 * MINUTE).state;
    assert.deepEqual([state.assignee, state.acknowledgedAt], ['alice', TUESDAY_10 + MINUTE]);
  });
});

describe('request ids: the same command twice changes nothing', () => {
  test('a repeated reply is not sent twice, and canApply accepts the repeat so the client gets the same answer', () => {
    const ticket = new TicketRun(caroLikePolicy(), TUESDAY_10, { channel: 'email', priority: 'P1' });
    const reply: Command = { type: 'respond', ...engineer, body: 'On it', requestId: 'req-1' };
    const first = ticket.send(reply, TUESDAY_10 + MINUTE);
    assert.equal(first.filter((e) => e.type === 'notifyCustomer').length, 1);
    const before = ticket.state;
    assert.equal(canApply(before, reply), undefined);
    const again = decide(before, reply, TUESDAY_10 + 2 * MINUTE);
    assert.equal(again.state, before);
    assert.deepEqual(again.effects, []);
    assert.deepEqual(before.requests['req-1'], { seq: before.seq });
  });

  test('the same request id on a resolved ticket is still a no-op, not a refusal', () => {
    const ticket = new TicketRun(caroLikePolicy(), TUESDAY_10, { channel: 'email', priority: 'P1' });
    const resolve: Command = { type: 'resolve', ...engineer, resolution: 'Done', requestId: 'req-2' };
    ticket.send(resolve, TUESDAY_10 + HOUR);
    const resolved = ticket.state;
    assert.equal(canApply(resolved, resolve), undefined);
    ticket.send(resolve, TUESDAY_10 + 2 * HOUR);
    assert.equal(ticket.state, resolved);
  });

  test('a refused command does not take its request id: the corrected retry with the same id applies', () => {
    const ticket = new TicketRun(caroLikePolicy(), TUESDAY_10, { channel: 'email', priority: 'P1' });
    ticket.send({ type: 'respond', ...engineer, body: ' ', requestId: 'req-3' }, TUESDAY_10 + MINUTE);
    assert.equal(ticket.state.requests['req-3'], undefined);
    ticket.send({ type: 'respond', ...engineer, body: 'Now with a body', requestId: 'req-3' }, TUESDAY_10 + 2 * MINUTE);
    assert.equal(ticket.clock('firstResponse').status, 'met');
  });
});

describe('events that are not commands also bring the ticket up to date', () => {
  test('a delivery report after a deadline fires the breach, so nextWake never lies in the past', () => {
    const ticket = new TicketRun(caroLikePolicy(), TUESDAY_10, { channel: 'email', priority: 'P0' });
    ticket.send({ type: 'notificationOutcome', key: 'T-run/1/opened', channel: 'slack', outcome: 'sent', attempts: 1 }, TUESDAY_10 + 90 * MINUTE);
    assert.equal(ticket.clock('firstResponse').breachedAt, TUESDAY_10 + HOUR);
    assert.equal(nextWake(ticket.state), TUESDAY_10 + 2 * HOUR);
  });
});
