/**
 * The command line: each command's options and help, parsed with node:util's parseArgs. Only the
 * shape of the command line is checked here; what a ticket may hold is the API's to say.
 */
import { STATUSES } from '../domain/ticket/types.js';
import { EXIT_CODE_LINES, EXIT_CODE_SUMMARY, usageError } from './errors.js';
import { ENGINEERING_GROUP_SUMMARY, parseEngineeringCommandLine, type ParsedEngineering } from './engineering.js';
import { INCIDENT_GROUP_SUMMARY, parseIncidentCommandLine, type ParsedIncident } from './incident-args.js';
import { parseReportCommandLine, REPORT_COMMAND, REPORT_SUMMARY, type ParsedReport } from './report.js';
import { COMMON_OPTIONS, optionLines, parseOptions, REQUEST_ID, type ArgumentSpec, type OptionSpec, type Options } from './options.js';

const body = (what: string, field: string): OptionSpec => ({ type: 'string', value: 'TEXT', required: true, fromStdin: true, field, description: `${what}; - reads it from stdin` });
const reason = (what: string, required = false): OptionSpec => ({ type: 'string', value: 'TEXT', field: 'reason', ...(required ? { required } : {}), description: what });

interface CommandSpec {
  summary: string;
  /** Whether the command acts on one ticket, named by the first argument. */
  ticketId: boolean;
  /** A required word after the ticket id. */
  argument?: ArgumentSpec;
  options: Options;
  /** Lines after the summary in the command's help. */
  footnote?: string;
}

const ACTOR_NOTE = "The timeline records the token's actor (API_TOKENS actor:token; the local token acts as local-admin).";

export const COMMANDS = {
  open: {
    summary: 'Open a ticket for a requester; prints its id, priority, tier and next SLA deadline.',
    ticketId: false,
    options: {
      subject: { type: 'string', value: 'TEXT', required: true, description: 'one line saying what is wrong' },
      description: { type: 'string', value: 'TEXT', required: true, description: 'the request in full; - reads it from stdin', fromStdin: true },
      email: { type: 'string', value: 'EMAIL', required: true, description: "the requester's email address (replies go there)" },
      name: { type: 'string', value: 'NAME', description: "the requester's name" },
      channel: { type: 'string', value: 'ID', description: "the channel it came in on, one of the policy's: email, slack, web, api, github, discord ... (default: email)" },
      priority: { type: 'string', value: 'ID', description: "the policy's priority, e.g. P0 to P3 (default: the policy triages it)" },
      'external-id': { type: 'string', value: 'ID', description: 'the id on the channel (Message-ID, issue number): the same one again finds the same ticket' },
      'idempotency-key': { type: 'string', value: 'KEY', description: 'the same key again finds the ticket it opened instead of opening another' },
    },
  },
  show: { summary: 'Show a ticket: status, priority, tier, each SLA clock (due, met, breached) and the timeline.', ticketId: true, options: {} },
  list: {
    summary: 'List tickets, newest first, as a table; every filter given must hold.',
    ticketId: false,
    options: {
      status: { type: 'string', value: 'STATUS', description: `only this status: ${STATUSES.join(', ')}` },
      priority: { type: 'string', value: 'ID', description: 'only this priority, e.g. P0' },
      tier: { type: 'string', value: 'ID', description: 'only tickets in this tier, e.g. tier3' },
      channel: { type: 'string', value: 'ID', description: 'only tickets that came in on this channel, e.g. email' },
      assignee: { type: 'string', value: 'NAME', description: 'only tickets assigned to this engineer' },
      breached: { type: 'boolean', description: 'only tickets with a breached SLA clock' },
      open: { type: 'boolean', description: 'only tickets not yet closed (resolved ones still count until they close)' },
      limit: { type: 'string', value: 'N', description: 'at most N tickets (default 50, at most 500)' },
      'page-token': { type: 'string', value: 'TOKEN', description: 'the next page, with the token the previous page printed (and the same filters)' },
    },
    footnote: 'The list comes from Temporal visibility, which trails a change by a moment.',
  },
  ack: { summary: 'Acknowledge a ticket: you take it (it is assigned to you unless someone has it).', ticketId: true, options: { 'request-id': REQUEST_ID }, footnote: ACTOR_NOTE },
  respond: {
    summary: 'Reply to the requester. A public response: it meets the first-response clock.',
    ticketId: true,
    options: { body: body('the reply', 'body'), 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  note: {
    summary: 'Add an internal note to the timeline; the requester does not see it.',
    ticketId: true,
    options: { body: body('the note', 'body'), 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  priority: {
    summary: "Set a ticket's priority; its SLA deadlines follow the new priority's targets.",
    ticketId: true,
    argument: { name: 'PRIORITY', field: 'priority', what: 'the new priority', example: 'P1' },
    options: { reason: reason('why, for the timeline'), 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  assign: {
    summary: 'Assign a ticket to an engineer.',
    ticketId: true,
    argument: { name: 'ASSIGNEE', field: 'assignee', what: 'who takes it', example: 'grace' },
    options: { 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  pending: {
    summary: "Set a ticket pending on the customer or a vendor (the clocks the policy's pauses name stop), or none to resume.",
    ticketId: true,
    argument: { name: 'REASON', field: 'reason', what: 'whom it waits on', example: 'customer', choices: ['customer', 'vendor', 'none'] },
    options: { note: { type: 'string', value: 'TEXT', field: 'note', description: 'what it waits for, for the timeline' }, 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  escalate: {
    summary: "Move a ticket up to the next tier of the policy (or --to a higher one); the new tier's paging plan runs.",
    ticketId: true,
    options: {
      reason: reason('why it needs the higher tier', true),
      to: { type: 'string', value: 'TIER', field: 'to', description: 'the tier to move to (default: the next one up)' },
      'request-id': REQUEST_ID,
    },
    footnote: ACTOR_NOTE,
  },
  deescalate: {
    summary: 'Move a ticket back down to the previous tier (or --to a lower one).',
    ticketId: true,
    options: {
      reason: reason('why the lower tier can take it', true),
      to: { type: 'string', value: 'TIER', field: 'to', description: 'the tier to move to (default: the previous one)' },
      'request-id': REQUEST_ID,
    },
    footnote: ACTOR_NOTE,
  },
  resolve: {
    summary: 'Resolve a ticket; the resolution is sent to the requester and the follow-up is scheduled.',
    ticketId: true,
    options: { resolution: body('what fixed it', 'resolution'), 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  reopen: {
    summary: 'Reopen a resolved ticket: back in progress, its resolution clock runs on from where it stopped.',
    ticketId: true,
    options: { reason: reason('why, for the timeline'), 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  close: {
    summary: 'Close a ticket for good: nothing changes it afterwards.',
    ticketId: true,
    options: { reason: reason('why, for the timeline'), 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  duplicate: {
    summary: 'Close a ticket as a duplicate of another; the requester is told which.',
    ticketId: true,
    argument: { name: 'ORIGINAL', field: 'of', what: 'the id of the ticket it duplicates', example: 'T-01K2ZQ7N8C4V6B3M9E' },
    options: { 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  oncall: {
    summary: 'Who is on call now (or --at a time), for each layer of every on-call schedule (or one --schedule), and until when.',
    ticketId: false,
    options: {
      at: { type: 'string', value: 'TIME', field: 'at', description: 'an instant in ISO 8601 with Z or an offset, e.g. 2026-03-11T15:00:00Z (default: now)' },
      schedule: { type: 'string', value: 'ID', field: 'schedule', description: 'only this schedule, e.g. signx-engineering' },
    },
    footnote: 'The schedules are the server\'s on-call file (ONCALL_FILE); without one there is nobody to name.',
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;
const NAMES = Object.keys(COMMANDS) as CommandName[];
/** The incident commands are a group: `tierline incident <command>` (incident-args.ts). */
const INCIDENT_GROUP = 'incident';
/** A ticket's engineering issue on GitHub: `tierline engineering open|link` (engineering.ts). */
const ENGINEERING_GROUP = 'engineering';
const TOP_LEVEL = [...NAMES, REPORT_COMMAND, INCIDENT_GROUP, ENGINEERING_GROUP];

export interface Invocation {
  command: CommandName;
  ticketId?: string;
  /** The word after the ticket id, for commands with an argument. */
  argument?: string;
  values: Record<string, string | boolean | undefined>;
}

export type Parsed = { kind: 'help'; text: string } | { kind: 'run'; invocation: Invocation } | ParsedIncident | ParsedEngineering | ParsedReport;

function isCommand(word: string): word is CommandName {
  return (NAMES as string[]).includes(word);
}

export function commandSpec(command: CommandName): CommandSpec {
  return COMMANDS[command];
}

export function parseCommandLine(argv: readonly string[]): Parsed {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') return { kind: 'help', text: generalHelp() };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help', text: generalHelp() };
    if (topic === INCIDENT_GROUP) return parseIncidentCommandLine(['help', ...rest.slice(1)]);
    if (topic === ENGINEERING_GROUP) return parseEngineeringCommandLine(['help', ...rest.slice(1)]);
    if (topic === REPORT_COMMAND) return parseReportCommandLine(['--help']);
    if (!isCommand(topic)) throw usageError(`unknown command '${topic}'; expected one of ${TOP_LEVEL.join(', ')}`);
    return { kind: 'help', text: commandHelp(topic) };
  }
  if (first === INCIDENT_GROUP) return parseIncidentCommandLine(rest);
  if (first === ENGINEERING_GROUP) return parseEngineeringCommandLine(rest);
  if (first === REPORT_COMMAND) return parseReportCommandLine(rest);
  if (!isCommand(first)) throw usageError(`unknown command '${first}'; expected one of ${TOP_LEVEL.join(', ')}`, "see 'tierline --help'");

  const spec = commandSpec(first);
  const options: Options = { ...spec.options, ...COMMON_OPTIONS };
  const parsed = parseOptions(rest, options, `tierline ${first} --help`);
  if (parsed.values.help) return { kind: 'help', text: commandHelp(first) };

  const positionals = [...parsed.positionals];
  const ticketId = spec.ticketId ? positionals.shift() : undefined;
  if (spec.ticketId && ticketId === undefined) {
    throw usageError(`${first} needs the ticket id, e.g. tierline ${first} T-01K2ZQ7N8C4V6B3M9D${spec.argument ? ` ${spec.argument.example}` : ''} ...`);
  }
  const argument = spec.argument ? positionals.shift() : undefined;
  if (spec.argument && argument === undefined) {
    throw usageError(`${first} needs ${spec.argument.what} after the ticket id, e.g. tierline ${first} ${ticketId} ${spec.argument.example}`, `see 'tierline ${first} --help'`);
  }
  if (spec.argument?.choices && !spec.argument.choices.includes(argument!)) {
    throw usageError(`${spec.argument.name}: expected one of ${spec.argument.choices.join(', ')}, got '${argument}'`);
  }
  if (positionals.length) {
    const takes = spec.ticketId ? `one ticket id${spec.argument ? ` and ${spec.argument.name}` : ''}` : 'options only';
    throw usageError(`unexpected argument '${positionals[0]}'; ${first} takes ${takes}`, `see 'tierline ${first} --help'`);
  }

  const missing = Object.entries(spec.options).filter(([name, o]) => o.required && parsed.values[name] === undefined);
  if (missing.length) throw usageError(...missing.map(([name]) => `--${name} is required`), `see 'tierline ${first} --help'`);

  return {
    kind: 'run',
    invocation: { command: first, ...(ticketId !== undefined ? { ticketId } : {}), ...(argument !== undefined ? { argument } : {}), values: parsed.values },
  };
}

/** The options of a command whose `-` value is read from stdin. */
export function stdinOptions(command: CommandName): string[] {
  return Object.entries(commandSpec(command).options as Options)
    .filter(([, o]) => o.fromStdin)
    .map(([name]) => name);
}

/**
 * The request (an action's body, or a query) a command line makes, and which option or argument
 * set each field, so that the API's field errors name what to change.
 */
export function requestOf(inv: Invocation): { body: Record<string, string>; fields: Record<string, string> } {
  const spec = commandSpec(inv.command);
  const body: Record<string, string> = {};
  const fields: Record<string, string> = {};
  if (spec.argument && inv.argument !== undefined) {
    body[spec.argument.field] = inv.argument;
    fields[spec.argument.field] = spec.argument.name;
  }
  for (const [name, o] of Object.entries(spec.options as Options)) {
    if (!o.field) continue;
    fields[o.field] = `--${name}`;
    const value = inv.values[name];
    if (typeof value === 'string') body[o.field] = value;
  }
  return { body, fields };
}

function synopsis(command: CommandName): string {
  const spec = commandSpec(command);
  const parts = [`tierline ${command}`];
  if (spec.ticketId) parts.push('ID');
  if (spec.argument) parts.push(spec.argument.choices ? spec.argument.choices.join('|') : spec.argument.name);
  for (const [name, o] of Object.entries(spec.options as Options)) if (o.required) parts.push(`--${name} ${o.value}`);
  if (Object.values(spec.options as Options).some((o) => !o.required)) parts.push('[options]');
  parts.push('[--json]');
  return parts.join(' ');
}

export function commandHelp(command: CommandName): string {
  const spec = commandSpec(command);
  const lines = [`Usage: ${synopsis(command)}`, '', spec.summary];
  if (spec.footnote) lines.push(spec.footnote);
  if (Object.keys(spec.options).length) lines.push('', 'Options:', ...optionLines(spec.options));
  lines.push('', 'Common options:', ...optionLines(COMMON_OPTIONS));
  lines.push('', `Exit codes: ${EXIT_CODE_SUMMARY}; 'tierline --help' says more.`);
  return lines.join('\n');
}

export function generalHelp(): string {
  const width = Math.max(...TOP_LEVEL.map((n) => n.length));
  return [
    'Usage: tierline <command> [ID] [options]',
    '',
    'Works tickets and incidents through the tierline HTTP API. Prints for people; --json prints the API\'s answer.',
    '',
    'Commands:',
    ...NAMES.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`),
    `  ${REPORT_COMMAND.padEnd(width)}  ${REPORT_SUMMARY}`,
    `  ${INCIDENT_GROUP.padEnd(width)}  ${INCIDENT_GROUP_SUMMARY}`,
    `  ${ENGINEERING_GROUP.padEnd(width)}  ${ENGINEERING_GROUP_SUMMARY}`,
    '',
    'Common options:',
    ...optionLines(COMMON_OPTIONS),
    '',
    "'tierline <command> --help' shows a command's options.",
    '',
    'Exit codes:',
    ...EXIT_CODE_LINES.map((line) => `  ${line}`),
  ].join('\n');
}
