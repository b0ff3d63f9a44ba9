/**
 * The incident decider, fed commands and instants: the TRKV incident process ("Acknowledge issue,
 * Investigate cause, Implement solution, Notify users, Document incident"), SIGN X's paged P0s and
 * Caro's P0 playbook, in milliseconds and without a server.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canApply, declarationProblem, type IncidentCommand } from '../../../domain/incident/commands.js';
import { declareIncident, decide, nextWake } from '../../../domain/incident/decide.js';
import { publicIncident, viewIncident } from '../../../domain/incident/view.js';
import { loadPolicy } from '../../../policies/load.js';
import { HOUR, IncidentRun, MINUTE, T0, only, typesOf } from './incident-run.js';

const trkv = loadPolicy('trkv');
const signx = loadPolicy('signx');
const caro = loadPolicy('caro');

describe('TRKV: a Critical outage from declaration to report', () => {
  test('declared, identified, monitored and resolved; each update goes once to the status page, Discord, email and social media', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'critical', components: ['API', 'login'] });
    assert.deepEqual([incident.state.status, incident.state.components, incident.state.commander, incident.state.declaredBy], ['investigating', ['api', 'login'], 'alice', 'alice']);
    assert.deepEqual(typesOf(incident.effects), ['notifyTeam', 'broadcastUpdate', 'broadcastUpdate', 'broadcastUpdate', 'broadcastUpdate']);
    const first = only(incident.effects, 'broadcastUpdate');
    assert.deepEqual(first.map((b) => b.channel), ['status-page', 'discord', 'email', 'social']);
    assert.ok(first.every((b) => b.update === 1 && !b.final && b.headline === '[Investigating] TRKV Service Update: Logins fail'));

    incident.update({ status: 'identified', message: 'A bad deploy broke sessions; rolling back' }, T0 + 20 * MINUTE);
    incident.send({ type: 'linkTicket', actor: 'tierline', ticketId: 'T-1', auto: true }, T0 + 25 * MINUTE);
    incident.update({ status: 'monitoring', message: 'Rolled back; watching error rates', impact: 'Some users must log in again' }, T0 + 50 * MINUTE);
    const resolved = incident.send({ type: 'resolve', actor: 'alice', summary: 'Logins work again', rootCause: 'A migration dropped the session index' }, T0 + 90 * MINUTE);

    const broadcasts = only(incident.effects, 'broadcastUpdate');
    assert.deepEqual(broadcasts.map((b) => `${b.update}:${b.channel}`), [1, 2, 3, 4].flatMap((n) => ['status-page', 'discord', 'email', 'social'].map((c) => `${n}:${c}`)));
    assert.equal(new Set(broadcasts.map((b) => b.key)).size, broadcasts.length);
    assert.deepEqual(broadcasts.filter((b) => b.final).map((b) => b.update), [4, 4, 4, 4]);
    // Email reaches the requesters of the tickets linked when the update goes out.
    assert.deepEqual(broadcasts.map((b) => b.tickets.length), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);

    assert.deepEqual(typesOf(resolved), ['broadcastUpdate', 'broadcastUpdate', 'broadcastUpdate', 'broadcastUpdate', 'resolveLinkedTickets', 'notifyTeam', 'writeReport']);
    assert.deepEqual(only(resolved, 'resolveLinkedTickets')[0], {
      type: 'resolveLinkedTickets', key: only(resolved, 'resolveLinkedTickets')[0]!.key, incidentId: 'I-run', tickets: ['T-1'], summary: 'Logins work again', commander: 'alice',
    });
    const report = only(resolved, 'writeReport')[0]!.markdown;
    assert.match(report, /Duration:\*\* 2026-03-10 14:00 UTC to 2026-03-10 15:30 UTC \(1h30m\)/);
    assert.match(report, /## Root Cause\n\nA migration dropped the session index\n/);
    assert.match(report, /## Prevention\n\n_TO FILL: prevention measures_\n/);
    assert.deepEqual([incident.state.status, incident.state.resolvedAt, incident.state.cadence, nextWake(incident.state)], ['resolved', T0 + 90 * MINUTE, undefined, undefined]);
    assert.equal(incident.state.impact, 'Some users must log in again');
    assert.deepEqual(incident.timelineTypes(), ['declared', 'update', 'ticket-linked', 'update', 'resolved', 'tickets-resolved', 'report-written']);
  });

  test('a linked ticket is told to pause its clocks (TRKV pauses them) and where the status page is', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'major' });
    const [link] = incident.send({ type: 'linkTicket', actor: 'bob', ticketId: 'T-42' }, T0 + MINUTE);
    assert.deepEqual(link, { type: 'linkTicket', key: 'I-run/2/link', ticketId: 'T-42', incidentId: 'I-run', title: 'Logins fail', statusPagePath: '/status/incidents/I-run', pauseClocks: true });
    const [unlink] = incident.send({ type: 'unlinkTicket', actor: 'bob', ticketId: 'T-42', reason: 'a different problem' }, T0 + 2 * MINUTE);
    assert.deepEqual(unlink, { type: 'unlinkTicket', key: 'I-run/3/unlink', ticketId: 'T-42', incidentId: 'I-run' });
    assert.deepEqual(incident.state.linked, []);
  });

  test('the declaration can link the tickets of a confirmed proposal, and names who commands', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'minor', tickets: ['T-1', 'T-2', 'T-1'], commander: 'carol', proposalKey: 'proposal/1/component:api/T-1' });
    assert.deepEqual(only(incident.effects, 'linkTicket').map((l) => l.ticketId), ['T-1', 'T-2']);
    assert.deepEqual([incident.state.commander, incident.state.declaredBy, incident.state.proposalKey], ['carol', 'alice', 'proposal/1/component:api/T-1']);
  });
});

describe('invalid transitions are refused with a reason, and change nothing', () => {
  const resolvedIncident = () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'critical' });
    incident.send({ type: 'resolve', actor: 'alice', summary: 'Fixed' }, T0 + HOUR);
    return incident;
  };

  test('an update on a resolved incident', () => {
    const incident = resolvedIncident();
    const update: IncidentCommand = { type: 'postUpdate', actor: 'alice', status: 'monitoring', impact: 'None', message: 'Still fine' };
    assert.equal(canApply(incident.state, update), 'incident I-run is resolved; it takes no more updates');
    const before = incident.state;
    assert.deepEqual(decide(before, update, T0 + 2 * HOUR), { state: before, effects: [] });
    assert.equal(canApply(before, { type: 'resolve', actor: 'alice', summary: 'Again' }), 'incident I-run is resolved; it takes no more updates');
    assert.equal(canApply(before, { type: 'linkTicket', actor: 'alice', ticketId: 'T-9' }), 'incident I-run is resolved; link the ticket to an open incident');
    assert.equal(canApply(before, { type: 'setSeverity', actor: 'alice', severity: 'minor' }), 'incident I-run is resolved; nothing can change it');
  });

  test('status moves forward only, or back to investigating with a reason', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'critical' });
    incident.update({ status: 'monitoring' }, T0 + 10 * MINUTE);
    const ask = (status: 'investigating' | 'identified' | 'monitoring', reason?: string) =>
      canApply(incident.state, { type: 'postUpdate', actor: 'alice', status, impact: 'x', message: 'y', ...(reason !== undefined ? { reason } : {}) });
    assert.equal(ask('identified'), 'the status cannot move back from monitoring to identified; only forward, or back to investigating with a reason');
    assert.equal(ask('investigating'), 'going back from monitoring to investigating needs a reason');
    assert.equal(ask('investigating', '  '), 'going back from monitoring to investigating needs a reason');
    assert.equal(ask('monitoring'), undefined);
    assert.equal(canApply(incident.state, { type: 'postUpdate', actor: 'alice', status: 'resolved' as 'monitoring', impact: 'x', message: 'y' }), 'an update cannot resolve the incident; resolve it with a summary');
    incident.update({ status: 'investigating', reason: 'errors are back' }, T0 + 20 * MINUTE);
    assert.equal(incident.state.status, 'investigating');
    assert.deepEqual(incident.state.timeline.at(-1)?.data, { number: 3, from: 'monitoring', to: 'investigating', reason: 'errors are back' });
  });

  test('the other commands say what was wrong', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'major' });
    incident.send({ type: 'linkTicket', actor: 'bob', ticketId: 'T-1' });
    const reasons = [
      canApply(incident.state, { type: 'setSeverity', actor: 'bob', severity: 'sev1' }),
      canApply(incident.state, { type: 'setSeverity', actor: 'bob', severity: 'major' }),
      canApply(incident.state, { type: 'setCommander', actor: 'bob', commander: 'alice' }),
      canApply(incident.state, { type: 'linkTicket', actor: 'bob', ticketId: '42' }),
      canApply(incident.state, { type: 'linkTicket', actor: 'bob', ticketId: 'T-1' }),
      canApply(incident.state, { type: 'unlinkTicket', actor: 'bob', ticketId: 'T-2' }),
      canApply(incident.state, { type: 'postUpdate', actor: 'bob', status: 'identified', impact: 'x', message: ' ' }),
      canApply(incident.state, { type: 'postUpdate', actor: 'bob', status: 'identified', impact: 'x', message: 'y', nextUpdateIn: '5h' }),
      canApply(incident.state, { type: 'postUpdate', actor: 'bob', status: 'identified', impact: 'x', message: 'y', nextUpdateIn: 'soon' }),
      canApply(incident.state, { type: 'resolve', actor: 'bob', summary: '' }),
      canApply(incident.state, { type: 'acknowledgePage', actor: 'bob' }),
    ];
    assert.deepEqual(reasons, [
      "unknown severity 'sev1'; expected one of critical, major, minor",
      'incident I-run is already major',
      'alice is already the commander of I-run',
      "'42' is not a ticket id (T-...)",
      'ticket T-1 is already linked to I-run',
      'ticket T-2 is not linked to I-run',
      'an update message is needed',
      'the next update in 5h is later than the Major cadence allows (every 4h); promise 4h or sooner',
      "'soon' is not a duration for the next update; expected e.g. 15m, 1h or 1h30m",
      'a resolution summary is needed',
      'no page of I-run is waiting for an acknowledgement',
    ]);
  });

  test('a declaration is checked before anything starts', () => {
    assert.equal(declarationProblem(trkv, { title: 'Down', severity: 'P0', impact: 'All' }), "unknown severity 'P0'; expected one of critical, major, minor");
    assert.equal(declarationProblem(trkv, { title: 'Down', severity: 'critical', impact: 'All', components: ['web app'] }), "'web app' is not a component name; expected letters, digits, - _ . (e.g. api, web-app)");
    assert.equal(declarationProblem(trkv, { title: ' ', severity: 'critical', impact: 'All' }), 'a title is needed');
    assert.throws(() => declareIncident('I-x', { type: 'declare', actor: 'a', title: 'Down', severity: 'P0', impact: 'All' }, trkv, T0), /cannot declare incident I-x: unknown severity 'P0'/);
  });
});

describe('SIGN X: P0 and P1 incidents page through the Tier 3 plans', () => {
  test('a P0 pages the primary at once; the acknowledgement stops it; a missed update pages again; the resolution ends it', () => {
    const incident = new IncidentRun(signx, T0, { severity: 'P0' });
    const [page] = only(incident.effects, 'startPage');
    assert.deepEqual([page?.pageId, page?.plan.name, page?.cause], ['I-run-page-1', 'P0 critical', 'I-run Logins fail: declared Critical']);
    assert.deepEqual(only(incident.effects, 'broadcastUpdate').map((b) => b.channel), ['slack', 'email', 'status-page']);

    assert.deepEqual(typesOf(incident.send({ type: 'acknowledgePage', actor: 'pat' }, T0 + 4 * MINUTE)), ['endPage']);
    assert.equal(incident.state.page?.status, 'acknowledged');
    // Due at 14:30, overdue 5 minutes later; reminded at 14:20.
    assert.deepEqual(typesOf(incident.wake()), ['remindCommander']);
    assert.equal(incident.now, T0 + 20 * MINUTE);
    const overdue = incident.wake();
    assert.equal(incident.now, T0 + 35 * MINUTE);
    assert.deepEqual(typesOf(overdue), ['updateOverdue', 'endPage', 'startPage']);
    assert.deepEqual([only(overdue, 'updateOverdue')[0]?.paging, only(overdue, 'endPage')[0]?.outcome, only(overdue, 'startPage')[0]?.pageId], ['P0 critical', 'superseded', 'I-run-page-2']);

    const resolved = incident.send({ type: 'resolve', actor: 'alice', summary: 'Fixed' }, T0 + HOUR);
    assert.deepEqual(only(resolved, 'endPage').map((e) => [e.pageId, e.outcome]), [['I-run-page-2', 'resolved']]);
  });

  test('raising a P1 to P0 pages through the P0 plan; lowering does not page', () => {
    const incident = new IncidentRun(signx, T0, { severity: 'P1' });
    assert.equal(only(incident.effects, 'startPage')[0]?.plan.name, 'P1 high');
    incident.send({ type: 'acknowledgePage', actor: 'pat' }, T0 + MINUTE);
    const raised = incident.send({ type: 'setSeverity', actor: 'pat', severity: 'P0', reason: 'all regions' }, T0 + 2 * MINUTE);
    assert.deepEqual(only(raised, 'startPage').map((p) => p.plan.name), ['P0 critical']);
    incident.send({ type: 'acknowledgePage', actor: 'pat' }, T0 + 3 * MINUTE);
    assert.deepEqual(only(incident.send({ type: 'setSeverity', actor: 'pat', severity: 'P1' }, T0 + 4 * MINUTE), 'startPage'), []);
  });
});

describe("Caro's P0 playbook: notify all users (Discord, Twitter, GitHub)", () => {
  test('every update goes to Discord, Twitter and GitHub; the fix tells the linked tickets and leaves them open', () => {
    const incident = new IncidentRun(caro, T0, { severity: 'P0', title: 'Dangerous command not blocked' });
    assert.deepEqual(only(incident.effects, 'broadcastUpdate').map((b) => b.channel), ['discord', 'social', 'github']);
    assert.deepEqual(only(incident.effects, 'startPage'), []);
    incident.send({ type: 'linkTicket', actor: 'alice', ticketId: 'T-7' }, T0 + MINUTE);
    assert.equal(only(incident.effects, 'linkTicket')[0]?.pauseClocks, false);
    const resolved = incident.send({ type: 'resolve', actor: 'alice', summary: 'Safety pattern added in v1.1.1' }, T0 + 3 * HOUR);
    assert.deepEqual(only(resolved, 'notifyLinkedTickets').map((n) => n.tickets), [['T-7']]);
    assert.deepEqual(only(resolved, 'resolveLinkedTickets'), []);
  });
});

describe('severity and commander', () => {
  test('a faster cadence brings the next update closer; a slower one never moves it away', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'minor' });
    assert.equal(incident.state.cadence?.nextUpdateAt, T0 + 12 * HOUR);
    incident.send({ type: 'setSeverity', actor: 'alice', severity: 'critical' }, T0 + HOUR);
    assert.deepEqual(incident.state.cadence, { nextUpdateAt: T0 + 2 * HOUR, remindAt: T0 + 2 * HOUR - 15 * MINUTE, overdueAt: T0 + 2 * HOUR + 15 * MINUTE, reminded: false, overdue: false });
    incident.send({ type: 'setSeverity', actor: 'alice', severity: 'minor' }, T0 + HOUR + MINUTE);
    assert.equal(incident.state.cadence?.nextUpdateAt, T0 + 2 * HOUR);
    assert.equal(incident.state.cadence?.overdueAt, T0 + 5 * HOUR, "the minor grace (3h) after the promised time");
  });

  test('reminders go to the commander of the moment', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'critical' });
    incident.send({ type: 'setCommander', actor: 'alice', commander: 'dana' }, T0 + MINUTE);
    const [reminder] = only(incident.wake(), 'remindCommander');
    assert.equal(reminder?.commander, 'dana');
    assert.match(reminder!.text, /^Reminder for dana: the next status update of I-run \(Logins fail\) is due at 2026-03-10 15:00 UTC, in 15m\.$/);
  });
});

describe('views', () => {
  test('the public view holds what was written for the public, never who wrote it or which tickets', () => {
    const incident = new IncidentRun(trkv, T0, { severity: 'critical', components: ['api'] }, 'I-run', 'alice@example.com');
    incident.send({ type: 'linkTicket', actor: 'bob@example.com', ticketId: 'T-1' }, T0 + MINUTE);
    const view = publicIncident(incident.state);
    assert.deepEqual(Object.keys(view).sort(), ['components', 'declaredAt', 'id', 'impact', 'nextUpdateAt', 'path', 'severity', 'status', 'statusName', 'title', 'updates']);
    const text = JSON.stringify(view);
    for (const secret of ['alice@example.com', 'bob@example.com', 'T-1']) assert.ok(!text.includes(secret), `${secret} is public`);
    const internal = viewIncident(incident.state, T0 + 2 * MINUTE);
    assert.deepEqual([internal.commander, internal.linkedTickets.map((t) => t.ticketId), internal.updates[0]?.author], ['alice@example.com', ['T-1'], 'alice@example.com']);
    assert.equal(internal.asOf, '2026-03-10T14:02:00.000Z');
  });
});
