/**
 * `tierline`: works tickets and incidents through the HTTP API (never Temporal directly). Prints to stdout,
 * fails with one line per problem on stderr and the exit code of its kind (errors.ts).
 */
import { TicketApi } from './api.js';
import { parseCommandLine, stdinOptions, type Invocation } from './args.js';
import { runCommand, type Outcome } from './commands.js';
import { engineeringStdinOptions, runEngineeringCommand } from './engineering.js';
import { CliError, EXIT, usageError, type ExitCode } from './errors.js';
import { IncidentApi } from './incident-api.js';
import { incidentStdinOptions } from './incident-args.js';
import { runIncidentCommand } from './incident-commands.js';
import { ReportApi, runReportCommand } from './report.js';
import { resolveSettings } from './settings.js';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('tierline: reading the text from stdin; end it with Ctrl-D\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trimEnd();
}

/** Replaces a `-` value of one of `options` with stdin; only one option can read it. */
async function withStdin<I extends { values: Record<string, unknown> }>(inv: I, options: string[]): Promise<I> {
  const dashed = options.filter((name) => inv.values[name] === '-');
  if (dashed.length === 0) return inv;
  if (dashed.length > 1) throw usageError(`only one option can read stdin; got - for ${dashed.map((n) => `--${n}`).join(' and ')}`);
  return { ...inv, values: { ...inv.values, [dashed[0]!]: await readStdin() } };
}

async function main(argv: string[]): Promise<ExitCode> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(`${parsed.text}\n`);
    return EXIT.ok;
  }
  const settings = resolveSettings({ api: parsed.invocation.values.api as string | undefined, token: parsed.invocation.values.token as string | undefined });
  let outcome: Outcome;
  if (parsed.kind === 'incident') {
    const invocation = await withStdin(parsed.invocation, incidentStdinOptions(parsed.invocation.command));
    outcome = await runIncidentCommand(invocation, new IncidentApi(settings));
  } else if (parsed.kind === 'report') {
    outcome = await runReportCommand(parsed.invocation, new ReportApi(settings));
  } else if (parsed.kind === 'engineering') {
    const invocation = await withStdin(parsed.invocation, engineeringStdinOptions(parsed.invocation.command));
    outcome = await runEngineeringCommand(invocation, new TicketApi(settings));
  } else {
    const invocation: Invocation = await withStdin(parsed.invocation, stdinOptions(parsed.invocation.command));
    outcome = await runCommand(invocation, new TicketApi(settings));
  }
  process.stdout.write(`${parsed.invocation.values.json ? JSON.stringify(outcome.json, null, 2) : outcome.text}\n`);
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      for (const line of err.lines) process.stderr.write(`tierline: ${line}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`tierline: ${(err as Error).message ?? String(err)}\n`);
    process.exitCode = EXIT.failure;
  },
);
