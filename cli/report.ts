/**
 * `tierline report daily|weekly|monthly`: the support report from the API (`GET /v1/reports/:kind`),
 * as Markdown for people, or the report's JSON with --json. Parsed like the ticket commands (args.ts).
 */
import { REPORT_KINDS, type ReportKind } from '../client/reports.js';
import type { Report } from '../domain/metrics/reports.js';
import { ApiClient } from './api.js';
import type { Outcome } from './commands.js';
import { CliError, EXIT, EXIT_CODE_SUMMARY, usageError } from './errors.js';
import { COMMON_OPTIONS, optionLines, parseOptions, type Options } from './options.js';

export const REPORT_COMMAND = 'report';

export const REPORT_SUMMARY = `The ${REPORT_KINDS.join(', ')} support report from the ticket ledger, as Markdown (--json: the report's JSON).`;

const REPORT_OPTIONS = {
  markdown: { type: 'boolean', description: 'print the report as Markdown (the default)' },
  at: { type: 'string', value: 'TIME', field: 'at', description: 'take the report as of this instant, ISO 8601 with Z or an offset, e.g. 2026-03-11T15:00:00Z (default: now)' },
} as const satisfies Options;

/** The API's fields by what sets them on the command line, so a 400 names what to change. */
const FIELDS: Record<string, string> = { kind: 'KIND', format: '--markdown/--json', at: '--at' };

export interface ReportInvocation {
  kind: ReportKind;
  values: Record<string, string | boolean | undefined>;
}

export type ParsedReport = { kind: 'help'; text: string } | { kind: 'report'; invocation: ReportInvocation };

const isKind = (word: string): word is ReportKind => (REPORT_KINDS as readonly string[]).includes(word);

/** Parses what follows `tierline report`. */
export function parseReportCommandLine(argv: readonly string[]): ParsedReport {
  const options: Options = { ...REPORT_OPTIONS, ...COMMON_OPTIONS };
  const parsed = parseOptions(argv, options, `tierline ${REPORT_COMMAND} --help`);
  if (parsed.values.help) return { kind: 'help', text: reportHelp() };
  const [kind, ...extra] = parsed.positionals;
  if (kind === undefined) throw usageError(`report needs its kind, one of ${REPORT_KINDS.join(', ')}, e.g. tierline report daily`);
  if (!isKind(kind)) throw usageError(`KIND: expected one of ${REPORT_KINDS.join(', ')}, got '${kind}'`);
  if (extra.length) throw usageError(`unexpected argument '${extra[0]}'; report takes one kind`, `see 'tierline ${REPORT_COMMAND} --help'`);
  if (parsed.values.markdown && parsed.values.json) throw usageError('--markdown and --json: give one of them (Markdown is the default)');
  return { kind: 'report', invocation: { kind, values: parsed.values } };
}

export class ReportApi extends ApiClient {
  async markdown(kind: ReportKind, at: string | undefined): Promise<string> {
    const { body } = await this.request({ method: 'GET', path: `v1/reports/${kind}`, query: { format: 'markdown', at }, accept: 'markdown', fields: FIELDS });
    if (typeof body !== 'string') throw new CliError(EXIT.failure, ['the API answered the report without Markdown; is --api pointing at tierline?']);
    return body;
  }

  async json(kind: ReportKind, at: string | undefined): Promise<Report> {
    return (await this.request({ method: 'GET', path: `v1/reports/${kind}`, query: { format: 'json', at }, fields: FIELDS })).body as Report;
  }
}

export async function runReportCommand(inv: ReportInvocation, api: ReportApi): Promise<Outcome> {
  const at = typeof inv.values.at === 'string' ? inv.values.at : undefined;
  if (inv.values.json) {
    const report = await api.json(inv.kind, at);
    return { json: report, text: JSON.stringify(report, null, 2) };
  }
  const markdown = await api.markdown(inv.kind, at);
  return { json: undefined, text: markdown.trimEnd() };
}

export function reportHelp(): string {
  return [
    `Usage: tierline ${REPORT_COMMAND} ${REPORT_KINDS.join('|')} [--markdown] [--at TIME] [--json]`,
    '',
    REPORT_SUMMARY,
    'daily: the open queue now (from Temporal) and the previous day; weekly: the previous week against the policy\'s targets; monthly: the previous month with its trends.',
    '',
    'Options:',
    ...optionLines(REPORT_OPTIONS),
    '',
    'Common options:',
    ...optionLines(COMMON_OPTIONS),
    '',
    `Exit codes: ${EXIT_CODE_SUMMARY}; 'tierline --help' says more.`,
  ].join('\n');
}
