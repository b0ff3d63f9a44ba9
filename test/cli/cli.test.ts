import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../adapters/http/server.js';
import type { TicketView } from '../../domain/ticket/view.js';
import { apiTokenPath, LOCAL_ACTOR } from '../../workers/api-token.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { devServerEnv, ticketHarness, type TicketHarness } from '../helpers/temporal.js';
import { BIN, tierlineRunner, type Run } from './run-tierline.js';

const newToken = () => `tl_${randomBytes(24).toString('base64url')}`;
/** Grace's token, the one the CLI is given; and the embedded default's, kept in a data folder. */
const graceToken = newToken();
const localToken = newToken();
const SECRETS = [graceToken, localToken];

describe('the tierline CLI works tickets through the HTTP API (real dev-server Temporal)', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let api: FastifyInstance;
  let apiUrl: string;
  let port: number;
  const outbox = outboxActivities();
  /** A data folder without a token file: the CLI must not find one of the machine's. */
  const emptyDataDir = mkdtempSync(join(tmpdir(), 'tierline-cli-empty-'));

  /** Runs the CLI as a person would, and checks that no output shows a token. */
  const tierline = tierlineRunner(() => ({ TIERLINE_API_URL: apiUrl, TIERLINE_API_TOKEN: graceToken, TIERLINE_DATA_DIR: emptyDataDir }), SECRETS);

  const opened = (run: Run) => {
    assert.equal(run.code, 0, run.stderr);
    const id = /^opened: (T-[0-9A-Z]+) /.exec(run.stdout)?.[1];
    assert.ok(id, `no ticket id in: ${run.stdout}`);
    return id;
  };

  const openTicket = async (subject: string) =>
    opened(await tierline(['open', '--subject', subject, '--description', 'Commands fail entirely', '--email', 'ada@example.com', '--priority', 'P0']));

  before(async () => {
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outbox.activities });
    api = buildApi({ tickets: harness.tickets, tokens: new Map([[graceToken, 'grace'], [localToken, LOCAL_ACTOR]]) });
    await api.listen({ host: '127.0.0.1', port: 0 });
    port = (api.server.address() as AddressInfo).port;
    apiUrl = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await api?.close();
    await harness?.shutdown();
    await env?.teardown();
  });

  test('grace opens a P0 ticket, shows it, acknowledges, responds and resolves it', async () => {
    await harness.run(async () => {
      const open = await tierline([
        'open', '--subject', 'Caro crashes on launch', '--description', 'Every command segfaults since 1.1.0',
        '--email', 'ada@example.com', '--name', 'Ada', '--channel', 'email', '--priority', 'P0',
      ]);
      const id = opened(open);
      assert.match(open.stdout, / · P0 Critical · tier support · firstResponse due \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
      const fresh = await harness.tickets.get(id);
      assert.equal(fresh.priority, 'P0');
      assert.deepEqual(fresh.requester, { email: 'ada@example.com', name: 'Ada' });

      const show = await tierline(['show', id]);
      assert.equal(show.code, 0, show.stderr);
      assert.match(show.stdout, new RegExp(`^${id}  Caro crashes on launch\n`));
      assert.match(show.stdout, /^ {2}status +awaiting first response$/m);
      assert.match(show.stdout, /^ {2}priority +P0 Critical$/m);
      assert.match(show.stdout, /^ {2}tier +support$/m);
      assert.match(show.stdout, /^ {2}requester +Ada <ada@example.com> via email$/m);
      assert.match(show.stdout, /^SLA clocks\n {2}firstResponse +running +target 1h +due \S+ \S+ UTC +(59m\d+s|1h) left$/m);
      assert.match(show.stdout, /^ {2}resolution +running +target 1d +due /m);
      assert.match(show.stdout, /^Timeline\n {2}\S+ \S+ UTC +ada@example.com +opened +opened on email: Caro crashes on launch$/m);

      const ack = await tierline(['ack', id]);
      assert.equal(ack.code, 0, ack.stderr);
      assert.match(ack.stdout, new RegExp(`^acknowledged: ${id} · .* · @grace · `));
      const acknowledged = await harness.tickets.get(id);
      assert.equal(acknowledged.assignee, 'grace');
      assert.ok(acknowledged.acknowledgedAt);

      const respond = await tierline(['respond', id, '--body', '-'], { stdin: 'We are on it; do not run the command.\n' });
      assert.equal(respond.code, 0, respond.stderr);
      assert.match(respond.stdout, new RegExp(`^responded: ${id} · in progress · `));
      const answered = await harness.tickets.get(id);
      assert.equal(answered.status, 'in_progress');
      const reply = answered.timeline.find((e) => e.type === 'responded')!;
      assert.equal(reply.actor, 'grace');
      assert.deepEqual(reply.data, { body: 'We are on it; do not run the command.' });

      const met = await tierline(['show', id]);
      assert.match(met.stdout, /^ {2}firstResponse +met +target 1h +met \S+ \S+ UTC$/m);
      assert.match(met.stdout, /^ {2}\S+ \S+ UTC +grace +responded +public reply to the requester: "We are on it; do not run the command\."$/m);

      const resolve = await tierline(['resolve', id, '--resolution', 'Fixed in v1.1.1']);
      assert.equal(resolve.code, 0, resolve.stderr);
      assert.match(resolve.stdout, new RegExp(`^resolved: ${id} · resolved · `));
      const resolved = await harness.tickets.get(id);
      assert.equal(resolved.status, 'resolved');
      assert.equal(resolved.resolution, 'Fixed in v1.1.1');

      const json = await tierline(['show', id, '--json']);
      assert.equal(json.code, 0, json.stderr);
      const view = JSON.parse(json.stdout) as TicketView;
      assert.equal(view.id, id);
      assert.equal(view.status, 'resolved');
      assert.deepEqual(view.timeline.map((e) => e.type).filter((t) => ['opened', 'acknowledged', 'responded', 'resolved'].includes(t)), ['opened', 'acknowledged', 'responded', 'resolved']);
    });
  });

  test('with no token given, the CLI reads the embedded default token file and finds the API from HTTP_HOST/HTTP_PORT', async () => {
    await harness.run(async () => {
      const id = await openTicket('Install broken on macOS');
      const dataDir = mkdtempSync(join(tmpdir(), 'tierline-cli-data-'));
      writeFileSync(apiTokenPath(dataDir), `${localToken}\n`, { mode: 0o600 });
      const note = await tierline(['note', id, '--body', 'Reproduced on macOS 15'], {
        env: { TIERLINE_DATA_DIR: dataDir, HTTP_HOST: '0.0.0.0', HTTP_PORT: String(port) },
      });
      assert.equal(note.code, 0, note.stderr);
      assert.match(note.stdout, new RegExp(`^noted: ${id} `));
      const entry = (await harness.tickets.get(id)).timeline.find((e) => e.type === 'note')!;
      assert.equal(entry.actor, LOCAL_ACTOR);
      assert.deepEqual(entry.data, { body: 'Reproduced on macOS 15' });
    });
  });

  test('opening again with the same idempotency key finds the ticket opened before', async () => {
    await harness.run(async () => {
      const args = ['open', '--subject', 'Login loops', '--description', 'x', '--email', 'ada@example.com', '--idempotency-key', 'form-4711'];
      const id = opened(await tierline(args));
      const again = await tierline(args);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`^found the ticket opened before: ${id} · `));
    });
  });

  test('a command line or a ticket the API rejects exits 2 and names the option to fix', async () => {
    const missing = await tierline(['open', '--subject', 'No requester', '--description', 'x']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^tierline: --email is required$/m);

    const invalid = await tierline(['open', '--subject', 'Bad address', '--description', 'x', '--email', 'not-an-email', '--priority', 'P9']);
    assert.equal(invalid.code, 2);
    assert.equal(invalid.stdout, '');
    assert.match(invalid.stderr, /^tierline: --email: expected an email address$/m);

    const priority = await tierline(['open', '--subject', 'Bad priority', '--description', 'x', '--email', 'ada@example.com', '--priority', 'P9']);
    assert.equal(priority.code, 2);
    assert.equal(priority.stderr, "tierline: --priority: unknown priority 'P9'; expected one of P0, P1, P2, P3\n");

    const noBody = await tierline(['respond', 'T-00000000000000000', '--body', '   ']);
    assert.equal(noBody.code, 2);
    assert.equal(noBody.stderr, 'tierline: --body: body must not be empty\n');
  });

  test('a token the API does not know exits 3 and the token is never printed', async () => {
    const wrong = newToken();
    SECRETS.push(wrong);
    const run = await tierline(['show', 'T-00000000000000000'], { env: { TIERLINE_API_URL: apiUrl, TIERLINE_API_TOKEN: wrong, TIERLINE_DATA_DIR: emptyDataDir } });
    assert.equal(run.code, 3);
    assert.equal(run.stderr, `tierline: the API at ${apiUrl} refused the token from TIERLINE_API_TOKEN (401); pass the right one with --token or TIERLINE_API_TOKEN\n`);

    const none = await tierline(['show', 'T-00000000000000000'], { env: { TIERLINE_API_URL: apiUrl, TIERLINE_DATA_DIR: emptyDataDir } });
    assert.equal(none.code, 3);
    assert.match(none.stderr, /^tierline: no API token: pass --token, set TIERLINE_API_TOKEN, or start the embedded default \(npm start\), which writes it to .*api-token$/m);
  });

  test('an unknown ticket exits 4', async () => {
    const run = await tierline(['ack', 'T-00000000000000000']);
    assert.equal(run.code, 4);
    assert.equal(run.stderr, 'tierline: no ticket T-00000000000000000\n');
  });

  test('acknowledging a resolved ticket exits 5 with the ticket’s reason', async () => {
    await harness.run(async () => {
      const id = await openTicket('Docs typo');
      assert.equal((await tierline(['resolve', id, '--resolution', 'Fixed the typo'])).code, 0);
      const run = await tierline(['ack', id]);
      assert.equal(run.code, 5);
      assert.equal(run.stderr, 'tierline: refused: cannot acknowledge a resolved ticket; reopen it first\n');
      assert.equal((await harness.tickets.get(id)).status, 'resolved');
    });
  });

  test('bin/tierline.mjs runs the CLI (the package bin)', async () => {
    const help = await tierline(['--help'], { launcher: [BIN] });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: tierline <command> \[ID\] \[options\]$/m);
    const missing = await tierline(['show', 'T-00000000000000000'], { launcher: [BIN] });
    assert.equal(missing.code, 4);
  });
});
