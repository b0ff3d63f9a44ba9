/**
 * Sorts what a ledger write threw into the failures Temporal acts on: a database that is down,
 * busy or slow is retried under the activity's retry policy; a write the database refused for what
 * it is (a constraint, bad SQL, a schema newer than this tierline, input that cannot be stored)
 * fails for good, since the same write would be refused again.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, redact } from '../errors.js';
import { LedgerSchemaError } from './migrate.js';
import { LedgerInputError } from './store.js';
import type { LedgerLocation } from './types.js';

export const LedgerErrorType = {
  /** The database was unreachable, busy, out of resources or too slow: try again. */
  Retryable: 'LedgerRetryableError',
  /** The database refused the write (constraint, syntax, schema, input), or refused the credentials. */
  Permanent: 'LedgerPermanentError',
} as const;

/** Errors of the connection itself (Node's socket and DNS errors). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EAI_AGAIN', 'ENOTFOUND']);

/** node-postgres's own messages for a connection lost or never made in time. */
const CONNECTION_MESSAGES = [/timeout exceeded when trying to connect/i, /connection terminated/i, /query read timeout/i, /client was closed/i];

/**
 * PostgreSQL SQLSTATE classes worth another attempt: 08 connection, 40 transaction rollback
 * (serialization, deadlock), 53 insufficient resources, 57 operator intervention (statement
 * timeout, shutdown, starting up), 58 system error (I/O). Every other class (23 constraints,
 * 42 syntax and undefined objects, 22 data, 28 credentials, 3D unknown database) is permanent.
 */
const RETRYABLE_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);
const RETRYABLE_SQLSTATES = new Set(['55P03']); // lock_not_available

/**
 * SQLite result codes worth another attempt: another process holds the lock, or the disk or
 * file system failed for now. The rest (constraint, bad SQL, a read-only or corrupt file) are
 * permanent.
 */
const RETRYABLE_SQLITE = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL', 'SQLITE_INTERRUPT'];

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof LedgerInputError || err instanceof LedgerSchemaError) return false;
  const code = codeOf(err);
  if (code?.startsWith('SQLITE_')) return RETRYABLE_SQLITE.some((c) => code === c || code.startsWith(`${c}_`));
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code) && typeof (err as { severity?: unknown }).severity === 'string') {
    return RETRYABLE_SQLSTATES.has(code) || RETRYABLE_SQLSTATE_CLASSES.has(code.slice(0, 2));
  }
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  if (err instanceof Error && CONNECTION_MESSAGES.some((m) => m.test(err.message))) return true;
  // Anything else (a driver's own error, a bug) is retried: the retry policy bounds it, and a
  // write refused for what it is says so through a code above.
  return true;
}

/** The secrets a message must never show: the PostgreSQL URL and its password, raw and decoded. */
export function secretsOf(location: LedgerLocation): string[] {
  if (location.kind !== 'postgres') return [];
  const secrets = [location.url];
  if (URL.canParse(location.url)) {
    const { password } = new URL(location.url);
    if (password) secrets.push(password, decodeURIComponent(password));
  }
  return secrets;
}

/**
 * The ApplicationFailure for an error of a write for `ticketId`: a message built from the error's
 * message and code only (no cause: a driver error can carry the SQL's parameters and the
 * connection settings into the workflow history), with every secret redacted.
 */
export function ledgerFailure(err: unknown, ticketId: string, where: string, secrets: readonly string[]): ApplicationFailure {
  const code = codeOf(err);
  const message = redact(`ledger ${where}: recording ticket ${ticketId} failed: ${describe(err)}${code ? ` (${code})` : ''}`, secrets);
  return isRetryable(err)
    ? ApplicationFailure.retryable(message, LedgerErrorType.Retryable)
    : ApplicationFailure.nonRetryable(message, LedgerErrorType.Permanent);
}
