/**
 * What a result file says about where it was measured: the machine, the versions, and the code,
 * read once as the benchmark's process loads this module, so a run that takes most of an hour
 * records the code it started with, whatever happens to the checkout meanwhile.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The commit a result was measured at, and whether the code differed from it (changes to tracked
 * files other than bench/results, where the runs write, and the Markdown documents).
 */
function sourceVersion(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const head = git('rev-parse', '--short', 'HEAD');
    const changed = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/results', ':(exclude)*.md');
    return changed ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export const SOURCE_VERSION = sourceVersion();

/** The machine and the versions a result was measured with (for the JSON files in bench/results). */
export function environment(): Record<string, unknown> {
  return {
    when: new Date().toISOString(),
    commit: SOURCE_VERSION,
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    versions: { node: process.versions.node, temporalSdk: '1.24.0', temporalCli: '1.9.1', temporalServer: '1.32.0', temporalTestServer: '1.40.0' },
  };
}
