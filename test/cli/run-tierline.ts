/**
 * Runs the `tierline` command as a person would (a child process, its own environment, stdin),
 * and checks that nothing it prints shows a token.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../workers/temporal-tools.js';

export const CLI = join(PROJECT_ROOT, 'cli', 'main.ts');
export const BIN = join(PROJECT_ROOT, 'bin', 'tierline.mjs');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The CLI's settings; default: the runner's. */
  env?: Record<string, string>;
  stdin?: string;
  /** How to start it; default: cli/main.ts through tsx. */
  launcher?: string[];
}

/** The settings the CLI reads; the test's own environment must not leak into the child. */
const SETTINGS = ['TIERLINE_API_URL', 'TIERLINE_API_TOKEN', 'TIERLINE_DATA_DIR', 'HTTP_HOST', 'HTTP_PORT'];

/**
 * A `tierline(args)` that runs with `settings()` unless told otherwise. `secrets` may grow after
 * this call: every run checks the list as it is then.
 */
export function tierlineRunner(settings: () => Record<string, string>, secrets: readonly string[]) {
  return function tierline(args: string[], opts: RunOptions = {}): Promise<Run> {
    const childEnv: NodeJS.ProcessEnv = { ...process.env };
    for (const name of SETTINGS) delete childEnv[name];
    Object.assign(childEnv, opts.env ?? settings());
    const child = spawn(process.execPath, [...(opts.launcher ?? ['--import', 'tsx', CLI]), ...args], { cwd: PROJECT_ROOT, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(opts.stdin ?? '');
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => {
        for (const secret of secrets) assert.ok(!stdout.includes(secret) && !stderr.includes(secret), `tierline ${args.join(' ')} printed a token`);
        resolve({ code, stdout, stderr });
      });
    });
  };
}
