/**
 * Bundles the workflow code into a file: `node --import tsx workers/bundle-workflows.ts OUT`. The
 * worker runs this in a child process (see workflowBundle in worker.ts), so webpack's memory is
 * given back to the system when the bundle is done instead of staying in the worker's heap.
 */
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from './worker.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: bundle-workflows.ts OUTFILE');
  process.exit(2);
}
const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: new DefaultLogger('WARN') });
writeFileSync(out, code);
