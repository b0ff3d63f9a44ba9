/**
 * The command line: each command's options and help, parsed with node:util's parseArgs. Only the
 * shape of the command line is checked here; what a ticket may hold is the API's to say.
 */
import { parseArgs } from 'node:util';
import { usageError } from './errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's name in the help, e.g. TEXT. */
  value?: string;
  description: string;
  required?: boolean;
  /** A value of `-` is read from stdin. */
  fromStdin?: boolean;
}

type Options = Record<string, OptionSpec>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  api: { type: 'string', value: 'URL', description: 'the tierline API (default: TIERLINE_API_URL, else http://HTTP_HOST:HTTP_PORT, else http://127.0.0.1:3000)' },
  token: {
    type: 'string',
    value: 'TOKEN',
    description: 'the API token (default: TIERLINE_API_TOKEN, else the api-token file `npm start` wrote in TIERLINE_DATA_DIR); prefer the variable: arguments show in ps',
  },
  json: { type: 'boolean', description: 'print the ticket as the API returns it, as JSON' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Options;

const body = (what: string): OptionSpec => ({ type: 'string', value: 'TEXT', required: true, fromStdin: true, description: `${what}; - reads it from stdin` });

interface CommandSpec {
  summary: string;
  /** Whether the command acts on one ticket, named by the first argument. */
  ticketId: boolean;
  options: Options;
  /** A line after the summary in the command's help. */
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
  ack: { summary: 'Acknowledge a ticket: you take it (it is assigned to you unless someone has it).', ticketId: true, options: {}, footnote: ACTOR_NOTE },
  respond: {
    summary: 'Reply to the requester. A public response: it meets the first-response clock.',
    ticketId: true,
    options: { body: body('the reply') },
    footnote: ACTOR_NOTE,
  },
  resolve: {
    summary: 'Resolve a ticket; the resolution is sent to the requester and the follow-up is scheduled.',
    ticketId: true,
    options: { resolution: body('what fixed it') },
    footnote: ACTOR_NOTE,
  },
  note: {
    summary: 'Add an internal note to the timeline; the requester does not see it.',
    ticketId: true,
    options: { body: body('the note') },
    footnote: ACTOR_NOTE,
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;
const NAMES = Object.keys(COMMANDS) as CommandName[];

export interface Invocation {
  command: CommandName;
  ticketId?: string;
  values: Record<string, string | boolean | undefined>;
}

export type Parsed = { kind: 'help'; text: string } | { kind: 'run'; invocation: Invocation };

function isCommand(word: string): word is CommandName {
  return (NAMES as string[]).includes(word);
}

export function parseCommandLine(argv: readonly string[]): Parsed {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') return { kind: 'help', text: generalHelp() };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help', text: generalHelp() };
    if (!isCommand(topic)) throw usageError(`unknown command '${topic}'; expected one of ${NAMES.join(', ')}`);
    return { kind: 'help', text: commandHelp(topic) };
  }
  if (!isCommand(first)) throw usageError(`unknown command '${first}'; expected one of ${NAMES.join(', ')}`, "see 'tierline --help'");

  const spec: CommandSpec = COMMANDS[first];
  const options: Options = { ...spec.options, ...COMMON_OPTIONS };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...rest],
      options: Object.fromEntries(Object.entries(options).map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // parseArgs names the option, never its value.
    throw usageError((err as Error).message, `see 'tierline ${first} --help'`);
  }
  if (parsed.values.help) return { kind: 'help', text: commandHelp(first) };

  const [ticketId, ...extra] = parsed.positionals;
  if (spec.ticketId && ticketId === undefined) throw usageError(`${first} needs the ticket id, e.g. tierline ${first} T-01K2ZQ7N8C4V6B3M9D ...`);
  const unexpected = spec.ticketId ? extra : parsed.positionals;
  if (unexpected.length) throw usageError(`unexpected argument '${unexpected[0]}'; ${first} takes ${spec.ticketId ? 'one ticket id' : 'options only'}`, `see 'tierline ${first} --help'`);

  const missing = Object.entries(spec.options).filter(([name, o]) => o.required && parsed.values[name] === undefined);
  if (missing.length) throw usageError(...missing.map(([name]) => `--${name} is required`), `see 'tierline ${first} --help'`);

  return { kind: 'run', invocation: { command: first, ...(spec.ticketId ? { ticketId } : {}), values: parsed.values } };
}

/** The options of a command whose `-` value is read from stdin. */
export function stdinOptions(command: CommandName): string[] {
  const options: Options = COMMANDS[command].options;
  return Object.entries(options)
    .filter(([, o]) => o.fromStdin)
    .map(([name]) => name);
}

function optionLines(options: Options): string[] {
  const heads = Object.entries(options).map(([name, o]) => [`${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`, o.description] as const);
  const width = Math.max(...heads.map(([head]) => head.length));
  return heads.map(([head, description]) => `  ${head.padEnd(width)}  ${description}`);
}

function synopsis(command: CommandName): string {
  const spec: CommandSpec = COMMANDS[command];
  const parts = [`tierline ${command}`];
  if (spec.ticketId) parts.push('ID');
  for (const [name, o] of Object.entries(spec.options)) if (o.required) parts.push(`--${name} ${o.value}`);
  if (Object.values(spec.options).some((o) => !o.required)) parts.push('[options]');
  parts.push('[--json]');
  return parts.join(' ');
}

export function commandHelp(command: CommandName): string {
  const spec: CommandSpec = COMMANDS[command];
  const lines = [`Usage: ${synopsis(command)}`, '', spec.summary];
  if (spec.footnote) lines.push(spec.footnote);
  if (Object.keys(spec.options).length) lines.push('', 'Options:', ...optionLines(spec.options));
  lines.push('', 'Common options:', ...optionLines(COMMON_OPTIONS));
  return lines.join('\n');
}

export function generalHelp(): string {
  const width = Math.max(...NAMES.map((n) => n.length));
  return [
    'Usage: tierline <command> [ID] [options]',
    '',
    'Works tickets through the tierline HTTP API.',
    '',
    'Commands:',
    ...NAMES.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`),
    '',
    'Common options:',
    ...optionLines(COMMON_OPTIONS),
    '',
    "'tierline <command> --help' shows a command's options.",
    'Exit codes: 0 done, 1 failed, 2 usage or invalid request, 3 token refused, 4 no such ticket, 5 the ticket refused the action.',
  ].join('\n');
}
