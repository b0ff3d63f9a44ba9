/**
 * How the CLI fails: one line per problem on stderr and an exit code a script can branch on.
 */

/** Exit codes, one per kind of failure the API reports. */
export const EXIT = {
  ok: 0,
  /** Anything else: the API unreachable, a server error, an unexpected answer. */
  failure: 1,
  /** A wrong command line, or a request the API rejected as invalid (400). */
  usage: 2,
  /** No token, or a token the API does not accept (401). */
  unauthorized: 3,
  /** No such ticket (404). */
  notFound: 4,
  /** The ticket refused the action in its current state (409). */
  refused: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override name = 'CliError';
  /** `lines` are printed one per line; the message is their join, for logs and tests. */
  constructor(
    readonly exitCode: ExitCode,
    readonly lines: string[],
  ) {
    super(lines.join('; '));
  }
}

export const usageError = (...lines: string[]) => new CliError(EXIT.usage, lines);
