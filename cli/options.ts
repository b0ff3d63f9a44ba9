import { parseArgs } from 'node:util';
import { usageError } from './errors.js';

/**
 * How a command's options are described: for parseArgs, for the help, and for naming the option
 * behind a field the API rejects. Shared by the ticket commands (args.ts) and the incident group
 * (incident-args.ts).
 */

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's name in the help, e.g. TEXT. */
  value?: string;
  description: string;
  required?: boolean;
  /** A value of `-` is read from stdin. */
  fromStdin?: boolean;
  /** The field of the action's request body this option sets (so a 400 on it names the option). */
  field?: string;
  /** The option may be given more than once; the field is the list of its values. */
  multiple?: boolean;
  /** The value is a comma-separated list; the field is the list of its items. */
  commaList?: boolean;
}

/** A word after the id, e.g. the P1 of `tierline priority T-… P1`. */
export interface ArgumentSpec {
  /** Its name in the help and in messages, e.g. PRIORITY. */
  name: string;
  /** The field of the action's request body it sets. */
  field: string;
  /** What it is, for the message when it is missing: `the new priority`. */
  what: string;
  example: string;
  /** The only values it may take. */
  choices?: readonly string[];
}

export type Options = Record<string, OptionSpec>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  api: { type: 'string', value: 'URL', description: 'the tierline API (default: TIERLINE_API_URL, else http://HTTP_HOST:HTTP_PORT, else http://127.0.0.1:3000)' },
  token: {
    type: 'string',
    value: 'TOKEN',
    description: 'the API token (default: TIERLINE_API_TOKEN, else the api-token file `npm start` wrote in TIERLINE_DATA_DIR); prefer the variable: arguments show in ps',
  },
  json: { type: 'boolean', description: "print the API's answer unchanged, as JSON (the ticket or incident; for the lists, oncall and proposals, the whole answer)" },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Options;

/** Every action takes one: the API runs an action once per request id. */
export const REQUEST_ID: OptionSpec = {
  type: 'string',
  value: 'KEY',
  field: 'requestId',
  description: 'run the action once: the same key again (a retry after a lost answer) changes nothing',
};

/** The help's lines for a set of options, their descriptions aligned. */
export function optionLines(options: Options): string[] {
  const heads = Object.entries(options).map(([name, o]) => [`${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}${o.multiple ? ' ...' : ''}`, o.description] as const);
  const width = Math.max(...heads.map(([head]) => head.length));
  return heads.map(([head, description]) => `  ${head.padEnd(width)}  ${description}`);
}

/** What a command line holds once its options are parsed (`string[]` only for `multiple` options). */
export interface ParsedOptions<V = string | boolean | undefined> {
  values: Record<string, V>;
  positionals: string[];
}

/**
 * Parses `args` against `options` (strict: an unknown option is a usage error pointing at `seeHelp`,
 * the command's help). parseArgs names the option in its message, never its value.
 */
export function parseOptions<V = string | boolean | undefined>(args: readonly string[], options: Options, seeHelp: string): ParsedOptions<V> {
  try {
    return parseArgs({
      args: [...args],
      options: Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }])),
      allowPositionals: true,
      strict: true,
    }) as ParsedOptions<V>;
  } catch (err) {
    throw usageError((err as Error).message, `see '${seeHelp}'`);
  }
}

/**
 * The first word of a command group (`tierline incident …`): its help, `help <command>`, or the
 * command and the words after it; an unknown command is a usage error listing the group's.
 */
export function groupCommand<N extends string>(
  group: string,
  names: readonly N[],
  argv: readonly string[],
  help: { group: () => string; command: (name: N) => string },
): { help: string } | { command: N; rest: string[] } {
  const [first, ...rest] = argv;
  const known = (word: string): word is N => (names as readonly string[]).includes(word);
  if (first === undefined || first === '-h' || first === '--help') return { help: help.group() };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { help: help.group() };
    if (!known(topic)) throw usageError(`unknown ${group} command '${topic}'; expected one of ${names.join(', ')}`);
    return { help: help.command(topic) };
  }
  if (!known(first)) throw usageError(`unknown ${group} command '${first}'; expected one of ${names.join(', ')}`, `see 'tierline ${group} --help'`);
  return { command: first, rest };
}
