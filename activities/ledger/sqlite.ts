/**
 * The embedded ledger: a SQLite file through @libsql/client, whose native binary ships as an npm
 * package per platform (no install script, no download at install time).
 *
 * libsql runs every statement synchronously on the JavaScript thread. Two write transactions in one
 * process must therefore never overlap: the second one's BEGIN would block the thread while the
 * first waits for that same thread to continue, until the busy timeout gives up. So write
 * transactions on one file take turns through a queue per file in this process; another process
 * (the rebuild command beside a running worker) waits for the lock up to the busy timeout.
 *
 * The writes go through a client of their own with one connection, set to `synchronous = NORMAL`:
 * in WAL mode a commit then survives a crash of the process but is not synced to the disk one by
 * one, so a power failure of the machine can lose the last ones (never corrupt the file). With
 * SQLite's default (FULL) every commit waited for the disk on the JavaScript thread, the thread
 * that also runs the worker's activities and hands activations to workflow code. The ledger is
 * never read to run a ticket, and `npm run ledger:rebuild` writes it again from the workflows: the
 * way back after a power failure. Reads (reports) use the other client.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient, type Client, type InArgs, type ResultSet } from '@libsql/client';
import type { SqlDriver, SqlExecutor, SqlResult, SqlValue } from './sql.js';

/** How long a statement waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/** The tail of each file's queue of write transactions, by absolute path. */
const writeQueues = new Map<string, Promise<unknown>>();

function inTurn<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const run = (writeQueues.get(path) ?? Promise.resolve()).then(fn);
  const tail = run.catch(() => undefined);
  writeQueues.set(path, tail);
  void tail.then(() => {
    if (writeQueues.get(path) === tail) writeQueues.delete(path);
  });
  return run;
}

/**
 * Runs `fn`, and after a busy or locked failure replaces the client's connections before
 * rethrowing. SQLite leaves a statement that failed that way in progress, for the caller to step
 * again, and libsql 0.18 never resets it: every later COMMIT on that connection fails ("cannot
 * commit transaction - SQL statements in progress") and its BEGIN keeps the write lock
 * (tursodatabase/libsql-client-ts#352). Other errors end their statement. The path is absolute,
 * so reopening it finds the same file.
 */
async function healing<T>(db: Client, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) await db.reconnect();
    throw err;
  }
}

function resultOf(rs: ResultSet): SqlResult {
  return {
    rows: rs.rows.map((row) => Object.fromEntries(rs.columns.map((column, i) => [column, row[i]]))),
    rowsAffected: rs.rowsAffected,
  };
}

/** A client of the file with up to `concurrency` connections, opened at first use (again after a failed open or a close). */
function lazyClient(file: string, concurrency: number): { open(): Promise<Client>; close(): Promise<void> } {
  let client: Promise<Client> | undefined;
  return {
    open() {
      client ??= (async () => {
        mkdirSync(dirname(file), { recursive: true });
        const opened = createClient({ url: pathToFileURL(file).href, timeout: BUSY_TIMEOUT_MS, concurrency });
        try {
          // Readers (reports) never wait for the writer, nor the writer for them. Kept in the file.
          await opened.execute('PRAGMA journal_mode = WAL');
        } catch (err) {
          opened.close();
          throw err;
        }
        return opened;
      })().catch((err: unknown) => {
        client = undefined;
        throw err;
      });
      return client;
    },
    async close() {
      const closing = client;
      client = undefined;
      if (closing) (await closing.catch(() => undefined))?.close();
    },
  };
}

/** A ledger driver on the SQLite file at `path` (its folder is made if missing), opened at first use. */
export function sqliteDriver(path: string): SqlDriver {
  const file = resolve(path);
  // Reads (reports), and the write transactions' own client with its one connection (see the top
  // of the file).
  const reader = lazyClient(file, 20);
  const writer = lazyClient(file, 1);
  // Whether the writer's connection has `synchronous = NORMAL` (a connection's setting: it is set
  // again after `healing` replaced the connection).
  let writerTuned = false;

  const args = (values: readonly SqlValue[] | undefined): InArgs => [...(values ?? [])];

  return {
    dialect: 'sqlite',
    location: file,
    async execute(sql, values) {
      const db = await reader.open();
      return healing(db, async () => resultOf(await db.execute({ sql, args: args(values) })));
    },
    transaction(fn) {
      return inTurn(file, async () => {
        const db = await writer.open();
        try {
          return await healing(db, async () => {
            if (!writerTuned) {
              // Outside the transaction: SQLite refuses to change it inside one.
              await db.execute('PRAGMA synchronous = NORMAL');
              writerTuned = true;
            }
            const tx = await db.transaction('write');
            try {
              const executor: SqlExecutor = { execute: async (sql, values) => resultOf(await tx.execute({ sql, args: args(values) })) };
              const result = await fn(executor);
              await tx.commit();
              return result;
            } finally {
              tx.close();
            }
          });
        } catch (err) {
          // `healing` may have replaced the connection, and the setting with it.
          writerTuned = false;
          throw err;
        }
      });
    },
    async close() {
      writerTuned = false;
      await Promise.all([reader.close(), writer.close()]);
    },
  };
}
