import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import type { OnCallAnswer } from '../../adapters/http/oncall-routes.js';
import { buildApi } from '../../adapters/http/server.js';
import type { TicketView } from '../../domain/ticket/view.js';
import { loadPolicy } from '../../policies/load.js';
import { loadOnCall } from '../../workers/oncall.js';
import { PROJECT_ROOT } from '../../workers/temporal-tools.js';
import { outboxActivities } from '../helpers/activities.js';
import { devServerEnv, ticketHarness, type TicketHarness } from '../helpers/temporal.js';
import { tierlineRunner, type Run } from './run-tierline.js';

const graceToken = `tl_${randomBytes(24).toString('base64url')}`;
/** Names unique to this run, so that the list filters find only this file's tickets. */
const run = randomBytes(3).toString('hex');

interface ListAnswer {
  tickets: { id: string; status?: string; priority?: string; tier?: string; assignee?: string }[];
  nextPageToken?: string | null;
}

describe('every tierline command round-trips against the dev server (SIGN X policy, its on-call file)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let api: FastifyInstance;
  let bareApi: FastifyInstance;
  let apiUrl: string;
  /** The same tickets, served without an on-call file. */
  let bareApiUrl: string;
  const outbox = outboxActivities();
  const emptyDataDir = mkdtempSync(join(tmpdir(), 'tierline-cli-empty-'));
  const tierline = tierlineRunner(() => ({ TIERLINE_API_URL: apiUrl, TIERLINE_API_TOKEN: graceToken, TIERLINE_DATA_DIR: emptyDataDir }), [graceToken]);

  const ok = (result: Run, what: string) => assert.equal(result.code, 0, `${what}: ${result.stderr}`);

  /** Opens a SIGN X ticket by live chat (it lands in tier2, the help desk; an email would try self-service first) and returns its id. */
  async function openTicket(subject: string, priority = 'P2'): Promise<string> {
    const opened = await tierline(['open', '--subject', subject, '--description', 'The export stops at 99%', '--email', 'ada@example.com', '--channel', 'chat', '--priority', priority]);
    ok(opened, 'open');
    const id = /^opened: (T-[0-9A-Z]+) /.exec(opened.stdout)?.[1];
    assert.ok(id, `no ticket id in: ${opened.stdout}`);
    return id;
  }

  async function shown(id: string): Promise<TicketView> {
    const result = await tierline(['show', id, '--json']);
    ok(result, 'show --json');
    return JSON.parse(result.stdout) as TicketView;
  }

  /** The API's list for a query, once visibility has caught up: until `expect` holds, for up to 15 s. */
  async function listed(query: string, expect: (ids: string[], answer: ListAnswer) => boolean): Promise<ListAnswer> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await fetch(`${apiUrl}/v1/tickets?${query}`, { headers: { authorization: `Bearer ${graceToken}` } });
      assert.equal(res.status, 200);
      const answer = (await res.json()) as ListAnswer;
      if (expect(answer.tickets.map((t) => t.id), answer)) return answer;
      if (Date.now() > deadline) throw new Error(`GET /v1/tickets?${query} never matched; last answer ${JSON.stringify(answer)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const sameSet = (a: string[], b: string[]) => a.length === b.length && b.every((id) => a.includes(id));

  before(async () => {
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy: loadPolicy('signx'), activities: outbox.activities });
    const tokens = new Map([[graceToken, 'grace']]);
    api = buildApi({ tickets: harness.tickets, tokens, oncall: loadOnCall(join(PROJECT_ROOT, 'policies', 'oncall.example.yaml')) });
    bareApi = buildApi({ tickets: harness.tickets, tokens });
    await api.listen({ host: '127.0.0.1', port: 0 });
    await bareApi.listen({ host: '127.0.0.1', port: 0 });
    apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    bareApiUrl = `http://127.0.0.1:${(bareApi.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await api?.close();
    await bareApi?.close();
    await harness?.shutdown();
    await env?.teardown();
  });

  test('grace reprioritises, assigns, parks on the customer and resumes a ticket; show --json says so each time', async () => {
    await harness.run(async () => {
      const id = await openTicket('Export stops at 99%');

      const priority = await tierline(['priority', id, 'P3', '--reason', 'cosmetic: the file is complete']);
      ok(priority, 'priority');
      assert.match(priority.stdout, new RegExp(`^priority set to P3: ${id} · .* · P3 Low · tier tier2`));
      const lowered = await shown(id);
      assert.equal(lowered.priority, 'P3');
      assert.ok(lowered.timeline.some((e) => e.type === 'priority' && e.actor === 'grace' && e.summary === 'priority set to P3: cosmetic: the file is complete'));

      const assign = await tierline(['assign', id, 'linus', '--json']);
      ok(assign, 'assign --json');
      const assigned = JSON.parse(assign.stdout) as TicketView;
      assert.equal(assigned.id, id);
      assert.equal(assigned.assignee, 'linus');
      assert.equal((await shown(id)).assignee, 'linus');

      const pending = await tierline(['pending', id, 'customer', '--note', 'waiting for the export log']);
      ok(pending, 'pending customer');
      assert.match(pending.stdout, new RegExp(`^pending on the customer: ${id} · pending customer · `));
      const parked = await shown(id);
      assert.equal(parked.status, 'pending_customer');
      assert.equal(parked.pending?.reason, 'customer');
      assert.ok(parked.timeline.some((e) => e.type === 'pending' && e.summary === 'pending on the customer: waiting for the export log'));

      const again = await tierline(['pending', id, 'customer']);
      assert.equal(again.code, 5);
      assert.equal(again.stderr, 'tierline: refused: the ticket is already pending on the customer\n');

      const resume = await tierline(['pending', id, 'none']);
      ok(resume, 'pending none');
      assert.match(resume.stdout, new RegExp(`^no longer pending: ${id} · `));
      const resumed = await shown(id);
      assert.equal(resumed.pending, undefined);
      assert.notEqual(resumed.status, 'pending_customer');

      const bad = await tierline(['pending', id, 'later']);
      assert.equal(bad.code, 2);
      assert.equal(bad.stderr, "tierline: REASON: expected one of customer, vendor, none, got 'later'\n");
      const unknownPriority = await tierline(['priority', id, 'P9']);
      assert.equal(unknownPriority.code, 5);
      assert.equal(unknownPriority.stderr, "tierline: refused: unknown priority 'P9'; expected one of P0, P1, P2, P3\n");
    });
  });

  test('grace escalates a help-desk ticket to engineering and to the vendor tier; past the last tier the ticket refuses', async () => {
    await harness.run(async () => {
      const id = await openTicket('Exports fail for every EU customer');
      assert.equal((await shown(id)).tier, 'tier2');

      const up = await tierline(['escalate', id, '--reason', 'reproduced: a bug in the exporter']);
      ok(up, 'escalate');
      assert.match(up.stdout, new RegExp(`^escalated: ${id} · .* · tier tier3`));
      const engineering = await shown(id);
      assert.equal(engineering.tier, 'tier3');
      assert.ok(engineering.timeline.some((e) => e.type === 'escalated' && e.actor === 'grace' && e.summary === 'escalated to Engineering Escalation: reproduced: a bug in the exporter'));

      ok(await tierline(['escalate', id, '--to', 'tier4', '--reason', 'the object store of the vendor loses parts']), 'escalate --to tier4');
      assert.equal((await shown(id)).tier, 'tier4');

      const past = await tierline(['escalate', id, '--reason', 'higher still']);
      assert.equal(past.code, 5);
      assert.equal(past.stdout, '');
      assert.equal(past.stderr, 'tierline: refused: the ticket is already in the last tier (Vendor Support)\n');

      const wrongWay = await tierline(['deescalate', id, '--to', 'tier4', '--reason', 'same tier']);
      assert.equal(wrongWay.code, 5);
      assert.equal(wrongWay.stderr, 'tierline: refused: Vendor Support is not below Vendor Support; escalate instead\n');

      const down = await tierline(['deescalate', id, '--to', 'tier2', '--reason', 'the vendor fixed it; the help desk tells the customer']);
      ok(down, 'deescalate');
      assert.match(down.stdout, new RegExp(`^de-escalated: ${id} · .* · tier tier2`));
      const back = await shown(id);
      assert.equal(back.tier, 'tier2');
      assert.deepEqual(back.timeline.filter((e) => e.type === 'escalated' || e.type === 'de-escalated').map((e) => e.type), ['escalated', 'escalated', 'de-escalated']);

      const noReason = await tierline(['escalate', id]);
      assert.equal(noReason.code, 2);
      assert.match(noReason.stderr, /^tierline: --reason is required$/m);
    });
  });

  test('grace resolves, reopens, closes and marks a duplicate; a ticket refuses what its state does not allow', async () => {
    await harness.run(async () => {
      const id = await openTicket('Invoice PDF is blank');
      ok(await tierline(['resolve', id, '--resolution', 'Regenerated the invoice']), 'resolve');

      const reopen = await tierline(['reopen', id, '--reason', 'still blank on mobile']);
      ok(reopen, 'reopen');
      assert.match(reopen.stdout, new RegExp(`^reopened: ${id} · in progress · `));
      const reopened = await shown(id);
      assert.equal(reopened.status, 'in_progress');
      assert.equal(reopened.resolvedAt, undefined);
      assert.ok(reopened.timeline.some((e) => e.type === 'reopened' && e.summary === 'still blank on mobile'));

      const twice = await tierline(['reopen', id]);
      assert.equal(twice.code, 5);
      assert.equal(twice.stderr, 'tierline: refused: only a resolved ticket can be reopened; this one is in_progress\n');

      const close = await tierline(['close', id, '--reason', 'the customer moved to another product']);
      ok(close, 'close');
      assert.match(close.stdout, new RegExp(`^closed: ${id} · closed · `));
      const closed = await shown(id);
      assert.equal(closed.status, 'closed');
      assert.ok(closed.closedAt);

      const afterClose = await tierline(['assign', id, 'grace']);
      assert.equal(afterClose.code, 5);
      assert.equal(afterClose.stderr, `tierline: refused: ticket ${id} is closed; nothing can change it\n`);

      const copy = await openTicket('Invoice PDF is blank (again)');
      const duplicate = await tierline(['duplicate', copy, id]);
      ok(duplicate, 'duplicate');
      assert.match(duplicate.stdout, new RegExp(`^closed as a duplicate of ${id}: ${copy} · closed · `));
      const dup = await shown(copy);
      assert.equal(dup.status, 'closed');
      assert.equal(dup.duplicateOf, id);

      const self = await openTicket('Invoice PDF is blank (third)');
      const ofItself = await tierline(['duplicate', self, self]);
      assert.equal(ofItself.code, 5);
      assert.equal(ofItself.stderr, 'tierline: refused: a ticket cannot be a duplicate of itself\n');
    });
  });

  test('an action repeated with the same --request-id changes the ticket once', async () => {
    await harness.run(async () => {
      const id = await openTicket('Webhook retries twice');
      for (let i = 0; i < 2; i++) ok(await tierline(['note', id, '--body', '-', '--request-id', `note-${run}`], { stdin: 'Seen in the logs:\nretry at 12:00\n' }), 'note');
      const notes = (await shown(id)).timeline.filter((e) => e.type === 'note');
      assert.equal(notes.length, 1);
      assert.deepEqual(notes[0]!.data, { body: 'Seen in the logs:\nretry at 12:00' });
    });
  });

  test('every ticket command on an unknown ticket exits 4', async () => {
    const unknown = 'T-00000000000000000';
    const commands = [
      ['priority', unknown, 'P1'],
      ['assign', unknown, 'grace'],
      ['pending', unknown, 'none'],
      ['escalate', unknown, '--reason', 'r'],
      ['deescalate', unknown, '--reason', 'r'],
      ['reopen', unknown],
      ['close', unknown],
      ['duplicate', unknown, 'T-00000000000000001'],
    ];
    const results = await Promise.all(commands.map((args) => tierline(args)));
    results.forEach((result, i) => {
      assert.equal(result.code, 4, `${commands[i]!.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr, `tierline: no ticket ${unknown}\n`);
    });
  });

  test('list finds tickets by assignee, priority, status, tier and open; --json is the API answer; --limit pages', async () => {
    await harness.run(async () => {
      const ana = `ana-${run}`;
      const bo = `bo-${run}`;
      const [a, b, c] = [await openTicket('Sync stalls'), await openTicket('Typo on the login page', 'P3'), await openTicket('Sync stalls on iPad')];
      for (const [id, who] of [[a, ana], [b, ana], [c, bo]] as const) ok(await tierline(['assign', id, who]), 'assign');
      ok(await tierline(['pending', a, 'customer']), 'pending');

      await listed(`assignee=${ana}`, (ids, answer) => sameSet(ids, [a, b]) && answer.tickets.some((t) => t.id === a && t.status === 'pending_customer'));
      const all = await tierline(['list', '--assignee', ana]);
      ok(all, 'list');
      const lines = all.stdout.split('\n');
      assert.match(lines[0]!, /^ID +STATUS +PRIORITY +TIER +ASSIGNEE +SLA +OPENED$/);
      assert.match(all.stdout, new RegExp(`^${a} +pending customer +P2 +tier2 +${ana} +`, 'm'));
      assert.match(all.stdout, new RegExp(`^${b} +awaiting first response +P3 +tier2 +${ana} +due \\S+ \\S+ UTC +\\S+ \\S+ UTC$`, 'm'));
      assert.ok(!all.stdout.includes(c));
      assert.match(all.stdout, /\n\n2 tickets\n$/);

      const json = await tierline(['list', '--assignee', ana, '--json']);
      ok(json, 'list --json');
      const answer = JSON.parse(json.stdout) as ListAnswer;
      assert.ok(sameSet(answer.tickets.map((t) => t.id), [a, b]));
      assert.deepEqual(answer.tickets.find((t) => t.id === b), (await listed(`assignee=${ana}`, () => true)).tickets.find((t) => t.id === b));

      const p3 = await tierline(['list', '--assignee', ana, '--priority', 'P3']);
      ok(p3, 'list --priority');
      assert.match(p3.stdout, new RegExp(`^${b} `, 'm'));
      assert.ok(!p3.stdout.includes(a));

      // A person writes the status as they read it.
      const waiting = await tierline(['list', '--assignee', ana, '--status', 'pending customer']);
      ok(waiting, 'list --status');
      assert.match(waiting.stdout, new RegExp(`^${a} `, 'm'));
      assert.ok(!waiting.stdout.includes(b));

      const tier = await tierline(['list', '--tier', 'tier2', '--assignee', bo, '--channel', 'chat']);
      ok(tier, 'list --tier --channel');
      assert.match(tier.stdout, new RegExp(`^${c} `, 'm'));
      assert.match(tier.stdout, /\n\n1 ticket\n$/);

      const breached = await tierline(['list', '--assignee', ana, '--breached']);
      ok(breached, 'list --breached');
      assert.equal(breached.stdout, 'no tickets match\n');

      ok(await tierline(['close', b]), 'close');
      await listed(`assignee=${ana}&open=true`, (ids) => sameSet(ids, [a]));
      const open = await tierline(['list', '--assignee', ana, '--open']);
      ok(open, 'list --open');
      assert.match(open.stdout, new RegExp(`^${a} `, 'm'));
      assert.ok(!open.stdout.includes(b));

      // One at a time: with a paginating API the page token finds the other; without, the CLI says there may be more.
      const first = await tierline(['list', '--assignee', ana, '--limit', '1', '--json']);
      ok(first, 'list --limit 1 --json');
      const page = JSON.parse(first.stdout) as ListAnswer;
      assert.equal(page.tickets.length, 1);
      const human = await tierline(['list', '--assignee', ana, '--limit', '1']);
      ok(human, 'list --limit 1');
      if (page.nextPageToken) {
        assert.match(human.stdout, /\n\n1 ticket\nnext page: --page-token \S+\n$/);
        const rest = await tierline(['list', '--assignee', ana, '--limit', '1', '--page-token', page.nextPageToken, '--json']);
        ok(rest, 'list --page-token');
        const second = JSON.parse(rest.stdout) as ListAnswer;
        assert.ok(sameSet([...page.tickets, ...second.tickets].map((t) => t.id), [a, b]));
      } else {
        assert.match(human.stdout, /\n\n1 ticket \(the first 1; --limit shows more\)\n$/);
      }

      // A token the server did not give, or (before pagination) a parameter the API does not take, names the option.
      const badToken = await tierline(['list', '--assignee', ana, '--page-token', 'nonsense']);
      assert.equal(badToken.code, 2);
      assert.match(badToken.stderr, /^tierline: --page-token: \S/);

      const badStatus = await tierline(['list', '--status', 'waiting']);
      assert.equal(badStatus.code, 2);
      assert.equal(badStatus.stderr, "tierline: --status: unknown status 'waiting'; expected one of new, triaged, awaiting_first_response, in_progress, pending_customer, pending_vendor, resolved, closed\n");
      const badLimit = await tierline(['list', '--limit', 'many']);
      assert.equal(badLimit.code, 2);
      assert.equal(badLimit.stderr, "tierline: --limit: expected a whole number of tickets from 1, got 'many'\n");
      const tooMany = await tierline(['list', '--limit', '501']);
      assert.equal(tooMany.code, 2);
      assert.match(tooMany.stderr, /^tierline: --limit: /);
    });
  });

  test('oncall names who carries the pager for each layer of signx-engineering at a given time, and until when', async () => {
    // Worked out from policies/oncall.example.yaml by hand. Weekly handoffs Monday 09:00 New York
    // from Monday 2026-01-05. Wednesday 2026-02-04 15:00 UTC (10:00 EST) is in week 4 (Feb 2):
    // primary people[4 mod 4] = Engineer A, secondary [D, A, B, C][0] = Engineer D, both until
    // Monday 2026-02-09 09:00 EST = 14:00 UTC; the lead is on 08:00-18:00 on weekdays.
    const winter = await tierline(['oncall', '--at', '2026-02-04T15:00:00Z']);
    ok(winter, 'oncall');
    assert.equal(
      winter.stdout,
      [
        'on call at 2026-02-04 15:00:00 UTC',
        '',
        'signx-engineering  SIGN X engineering on-call',
        '  primary    Engineer A <engineer-a@signx.example>  until 2026-02-09 14:00:00 UTC (2026-02-09 09:00 America/New_York), then Engineer B',
        '  secondary  Engineer D <engineer-d@signx.example>  until 2026-02-09 14:00:00 UTC (2026-02-09 09:00 America/New_York), then Engineer A',
        '  lead       Engineering Lead <lead@signx.example>  until 2026-02-04 23:00:00 UTC (2026-02-04 18:00 America/New_York), then nobody',
        '',
      ].join('\n'),
    );

    // Wednesday 2026-03-11 15:00 UTC (11:00 EDT: clocks went forward on 2026-03-08) is in week 9
    // (Mar 9): Engineer B's primary week, but the override gives Engineer C 2026-03-10T13:00Z to
    // 2026-03-12T13:00Z; the secondary is [D, A, B, C][1] = Engineer A until Monday 09:00 EDT.
    const override = await tierline(['oncall', '--at', '2026-03-11T15:00:00Z', '--schedule', 'signx-engineering']);
    ok(override, 'oncall --schedule');
    assert.match(override.stdout, /^ {2}primary +Engineer C <engineer-c@signx\.example> \(override: covering Engineer B \(conference\)\) +until 2026-03-12 13:00:00 UTC \(2026-03-12 09:00 America\/New_York\), then Engineer B$/m);
    assert.match(override.stdout, /^ {2}secondary +Engineer A <engineer-a@signx\.example> +until 2026-03-16 13:00:00 UTC \(2026-03-16 09:00 America\/New_York\), then Engineer B$/m);

    // At 23:00 EDT on Tuesday the lead's layer is off until 08:00 the next morning.
    const night = await tierline(['oncall', '--at', '2026-03-10T23:00:00-04:00', '--json']);
    ok(night, 'oncall --json');
    const answer = JSON.parse(night.stdout) as OnCallAnswer;
    assert.equal(answer.at, '2026-03-11T03:00:00.000Z');
    assert.equal(answer.configured, true);
    const layers = Object.fromEntries(answer.schedules[0]!.layers.map((l) => [l.id, l]));
    assert.equal(layers.primary!.person?.id, 'engineer-c');
    assert.equal(layers.primary!.via, 'override');
    assert.deepEqual(
      { person: layers.lead!.person, reason: layers.lead!.reason, until: layers.lead!.until, next: layers.lead!.next?.id },
      { person: null, reason: 'restricted', until: '2026-03-11T12:00:00.000Z', next: 'engineering-lead' },
    );
    const nightText = await tierline(['oncall', '--at', '2026-03-10T23:00:00-04:00']);
    assert.match(nightText.stdout, /^ {2}lead +nobody \(outside the layer's hours\) +until 2026-03-11 12:00:00 UTC \(2026-03-11 08:00 America\/New_York\), then Engineering Lead$/m);
  });

  test('oncall refuses a time it cannot read (2) and an unknown schedule (4), and says when no on-call file is configured', async () => {
    const badTime = await tierline(['oncall', '--at', 'yesterday']);
    assert.equal(badTime.code, 2);
    assert.equal(badTime.stderr, "tierline: --at: 'yesterday' is not an instant; write ISO 8601 with Z or an offset, e.g. 2026-03-11T15:00:00Z or 2026-03-11T11:00:00-04:00\n");
    const local = await tierline(['oncall', '--at', '2026-03-11T15:00']);
    assert.equal(local.code, 2);

    const unknown = await tierline(['oncall', '--schedule', 'trkv-ops']);
    assert.equal(unknown.code, 4);
    assert.equal(unknown.stderr, "tierline: no on-call schedule 'trkv-ops'; expected one of signx-engineering\n");

    const bare = { TIERLINE_API_URL: bareApiUrl, TIERLINE_API_TOKEN: graceToken, TIERLINE_DATA_DIR: emptyDataDir };
    const none = await tierline(['oncall'], { env: bare });
    ok(none, 'oncall without a file');
    assert.equal(none.stdout, 'no on-call schedules: this server has no on-call file (ONCALL_FILE)\n');
    const noneJson = await tierline(['oncall', '--json'], { env: bare });
    const empty = JSON.parse(noneJson.stdout) as OnCallAnswer;
    assert.equal(empty.configured, false);
    assert.deepEqual(empty.schedules, []);
    const noneNamed = await tierline(['oncall', '--schedule', 'signx-engineering'], { env: bare });
    assert.equal(noneNamed.code, 4);
    assert.equal(noneNamed.stderr, "tierline: no on-call schedule 'signx-engineering'; this server has no on-call file (ONCALL_FILE)\n");

    const noToken = await fetch(`${apiUrl}/v1/oncall`);
    assert.equal(noToken.status, 401);
  });

  test('an API that does not answer exits 6; each command has its help, and the general help lists the exit codes', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const down = await tierline(['list'], { env: { TIERLINE_API_URL: `http://127.0.0.1:${closed}`, TIERLINE_API_TOKEN: graceToken, TIERLINE_DATA_DIR: emptyDataDir } });
    assert.equal(down.code, 6);
    assert.match(down.stderr, new RegExp(`^tierline: cannot reach the tierline API at http://127\\.0\\.0\\.1:${closed} \\(.+\\); start it with npm start, or pass --api URL / set TIERLINE_API_URL\n$`));

    const help = await tierline(['--help']);
    ok(help, '--help');
    for (const command of ['list', 'priority', 'assign', 'pending', 'escalate', 'deescalate', 'reopen', 'close', 'duplicate', 'oncall']) {
      assert.match(help.stdout, new RegExp(`^ {2}${command} +\\S`, 'm'));
    }
    assert.match(help.stdout, /^Exit codes:\n {2}0 {2}done\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}4 .*\n {2}5 .*\n {2}6 {2}the API did not answer/m);

    const pendingHelp = await tierline(['pending', '--help']);
    ok(pendingHelp, 'pending --help');
    assert.match(pendingHelp.stdout, /^Usage: tierline pending ID customer\|vendor\|none \[options\] \[--json\]$/m);
    assert.match(pendingHelp.stdout, /^ {2}--note TEXT +what it waits for/m);
    const listHelp = await tierline(['help', 'list']);
    ok(listHelp, 'help list');
    assert.match(listHelp.stdout, /^ {2}--page-token TOKEN +/m);
  });
});
