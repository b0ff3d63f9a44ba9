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
