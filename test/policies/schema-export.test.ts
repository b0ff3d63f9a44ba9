/**
 * The JSON Schema that editors read (policies/policy.schema.json) is generated from the zod
 * schema; the committed file must match what the generator writes today.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PolicySchema } from '../../domain/policy/schema.js';
import { SCHEMA_FILE, renderPolicySchema } from '../../scripts/export-policy-schema.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('policies/policy.schema.json', () => {
  test('is up to date with domain/policy/schema.ts (export-policy-schema --check)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/export-policy-schema.ts', '--check'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, `--check failed: ${run.stderr}`);
    assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), renderPolicySchema());
  });

  test('is draft-07, for editors, and refuses keys the policy does not have', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $schema: string; properties: Record<string, unknown>; additionalProperties: boolean; required: string[] };
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.deepEqual(Object.keys(schema.properties), Object.keys(PolicySchema.shape));
    assert.equal(schema.additionalProperties, false);
    // Fields with defaults may be left out of a file: only these are required.
    assert.deepEqual(schema.required.sort(), ['channels', 'defaultPriority', 'id', 'name', 'priorities', 'sla', 'tiers', 'version']);
  });
});
