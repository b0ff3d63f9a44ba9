/**
 * The `tierline engineering` group (FM-08: every support ticket is a signal): open an engineering
 * issue on GitHub from a ticket, or link an existing one. Parsed like the ticket commands
 * (args.ts); both are ticket actions through the API.
 */
import type { TicketView } from '../domain/ticket/view.js';
import type { TicketApi } from './api.js';
import type { Outcome } from './commands.js';
import { EXIT_CODE_SUMMARY, usageError } from './errors.js';
import { ticketLine } from './format.js';
import { COMMON_OPTIONS, groupCommand, optionLines, parseOptions, REQUEST_ID, type ArgumentSpec, type Options } from './options.js';

interface EngineeringCommandSpec {
  summary: string;
  argument?: ArgumentSpec;
  options: Options;
  footnote: string;
}

const TICKET_EXAMPLE = 'T-01K2ZQ7N8C4V6B3M9D';

export const ENGINEERING_COMMANDS = {
  open: {
    summary: "Open an engineering issue on GitHub with the ticket's reproduction details (subject, description, priority, tier, the customer-facing timeline, the ticket's link).",
    options: {
      repo: { type: 'string', value: 'OWNER/NAME', field: 'repo', description: 'the repository (default: the server\'s GITHUB_ENGINEERING_REPO)' },
      title: { type: 'string', value: 'TEXT', field: 'title', description: "the issue's title (default: the ticket's subject)" },
      details: { type: 'string', value: 'TEXT', field: 'details', fromStdin: true, description: 'how to reproduce it, as the engineer found it; - reads it from stdin' },
      'request-id': REQUEST_ID,
    },
    footnote: "The issue is opened by the server's worker; this waits a few seconds for its URL. Without GITHUB_TOKEN on the server it goes to the outbox.",
  },
  link: {
    summary: "Link an existing GitHub issue as the ticket's engineering issue; a comment on it names the ticket.",
    argument: { name: 'URL', field: 'url', what: 'the issue URL', example: 'https://github.com/fm08/platform/issues/12' },
    options: { 'request-id': REQUEST_ID },
    footnote: "When the issue is closed (the GitHub webhook), the ticket's assignee is told in its Slack thread.",
  },
} as const satisfies Record<string, EngineeringCommandSpec>;

export type EngineeringCommandName = keyof typeof ENGINEERING_COMMANDS;
const NAMES = Object.keys(ENGINEERING_COMMANDS) as EngineeringCommandName[];

/** One line for `tierline --help`. */
export const ENGINEERING_GROUP_SUMMARY = `Engineering issues of a ticket on GitHub: ${NAMES.join(', ')} ('tierline engineering --help').`;

export interface EngineeringInvocation {
  command: EngineeringCommandName;
  ticketId: string;
  argument?: string;
  values: Record<string, string | boolean | undefined>;
}

export type ParsedEngineering = { kind: 'help'; text: string } | { kind: 'engineering'; invocation: EngineeringInvocation };

const spec = (command: EngineeringCommandName): EngineeringCommandSpec => ENGINEERING_COMMANDS[command];

/** Parses what follows `tierline engineering`. */
export function parseEngineeringCommandLine(argv: readonly string[]): ParsedEngineering {
  const group = groupCommand('engineering', NAMES, argv, { group: engineeringGroupHelp, command: engineeringCommandHelp });
  if ('help' in group) return { kind: 'help', text: group.help };
  const { command: first, rest } = group;
  const command = spec(first);
  const options: Options = { ...command.options, ...COMMON_OPTIONS };
  const parsed = parseOptions(rest, options, `tierline engineering ${first} --help`);
  if (parsed.values.help) return { kind: 'help', text: engineeringCommandHelp(first) };

  const positionals = [...parsed.positionals];
  const ticketId = positionals.shift();
  const example = `tierline engineering ${first} ${TICKET_EXAMPLE}${command.argument ? ` ${command.argument.example}` : ''}`;
  if (ticketId === undefined) throw usageError(`engineering ${first} needs the ticket id, e.g. ${example}`);
  const argument = command.argument ? positionals.shift() : undefined;
  if (command.argument && argument === undefined) throw usageError(`engineering ${first} needs ${command.argument.what} after the ticket id, e.g. ${example}`);
  if (positionals.length) {
    throw usageError(`unexpected argument '${positionals[0]}'; engineering ${first} takes one ticket id${command.argument ? ` and ${command.argument.name}` : ''}`, `see 'tierline engineering ${first} --help'`);
  }
  return { kind: 'engineering', invocation: { command: first, ticketId, ...(argument !== undefined ? { argument } : {}), values: parsed.values } };
}

/** The options of a subcommand whose `-` value is read from stdin. */
export function engineeringStdinOptions(command: EngineeringCommandName): string[] {
  return Object.entries(spec(command).options)
    .filter(([, o]) => o.fromStdin)
    .map(([name]) => name);
}

function requestOf(inv: EngineeringInvocation): { body: Record<string, string>; fields: Record<string, string> } {
  const command = spec(inv.command);
  const body: Record<string, string> = {};
  const fields: Record<string, string> = {};
  if (command.argument && inv.argument !== undefined) {
    body[command.argument.field] = inv.argument;
    fields[command.argument.field] = command.argument.name;
  }
  for (const [name, o] of Object.entries(command.options)) {
    if (!o.field) continue;
    fields[o.field] = `--${name}`;
    const value = inv.values[name];
    if (typeof value === 'string') body[o.field] = value;
  }
  return { body, fields };
}

/** How long `open` waits for the worker to open the issue before it answers without the URL. */
const OPEN_WAIT_MS = 15_000;

export async function runEngineeringCommand(inv: EngineeringInvocation, api: TicketApi, waitMs = OPEN_WAIT_MS): Promise<Outcome> {
  const { body, fields } = requestOf(inv);
  if (inv.command === 'link') {
    const ticket = await api.act(inv.ticketId, 'engineering-link', body, fields);
    return { json: ticket, text: `linked ${ticket.engineeringIssue?.url ?? inv.argument}: ${ticketLine(ticket)}` };
  }
  let ticket = await api.act(inv.ticketId, 'engineering-issue', body, fields);
  const deadline = Date.now() + waitMs;
  while (ticket.engineeringIssueRequest && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    ticket = await api.get(inv.ticketId);
  }
  return { json: ticket, text: `${openOutcome(ticket)}: ${ticketLine(ticket)}` };
}

/** What became of the asked-for issue: its URL, the outbox or the failure, or still on its way. */
function openOutcome(ticket: TicketView): string {
  if (ticket.engineeringIssueRequest) return `engineering issue asked for; the worker has not opened it yet ('tierline show ${ticket.id}' shows it once it has)`;
  const last = [...ticket.timeline].reverse().find((e) => e.type.startsWith('engineering-issue-'));
  if (last?.type === 'engineering-issue-opened' && ticket.engineeringIssue) return `opened ${ticket.engineeringIssue.url}`;
  return last ? last.summary : 'engineering issue asked for';
}

function synopsis(command: EngineeringCommandName): string {
  const s = spec(command);
  return [`tierline engineering ${command} ID`, ...(s.argument ? [s.argument.name] : []), '[options]', '[--json]'].join(' ');
}

export function engineeringCommandHelp(command: EngineeringCommandName): string {
  const s = spec(command);
  return [
    `Usage: ${synopsis(command)}`,
    '',
    s.summary,
    s.footnote,
    "The timeline records the token's actor.",
    '',
    'Options:',
    ...optionLines(s.options),
    '',
    'Common options:',
    ...optionLines(COMMON_OPTIONS),
    '',
    `Exit codes: ${EXIT_CODE_SUMMARY}; 'tierline --help' says more.`,
  ].join('\n');
}

export function engineeringGroupHelp(): string {
  const width = Math.max(...NAMES.map((n) => n.length));
  return [
    'Usage: tierline engineering <command> ID [options]',
    '',
    'The engineering issue that fixes a ticket\'s cause, on GitHub: opened from the ticket or linked; its closing tells the assignee.',
    '',
    'Commands:',
    ...NAMES.map((name) => `  ${name.padEnd(width)}  ${spec(name).summary}`),
    '',
    "'tierline engineering <command> --help' shows a command's options; the common options and exit codes are those of 'tierline --help'.",
  ].join('\n');
}
