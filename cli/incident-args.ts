/**
 * The `tierline incident` group: each subcommand's options and help, parsed like the ticket
 * commands (args.ts). Only the shape of the command line is checked here; what an incident may
 * hold (severities, statuses, transitions) is the API's to say.
 */
import { EXIT_CODE_SUMMARY, usageError } from './errors.js';
import { COMMON_OPTIONS, groupCommand, optionLines, parseOptions, REQUEST_ID, type ArgumentSpec, type OptionSpec, type Options } from './options.js';

interface IncidentCommandSpec {
  summary: string;
  /** Whether the subcommand acts on one incident, named by the first argument. */
  incidentId: boolean;
  /** A required word after the incident id. */
  argument?: ArgumentSpec;
  options: Options;
  footnote?: string;
}

const text = (what: string, field: string, required = false): OptionSpec => ({ type: 'string', value: 'TEXT', field, fromStdin: true, ...(required ? { required } : {}), description: `${what}; - reads it from stdin` });
const NEXT_UPDATE: OptionSpec = { type: 'string', value: 'DURATION', field: 'nextUpdateIn', description: "when the next update is promised, e.g. 30m (default and at most: the severity's cadence)" };
const ACTOR_NOTE = "The incident's timeline records the token's actor.";
const TICKET_EXAMPLE = 'T-01K2ZQ7N8C4V6B3M9D';

export const INCIDENT_COMMANDS = {
  declare: {
    summary: 'Declare an incident: its first update (investigating) goes to the policy\'s channels, and the tickets given are linked.',
    incidentId: false,
    options: {
      title: { type: 'string', value: 'TEXT', field: 'title', required: true, description: 'one line naming the outage' },
      severity: { type: 'string', value: 'ID', field: 'severity', required: true, description: "one of the policy's severities, e.g. critical, major, minor" },
      impact: text('who is affected and how', 'impact', true),
      message: text('the first update (default: "We are investigating: <title>")', 'message'),
      components: { type: 'string', value: 'A,B', field: 'components', commaList: true, description: 'affected components; new tickets tagged component:<name> are linked on intake' },
      commander: { type: 'string', value: 'NAME', field: 'commander', description: 'the incident commander (default: you)' },
      'next-update-in': NEXT_UPDATE,
      proposal: { type: 'string', value: 'KEY', field: 'proposalKey', description: "confirm this proposal (tierline incident proposals); link its tickets with --ticket" },
      ticket: { type: 'string', value: 'ID', field: 'tickets', multiple: true, description: 'a ticket to link at once; repeat for more' },
      'idempotency-key': { type: 'string', value: 'KEY', description: 'the same key again finds the incident it declared instead of declaring another' },
    },
    footnote: ACTOR_NOTE,
  },
  list: {
    summary: 'List open incidents (most severe first) and those resolved lately, as a table.',
    incidentId: false,
    options: {
      days: { type: 'string', value: 'N', field: 'days', description: 'resolved incidents of the last N days (default 14)' },
      limit: { type: 'string', value: 'N', field: 'limit', description: 'at most N incidents (default 50)' },
    },
    footnote: 'The list comes from Temporal visibility, which trails a change by a moment.',
  },
  show: { summary: 'Show an incident: status, severity, commander, next update, linked tickets, the updates and the timeline.', incidentId: true, options: {} },
  update: {
    summary: 'Post a status update (current status, impact, next update); it goes to the policy\'s channels and the status page.',
    incidentId: true,
    options: {
      status: { type: 'string', value: 'STATUS', field: 'status', required: true, description: 'investigating, identified or monitoring (resolve with tierline incident resolve)' },
      impact: text('who is affected and how, now', 'impact', true),
      message: text('what is known and being done', 'message', true),
      'next-update-in': NEXT_UPDATE,
      reason: { type: 'string', value: 'TEXT', field: 'reason', description: 'why, when going back to investigating' },
      'request-id': REQUEST_ID,
    },
    footnote: ACTOR_NOTE,
  },
  severity: {
    summary: "Change an incident's severity; its update cadence (and paging) follow.",
    incidentId: true,
    argument: { name: 'SEVERITY', field: 'severity', what: 'the new severity', example: 'critical' },
    options: { reason: { type: 'string', value: 'TEXT', field: 'reason', description: 'why, for the timeline' }, 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  commander: {
    summary: 'Hand the incident to another commander.',
    incidentId: true,
    argument: { name: 'COMMANDER', field: 'commander', what: 'the new commander', example: 'grace' },
    options: { 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  link: {
    summary: "Link a ticket to the incident: the ticket shows it, and its clocks follow the policy (keep running or pause).",
    incidentId: true,
    argument: { name: 'TICKET', field: 'ticketId', what: 'the id of the ticket to link', example: TICKET_EXAMPLE },
    options: { 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  unlink: {
    summary: "Let a ticket go: its clocks run again.",
    incidentId: true,
    argument: { name: 'TICKET', field: 'ticketId', what: 'the id of the linked ticket', example: TICKET_EXAMPLE },
    options: { reason: { type: 'string', value: 'TEXT', field: 'reason', description: 'why, for the timeline' }, 'request-id': REQUEST_ID },
    footnote: ACTOR_NOTE,
  },
  resolve: {
    summary: 'Resolve the incident: the final update goes out, the linked tickets are resolved or told (as the policy says), and the report is written.',
    incidentId: true,
    options: {
      summary: text('the final update', 'summary', true),
      impact: { type: 'string', value: 'TEXT', field: 'impact', description: "the impact, for the report (default: the last update's)" },
      'root-cause': text('the root cause analysis, for the report', 'rootCause'),
      resolution: text('the resolution steps, for the report', 'resolution'),
      prevention: text('the prevention measures, for the report', 'prevention'),
      'request-id': REQUEST_ID,
    },
    footnote: `${ACTOR_NOTE} What the report still lacks is marked TO FILL (tierline incident report).`,
  },
  'ack-page': { summary: "Acknowledge the incident's page.", incidentId: true, options: { 'request-id': REQUEST_ID }, footnote: ACTOR_NOTE },
  report: { summary: "Print the incident report (the seed's template, Markdown); what a person must still write is marked TO FILL.", incidentId: true, options: {} },
  proposals: {
    summary: 'List incidents proposed by bursts of tickets and not yet declared; declare one with --proposal KEY.',
    incidentId: false,
    options: {},
  },
} as const satisfies Record<string, IncidentCommandSpec>;

export type IncidentCommandName = keyof typeof INCIDENT_COMMANDS;
const NAMES = Object.keys(INCIDENT_COMMANDS) as IncidentCommandName[];

/** One line for `tierline --help`. */
export const INCIDENT_GROUP_SUMMARY = `Incidents: ${NAMES.join(', ')} ('tierline incident --help').`;

export interface IncidentInvocation {
  command: IncidentCommandName;
  incidentId?: string;
  argument?: string;
  values: Record<string, string | boolean | string[] | undefined>;
}

export type ParsedIncident = { kind: 'help'; text: string } | { kind: 'incident'; invocation: IncidentInvocation };


const spec = (command: IncidentCommandName): IncidentCommandSpec => INCIDENT_COMMANDS[command];

/** Parses what follows `tierline incident`. */
export function parseIncidentCommandLine(argv: readonly string[]): ParsedIncident {
  const group = groupCommand('incident', NAMES, argv, { group: incidentGroupHelp, command: incidentCommandHelp });
  if ('help' in group) return { kind: 'help', text: group.help };
  const { command: first, rest } = group;
  const command = spec(first);
  const options: Options = { ...command.options, ...COMMON_OPTIONS };
  const parsed = parseOptions<string | boolean | string[] | undefined>(rest, options, `tierline incident ${first} --help`);
  if (parsed.values.help) return { kind: 'help', text: incidentCommandHelp(first) };

  const positionals = [...parsed.positionals];
  const incidentId = command.incidentId ? positionals.shift() : undefined;
  if (command.incidentId && incidentId === undefined) {
    throw usageError(`incident ${first} needs the incident id, e.g. tierline incident ${first} I-01K2ZQ7N8C4V6B3M9D${command.argument ? ` ${command.argument.example}` : ''} ...`);
  }
  const argument = command.argument ? positionals.shift() : undefined;
  if (command.argument && argument === undefined) {
    throw usageError(`incident ${first} needs ${command.argument.what} after the incident id, e.g. tierline incident ${first} ${incidentId} ${command.argument.example}`, `see 'tierline incident ${first} --help'`);
  }
  if (positionals.length) {
    const takes = command.incidentId ? `one incident id${command.argument ? ` and ${command.argument.name}` : ''}` : 'options only';
    throw usageError(`unexpected argument '${positionals[0]}'; incident ${first} takes ${takes}`, `see 'tierline incident ${first} --help'`);
  }
  const missing = Object.entries(command.options).filter(([name, o]) => o.required && parsed.values[name] === undefined);
  if (missing.length) throw usageError(...missing.map(([name]) => `--${name} is required`), `see 'tierline incident ${first} --help'`);

  return {
    kind: 'incident',
    invocation: { command: first, ...(incidentId !== undefined ? { incidentId } : {}), ...(argument !== undefined ? { argument } : {}), values: parsed.values },
  };
}

/** The options of a subcommand whose `-` value is read from stdin. */
export function incidentStdinOptions(command: IncidentCommandName): string[] {
  return Object.entries(spec(command).options)
    .filter(([, o]) => o.fromStdin)
    .map(([name]) => name);
}

/**
 * The request body (or query) a command line makes, and which option or argument set each field,
 * so that the API's field errors name what to change.
 */
export function incidentRequestOf(inv: IncidentInvocation): { body: Record<string, string | string[]>; fields: Record<string, string> } {
  const command = spec(inv.command);
  const body: Record<string, string | string[]> = {};
  const fields: Record<string, string> = {};
  if (command.argument && inv.argument !== undefined) {
    body[command.argument.field] = inv.argument;
    fields[command.argument.field] = command.argument.name;
  }
  for (const [name, o] of Object.entries(command.options)) {
    if (!o.field) continue;
    fields[o.field] = `--${name}`;
    const value = inv.values[name];
    if (Array.isArray(value)) body[o.field] = value;
    else if (typeof value === 'string') {
      body[o.field] = o.commaList
        ? value
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean)
        : value;
    }
  }
  return { body, fields };
}

function synopsis(command: IncidentCommandName): string {
  const s = spec(command);
  const parts = [`tierline incident ${command}`];
  if (s.incidentId) parts.push('ID');
  if (s.argument) parts.push(s.argument.name);
  for (const [name, o] of Object.entries(s.options)) if (o.required) parts.push(`--${name} ${o.value}`);
  if (Object.values(s.options).some((o) => !o.required)) parts.push('[options]');
  parts.push('[--json]');
  return parts.join(' ');
}

export function incidentCommandHelp(command: IncidentCommandName): string {
  const s = spec(command);
  const lines = [`Usage: ${synopsis(command)}`, '', s.summary];
  if (s.footnote) lines.push(s.footnote);
  if (Object.keys(s.options).length) lines.push('', 'Options:', ...optionLines(s.options));
  lines.push('', 'Common options:', ...optionLines(COMMON_OPTIONS));
  lines.push('', `Exit codes: ${EXIT_CODE_SUMMARY}; 'tierline --help' says more.`);
  return lines.join('\n');
}

export function incidentGroupHelp(): string {
  const width = Math.max(...NAMES.map((n) => n.length));
  return [
    'Usage: tierline incident <command> [ID] [options]',
    '',
    'Works incidents through the tierline HTTP API: one per outage, with its status updates, linked tickets and report.',
    '',
    'Commands:',
    ...NAMES.map((name) => `  ${name.padEnd(width)}  ${spec(name).summary}`),
    '',
    "'tierline incident <command> --help' shows a command's options; the common options and exit codes are those of 'tierline --help'.",
  ].join('\n');
}
