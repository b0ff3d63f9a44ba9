/**
 * The ledger on PostgreSQL (`LEDGER_URL=postgres://...`), through node-postgres: pure JavaScript,
 * nothing to build or download. A pool of connections, opened as they are needed.
 */
import pg from 'pg';
import { numberedPlaceholders, type SqlDriver, type SqlExecutor, type SqlResult, type SqlValue } from './sql.js';

/** PostgreSQL's BIGINT (the ledger's millisecond times, COUNT(*)). */
const INT8_OID = 20;

/** BIGINT as a JavaScript number (node-postgres gives strings by default); ledger values stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** `host:port/database` of a connection URL: what messages show instead of the URL (which may hold a password). */
export function postgresLocation(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

function resultOf(res: pg.QueryResult): SqlResult {
  return { rows: res.rows as SqlResult['rows'], rowsAffected: res.rowCount ?? 0 };
}

export function postgresDriver(url: string): SqlDriver {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // A statement stuck behind a lock fails (and is retried) rather than holding the activity.
    statement_timeout: 30_000,
    allowExitOnIdle: true,
    types,
  });
  // An idle connection the server dropped (a restart, a failover) leaves the pool by itself; the
  // next statement opens a new one, and its own failure, if any, reaches the caller. Without a
  // listener, the pool's 'error' event would end the worker process.
  pool.on('error', () => undefined);

  const run = async (on: pg.Pool | pg.PoolClient, sql: string, values: readonly SqlValue[] | undefined) =>
    resultOf(await on.query(numberedPlaceholders(sql), [...(values ?? [])]));

  return {
    dialect: 'postgres',
    location: postgresLocation(url),
    execute: (sql, values) => run(pool, sql, values),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const executor: SqlExecutor = { execute: (sql, values) => run(client, sql, values) };
        const result = await fn(executor);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: Error) => {
          // The connection is unusable: destroy it rather than hand it to the next transaction.
          broken = rollbackErr;
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
