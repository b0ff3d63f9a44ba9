/**
 * The worker's workflow bundle is built in a child process once per version of the sources and
 * reused from the data folder on the next start.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cachedWorkflowBundle } from '../../workers/worker.js';

test('the workflow bundle is built once and reused while the sources are unchanged', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tierline-bundle-'));
  const first = await cachedWorkflowBundle(dir);
  const [file, ...others] = readdirSync(dir);
  assert.match(file ?? '', /^workflow-bundle-[0-9a-f]{16}\.js$/);
  assert.deepEqual(others, []);
  assert.match(first.code, /ticketWorkflow/);
  assert.match(first.code, /incidentWorkflow/);
  // The SDK instantiates every module of the bundle once per cached workflow: zod (the policy
  // schema) in the bundle cost about 1.7 MiB per open ticket. Workflow code takes the policy's
  // constants from domain/policy/constants.ts.
  assert.doesNotMatch(first.code, /node_modules\/zod\//, 'zod must stay out of the workflow bundle');
  // Our TypeScript keeps its native syntax (nativeSyntax in workers/worker.ts): no helper calls
  // for object spreads and class fields, where the core's state updates spent their time.
  assert.doesNotMatch(first.code, /_object_spread|_define_property/, 'object spreads and class fields compiled to helpers');
  assert.match(first.code, /\{\s*\.\.\.state,/, 'the core\'s spreads stay native');
  const built = statSync(join(dir, file!)).mtimeMs;

  const second = await cachedWorkflowBundle(dir);
  assert.equal(second.code, first.code);
  assert.equal(statSync(join(dir, file!)).mtimeMs, built, 'the second start read the bundle, it did not build it again');
});
