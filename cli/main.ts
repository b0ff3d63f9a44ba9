/**
 * `tierline`: works tickets through the HTTP API (never Temporal directly). Prints to stdout,
 * fails with one line per problem on stderr and the exit code of its kind (errors.ts).
 */
import { TicketApi } from './api.js';
import { parseCommandLine, stdinOptions, type Invocation } from './args.js';
import { runCommand } from './commands.js';
import { CliError, EXIT, usageError, type ExitCode } from './errors.js';
import { resolveSettings } from './settings.js';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('tierline: reading the text from stdin; end it with Ctrl-D\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trimEnd();
}

/** Replaces a `-` value with stdin; only one option can read it. */
async function withStdin(inv: Invocation): Promise<Invocation> {
  const dashed = stdinOptions(inv.command).filter((name) => inv.values[name] === '-');
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
  const invocation = await withStdin(parsed.invocation);
  const outcome = await runCommand(invocation, new TicketApi(settings));
  process.stdout.write(`${invocation.values.json ? JSON.stringify(outcome.json, null, 2) : outcome.text}\n`);
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
