import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@libsql/client';
import { descendantsOf } from '../../bench/lib/cpu.js';
import { ConfigError, loadConfig } from '../../workers/config.js';
import { devServerArgs, FAST_SQLITE_PRAGMAS, firstCause } from '../../workers/dev-server.js';
import { resolveTemporalTool } from '../../workers/temporal-tools.js';
import { freePort } from '../helpers/api.js';
import { devServerEnv } from '../helpers/temporal.js';

describe('why the embedded dev server stopped', () => {
  test("the CLI's own error line", () => {
    const stderr = 'Error: can\'t set frontend port 7233: listen tcp 127.0.0.1:7233: bind: address already in use\n';
    assert.equal(firstCause(stderr), "Error: can't set frontend port 7233: listen tcp 127.0.0.1:7233: bind: address already in use");
  });

  test("a Go panic's first line, not the goroutine stacks after it", () => {
    const stacks = Array.from({ length: 200 }, (_, i) => `goroutine ${i} [select]:\n\tgo.temporal.io/server/common/x.go:${i} +0x2a9\n`).join('');
    const stderr = `time=… level=WARN msg="slow"\npanic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV]\n\n${stacks}main.main()\n\t/home/runner/work/cli/cli/cmd/temporal/main.go:18 +0x8e\n`;
    assert.equal(firstCause(stderr), 'panic: runtime error: invalid memory address or nil pointer dereference');
  });

  test('nothing until a whole line has arrived, and nothing in ordinary log lines', () => {
    assert.equal(firstCause('panic: runtime err'), undefined);
    assert.equal(firstCause('time=… level=WARN msg="Error: not a cause" \n'), undefined);
  });
});

describe("the dev server's SQLite page cache (TEMPORAL_SQLITE_CACHE_MB)", () => {
  const base = { dataDir: '/data', ip: '127.0.0.1', port: 7233, uiPort: 8233, namespace: 'default', fastSqlite: true };

  test('a size becomes a cache_size pragma in KiB; 0 or none leaves SQLite its default', () => {
    const pragmas = (args: string[]) => args.flatMap((a, i) => (args[i - 1] === '--sqlite-pragma' ? [a] : []));
    const fast = ['journal_mode=wal', 'synchronous=normal', 'wal_autocheckpoint=10000', 'mmap_size=2147418112'];
    assert.deepEqual(pragmas(devServerArgs({ ...base, sqliteCacheMiB: 512 })), [...fast, 'cache_size=-524288']);
    assert.deepEqual(pragmas(devServerArgs({ ...base, sqliteCacheMiB: 0 })), fast);
    assert.deepEqual(pragmas(devServerArgs(base)), fast);
    assert.deepEqual(pragmas(devServerArgs({ ...base, fastSqlite: false })), []);
  });

  test('0 unless set, whole MiB up to 65536, anything else stops the start naming the setting', () => {
    assert.equal(loadConfig({}).TEMPORAL_SQLITE_CACHE_MB, 0);
    assert.equal(loadConfig({ TEMPORAL_SQLITE_CACHE_MB: '512' }).TEMPORAL_SQLITE_CACHE_MB, 512);
    for (const wrong of ['-1', '1.5', 'lots', '65537']) {
      assert.throws(
        () => loadConfig({ TEMPORAL_SQLITE_CACHE_MB: wrong }),
        (err: unknown) => err instanceof ConfigError && err.message === `TEMPORAL_SQLITE_CACHE_MB: expected whole MiB from 0 to 65536 (got "${wrong}")`,
      );
    }
  });

  test("the CLI hands its --sqlite-pragma values to the server's connection: one that SQLite keeps in the file shows there", async () => {
    // cache_size lasts only as long as the connection; user_version is written into the file, so
    // it shows that a pragma in these arguments reaches SQLite at all.
    const cli = await resolveTemporalTool('cli');
    assert.ok(cli, 'no Temporal CLI');
    const dataDir = mkdtempSync(join(tmpdir(), 'tierline-devserver-'));
    const [port, uiPort] = [await freePort(), await freePort()];
    const args = [...devServerArgs({ ...base, dataDir, port, uiPort, sqliteCacheMiB: 64 }), '--headless', '--sqlite-pragma', 'user_version=7'];
    const child = spawn(cli, args, { stdio: 'ignore' });
    try {
      const db = createClient({ url: `file:${join(dataDir, 'temporal.sqlite')}` });
      let version: unknown;
      for (const deadline = Date.now() + 30_000; Date.now() < deadline && version !== 7; await sleep(200)) {
        version = await db.execute('PRAGMA user_version').then((r) => Number(r.rows[0]?.[0]), () => undefined);
      }
      db.close();
      assert.equal(version, 7);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * Runs `fn` against a dev server with these pragmas on a file of its own, removed afterwards.
 * `start(n)` starts n more workflows (no worker: each start writes a history and a visibility row).
 */
async function onDevServer<T>(sqlitePragmas: readonly string[], fn: (dbFilename: string, start: (n: number) => Promise<void>) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tierline-devserver-'));
  const dbFilename = join(dataDir, 'temporal.sqlite');
  const env = await devServerEnv({ dbFilename, sqlitePragmas });
  let started = 0;
  const start = async (n: number) => {
    for (const end = started + n; started < end; started++) await env.client.workflow.start('nothing', { taskQueue: 'nobody', workflowId: `wf-${started}` });
  };
  try {
    return await fn(dbFilename, start);
  } finally {
    await env.teardown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe("the dev server's WAL checkpoints (FAST_SQLITE_PRAGMAS)", () => {
  /** The server's WAL file's size after it starts and 20 workflows are started on it. */
  async function walAfterStarts(sqlitePragmas: readonly string[]): Promise<number> {
    return onDevServer(sqlitePragmas, async (dbFilename, start) => {
      await start(20);
      // Before the teardown: a server that stops checkpoints its log and deletes it.
      return statSync(`${dbFilename}-wal`).size;
    });
  }

  test("checkpoints at 10,000 pages, not SQLite's 1,000: the WAL grows past 1,000 pages where the default keeps it at about that", async () => {
    // A frame is a 4 KiB page and its 24-byte header; the WAL's file is reused from its start after
    // each checkpoint, so its size is the most it held between two checkpoints.
    const thousandFrames = 32 + 1000 * (4096 + 24);
    const tuned = await walAfterStarts(FAST_SQLITE_PRAGMAS);
    const untuned = await walAfterStarts(FAST_SQLITE_PRAGMAS.filter((p) => !p.startsWith('wal_autocheckpoint=')));
    assert.ok(untuned < thousandFrames * 1.3, `SQLite's default checkpoints kept the WAL near 1,000 pages (${untuned} bytes)`);
    assert.ok(tuned > thousandFrames * 1.3, `with wal_autocheckpoint=10000 the WAL grew past 1,300 pages (${tuned} bytes)`);
  });
});

describe("the dev server's memory-mapped reads (FAST_SQLITE_PRAGMAS)", () => {
  /** The process below this one whose command line names this database file: the dev server (its path is a fresh temporary folder). */
  function serverPid(dbFilename: string): number {
    const pids = descendantsOf(process.pid).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dbFilename);
      } catch {
        return false; // gone since the listing
      }
    });
    assert.equal(pids.length, 1, `one process runs on ${dbFilename}`);
    return Number(pids[0]);
  }

  /** Bytes of the file that the process has mapped (its -wal and -shm files are other paths). */
  function mappedBytes(pid: number, file: string): number {
    return readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').reduce((sum, line) => {
      const [range = '', , , , , path] = line.trim().split(/\s+/);
      if (path !== file) return sum;
      const [start = '0', end = '0'] = range.split('-');
      return sum + (parseInt(end, 16) - parseInt(start, 16));
    }, 0);
  }

  /** Starts 20 workflows, has the WAL copied into the file and emptied by a second connection, starts 5 more, and gives the file's size and how much of it the server maps. */
  async function afterACheckpoint(sqlitePragmas: readonly string[]): Promise<{ before: number; file: number; mapped: number }> {
    return onDevServer(sqlitePragmas, async (dbFilename, start) => {
      await start(20);
      const before = statSync(dbFilename).size;
      const db = createClient({ url: `file:${dbFilename}` });
      // TRUNCATE gives up (busy = 1) while the server holds a transaction; a test on a loaded machine tries again.
      for (let tries = 0; ; tries++) {
        const { rows } = await db.execute('PRAGMA wal_checkpoint(TRUNCATE)');
        if (Number(rows[0]?.[0]) === 0) break;
        assert.ok(tries < 50, 'the WAL was checkpointed and emptied within 5 s');
        await sleep(100);
      }
      db.close();
      // With the WAL emptied, the server's next reads find their pages in the file alone; the first
      // past the end of its map maps the file anew, as far as it goes (up to mmap_size).
      await start(5);
      return { before, file: statSync(dbFilename).size, mapped: mappedBytes(serverPid(dbFilename), dbFilename) };
    });
  }

  test('the server reads its file through a map of the whole file, where without mmap_size it maps none of it', { skip: !existsSync('/proc/self/maps') && 'needs /proc' }, async () => {
    const tuned = await afterACheckpoint(FAST_SQLITE_PRAGMAS);
    assert.ok(tuned.file > tuned.before, `the checkpoint copied the WAL into the file (${tuned.before} → ${tuned.file} bytes)`);
    assert.ok(tuned.mapped >= tuned.file, `the server maps the whole file: ${tuned.mapped} of ${tuned.file} bytes`);
    const untuned = await afterACheckpoint(FAST_SQLITE_PRAGMAS.filter((p) => !p.startsWith('mmap_size=')));
    assert.ok(untuned.file > untuned.before, `the checkpoint copied the WAL into the file (${untuned.before} → ${untuned.file} bytes)`);
    assert.equal(untuned.mapped, 0, 'without mmap_size the server reads its file by read(), mapping none of it');
  });
});
