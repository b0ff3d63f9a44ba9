/**
 * Loading a support policy: a preset name or a YAML/JSON file, parsed and checked against the
 * policy schema. A wrong policy is refused with one line per problem, each naming the file, the
 * path of the bad field and (where the file has one) its line:
 *
 *   policies/x.yaml: sla.targets[2].firstResponse.within: expected a duration such as 90s, ... (line 40)
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { PolicySchema, type Policy } from '../domain/policy/schema.js';

/** The seed organisations shipped as presets, by the name `loadPolicy` accepts. */
export const PRESETS = ['caro', 'signx', 'trkv', 'fm08', 'devrel'] as const;
export type PresetName = (typeof PRESETS)[number];

/** A policy that cannot be used; `problems` holds one line per problem, as the message does. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';

  constructor(readonly source: string, readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

export function isPreset(name: string): name is PresetName {
  return (PRESETS as readonly string[]).includes(name);
}

/** The file of a preset, e.g. `.../policies/signx.yaml`. */
export function presetPath(name: PresetName): string {
  return fileURLToPath(new URL(`./${name}.yaml`, import.meta.url));
}

/** Loads a preset by name (`signx`) or a policy file by path (`./my-policy.yaml`, `.json`). */
export function loadPolicy(nameOrPath: string): Policy {
  const file = isPreset(nameOrPath) ? presetPath(nameOrPath) : nameOrPath;
  const source = displayPath(file);
  if (!isPreset(nameOrPath) && !existsSync(file)) {
    throw new PolicyError(source, [`${source}: no such policy file, and not a preset name (${PRESETS.join(', ')})`]);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyError(source, [`${source}: cannot read the policy file: ${(error as Error).message}`]);
  }
  return parsePolicy(text, source);
}

/** Parses policy text (YAML, or JSON, which is YAML too) and validates it; `source` names it in messages. */
export function parsePolicy(text: string, source: string): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(source, doc.errors.map((error) => {
      const at = error.linePos?.[0];
      // The first line of a pretty error is its message and position; the rest is a code excerpt.
      const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      return `${source}: ${at ? `line ${at.line}, column ${at.col}: ` : ''}${message}`;
    }));
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // e.g. "Excessive alias count": a document that expands too far is refused, not expanded.
    throw new PolicyError(source, [`${source}: ${(error as Error).message}`]);
  }
  if (value === null || value === undefined) {
    throw new PolicyError(source, [`${source}: the policy is empty; expected a mapping with id, name, version, priorities, channels, tiers and sla`]);
  }
  const result = PolicySchema.safeParse(value);
  if (result.success) return result.data;
  throw new PolicyError(source, describeIssues(result.error.issues).map(({ path, message }) => {
    const line = lineOf(doc, lines, path);
    return `${source}: ${path.length > 0 ? `${formatPath(path)}: ` : ''}${message}${line ? ` (line ${line})` : ''}`;
  }));
}

/** The policy format as JSON Schema (draft-07, which editors' YAML support reads), for the input side. */
export function policyJsonSchema(): Record<string, unknown> {
  // Refinements (known priorities, calendars, the catch-all rule) have no JSON Schema form and are
  // left out; defaults become optional properties with their `default`, as a file may omit them.
  const { $schema, ...schema } = z.toJSONSchema(PolicySchema, { io: 'input', target: 'draft-7' });
  return {
    $schema,
    $comment: 'Generated from domain/policy/schema.ts by scripts/export-policy-schema.ts; do not edit.',
    title: 'tierline support policy',
    description: 'A support organisation as data: priorities, channels, business hours, tiers, triage, SLA targets, pauses and follow-up.',
    ...schema,
  };
}

type Segment = string | number;
interface Problem {
  path: Segment[];
  message: string;
}

/**
 * Zod issues as problems at the path of the bad field: a union reports the alternative that came
 * closest, an unknown key is reported at the key, and a calendar's own checks ("week.mon[1]:
 * overlaps ...") are moved from the message into the path.
 */
function describeIssues(issues: readonly z.core.$ZodIssue[], base: Segment[] = []): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const path = [...base, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    switch (issue.code) {
      case 'invalid_union': {
        const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0];
        return closest && closest.length > 0 ? describeIssues(closest, path) : [{ path, message: issue.message }];
      }
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key${allowedKeysHint(path)}` }));
      case 'invalid_type':
        return [{ path, message: /received undefined$/.test(issue.message) ? `missing; expected ${issue.expected}` : plain(issue.message) }];
      case 'invalid_value':
        return [{ path, message: `expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
      case 'custom': {
        const inner = /^((?:timeZone|week|holidays)(?:\.[a-z]+|\[\d+\])*): (.*)$/s.exec(issue.message);
        return inner ? [{ path: [...path, ...parseSubPath(inner[1]!)], message: inner[2]! }] : [{ path, message: issue.message }];
      }
      default:
        return [{ path, message: plain(issue.message) }];
    }
  });
}

/** Zod's "Invalid input: expected string, received number" without its generic prefix. */
function plain(message: string): string {
  return message.replace(/^Invalid input: /, '');
}

function parseSubPath(text: string): Segment[] {
  return [...text.matchAll(/([A-Za-z]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** `sla.targets[2].firstResponse.within`; keys that are not plain words are quoted. */
export function formatPath(path: readonly Segment[]): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (/^[A-Za-z0-9_-]+$/.test(segment)) return i === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}

/** The line of the deepest node of `path` that the document has (a missing field: its parent). */
function lineOf(doc: Document, lines: LineCounter, path: readonly Segment[]): number | undefined {
  for (let depth = path.length; depth >= 1; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

let jsonSchema: Record<string, unknown> | undefined;

/** "; expected one of within, calendar": the keys the schema allows where an unknown one was found. */
function allowedKeysHint(path: readonly Segment[]): string {
  jsonSchema ??= policyJsonSchema();
  const keys = new Set<string>();
  const visit = (node: unknown, rest: readonly Segment[]): void => {
    if (!node || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    for (const branch of [...asArray(schema.anyOf), ...asArray(schema.oneOf), ...asArray(schema.allOf)]) visit(branch, rest);
    if (rest.length === 0) {
      if (schema.properties && typeof schema.properties === 'object') Object.keys(schema.properties).forEach((k) => keys.add(k));
      return;
    }
    const [head, ...tail] = rest;
    if (typeof head === 'number') visit(schema.items, tail);
    else {
      const properties = schema.properties as Record<string, unknown> | undefined;
      if (properties && head! in properties) visit(properties[head!], tail);
      else visit(schema.additionalProperties, tail);
    }
  };
  visit(jsonSchema, path);
  return keys.size > 0 ? `; expected one of ${[...keys].join(', ')}` : '';
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A path as the user gave it when it lies outside the working directory, else relative to it. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
