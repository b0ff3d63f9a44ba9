/**
 * The ticket ledger, run as the worker runs it (MockActivityEnvironment at a chosen attempt),
 * against both databases it supports: the embedded SQLite file and a throwaway PostgreSQL cluster.
 * The same scenarios for both: a milestone written once under retries, repeats that change nothing,
 * a late older write that never moves a ticket back, migrations applied once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Context } from '@temporalio/activity';
import { createClient } from '@libsql/client';
import type { TimelineEntry } from '../../domain/ticket/types.js';
import {
  createLedgerActivities,
  LedgerErrorType,
  ledgerReader,
  openLedger,
  secretsOf,
  type LedgerLocation,
  type RecordTicketMilestonesInput,
  type TicketLedger,
} from '../../activities/ledger.js';
import { ledgerFailure } from '../../activities/ledger/failures.js';
import { migrate } from '../../activities/ledger/migrate.js';
import { postgresDriver } from '../../activities/ledger/postgres.js';
import { MIGRATIONS } from '../../activities/ledger/schema.js';
import type { SqlDriver } from '../../activities/ledger/sql.js';
import { sqliteDriver } from '../../activities/ledger/sqlite.js';
import { createActivities } from '../../workers/activities.js';
import { ConfigError, loadConfig } from '../../workers/config.js';
import { activityEnv } from '../helpers/activity-env.js';
import { postgresForTests, type PostgresCluster } from '../helpers/postgres.js';

const { attempt, failureOf } = activityEnv();
// Started before any scenario runs: the SQLite busy-timeout scenario holds the thread for seconds.
const postgres = await postgresForTests();

const HOUR = 3_600_000;
const OPENED = Date.UTC(2026, 2, 9, 9, 0);

/** A P1 email ticket on Caro's policy: opened, auto-replied, acknowledged by grace, answered, resolved. */
const timeline: TimelineEntry[] = [
  { seq: 1, at: OPENED, actor: 'ada@example.com', type: 'opened', summary: 'Checkout returns 500', data: { channel: 'email', priority: 'P1' } },
  { seq: 2, at: OPENED + 1_000, actor: 'tierline', type: 'notified', summary: 'auto-reply sent' },
  { seq: 3, at: OPENED + 20 * 60_000, actor: 'grace', type: 'acknowledged', summary: 'grace acknowledged the ticket' },
  { seq: 4, at: OPENED + HOUR, actor: 'grace', type: 'responded', summary: 'Public reply', data: { public: true, clocks: ['firstResponse'] } },
  { seq: 5, at: OPENED + 5 * HOUR, actor: 'grace', type: 'resolved', summary: 'Fixed in 2.3.1', data: { resolution: 'Fixed in 2.3.1' } },
];

function input(upTo: number, overrides: Partial<RecordTicketMilestonesInput['ticket']> = {}, ticketId = 'T-01KLEDGER0000001'): RecordTicketMilestonesInput {
  const resolved = upTo >= 5;
  return {
    ticketId,
    entries: timeline.filter((e) => e.seq <= upTo),
    ticket: {
      policy: 'caro',
      channel: 'email',
      priority: 'P1',
      tier: 'support',
      category: 'billing',
      status: resolved ? 'resolved' : upTo >= 3 ? 'in_progress' : 'awaiting_first_response',
      openedAt: OPENED,
      ...(resolved ? { resolvedAt: OPENED + 5 * HOUR } : {}),
      seq: upTo,
      ...overrides,
    },
    metrics: { firstResponseMs: upTo >= 4 ? HOUR : null, asOfSeq: upTo },
  };
}

/** Every row of both tables, in key order, as the database holds them. */
async function dump(driver: SqlDriver) {
  const milestones = await driver.execute('SELECT * FROM ticket_milestones ORDER BY ticket_id, seq');
  const tickets = await driver.execute('SELECT * FROM tickets ORDER BY ticket_id');
  return { milestones: milestones.rows, tickets: tickets.rows };
}

interface Backend {
  /** A fresh, empty database. */
  fresh(): Promise<LedgerLocation>;
  driver(location: LedgerLocation): SqlDriver;
}

function ledgerScenarios(backend: Backend) {
  const opened: { close(): Promise<void> }[] = [];
  const open = (location: LedgerLocation) => {
    const ledger = openLedger(location);
    opened.push(ledger);
    return ledger;
  };
  const driverFor = (location: LedgerLocation) => {
    const driver = backend.driver(location);
    opened.push(driver);
    return driver;
  };
  after(async () => {
    for (const o of opened) await o.close();
  });

  it('a milestone is written once under retries: attempt 1 commits then fails, attempt 2 writes nothing new', async () => {
    const location = await backend.fresh();
    const ledger = open(location);
    // The worker dies between the commit and reporting the result: Temporal retries the activity.
    const crashAfterCommit: TicketLedger = {
      ...ledger,
      async record(i) {
        const result = await ledger.record(i);
        if (Context.current().info.attempt === 1) throw new Error('worker lost after the commit');
        return result;
      },
    };
    const { recordTicketMilestones } = createLedgerActivities(crashAfterCommit);

    const failure = await failureOf(attempt(1, recordTicketMilestones, input(3)));
    assert.equal(failure.type, LedgerErrorType.Retryable);
    assert.equal(failure.nonRetryable, false);
    assert.deepEqual(await attempt(2, recordTicketMilestones, input(3)), { written: 0 });

    assert.deepEqual(await ledgerReader(ledger).milestones('T-01KLEDGER0000001'), timeline.slice(0, 3));
    const rows = await dump(driverFor(location));
    assert.equal(rows.milestones.length, 3);
    assert.equal(rows.tickets.length, 1);
  });

  it('the same entries twice leave the same rows; new entries add only themselves', async () => {
    const location = await backend.fresh();
    const { recordTicketMilestones } = createLedgerActivities(open(location));
    const driver = driverFor(location);

    assert.deepEqual(await attempt(1, recordTicketMilestones, input(3)), { written: 3 });
    const once = await dump(driver);
    assert.deepEqual(await attempt(1, recordTicketMilestones, input(3)), { written: 0 });
    assert.deepEqual(await dump(driver), once);

    // The workflow sends the whole timeline again, or only what is new: the same rows either way.
    assert.deepEqual(await attempt(1, recordTicketMilestones, input(5)), { written: 2 });
    assert.deepEqual(await attempt(1, recordTicketMilestones, { ...input(5), entries: timeline.slice(3) }), { written: 0 });
    const rows = await dump(driver);
    assert.deepEqual(
      rows.milestones.map((r) => [r.ticket_id, Number(r.seq), r.type]),
      timeline.map((e) => ['T-01KLEDGER0000001', e.seq, e.type]),
    );
    assert.equal(rows.milestones[0]!.data, JSON.stringify(timeline[0]!.data), 'data is JSON text');
    assert.equal(rows.milestones[1]!.data, null, 'an entry without data has NULL');
  });

  it('an older write of the ticket row does not overwrite a newer one', async () => {
    const location = await backend.fresh();
    const ledger = open(location);
    const { recordTicketMilestones } = createLedgerActivities(ledger);
    const reader = ledgerReader(ledger);
    const day = { from: OPENED - HOUR, to: OPENED + 24 * HOUR };

    await attempt(1, recordTicketMilestones, input(5));
    // A delayed retry of an earlier write arrives last.
    await attempt(1, recordTicketMilestones, input(3));
    const [resolved] = await reader.tickets(day);
    assert.equal(resolved?.status, 'resolved');
    assert.equal(resolved?.updatedSeq, 5);
    assert.equal(resolved?.resolvedAt, OPENED + 5 * HOUR);
    assert.deepEqual(resolved?.metrics, { firstResponseMs: HOUR, asOfSeq: 5 });

    // The same seq again changes nothing either; a newer one replaces the row.
    await attempt(1, recordTicketMilestones, { ...input(5), ticket: { ...input(5).ticket, status: 'closed' } });
    assert.equal((await reader.tickets(day))[0]?.status, 'resolved');
    const closedAt = OPENED + 30 * HOUR;
    await attempt(1, recordTicketMilestones, { ...input(5), ticket: { ...input(5).ticket, seq: 6, status: 'closed', closedAt }, metrics: undefined });
    assert.deepEqual(await reader.tickets(day), [
      {
        ticketId: 'T-01KLEDGER0000001',
        policy: 'caro',
        channel: 'email',
        priority: 'P1',
        tier: 'support',
        category: 'billing',
        status: 'closed',
        openedAt: OPENED,
        resolvedAt: OPENED + 5 * HOUR,
        closedAt,
        updatedSeq: 6,
      },
    ]);
  });

  it('many writes at once, as a busy worker runs them, all land; for one ticket the newest row wins', async () => {
    const ledger = open(await backend.fresh());
    const { recordTicketMilestones } = createLedgerActivities(ledger);
    const ids = Array.from({ length: 40 }, (_, i) => `T-01KLEDGERBUSY${String(i).padStart(3, '0')}`);
    // Each ticket's five states arrive at once and in any order, each write repeated.
    const writes = ids.flatMap((id) => [5, 3, 1, 4, 2, 5, 3].map((upTo) => () => attempt(1, recordTicketMilestones, input(upTo, {}, id))));
    const results = await Promise.all(writes.map((write) => write()));
    assert.equal(results.reduce((sum, r) => sum + r.written, 0), ids.length * timeline.length, 'each milestone written by exactly one of the writes');
    const tickets = await ledgerReader(ledger).tickets({ from: 0, to: OPENED + HOUR });
    assert.equal(tickets.length, ids.length);
    assert.ok(tickets.every((t) => t.updatedSeq === 5 && t.status === 'resolved'));
  });

  it('reports read tickets by the period they were opened in, and by policy', async () => {
    const ledger = open(await backend.fresh());
    const { recordTicketMilestones } = createLedgerActivities(ledger);
    await attempt(1, recordTicketMilestones, input(2, {}, 'T-01KLEDGERMONDAY'));
    await attempt(1, recordTicketMilestones, input(2, { openedAt: OPENED + 24 * HOUR, policy: 'signx' }, 'T-01KLEDGERTUESDY'));
    await attempt(1, recordTicketMilestones, input(2, { openedAt: OPENED + 7 * 24 * HOUR }, 'T-01KLEDGERNEXTWK'));
    const reader = ledgerReader(ledger);
    const week = { from: OPENED - 9 * HOUR, to: OPENED - 9 * HOUR + 7 * 24 * HOUR };
    assert.deepEqual((await reader.tickets(week)).map((t) => t.ticketId), ['T-01KLEDGERMONDAY', 'T-01KLEDGERTUESDY']);
    assert.deepEqual((await reader.tickets({ ...week, policy: 'signx' })).map((t) => t.ticketId), ['T-01KLEDGERTUESDY']);
    assert.deepEqual(await reader.milestones('T-01KLEDGERNEXTWK'), timeline.slice(0, 2));
    assert.deepEqual(await reader.milestones('T-01KUNKNOWN00000'), []);
  });

  it('migrations apply once: at first use, not again, not twice when two ledgers start together', async () => {
    const location = await backend.fresh();
    const [first, second] = await Promise.all([open(location).migrate(), open(location).migrate()]);
    assert.deepEqual([first, second].sort(), [[], [1]], 'one of the two applied migration 1, the other found it applied');
    assert.deepEqual(await open(location).migrate(), []);

    const driver = driverFor(location);
    const { rows } = await driver.execute('SELECT version, name FROM ledger_migrations ORDER BY version');
    assert.deepEqual(rows.map((r) => [Number(r.version), r.name]), [[1, 'ticket milestones and tickets']]);

    // A later release's migration runs on its own over the existing schema and data.
    const ledger = open(location);
    await ledger.record(input(3));
    const next = { version: 2, name: 'milestones by type', statements: ['CREATE INDEX ticket_milestones_by_type ON ticket_milestones (type)'] };
    assert.deepEqual(await migrate(driver, [...MIGRATIONS, next]), [2]);
    assert.deepEqual(await migrate(driver, [...MIGRATIONS, next]), []);
    assert.equal((await ledgerReader(ledger).milestones('T-01KLEDGER0000001')).length, 3);

    // This release, on a database a newer one migrated, refuses to write, and says why.
    const { recordTicketMilestones } = createLedgerActivities(open(location));
    const failure = await failureOf(attempt(1, recordTicketMilestones, input(4)));
    assert.equal(failure.type, LedgerErrorType.Permanent);
    assert.match(failure.message, /has migration 2, newer than this tierline knows \(up to 1\)/);
  });

  it('a write the database refuses for what it is fails for good: constraint, syntax, input', async () => {
    const location = await backend.fresh();
    const ledger = open(location);
    await ledger.migrate();
    const driver = driverFor(location);
    const refused = async (sql: string) => {
      try {
        await driver.execute(sql);
      } catch (err) {
        return ledgerFailure(err, 'T-1', ledger.location, []);
      }
      assert.fail(`expected the database to refuse ${sql}`);
    };
    const constraint = await refused(`INSERT INTO tickets (ticket_id) VALUES ('T-1')`);
    assert.equal(constraint.nonRetryable, true, constraint.message);
    assert.match(constraint.message, /null/i);
    const syntax = await refused('SELEC ticket_id FROM tickets');
    assert.equal(syntax.nonRetryable, true, syntax.message);
    assert.match(syntax.message, /syntax/i);

    const { recordTicketMilestones } = createLedgerActivities(ledger);
    const bad = input(3);
    const failure = await failureOf(attempt(1, recordTicketMilestones, { ...bad, entries: [{ ...timeline[0]!, seq: 1.5 }] }));
    assert.equal(failure.type, LedgerErrorType.Permanent);
    assert.match(failure.message, /entries\.0\.seq: expected a whole event number/);
  });
}

describe('the ticket ledger on SQLite (the embedded default)', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tierline-ledger-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  ledgerScenarios({
    fresh: async () => ({ kind: 'sqlite', path: join(dir, `ledger-${++n}`, 'ledger.db') }),
    driver: (location) => sqliteDriver((location as { path: string }).path),
  });

  it('another process holding the write lock past the busy timeout is retried, not a failure for good', async () => {
    const path = join(dir, 'busy.db');
    const ledger = openLedger({ kind: 'sqlite', path });
    await ledger.migrate();
    // Another connection (as another process would) holds the write lock.
    const other = createClient({ url: `file:${path}` });
    const tx = await other.transaction('write');
    try {
      await tx.execute(`INSERT INTO ticket_milestones (ticket_id, seq, at, type, actor, summary) VALUES ('T-0', 1, 0, 'opened', 'a', 's')`);
      const failure = await failureOf(attempt(1, createLedgerActivities(ledger).recordTicketMilestones, input(1)));
      assert.equal(failure.type, LedgerErrorType.Retryable, failure.message);
      assert.match(failure.message, /SQLITE_BUSY|locked/i);
    } finally {
      await tx.rollback();
      other.close();
    }
    assert.deepEqual(await attempt(2, createLedgerActivities(ledger).recordTicketMilestones, input(1)), { written: 1 });
    await ledger.close();
  });

  it('writes commit with synchronous = NORMAL, also after a busy failure replaced the connection; reads see them', async () => {
    const path = join(dir, 'synchronous.db');
    const driver = sqliteDriver(path);
    const ledger = openLedger({ kind: 'sqlite', path });
    const level = async () => Number((await driver.transaction((tx) => tx.execute('PRAGMA synchronous'))).rows[0]!.synchronous);
    // 0 OFF, 1 NORMAL, 2 FULL (SQLite's default, which a fresh connection has).
    assert.equal(await level(), 1);
    const other = createClient({ url: `file:${path}` });
    assert.equal(Number((await other.execute('PRAGMA synchronous')).rows[0]!.synchronous), 2);
    assert.equal((await other.execute('PRAGMA journal_mode')).rows[0]!.journal_mode, 'wal');
    // A busy failure makes the driver replace its connections (`healing`).
    await ledger.migrate();
    const tx = await other.transaction('write');
    await tx.execute(`INSERT INTO ticket_milestones (ticket_id, seq, at, type, actor, summary) VALUES ('T-0', 1, 0, 'opened', 'a', 's')`);
    await assert.rejects(
      driver.transaction((t) => t.execute(`INSERT INTO ticket_milestones (ticket_id, seq, at, type, actor, summary) VALUES ('T-1', 1, 0, 'opened', 'a', 's')`)),
      /SQLITE_BUSY|locked/i,
    );
    await tx.rollback();
    other.close();
    assert.equal(await level(), 1);
    await driver.transaction((t) => t.execute(`INSERT INTO ticket_milestones (ticket_id, seq, at, type, actor, summary) VALUES ('T-1', 1, 0, 'opened', 'a', 's')`));
    assert.deepEqual((await driver.execute('SELECT ticket_id FROM ticket_milestones')).rows, [{ ticket_id: 'T-1' }]);
    await driver.close();
    await ledger.close();
  });

  it('the worker keeps the ledger in <data dir>/ledger.db unless LEDGER_URL names a PostgreSQL database', async () => {
    const { recordTicketMilestones } = createActivities(loadConfig({ TIERLINE_DATA_DIR: join(dir, 'data'), PUBLIC_URL: 'http://127.0.0.1:3000' }), () => {});
    assert.deepEqual(await attempt(1, recordTicketMilestones, input(2)), { written: 2 });
    const driver = sqliteDriver(join(dir, 'data', 'ledger.db'));
    assert.equal((await dump(driver)).milestones.length, 2);
    await driver.close();
  });
});

describe('the ticket ledger on PostgreSQL (LEDGER_URL)', { skip: postgres.skip ?? false }, () => {
  const cluster = postgres.cluster as PostgresCluster;
  let n = 0;
  before(() => {
    console.log(`PostgreSQL cluster on 127.0.0.1:${cluster.port}, ready in ${cluster.startedInMs} ms`);
  });
  after(async () => {
    await cluster.stop();
  });
  ledgerScenarios({
    fresh: async () => ({ kind: 'postgres', url: await cluster.createDatabase(`ledger_${++n}`) }),
    driver: (location) => postgresDriver((location as { url: string }).url),
  });
});

describe('the PostgreSQL URL is a secret', () => {
  const url = 'postgres://tierline:Sw0rdfish-ledger@127.0.0.1:1/tickets';

  it('a database that refuses connections is retried, and the failure never shows the password', async () => {
    const location: LedgerLocation = { kind: 'postgres', url };
    const ledger = openLedger(location);
    try {
      const failure = await failureOf(attempt(1, createLedgerActivities(ledger, secretsOf(location)).recordTicketMilestones, input(1)));
      assert.equal(failure.type, LedgerErrorType.Retryable);
      assert.match(failure.message, /ECONNREFUSED/);
      assert.match(failure.message, /127\.0\.0\.1:1\/tickets/, 'the message says where');
      assert.doesNotMatch(failure.message + JSON.stringify(failure), /Sw0rdfish/);
    } finally {
      await ledger.close();
    }
  });

  it('a malformed LEDGER_URL stops start-up without echoing it', () => {
    assert.throws(
      () => loadConfig({ LEDGER_URL: 'mysql://tierline:Sw0rdfish-ledger@db/tickets' }),
      (err: Error) => err instanceof ConfigError && /^LEDGER_URL: expected postgres:\/\//.test(err.message) && err.message.includes('(value hidden)') && !err.message.includes('Sw0rdfish'),
    );
    assert.equal(loadConfig({ LEDGER_URL: url }).LEDGER_URL, url);
  });
});
