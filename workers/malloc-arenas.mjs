// The worker's malloc arenas (WORKER_MALLOC_ARENAS): the rule for the setting and what
// `npm start`'s launcher (workers/launch.mjs) decides from it before the worker's process starts.
// Plain JavaScript because the launcher runs without tsx (its start-up is npm start's).
// Types: `malloc-arenas.d.mts`. Measured in bench/NOTES.md, 7 December (late).

import process from 'node:process';

/** WORKER_MALLOC_ARENAS's default. */
export const MALLOC_ARENAS_DEFAULT = 2;

/** What a wrong WORKER_MALLOC_ARENAS is told. */
export const MALLOC_ARENAS_EXPECTED = 'expected a whole number of arenas from 1 to 64, or auto';

/** The setting's arenas: 0 for `auto` (glibc's own), else 1 to 64; undefined when the text is neither. */
export function parseArenas(text) {
  if (text === 'auto') return 0;
  return /^([1-9]|[1-5]\d|6[0-4])$/.test(text) ? Number(text) : undefined;
}

/** Whether this process runs on glibc, the C library that reads MALLOC_ARENA_MAX. */
export function onGlibc() {
  if (process.platform !== 'linux') return false;
  return typeof process.report.getReport().header?.glibcVersionRuntime === 'string';
}

/**
 * The MALLOC_ARENA_MAX the worker's process is to run with: one set by hand, else the setting's
 * `arenas` (0: none, glibc's own); none where the C library is not glibc.
 */
export function arenaMax(env, arenas, glibc) {
  if (!glibc) return undefined;
  return env.MALLOC_ARENA_MAX || (arenas ? String(arenas) : undefined);
}
