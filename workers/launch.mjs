#!/usr/bin/env node
// `npm start`: sets the worker's malloc arenas, then runs workers/start.ts.
//
// glibc's malloc gives each thread that contends for it an arena of its own, up to eight per core,
// and memory freed into one arena serves only that arena's threads. The worker's process has many
// threads that allocate (the SDK's core, libuv's pool, V8's helpers, the workflow thread), so
// freed memory sits idle in arenas the others cannot use, and counts in the RSS.
// WORKER_MALLOC_ARENAS caps them (MALLOC_ARENA_MAX), but glibc reads that only as a process
// starts: so where it would change anything, this process starts the worker in a child with it
// set, passes it every signal it gets and ends as the child ends. Elsewhere (not glibc, the setting
// `auto`, or MALLOC_ARENA_MAX set by hand, which wins) the worker runs in this process, through
// tsx's loader (as bin/tierline.mjs runs the CLI). Plain JavaScript, without tsx, so that the
// launcher adds next to nothing to the start.
import { spawn } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { MALLOC_ARENAS_DEFAULT, MALLOC_ARENAS_EXPECTED, arenaMax, onGlibc, parseArenas } from './malloc-arenas.mjs';

const setting = process.env.WORKER_MALLOC_ARENAS || undefined;
const arenas = setting === undefined ? MALLOC_ARENAS_DEFAULT : parseArenas(setting);
if (arenas === undefined) {
  // As workers/start.ts reports a wrong setting: one line naming it.
  process.stderr.write(`tierline: WORKER_MALLOC_ARENAS: ${MALLOC_ARENAS_EXPECTED} (got ${JSON.stringify(setting)})\n`);
  process.exit(2);
}
const max = arenaMax(process.env, arenas, onGlibc());
if (max === undefined || max === process.env.MALLOC_ARENA_MAX) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./start.ts');
} else {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    env: { ...process.env, MALLOC_ARENA_MAX: max },
    stdio: 'inherit',
  });
  // A terminal's Ctrl-C reaches both processes; the worker stops once however many times it hears it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.once('error', (err) => {
    process.stderr.write(`tierline: could not start the worker's process: ${err.message}\n`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    // Ended by a signal: end the same way, for a supervisor to read.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}
