/**
 * The ticket ledger: writes a ticket's milestones and its row, reads them back for reports. The
 * database is opened, and its schema migrated, at first use: a worker that never records a
 * milestone never touches it.
 */
import { z } from 'zod';
import { STATUSES, type TimelineEntry } from '../../domain/ticket/types.js';
import { migrate } from './migrate.js';
import { postgresDriver } from './postgres.js';
import type { SqlDriver, SqlRow, SqlValue } from './sql.js';
import { sqliteDriver } from './sqlite.js';
import type { LedgerLocation, LedgerReader, LedgerTicket, LedgerTicketQuery, RecordTicketMilestonesInput } from './types.js';

/** The input cannot be written as given (a missing field, a seq that is no whole number). */
export class LedgerInputError extends Error {
  override name = 'LedgerInputError';
}

export interface RecordResult {
  /** Milestones this call added (0 when every entry was recorded before). */
  written: number;
  /** Whether the ticket's row was inserted or replaced (false when the ledger has a newer one). */
  ticketUpdated: boolean;
}

export interface TicketLedger {
  readonly dialect: SqlDriver['dialect'];
  /** A file path or host:port/database: never the credentials. */
  readonly location: string;
  /** Applies the migrations the database lacks (first use does it too); returns their versions. */
  migrate(): Promise<number[]>;
  /** Records the entries and the ticket's row in one transaction; repeats write nothing new. */
  record(input: RecordTicketMilestonesInput): Promise<RecordResult>;
  readonly reader: LedgerReader;
  close(): Promise<void>;
}

const time = z.number().int('expected whole epoch milliseconds').nonnegative('expected epoch milliseconds');
const seq = z.number().int('expected a whole event number').positive('expected an event number from 1');
const text = z.string().min(1, 'expected a non-empty string');

const InputSchema = z.object({
  ticketId: text,
  entries: z.array(
    z.object({ seq, at: time, actor: z.string(), type: text, summary: z.string(), data: z.record(z.string(), z.unknown()).optional() }),
  ),
  ticket: z.object({
    policy: text,
    channel: text,
    priority: text,
    tier: text,
    category: z.string().optional(),
    status: z.enum(STATUSES, { error: `expected one of ${STATUSES.join(', ')}` }),
    openedAt: time,
    resolvedAt: time.optional(),
    closedAt: time.optional(),
    seq: z.number().int('expected a whole event number').nonnegative('expected an event number from 0'),
  }),
  metrics: z.unknown().optional(),
});

function parseInput(input: RecordTicketMilestonesInput): RecordTicketMilestonesInput {
  const parsed = InputSchema.safeParse(input);
  if (parsed.success) return parsed.data as RecordTicketMilestonesInput;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join('.') || 'input';
  throw new LedgerInputError(`cannot record milestones: ${path}: ${issue.message}`);
}

/** Milestones per INSERT: 7 values each, well inside both databases' parameter limits. */
const MILESTONES_PER_STATEMENT = 100;

const insertMilestones = (rows: number) =>
  `INSERT INTO ticket_milestones (ticket_id, seq, at, type, actor, summary, data) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}
   ON CONFLICT (ticket_id, seq) DO NOTHING`;

const TICKET_COLUMNS = ['policy', 'channel', 'priority', 'tier', 'category', 'status', 'opened_at', 'resolved_at', 'closed_at', 'updated_seq', 'metrics'];

const UPSERT_TICKET = `INSERT INTO tickets (ticket_id, ${TICKET_COLUMNS.join(', ')}) VALUES (?, ${TICKET_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (ticket_id) DO UPDATE SET ${TICKET_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
  WHERE tickets.updated_seq < excluded.updated_seq`;

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

function milestoneArgs(ticketId: string, entry: TimelineEntry): SqlValue[] {
  return [ticketId, entry.seq, entry.at, entry.type, entry.actor, entry.summary, json(entry.data)];
}

const orNone = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

function ticketOf(row: SqlRow): LedgerTicket {
  const category = orNone(row.category as string | null);
  const resolvedAt = orNone(row.resolved_at as number | null);
  const closedAt = orNone(row.closed_at as number | null);
  const metrics = row.metrics === null ? undefined : (JSON.parse(row.metrics as string) as unknown);
  return {
    ticketId: row.ticket_id as string,
    policy: row.policy as string,
    channel: row.channel as string,
    priority: row.priority as string,
    tier: row.tier as string,
    ...(category !== undefined ? { category } : {}),
    status: row.status as LedgerTicket['status'],
    openedAt: Number(row.opened_at),
    ...(resolvedAt !== undefined ? { resolvedAt: Number(resolvedAt) } : {}),
    ...(closedAt !== undefined ? { closedAt: Number(closedAt) } : {}),
    updatedSeq: Number(row.updated_seq),
    ...(metrics !== undefined ? { metrics } : {}),
  };
}

function milestoneOf(row: SqlRow): TimelineEntry {
  return {
    seq: Number(row.seq),
    at: Number(row.at),
    actor: row.actor as string,
    type: row.type as string,
    summary: row.summary as string,
    ...(row.data === null ? {} : { data: JSON.parse(row.data as string) as Record<string, unknown> }),
  };
}

export function openLedger(location: LedgerLocation): TicketLedger {
  const driver = location.kind === 'postgres' ? postgresDriver(location.url) : sqliteDriver(location.path);
  let migrated: Promise<number[]> | undefined;
  const ready = () => {
    migrated ??= migrate(driver).catch((err: unknown) => {
      migrated = undefined;
      throw err;
    });
    return migrated;
  };

  const reader: LedgerReader = {
    async tickets(query: LedgerTicketQuery) {
      await ready();
      const policy = query.policy === undefined ? '' : ' AND policy = ?';
      const { rows } = await driver.execute(
        `SELECT ticket_id, ${TICKET_COLUMNS.join(', ')} FROM tickets WHERE opened_at >= ? AND opened_at < ?${policy} ORDER BY opened_at, ticket_id`,
        [query.from, query.to, ...(query.policy === undefined ? [] : [query.policy])],
      );
      return rows.map(ticketOf);
    },
    async milestones(ticketId: string) {
      await ready();
      const { rows } = await driver.execute('SELECT seq, at, actor, type, summary, data FROM ticket_milestones WHERE ticket_id = ? ORDER BY seq', [ticketId]);
      return rows.map(milestoneOf);
    },
  };

  return {
    dialect: driver.dialect,
    location: driver.location,
    async migrate() {
      const applied = await migrate(driver);
      migrated ??= Promise.resolve(applied);
      return applied;
    },
    reader,
    async record(raw) {
      const input = parseInput(raw);
      await ready();
      const { ticketId, ticket } = input;
      // In seq order, so concurrent writes for one ticket take their row locks in the same order.
      const entries = [...input.entries].sort((a, b) => a.seq - b.seq);
      return driver.transaction(async (tx) => {
        let written = 0;
        for (let i = 0; i < entries.length; i += MILESTONES_PER_STATEMENT) {
          const chunk = entries.slice(i, i + MILESTONES_PER_STATEMENT);
          written += (await tx.execute(insertMilestones(chunk.length), chunk.flatMap((entry) => milestoneArgs(ticketId, entry)))).rowsAffected;
        }
        const upserted = await tx.execute(UPSERT_TICKET, [
          ticketId,
          ticket.policy,
          ticket.channel,
          ticket.priority,
          ticket.tier,
          ticket.category ?? null,
          ticket.status,
          ticket.openedAt,
          ticket.resolvedAt ?? null,
          ticket.closedAt ?? null,
          ticket.seq,
          json(input.metrics),
        ]);
        return { written, ticketUpdated: upserted.rowsAffected > 0 };
      });
    },
    close: () => driver.close(),
  };
}
