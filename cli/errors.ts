/**
 * How the CLI fails: one line per problem on stderr and an exit code a script can branch on.
 */

/** Exit codes, one per kind of failure the API reports. */
export const EXIT = {
  ok: 0,
  /** Anything else: a server error (5xx), an answer that is not tierline's. */
  failure: 1,
  /** A wrong command line, or a request the API rejected as invalid (400). */
  usage: 2,
  /** No token, or a token the API does not accept (401). */
  unauthorized: 3,
  /** No such ticket, incident or on-call schedule (404). */
  notFound: 4,
  /** The ticket or incident refused the action in its current state (409); the message is its reason. */
  refused: 5,
  /** The API did not answer: not running, a wrong --api, or no answer within the time allowed. */
  unreachable: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit codes as `tierline --help` and each command's help list them. */
export const EXIT_CODE_LINES: readonly string[] = [
  `${EXIT.ok}  done`,
  `${EXIT.failure}  failed: the API had an error of its own (5xx) or answered what tierline would not`,
  `${EXIT.usage}  a wrong command line, or a request the API rejected as invalid (400); names the option to fix`,
  `${EXIT.unauthorized}  no API token, or the API refused it (401)`,
  `${EXIT.notFound}  no such ticket, incident or on-call schedule (404)`,
  `${EXIT.refused}  the ticket or incident refused the action in its state (409); prints its reason`,
  `${EXIT.unreachable}  the API did not answer: not running, a wrong --api, or timed out`,
];

/** One line of them, for each command's help. */
export const EXIT_CODE_SUMMARY = `${EXIT.ok} done, ${EXIT.failure} failed, ${EXIT.usage} usage or invalid request, ${EXIT.unauthorized} token refused, ${EXIT.notFound} not found, ${EXIT.refused} refused by the ticket or incident, ${EXIT.unreachable} API unreachable`;

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
