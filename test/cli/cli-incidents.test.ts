import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import type { IncidentSummary, ProposalAnswer } from '../../adapters/http/incidents.js';
import { buildApi } from '../../adapters/http/server.js';
import { IncidentClient } from '../../client/incidents.js';
import type { IncidentView } from '../../domain/incident/view.js';
import type { TicketView } from '../../domain/ticket/view.js';
import { loadPolicy } from '../../policies/load.js';
import { outboxActivities } from '../helpers/activities.js';
import { eventually, listenOnLoopback } from '../helpers/api.js';
import { devServerEnv, ticketHarness, type TicketHarness } from '../helpers/temporal.js';
import { tierlineRunner, type Run } from './run-tierline.js';

const graceToken = `tl_${randomBytes(24).toString('base64url')}`;
const run = randomBytes(3).toString('hex');

describe('tierline incident round-trips against the dev server (TRKV policy: linked clocks pause, resolving resolves them)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let api: FastifyInstance;
  let apiUrl: string;
  const policy = loadPolicy('trkv');
  const emptyDataDir = mkdtempSync(join(tmpdir(), 'tierline-cli-empty-'));
  const tierline = tierlineRunner(() => ({ TIERLINE_API_URL: apiUrl, TIERLINE_API_TOKEN: graceToken, TIERLINE_DATA_DIR: emptyDataDir }), [graceToken]);

  const ok = (result: Run, what: string) => assert.equal(result.code, 0, `${what}: ${result.stderr}`);

  /** Opens a TRKV ticket through the API (faster than a child process) and returns its id. */
  async function openTicket(subject: string, extra: object = {}): Promise<string> {
    const res = await fetch(`${apiUrl}/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${graceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject, description: 'The sync icon spins forever', requester: { email: 'ada@example.com' }, channel: 'email', priority: 'medium', ...extra }),
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as TicketView).id;
  }

  async function ticket(id: string): Promise<TicketView> {
    const result = await tierline(['show', id, '--json']);
    ok(result, 'show --json');
    return JSON.parse(result.stdout) as TicketView;
  }

  async function shown(id: string): Promise<IncidentView> {
    const result = await tierline(['incident', 'show', id, '--json']);
    ok(result, 'incident show --json');
    return JSON.parse(result.stdout) as IncidentView;
  }

  before(async () => {
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy, activities: outboxActivities().activities });
    const incidents = new IncidentClient(env.client, { taskQueue: harness.taskQueue, policy, publicUrl: 'https://support.trkv.example' });
    api = buildApi({ tickets: harness.tickets, incidents, tokens: new Map([[graceToken, 'grace']]) });
    apiUrl = await listenOnLoopback(api);
  });
  after(async () => {
    await api?.close();
    await harness?.shutdown();
    await env?.teardown();
  });

  test('grace declares an incident with a ticket, posts an update, links and unlinks another, resolves it and reads the report', async () => {
    await harness.run(async () => {
      const first = await openTicket('Sync never finishes');
      const second = await openTicket('Sync stuck again');

      const args = ['incident', 'declare', '--title', `Sync down ${run}`, '--severity', 'major', '--impact', 'Sync fails for every user', '--components', 'sync, api', '--ticket', first, '--idempotency-key', `sync-${run}`];
      const declared = await tierline(args);
      ok(declared, 'incident declare');
      const id = /^declared: (I-[0-9A-Z]+) · Major · investigating · commander grace · 1 linked ticket · next update due \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/m.exec(declared.stdout)?.[1];
      assert.ok(id, `no incident line in: ${declared.stdout}`);
      const again = await tierline(args);
      ok(again, 'incident declare again');
      assert.match(again.stdout, new RegExp(`^found the incident declared before: ${id} · `));

      const show = await tierline(['incident', 'show', id]);
      ok(show, 'incident show');
      assert.match(show.stdout, new RegExp(`^${id}  Sync down ${run}\n`));
      assert.match(show.stdout, /^ {2}severity +Major \(major\)$/m);
      assert.match(show.stdout, /^ {2}components +sync, api$/m);
      assert.match(show.stdout, new RegExp(`^ {2}status page +/status/incidents/${id}$`, 'm'));
      assert.match(show.stdout, /^Updates\n {2}1\. \S+ \S+ UTC {2}Investigating {2}by grace\n {5}We are investigating: Sync down/m);
      assert.match(show.stdout, new RegExp(`^Linked tickets\n {2}${first} +linked \\S+ \\S+ UTC +by grace$`, 'm'));

      const update = await tierline(['incident', 'update', id, '--status', 'identified', '--impact', 'Sync fails for EU users', '--message', '-'], { stdin: 'A bad deploy of the sync service.\nRolling back.\n' });
      ok(update, 'incident update');
      assert.match(update.stdout, new RegExp(`^update posted \\(identified\\): ${id} · Major · identified · `));
      const updated = await shown(id);
      assert.equal(updated.updates[1]!.message, 'A bad deploy of the sync service.\nRolling back.');

      const linked = await tierline(['incident', 'link', id, second]);
      ok(linked, 'incident link');
      assert.match(linked.stdout, new RegExp(`^linked ${second}: ${id} · Major · identified · commander grace · 2 linked tickets · `));
      const held = await eventually('the second ticket held by the incident', async () => {
        const view = await ticket(second);
        return view.incident?.id === id && view;
      });
      assert.equal(held.incident!.clocksPaused, true);
      const twice = await tierline(['incident', 'link', id, second]);
      assert.equal(twice.code, 5);
      assert.equal(twice.stderr, `tierline: refused: ticket ${second} is already linked to ${id}\n`);

      const unlinked = await tierline(['incident', 'unlink', id, second, '--reason', 'a different problem']);
      ok(unlinked, 'incident unlink');
      assert.match(unlinked.stdout, new RegExp(`^unlinked ${second}: ${id} · .* · 1 linked ticket · `));
      await eventually('the second ticket let go', async () => (await ticket(second)).incident === undefined);

      const severity = await tierline(['incident', 'severity', id, 'critical', '--reason', 'every region now']);
      ok(severity, 'incident severity');
      assert.match(severity.stdout, new RegExp(`^severity set to critical: ${id} · Critical · identified · `));

      const listed = await eventually('the incident in the list', async () => {
        const result = await tierline(['incident', 'list', '--json']);
        ok(result, 'incident list --json');
        return (JSON.parse(result.stdout) as { incidents: IncidentSummary[] }).incidents.find((i) => i.id === id);
      });
      assert.equal(listed.title, `Sync down ${run}`);
      const table = await tierline(['incident', 'list']);
      ok(table, 'incident list');
      assert.match(table.stdout, /^ID +SEVERITY +STATUS +COMMANDER +TICKETS +NEXT UPDATE +TITLE$/m);
      assert.match(table.stdout, new RegExp(`^${id} +Critical +identified +grace +1 +`, 'm'));

      const resolved = await tierline(['incident', 'resolve', id, '--summary', 'Rolled back; sync works again', '--root-cause', 'A config flag flipped in the deploy']);
      ok(resolved, 'incident resolve');
      assert.match(resolved.stdout, new RegExp(`^resolved: ${id} · Critical · resolved · commander grace · 1 linked ticket\n$`));
      await eventually('the linked ticket resolved (TRKV onResolve: resolve-linked)', async () => (await ticket(first)).status === 'resolved');

      const late = await tierline(['incident', 'update', id, '--status', 'monitoring', '--impact', 'none', '--message', 'watching']);
      assert.equal(late.code, 5);
      assert.match(late.stderr, new RegExp(`^tierline: refused: incident ${id} is resolved; it takes no more`));

      const report = await tierline(['incident', 'report', id]);
      ok(report, 'incident report');
      assert.match(report.stdout, new RegExp(`^# Incident Report: Sync down ${run}$`, 'm'));
      assert.match(report.stdout, /^## Root Cause\n\nA config flag flipped in the deploy$/m);
      assert.match(report.stdout, /^_TO FILL: resolution steps_$/m);
      assert.match(report.stdout, /^_TO FILL: prevention measures_$/m);
      const reportJson = await tierline(['incident', 'report', id, '--json']);
      ok(reportJson, 'incident report --json');
      assert.equal((JSON.parse(reportJson.stdout) as { markdown: string }).markdown.trimEnd(), report.stdout.trimEnd());
    });
  });

  test('a burst of tickets of one component shows in incident proposals; the command it prints declares the incident and links them', async () => {
    await harness.run(async () => {
      const component = `billing-${run}`;
      const ids: string[] = [];
      // TRKV: five tickets naming the same component within ten minutes.
      for (let i = 0; i < 5; i++) ids.push(await openTicket(`Invoices fail (${i})`, { tags: [`component:${component}`] }));

      const proposal = await eventually('the proposal', async () => {
        const result = await tierline(['incident', 'proposals', '--json']);
        ok(result, 'incident proposals --json');
        return (JSON.parse(result.stdout) as { proposals: ProposalAnswer[] }).proposals.find((p) => p.value === component);
      });
      assert.deepEqual([...proposal.tickets].sort(), [...ids].sort());
      const listed = await tierline(['incident', 'proposals']);
      ok(listed, 'incident proposals');
      assert.match(listed.stdout, new RegExp(`^ {2}5 tickets with component '${component}' within 10m \\(Same component\\), `, 'm'));
      const confirm = /^ {2}confirm: tierline (incident declare .*)$/m.exec(listed.stdout)?.[1];
      assert.ok(confirm, `no confirm line in: ${listed.stdout}`);
      assert.ok(confirm.includes(`--proposal '${proposal.key}'`) && ids.every((t) => confirm.includes(`--ticket ${t}`)));

      const declared = await tierline(['incident', 'declare', '--proposal', proposal.key, '--severity', 'minor', '--title', proposal.title, '--impact', 'Invoices cannot be created', '--components', component, ...ids.flatMap((t) => ['--ticket', t])]);
      ok(declared, 'incident declare --proposal');
      assert.match(declared.stdout, /^declared: I-[0-9A-Z]+ · Minor · investigating · commander grace · 5 linked tickets · /);
      const incident = JSON.parse((await tierline(['incident', 'show', /(I-[0-9A-Z]+)/.exec(declared.stdout)![1]!, '--json'])).stdout) as IncidentView;
      assert.equal(incident.proposalKey, proposal.key);
      await eventually('the proposal gone', async () => {
        const result = await tierline(['incident', 'proposals', '--json']);
        return !(JSON.parse(result.stdout) as { proposals: ProposalAnswer[] }).proposals.some((p) => p.key === proposal.key);
      });
      await tierline(['incident', 'resolve', incident.id, '--summary', 'Billing fixed']);
    });
  });

  test('a bad declaration exits 2 naming the option; an unknown incident exits 4', async () => {
    const severity = await tierline(['incident', 'declare', '--title', 'x', '--severity', 'catastrophic', '--impact', 'y']);
    assert.equal(severity.code, 2);
    assert.equal(severity.stderr, "tierline: --severity: unknown severity 'catastrophic'; expected one of critical, major, minor\n");
    const ticketId = await tierline(['incident', 'declare', '--title', 'x', '--severity', 'minor', '--impact', 'y', '--ticket', 'nope']);
    assert.equal(ticketId.code, 2);
    assert.equal(ticketId.stderr, 'tierline: --ticket: expected a ticket id, e.g. T-01K2ZQ7N8C4V6B3M9D\n');
    const missing = await tierline(['incident', 'declare', '--title', 'x']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^tierline: --severity is required\ntierline: --impact is required\n/);

    const unknown = await tierline(['incident', 'show', 'I-ZZZZZZZZZZZZZZZZ']);
    assert.equal(unknown.code, 4);
    assert.equal(unknown.stderr, 'tierline: no incident I-ZZZZZZZZZZZZZZZZ\n');
    const report = await tierline(['incident', 'report', 'I-ZZZZZZZZZZZZZZZZ']);
    assert.equal(report.code, 4);
  });
});
