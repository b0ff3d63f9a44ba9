/**
 * The little SQL surface the ledger needs from a database, and the one place where the two
 * dialects differ. Every statement is written once, with `?` placeholders and types both SQLite
 * and PostgreSQL accept (TEXT, INTEGER, BIGINT; JSON kept as TEXT); the PostgreSQL driver numbers
 * the placeholders (`$1, $2 ...`) on the way out.
 */

export type Dialect = 'sqlite' | 'postgres';

export type SqlValue = string | number | null;

export type SqlRow = Record<string, unknown>;

export interface SqlResult {
  rows: SqlRow[];
  /** Rows an INSERT, UPDATE or DELETE changed (an INSERT ... ON CONFLICT DO NOTHING that hit a conflict: 0). */
  rowsAffected: number;
}

export interface SqlExecutor {
  execute(sql: string, args?: readonly SqlValue[]): Promise<SqlResult>;
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: Dialect;
  /** Where the data is, for messages: a file path, or host:port/database (never credentials). */
  readonly location: string;
  /** Runs `fn` in one write transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `?` placeholders as PostgreSQL numbers them. The ledger's SQL has no `?` inside string literals. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * A statement that makes concurrent migrators wait for each other inside their transaction.
 * SQLite needs none: its write transaction (BEGIN IMMEDIATE) already holds the database's only
 * write lock. PostgreSQL takes a transaction-scoped advisory lock (the number is arbitrary, fixed).
 */
export function migrationLock(dialect: Dialect): string | undefined {
  return dialect === 'postgres' ? 'SELECT pg_advisory_xact_lock(7263845129)' : undefined;
}
