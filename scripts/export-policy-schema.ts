/**
 * Writes policies/policy.schema.json, the JSON Schema of a policy file, from the zod schema in
 * domain/policy/schema.ts; each preset names it on its first line so editors complete and check
 * policies as they are typed.
 *
 *   npx tsx scripts/export-policy-schema.ts           write the file
 *   npx tsx scripts/export-policy-schema.ts --check   exit 1 if the committed file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { policyJsonSchema } from '../policies/load.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../policies/policy.schema.json', import.meta.url));

/** The file's exact content: two-space JSON with a final newline. */
export function renderPolicySchema(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}

function readCommitted(): string | undefined {
  try {
    return readFileSync(SCHEMA_FILE, 'utf8');
  } catch {
    return undefined;
  }
}

function main(args: readonly string[]): number {
  const wanted = renderPolicySchema();
  if (args.includes('--check')) {
    if (readCommitted() === wanted) return 0;
    console.error(`policies/policy.schema.json is out of date with domain/policy/schema.ts; run: npx tsx scripts/export-policy-schema.ts`);
    return 1;
  }
  writeFileSync(SCHEMA_FILE, wanted);
  console.log(`wrote policies/policy.schema.json`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
