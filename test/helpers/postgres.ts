/**
 * A throwaway PostgreSQL cluster for tests: `initdb` in a temporary folder, `pg_ctl start` on
 * 127.0.0.1 and a free port, trust authentication, durability off (fsync, synchronous commit:
 * nothing here outlives the test). Stopped and removed after.
 *
 * PostgreSQL refuses to run as root: as root, the folder is handed to the `postgres` user and the
 * binaries run through `runuser -u postgres`. Binaries: $PG_BIN, else the newest
 * /usr/lib/postgresql/<version>/bin (Debian's packages), else `initdb` on PATH.
 *
 * Where no cluster can be started, `postgresForTests` says why in one line and the caller skips;
 * under CI=true it throws instead, so the run fails rather than passing without PostgreSQL.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { freePort } from './api.js';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresCluster {
  port: number;
  /** Wall time from `initdb` to accepting connections. */
  startedInMs: number;
  /** Creates a database and returns its URL (`postgres://postgres@127.0.0.1:<port>/<name>`). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export class PostgresUnavailable extends Error {
  override name = 'PostgresUnavailable';
}

function binDir(): string {
  if (process.env.PG_BIN) {
    if (!existsSync(join(process.env.PG_BIN, 'initdb'))) throw new PostgresUnavailable(`PG_BIN=${process.env.PG_BIN} has no initdb`);
    return process.env.PG_BIN;
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new PostgresUnavailable('no PostgreSQL binaries found (no $PG_BIN, /usr/lib/postgresql/*/bin/initdb or initdb on PATH)');
}


/** The `postgres` user's uid and gid, when this process runs as root. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) throw new PostgresUnavailable('running as root and there is no postgres user to run PostgreSQL as (initdb refuses root)');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

const lastLines = (text: string) => text.trim().split('\n').slice(-3).join(' | ');

export async function startPostgres(): Promise<PostgresCluster> {
  const started = Date.now();
  const bin = binDir();
  const user = postgresUser();
  // As the postgres user: runuser needs no password when root asks.
  const command = (tool: string, args: string[]): [string, string[]] => (user ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args]);
  const as = (tool: string, args: string[]) => run(...command(tool, args));

  const dir = await mkdtemp(join(tmpdir(), 'tierline-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  let running = false;
  const stopNow = () => {
    if (running) spawnSync(...command('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']));
    running = false;
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that ends without its `after` (a crash, a timeout) still leaves no server behind.
  process.once('exit', stopNow);
  try {
    await chmod(dir, 0o700);
    if (user) await chown(dir, user.uid, user.gid);
    await as('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']).catch((err: { stderr?: string; message: string }) => {
      throw new PostgresUnavailable(`initdb failed: ${lastLines(err.stderr || err.message)}`);
    });
    let port = 0;
    for (let attempt = 1; !running; attempt++) {
      port = await freePort();
      const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      try {
        await as('pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '30', '-o', options]);
        running = true;
      } catch (err) {
        // The port may have been taken between the probe and the start: one more try on another.
        if (attempt >= 2) {
          const serverLog = await readFile(log, 'utf8').catch(() => '');
          throw new PostgresUnavailable(`pg_ctl start failed: ${lastLines(serverLog || (err as { stderr?: string }).stderr || String(err))}`);
        }
      }
    }
    const startedInMs = Date.now() - started;
    return {
      port,
      startedInMs,
      async createDatabase(name) {
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name '${name}': expected lower-case letters, digits and _`);
        const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${name}`);
        } finally {
          await client.end();
        }
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      async stop() {
        process.removeListener('exit', stopNow);
        if (running) await as('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
        running = false;
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    stopNow();
    process.removeListener('exit', stopNow);
    throw err instanceof PostgresUnavailable ? err : new PostgresUnavailable(String((err as Error).message ?? err));
  }
}

/**
 * A cluster for a test file, or the one line saying why there is none (the caller skips with it).
 * Under CI=true a cluster that cannot be started is an error: the run fails.
 */
export async function postgresForTests(): Promise<{ cluster: PostgresCluster; skip?: undefined } | { cluster?: undefined; skip: string }> {
  try {
    return { cluster: await startPostgres() };
  } catch (err) {
    const reason = err instanceof PostgresUnavailable ? err.message : String(err);
    if (process.env.CI === 'true') throw new Error(`PostgreSQL could not be started, and CI=true requires the PostgreSQL tests to run: ${reason}`);
    const skip = `PostgreSQL tests skipped: ${reason}`;
    console.log(skip);
    return { skip };
  }
}
