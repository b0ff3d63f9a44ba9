/**
 * Temporal is the source of truth and the ledger can be written again from it. Real ticket
 * workflows on a dev server: the ledger filled as the tickets move (the activity, after each
 * action) equals the one `rebuildLedger` writes from visibility and the getTicketState query into a
 * fresh database, and rebuilding over the filled one adds nothing. `npm run ledger:rebuild` does
 * the same from the worker's configuration, and says what is missing when no worker answers.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLedgerActivities, ledgerInputOf, openLedger, type TicketLedger } from '../../activities/ledger.js';
import { rebuildLedger, TICKET_WORKFLOWS_QUERY } from '../../activities/ledger/rebuild.js';
import { postgresDriver } from '../../activities/ledger/postgres.js';
import type { SqlDriver } from '../../activities/ledger/sql.js';
import { sqliteDriver } from '../../activities/ledger/sqlite.js';
import { ticketWorkflowId } from '../../client/ticket-ids.js';
import type { Command } from '../../domain/ticket/commands.js';
import { PROJECT_ROOT } from '../../workers/temporal-tools.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { activityEnv } from '../helpers/activity-env.js';
import { outboxActivities } from '../helpers/activities.js';
import { eventually } from '../helpers/api.js';
import { postgresForTests } from '../helpers/postgres.js';
import { devServerEnv, settled, ticketHarness, type TicketHarness } from '../helpers/temporal.js';

const run = promisify(execFile);
const { attempt } = activityEnv();
const postgres = await postgresForTests();

/** Every row of both tables, in key order: of a SQLite file, or through the driver given. */
async function dump(where: string | SqlDriver) {
  const driver = typeof where === 'string' ? sqliteDriver(where) : where;
  try {
    const milestones = await driver.execute('SELECT * FROM ticket_milestones ORDER BY ticket_id, seq');
    const tickets = await driver.execute('SELECT * FROM tickets ORDER BY ticket_id');
    return { milestones: milestones.rows, tickets: tickets.rows };
  } finally {
    await driver.close();
  }
}

describe('rebuilding the ledger from the ticket workflows', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let dir: string;
  let live: TicketLedger;
  const ledgers: TicketLedger[] = [];
  const ticketIds: string[] = [];
  const address = () => (env.connection as unknown as { options: { address: string } }).options.address;
  const ledgerAt = (name: string) => {
    const ledger = openLedger({ kind: 'sqlite', path: join(dir, name) });
    ledgers.push(ledger);
    return ledger;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tierline-ledger-rebuild-'));
    env = await devServerEnv();
    // A short history limit, so the busiest ticket continues as new: visibility then lists it twice.
    harness = await ticketHarness(env, { policy: caroLikePolicy(), activities: outboxActivities().activities, continueAsNewAfterEvents: 30 });
    live = ledgerAt('live.db');
  });
  after(async () => {
    for (const ledger of ledgers) await ledger.close();
    await harness?.shutdown();
    await env?.teardown();
    await postgres.cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('the ledger written as tickets move equals the one rebuilt from the workflows into a fresh database', async () => {
    const { recordTicketMilestones } = createLedgerActivities(live);
    const recordedUpTo = new Map<string, number>();
    /** What the ticket workflow will send after each event: the entries since the last write, and the row. */
    const liveWrite = async (ticketId: string) => {
      const state = await harness.tickets.state(ticketId);
      const from = recordedUpTo.get(ticketId) ?? 0;
      const input = ledgerInputOf(state);
      await attempt(1, recordTicketMilestones, { ...input, entries: input.entries.filter((e) => e.seq > from) });
      recordedUpTo.set(ticketId, state.seq);
    };

    await harness.run(async () => {
      const open = async (body: object) => {
        const { ticket } = await harness.tickets.open(body);
        ticketIds.push(ticket.id);
        await liveWrite(ticket.id);
        return ticket.id;
      };
      const act = async <T extends Command['type']>(ticketId: string, type: T, args: Omit<Extract<Command, { type: T }>, 'type'>) => {
        await harness.tickets.act(ticketId, type, args);
        await liveWrite(ticketId);
      };

      // A P1: acknowledged, answered, resolved and closed (its workflow completes).
      const outage = await open({ subject: 'Checkout returns 500', requester: { email: 'ada@example.com' }, channel: 'email', priority: 'P1', category: 'billing' });
      await act(outage, 'acknowledge', { actor: 'grace' });
      await act(outage, 'respond', { actor: 'grace', body: 'We are rolling back the deploy.' });
      await act(outage, 'note', { actor: 'grace', body: 'Rollback done at 14:05' });
      await act(outage, 'resolve', { actor: 'grace', resolution: 'Rolled back 2.3.0' });
      await act(outage, 'close', { actor: 'grace' });
      // A P2 being worked on; a P3 nobody has touched yet.
      const export_ = await open({ subject: 'Export hangs', requester: { email: 'linus@example.com' }, channel: 'api', priority: 'P2' });
      await act(export_, 'acknowledge', { actor: 'linus' });
      await act(export_, 'setPriority', { actor: 'linus', priority: 'P1', reason: 'blocks month-end close' });
      await open({ subject: 'Typo on the pricing page', requester: { email: 'mae@example.com' }, channel: 'github', priority: 'P3' });

      // Notification outcomes land on the timelines after their activities: write what is there at rest.
      for (const id of ticketIds) {
        await settled(env.client.workflow.getHandle(ticketWorkflowId(id)));
        await liveWrite(id);
      }
      // Visibility catches up with the last runs (the closed ticket, the continued-as-new one).
      await eventually('the closed runs in visibility', async () => (await env.client.workflow.count(`${TICKET_WORKFLOWS_QUERY} AND ExecutionStatus != 'Running'`)).count >= 2);
    });

    const listed: string[] = [];
    for await (const execution of env.client.workflow.list({ query: TICKET_WORKFLOWS_QUERY })) listed.push(execution.workflowId);
    assert.ok(listed.length > ticketIds.length, `one ticket continued as new, so visibility lists more runs (${listed.length}) than tickets (${ticketIds.length})`);

    const fresh = ledgerAt('fresh.db');
    const rebuilt = await harness.run(() => rebuildLedger({ client: env.client, ledger: fresh }));
    assert.deepEqual(rebuilt.failures, []);
    assert.equal(rebuilt.workflows, 3);
    assert.equal(rebuilt.tickets, 3);
    assert.equal(rebuilt.ticketRowsUpdated, 3);

    const liveRows = await dump(join(dir, 'live.db'));
    const rebuiltRows = await dump(join(dir, 'fresh.db'));
    assert.equal(rebuilt.milestonesWritten, liveRows.milestones.length);
    assert.deepEqual(rebuiltRows, liveRows);
    assert.deepEqual(new Set(liveRows.tickets.map((t) => t.ticket_id)), new Set(ticketIds));
    const closed = liveRows.tickets.find((t) => t.ticket_id === ticketIds[0]);
    assert.equal(closed?.status, 'closed');
    assert.equal(liveRows.tickets.find((t) => t.ticket_id === ticketIds[1])?.priority, 'P1');

    // Over the ledger the workflows filled: nothing new, nothing moved.
    const again = await harness.run(() => rebuildLedger({ client: env.client, ledger: live }));
    assert.deepEqual([again.tickets, again.milestonesWritten, again.ticketRowsUpdated, again.failures.length], [3, 0, 0, 0]);
    assert.deepEqual(await dump(join(dir, 'live.db')), liveRows);
  });

  it('rebuilt into PostgreSQL, the ledger has the very same rows', { skip: postgres.skip ?? false }, async () => {
    const url = await postgres.cluster!.createDatabase('rebuilt');
    const ledger = openLedger({ kind: 'postgres', url });
    ledgers.push(ledger);
    const result = await harness.run(() => rebuildLedger({ client: env.client, ledger }));
    assert.deepEqual([result.tickets, result.failures.length], [3, 0]);
    assert.deepEqual(await dump(postgresDriver(url)), await dump(join(dir, 'live.db')));
  });

  it('`npm run ledger:rebuild` writes the ledger of the configured data folder and prints the counts', async () => {
    const dataDir = join(dir, 'data');
    const { stdout } = await harness.run(() =>
      run(process.execPath, ['--import', 'tsx', 'scripts/ledger-rebuild.ts'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, TEMPORAL_ADDRESS: address(), TEMPORAL_NAMESPACE: env.namespace ?? 'default', TIERLINE_DATA_DIR: dataDir },
      }),
    );
    assert.match(stdout, /into SQLite .*data\/ledger\.db/);
    assert.match(stdout, /3 ticket workflows, 3 tickets written, \d+ new milestones, 3 ticket rows inserted or brought forward, 0 failed/);
    assert.deepEqual(await dump(join(dataDir, 'ledger.db')), await dump(join(dir, 'live.db')));
  });

  it('without a worker to answer the queries, the rebuild stops at the first ticket and says what to start', async () => {
    await harness.shutdown();
    const result = await rebuildLedger({ client: env.client, ledger: ledgerAt('no-worker.db'), queryTimeoutMs: 2_000 });
    assert.equal(result.tickets, 0);
    assert.equal(result.failures.length, 1);
    assert.match(result.stoppedBecause ?? '', /needs a running tierline worker polling task queue 'test-[^']+', for closed tickets too: start one \(npm start\)/);
  });
});
