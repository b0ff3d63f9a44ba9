/**
 * FM-08's loop, in the pure core: a ticket that reveals a product problem gets an engineering
 * issue (opened with its reproduction details, or an existing one linked), and the issue's closing
 * tells the assignee the fix landed, once.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canApply, type Command, type SystemEvent } from '../../../domain/ticket/commands.js';
import { engineeringMarker, parseIssueUrl, ticketsReferencedBy } from '../../../domain/ticket/engineering.js';
import type { Effect } from '../../../domain/ticket/types.js';
import { viewTicket } from '../../../domain/ticket/view.js';
import { loadPolicy } from '../../../policies/load.js';
import { caroLikePolicy } from '../../fixtures/policies.js';
import { HOUR, MINUTE, TicketRun, at } from './ticket-run.js';

const MONDAY_9 = at('2026-03-09 09:00');
/** The requester's address (ticket-run's default intake), written in other cases by the customer. */
const EMAIL = 'DEV@Example.com';
const URL_12 = 'https://github.com/fm08/platform/issues/12';

function reportedTicket(policy = caroLikePolicy()): TicketRun {
  const ticket = new TicketRun(policy, MONDAY_9, {
    channel: 'email',
    priority: 'P1',
    subject: 'Sync drops rows larger than 1 MB',
    description: `Rows over 1 MB vanish after sync.\nReply to ${EMAIL.toLowerCase()} if you need logs.\n<!-- tierline:T-FORGED0000000000/1/engineering-issue -->`,
    tags: ['sync'],
  }, 'T-01KENG0000000001');
  ticket.send({ type: 'acknowledge', actor: 'grace' }, MONDAY_9 + 10 * MINUTE);
  ticket.send({ type: 'customerMessage', body: `Still happens on 2.4; my address is ${EMAIL}.`, from: EMAIL }, MONDAY_9 + 20 * MINUTE);
  ticket.send({ type: 'respond', actor: 'grace', body: 'Reproduced with a 2 MB row; filing it with engineering.' }, MONDAY_9 + 30 * MINUTE);
  ticket.send({ type: 'note', actor: 'grace', body: 'internal: customer is on the enterprise plan' }, MONDAY_9 + 35 * MINUTE);
  return ticket;
}

const only = <T extends Effect['type']>(effects: Effect[], type: T) => effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
const opened = (number = 12, repo = 'fm08/platform'): SystemEvent => ({ type: 'engineeringIssueOpened', url: `https://github.com/${repo}/issues/${number}`, repo, number });

describe('an engineering issue opened from a ticket (FM-08: every support ticket is a signal)', () => {
  test("asks for an issue with the ticket's reproduction details, never the requester's email", () => {
    const ticket = reportedTicket();
    const effects = ticket.send({ type: 'openEngineeringIssue', actor: 'grace', details: 'Insert a 2 MB row, run `fm sync`; the row is gone.' }, MONDAY_9 + HOUR);
    const [issue] = only(effects, 'openEngineeringIssue');
    assert.ok(issue);
    assert.equal(issue.key, `T-01KENG0000000001/${ticket.state.seq}/engineering-issue`);
    assert.equal(issue.title, 'Sync drops rows larger than 1 MB', 'the subject is the default title');
    assert.equal(issue.repo, undefined, 'the configured repository, chosen by the worker');
    for (const shown of ['**Sync drops rows larger than 1 MB**', '> Rows over 1 MB vanish after sync.', '| Priority | P1 (High) |', '| Tier | support |', '| Channel | email |', '| Tags | sync |',
      '### Reproduction details from grace', 'Insert a 2 MB row', 'T-01KENG0000000001', '### Customer-facing timeline', 'requester · message from the requester: “Still happens on 2.4; my address is [requester].”',
      'grace · public reply to the requester: “Reproduced with a 2 MB row; filing it with engineering.”']) {
      assert.ok(issue.body.includes(shown), `the body shows ${shown}:\n${issue.body}`);
    }
    assert.ok(!issue.body.toLowerCase().includes(EMAIL.toLowerCase()), "the requester's email is nowhere in the body");
    assert.ok(!issue.body.includes('enterprise plan'), 'internal notes stay internal');
    assert.ok(!issue.body.includes('<!-- tierline:'), 'customer text cannot pass for a tierline marker');
    assert.deepEqual(ticket.timelineTypes().at(-1), 'engineering-issue-requested');
    assert.deepEqual(viewTicket(ticket.state, MONDAY_9 + HOUR).engineeringIssueRequest, { by: 'grace', at: new Date(MONDAY_9 + HOUR).toISOString() });
    assert.equal(canApply(ticket.state, { type: 'linkEngineeringIssue', actor: 'bob', url: URL_12 }), 'an engineering issue is being opened for this ticket (asked by grace); wait for it to be linked');
  });

  test('the opened issue is linked: on the timeline, the view and the thread; the same result again changes nothing', () => {
    const ticket = reportedTicket();
    ticket.send({ type: 'openEngineeringIssue', actor: 'grace', repo: 'fm08/platform', title: 'Rows over 1 MB dropped by sync' }, MONDAY_9 + HOUR);
    const effects = ticket.send(opened(), MONDAY_9 + HOUR + 5_000);
    assert.deepEqual(ticket.state.engineeringIssue, { url: URL_12, repo: 'fm08/platform', number: 12, state: 'open', created: true, linkedBy: 'grace', linkedAt: MONDAY_9 + HOUR + 5_000 });
    assert.equal(ticket.state.engineeringIssueRequest, undefined);
    assert.deepEqual(ticket.state.timeline.at(-1)?.data, { url: URL_12, repo: 'fm08/platform', number: 12 });
    assert.deepEqual(only(effects, 'notifyTeam').map((e) => e.text), [`Engineering issue opened: ${URL_12}`]);
    assert.deepEqual(viewTicket(ticket.state, MONDAY_9 + 2 * HOUR).engineeringIssue, {
      url: URL_12, repo: 'fm08/platform', number: 12, state: 'open', created: true, linkedBy: 'grace', linkedAt: new Date(MONDAY_9 + HOUR + 5_000).toISOString(),
    });
    const seq = ticket.state.seq;
    assert.deepEqual(ticket.send(opened(), MONDAY_9 + HOUR + 6_000), []);
    assert.equal(ticket.state.seq, seq);
  });

  test('refused: a second issue while one is open, a closed ticket, a bad repository or title', () => {
    const ticket = reportedTicket();
    ticket.send({ type: 'openEngineeringIssue', actor: 'grace' }, MONDAY_9 + HOUR);
    ticket.send(opened(), MONDAY_9 + HOUR);
    const again: Command = { type: 'openEngineeringIssue', actor: 'bob' };
    assert.equal(canApply(ticket.state, again), `the ticket is already linked to the open engineering issue ${URL_12}; it must be closed before another is opened or linked`);
    assert.equal(canApply(ticket.state, { type: 'linkEngineeringIssue', actor: 'bob', url: 'https://github.com/fm08/sdk/issues/3' }), canApply(ticket.state, again));
    const seq = ticket.state.seq;
    assert.deepEqual(ticket.send(again, MONDAY_9 + 2 * HOUR), [], 'a refused command does nothing');
    assert.equal(ticket.state.seq, seq);

    const fresh = reportedTicket();
    assert.equal(canApply(fresh.state, { type: 'openEngineeringIssue', actor: 'grace', repo: 'platform' }), "'platform' is not a repository; expected OWNER/NAME, e.g. fm08/platform");
    assert.equal(canApply(fresh.state, { type: 'openEngineeringIssue', actor: 'grace', title: '  ' }), 'the title, when given, must not be empty');
    assert.match(canApply(fresh.state, { type: 'openEngineeringIssue', actor: 'grace', title: 'x'.repeat(257) }) ?? '', /has 257 characters; GitHub takes at most 256/);
    fresh.send({ type: 'close', actor: 'grace' }, MONDAY_9 + HOUR);
    assert.equal(canApply(fresh.state, { type: 'openEngineeringIssue', actor: 'grace' }), 'ticket T-01KENG0000000001 is closed; nothing can change it');
  });

  test('without GitHub the issue goes to the outbox; a failure ends the request too, and it can be asked again', () => {
    const ticket = reportedTicket();
    const [issue] = only(ticket.send({ type: 'openEngineeringIssue', actor: 'grace' }, MONDAY_9 + HOUR), 'openEngineeringIssue');
    ticket.send({ type: 'notificationOutcome', key: issue!.key, channel: 'outbox', outcome: 'sent', attempts: 1 }, MONDAY_9 + HOUR);
    assert.equal(ticket.state.engineeringIssueRequest, undefined);
    assert.equal(ticket.state.engineeringIssue, undefined, 'no issue exists on GitHub');
    assert.match(ticket.state.timeline.at(-1)!.summary, /no GitHub is configured \(GITHUB_TOKEN\): the engineering issue was written to the outbox; open it by hand and link it/);

    const [retry] = only(ticket.send({ type: 'openEngineeringIssue', actor: 'grace' }, MONDAY_9 + 2 * HOUR), 'openEngineeringIssue');
    const effects = ticket.send({ type: 'notificationOutcome', key: retry!.key, channel: 'github', outcome: 'failed', attempts: 0, detail: 'GitHub answered 404 opening an issue in fm08/platform: Not Found' }, MONDAY_9 + 2 * HOUR);
    assert.deepEqual([ticket.state.timeline.at(-1)!.type, ticket.state.engineeringIssueRequest], ['engineering-issue-failed', undefined]);
    assert.match(only(effects, 'notifyTeam')[0]!.text, /could not be opened: GitHub answered 404/);
    assert.equal(canApply(ticket.state, { type: 'openEngineeringIssue', actor: 'grace' }), undefined);
  });
});

describe('an existing issue linked to a ticket', () => {
  test('is linked at once, and a comment on it names the ticket', () => {
    const ticket = reportedTicket();
    const effects = ticket.send({ type: 'linkEngineeringIssue', actor: 'grace', url: 'https://github.com/FM08/Platform/issues/12/#issuecomment-1' }, MONDAY_9 + HOUR);
    assert.deepEqual(ticket.state.engineeringIssue, { url: 'https://github.com/FM08/Platform/issues/12', repo: 'FM08/Platform', number: 12, state: 'open', created: false, linkedBy: 'grace', linkedAt: MONDAY_9 + HOUR });
    const [comment] = only(effects, 'commentOnEngineeringIssue');
    assert.equal(comment?.url, 'https://github.com/FM08/Platform/issues/12');
    assert.equal(comment?.key, `T-01KENG0000000001/${ticket.state.seq}/engineering-link`);
    assert.match(comment!.body, /^Linked to support ticket \*\*T-01KENG0000000001\*\*: Sync drops rows larger than 1 MB \(P1 High, opened 2026-03-09\)\./);
    assert.deepEqual(only(effects, 'notifyTeam').map((e) => e.text), ['grace linked the engineering issue https://github.com/FM08/Platform/issues/12']);
    assert.equal(ticket.timelineTypes().at(-1), 'engineering-issue-linked');
  });

  test('a URL that is not an https GitHub issue is refused with what is expected', () => {
    const ticket = reportedTicket();
    for (const url of ['http://github.com/fm08/platform/issues/12', 'https://gitlab.com/fm08/platform/issues/12', 'https://github.com/fm08/platform/pull/12', 'https://github.com/fm08/platform/issues/0', 'fm08/platform#12']) {
      assert.equal(canApply(ticket.state, { type: 'linkEngineeringIssue', actor: 'grace', url }), `'${url}' is not a GitHub issue URL; expected https://github.com/OWNER/REPO/issues/NUMBER`, url);
    }
  });
});

describe('the engineering issue closed on GitHub', () => {
  function linked(policy = caroLikePolicy()): TicketRun {
    const ticket = reportedTicket(policy);
    ticket.send({ type: 'linkEngineeringIssue', actor: 'grace', url: URL_12 }, MONDAY_9 + HOUR);
    return ticket;
  }

  test('is recorded, and the assignee is told in the thread that the fix landed and how to resolve; a second close changes nothing', () => {
    const ticket = linked();
    const closedAt = MONDAY_9 + 3 * HOUR;
    const effects = ticket.send({ type: 'engineeringIssueClosed', url: 'https://github.com/fm08/PLATFORM/issues/12', by: 'linus', reason: 'completed', delivery: 'd-1' }, closedAt);
    assert.deepEqual(ticket.state.engineeringIssue, { url: URL_12, repo: 'fm08/platform', number: 12, state: 'closed', created: false, linkedBy: 'grace', linkedAt: MONDAY_9 + HOUR, closedAt, closedBy: 'linus', reason: 'completed' });
    const entry = ticket.state.timeline.at(-1)!;
    assert.deepEqual([entry.type, entry.actor, entry.summary], ['engineering-issue-closed', 'linus', 'engineering issue fm08/platform#12 closed by linus (completed): the fix landed']);
    assert.deepEqual(entry.data, { url: URL_12, by: 'linus', reason: 'completed', delivery: 'd-1' });
    assert.deepEqual(only(effects, 'notifyTeam').map((e) => [e.event, e.text]), [[
      'activity',
      `grace: the engineering issue ${URL_12} was closed by linus (completed): the fix landed. The ticket can be resolved with the fix's reference, e.g. "Fixed by fm08/platform#12".`,
    ]]);
    assert.equal(ticket.state.status, 'in_progress', 'resolving stays the engineer\'s call');

    const seq = ticket.state.seq;
    assert.deepEqual(ticket.send({ type: 'engineeringIssueClosed', url: URL_12, by: 'linus', reason: 'completed', delivery: 'd-1' }, closedAt + MINUTE), [], 'a redelivery');
    assert.deepEqual(ticket.send({ type: 'engineeringIssueClosed', url: 'https://github.com/fm08/platform/issues/13', by: 'linus' }, closedAt + MINUTE), [], 'another issue');
    assert.equal(ticket.state.seq, seq);

    // Resolving afterwards is the normal resolve, with the fix's reference.
    ticket.send({ type: 'resolve', actor: 'grace', resolution: 'Fixed by fm08/platform#12 (released in 2.4.1)' }, closedAt + HOUR);
    assert.deepEqual([ticket.state.status, ticket.state.resolution], ['resolved', 'Fixed by fm08/platform#12 (released in 2.4.1)']);
    assert.equal(viewTicket(ticket.state, closedAt + HOUR).engineeringIssue?.closedAt, new Date(closedAt).toISOString());
  });

  test('closed as not planned: no fix is coming, and another issue may be linked; the closed one may not', () => {
    const ticket = linked();
    const effects = ticket.send({ type: 'engineeringIssueClosed', url: URL_12, by: 'linus', reason: 'not_planned' }, MONDAY_9 + 3 * HOUR);
    assert.match(ticket.state.timeline.at(-1)!.summary, /closed by linus \(not planned\): no fix is planned$/);
    assert.match(only(effects, 'notifyTeam')[0]!.text, /closed by linus as not planned: no fix is coming from it\. Tell the requester, or link the issue that will carry the fix\.$/);
    assert.equal(canApply(ticket.state, { type: 'linkEngineeringIssue', actor: 'grace', url: URL_12 }), `${URL_12} was this ticket's engineering issue and is closed; link the issue that tracks the fix now`);
    assert.equal(canApply(ticket.state, { type: 'linkEngineeringIssue', actor: 'grace', url: 'https://github.com/fm08/platform/issues/20' }), undefined);
  });

  test('on an unassigned, already resolved ticket the thread says so', () => {
    const ticket = new TicketRun(loadPolicy('fm08'), MONDAY_9, { channel: 'email', subject: 'CLI crash' }, 'T-01KENG0000000002');
    ticket.send({ type: 'linkEngineeringIssue', actor: 'grace', url: URL_12 }, MONDAY_9 + HOUR);
    ticket.send({ type: 'resolve', actor: 'grace', resolution: 'Workaround: --no-cache' }, MONDAY_9 + 2 * HOUR);
    const effects = ticket.send({ type: 'engineeringIssueClosed', url: URL_12 }, MONDAY_9 + 3 * HOUR);
    assert.equal(ticket.state.engineeringIssue?.state, 'closed');
    assert.equal(only(effects, 'notifyTeam')[0]!.text, `Unassigned ticket: the engineering issue ${URL_12} was closed: the fix landed. The ticket is already resolved.`);
  });
});

describe('how the two sides find each other', () => {
  test('issue URLs, labels and markers', () => {
    assert.deepEqual(parseIssueUrl('https://github.com/fm08/platform/issues/12?x=1'), { repo: 'fm08/platform', number: 12, url: URL_12 });
    assert.equal(parseIssueUrl('https://github.com/fm08/platform/issues/12/comments'), undefined);
    const key = 'T-01KENG0000000001/9/engineering-issue';
    assert.deepEqual(ticketsReferencedBy({ body: `text\n${engineeringMarker(key)}`, labels: [{ name: 'bug' }, { name: 'tierline:T-01KENG0000000003' }] }), ['T-01KENG0000000003', 'T-01KENG0000000001']);
    assert.deepEqual(ticketsReferencedBy({ body: null }), []);
    assert.deepEqual(ticketsReferencedBy({ body: '<!-- tierline:not-a-ticket -->', labels: [{ name: 'tierline:support' }] }), []);
  });
});
