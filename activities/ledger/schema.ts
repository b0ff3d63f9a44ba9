/**
 * The ledger's schema, as numbered migrations both SQLite and PostgreSQL run unchanged. A
 * migration, once released, is never edited: a change to the schema is the next number.
 *
 * - `ticket_milestones`: one row per timeline entry, keyed by (ticket, event seq), so a retried or
 *   replayed write of the same entry is a no-op. `at` is epoch milliseconds; `data` is the entry's
 *   data as JSON text (NULL when it has none).
 * - `tickets`: one row per ticket, as of its event `updated_seq`; a write with an older seq leaves
 *   it alone. `metrics` is the per-ticket metrics record as JSON text, opaque to the ledger.
 */

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ticket milestones and tickets',
    statements: [
      `CREATE TABLE ticket_milestones (
        ticket_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at BIGINT NOT NULL,
        type TEXT NOT NULL,
        actor TEXT NOT NULL,
        summary TEXT NOT NULL,
        data TEXT,
        PRIMARY KEY (ticket_id, seq)
      )`,
      `CREATE TABLE tickets (
        ticket_id TEXT NOT NULL PRIMARY KEY,
        policy TEXT NOT NULL,
        channel TEXT NOT NULL,
        priority TEXT NOT NULL,
        tier TEXT NOT NULL,
        category TEXT,
        status TEXT NOT NULL,
        opened_at BIGINT NOT NULL,
        resolved_at BIGINT,
        closed_at BIGINT,
        updated_seq INTEGER NOT NULL,
        metrics TEXT
      )`,
      // Reports read tickets by the period they were opened in, often for one policy.
      'CREATE INDEX tickets_by_opened_at ON tickets (opened_at)',
      'CREATE INDEX tickets_by_policy_opened_at ON tickets (policy, opened_at)',
    ],
  },
];

/** The table that records which migrations a database has. */
export const MIGRATIONS_TABLE = 'ledger_migrations';
