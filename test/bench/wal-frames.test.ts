import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createClient, type Client } from '@libsql/client';
import { framesByOwner, temporalStore, walFrames, walTransactions } from '../../bench/lib/wal-frames.js';

/** A SQLite file in WAL mode that never checkpoints by itself, for `body` to write to. */
async function withWalFile(body: (db: Client, file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tierline-wal-'));
  const file = join(dir, 'db.sqlite');
  const db = createClient({ url: `file:${file}` });
  try {
    await db.execute('PRAGMA journal_mode = WAL');
    await db.execute('PRAGMA wal_autocheckpoint = 0');
    await body(db, file);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a WAL's frames name the pages each transaction wrote, and dbstat names their tables", () =>
  withWalFile(async (db, file) => {
    await db.execute('CREATE TABLE wide (id INTEGER PRIMARY KEY, body TEXT)');
    await db.execute('CREATE TABLE narrow (id INTEGER PRIMARY KEY, n INTEGER)');
    const before = walFrames(readFileSync(`${file}-wal`));
    // Three transactions on `wide` (each row larger than a page, so each writes overflow pages too), one on `narrow`.
    for (let i = 0; i < 3; i++) await db.execute({ sql: 'INSERT INTO wide (body) VALUES (?)', args: ['x'.repeat(10_000)] });
    await db.execute('INSERT INTO narrow (n) VALUES (1)');

    const wal = walFrames(readFileSync(`${file}-wal`));
    assert.equal(wal.pageSize, 4096);
    assert.deepEqual(wal.salts, before.salts, 'no checkpoint restarted the log');
    const written = wal.frames.slice(before.frames.length);
    const transactions = walTransactions(written);
    assert.equal(transactions.length, 4);
    const ownerOf = new Map<number, string>();
    for (const row of (await db.execute('SELECT name, pageno FROM dbstat')).rows) ownerOf.set(Number(row.pageno), String(row.name));
    const counts = new Map(framesByOwner(written, ownerOf).map((c) => [c.owner, c.frames]));
    // Each insert into `wide` wrote its leaf and at least two overflow pages of 4 KiB for 10,000 bytes.
    assert.ok((counts.get('wide') ?? 0) >= 9, `wide: ${counts.get('wide')} frames`);
    assert.equal(counts.get('narrow'), 1);
    assert.deepEqual(new Set(transactions.at(-1)!.map((f) => ownerOf.get(f.page))), new Set(['narrow']));
  }));

test('a log restarted by a checkpoint ends where the frames of the old generation begin', () =>
  withWalFile(async (db, file) => {
    await db.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
    for (let i = 0; i < 5; i++) await db.execute({ sql: 'INSERT INTO t (body) VALUES (?)', args: ['y'.repeat(5000)] });
    const old = walFrames(readFileSync(`${file}-wal`));
    await db.execute('PRAGMA wal_checkpoint(PASSIVE)');
    // The next writer starts the log again from its first frame, with new salts.
    await db.execute('INSERT INTO t (body) VALUES (1)');
    const restarted = walFrames(readFileSync(`${file}-wal`));
    assert.notDeepEqual(restarted.salts, old.salts);
    assert.ok(restarted.frames.length < old.frames.length, `${restarted.frames.length} frames after the restart, ${old.frames.length} before`);
    assert.equal(walTransactions(restarted.frames).length, 1);
  }));

test('pages belong to the part of the schema their table serves', () => {
  assert.equal(temporalStore('by_keyword_04'), 'visibility');
  assert.equal(temporalStore('sqlite_autoindex_executions_visibility_1'), 'visibility');
  assert.equal(temporalStore('history_node'), 'history');
  assert.equal(temporalStore('sqlite_autoindex_timer_tasks_1'), 'timers');
  assert.equal(temporalStore('executions'), 'executions');
  assert.equal(temporalStore('transfer_tasks'), 'task queues and other tasks');
  assert.equal(temporalStore('?'), 'other');
});
