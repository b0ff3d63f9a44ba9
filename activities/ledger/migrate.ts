/**
 * Brings a ledger database up to the schema this tierline knows, in one transaction: the
 * migrations table is created if missing, and each migration not recorded there runs and is
 * recorded. Concurrent first uses (two workers, a worker and the rebuild command) wait for each
 * other, so each migration runs once.
 */
import { MIGRATIONS, MIGRATIONS_TABLE, type Migration } from './schema.js';
import { migrationLock, type SqlDriver } from './sql.js';

export class LedgerSchemaError extends Error {
  override name = 'LedgerSchemaError';
}

/** Applies the missing migrations; returns the versions it applied (none when the schema is current). */
export async function migrate(driver: SqlDriver, migrations: readonly Migration[] = MIGRATIONS, now: () => number = Date.now): Promise<number[]> {
  return driver.transaction(async (tx) => {
    const lock = migrationLock(driver.dialect);
    if (lock) await tx.execute(lock);
    await tx.execute(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
    );
    const applied = new Set((await tx.execute(`SELECT version FROM ${MIGRATIONS_TABLE}`)).rows.map((row) => Number(row.version)));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const unknown = [...applied].filter((v) => v > known);
    if (unknown.length) {
      throw new LedgerSchemaError(
        `the ledger at ${driver.location} has migration ${Math.max(...unknown)}, newer than this tierline knows (up to ${known}); run a tierline at least as new as the one that wrote it`,
      );
    }
    const done: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.execute(statement);
      await tx.execute(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`, [migration.version, migration.name, now()]);
      done.push(migration.version);
    }
    return done;
  });
}
