/**
 * The on-call schedules file (`ONCALL_FILE`, YAML): read and validated once at start-up; a bad file
 * stops the process with one line naming the file and the first bad field.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseOnCallConfig, type OnCallConfig } from '../domain/escalation/oncall-schema.js';
import { ConfigError } from './config.js';

export function loadOnCall(path: string | undefined): OnCallConfig | undefined {
  if (!path) return undefined;
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`ONCALL_FILE: cannot read ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = parseOnCallConfig(raw);
  if (!parsed.ok) throw new ConfigError(`ONCALL_FILE: ${path}: ${parsed.problems[0]}${parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more)` : ''}`);
  return parsed.config;
}
