/**
 * `npm run bench:wal -- COPY.sqlite [--after EARLIER-WAL] [--per N]`: where a Temporal dev
 * server's SQLite writes went, by table and index. Reads the frames of `COPY.sqlite-wal` (each a
 * page written by a transaction), skips the first as many frames as `EARLIER-WAL` holds (a copy of
 * the same log taken earlier, so that what is left is what was written in between), names each
 * page's owner through SQLite's `dbstat` on the copy, and prints frames per store, per table or
 * index, and per transaction, divided by `--per` (for instance the breaches in between).
 *
 * The copies must be of a log that no checkpoint restarted in between: run the server with
 * `--sqlite-pragma wal_autocheckpoint=1000000` and copy `temporal.sqlite` and
 * `temporal.sqlite-wal` while it runs (a graceful stop checkpoints and deletes the log). The copy
 * is changed: reading it checkpoints its log into its file. How the
 * figures of `bench/NOTES.md` (2 December, evening) were taken is written there.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient } from '@libsql/client';
import { framesByOwner, temporalStore, walFrames, walTransactions } from './lib/wal-frames.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { after: { type: 'string' }, per: { type: 'string', default: '1' } },
});
const [file] = positionals;
if (!file) throw new Error('usage: npm run bench:wal -- COPY.sqlite [--after EARLIER-WAL] [--per N]');
const per = Number(values.per);
if (!(per > 0)) throw new Error('--per: expected a positive number');

const wal = walFrames(readFileSync(`${file}-wal`));
const earlier = values.after ? walFrames(readFileSync(values.after)) : undefined;
if (earlier && earlier.salts.join() !== wal.salts.join()) throw new Error('--after: a checkpoint restarted the log between the two copies (its salts differ); raise wal_autocheckpoint');
const skip = earlier?.frames.length ?? 0;
const frames = wal.frames.slice(skip);
// libsql opens files read-write only: closing the copy checkpoints its log into it (its frames were read above).
const db = createClient({ url: `file:${file}` });
const ownerOf = new Map<number, string>();
for (const row of (await db.execute('SELECT name, pageno FROM dbstat')).rows) ownerOf.set(Number(row.pageno), String(row.name));
db.close();

const owners = framesByOwner(frames, ownerOf);
const stores = new Map<string, number>();
for (const { owner, frames: n } of owners) stores.set(temporalStore(owner), (stores.get(temporalStore(owner)) ?? 0) + n);
const fmt = (n: number) => (n / per).toFixed(1);
const transactions = walTransactions(frames);
const commits = transactions.length;
/** Per store: the transactions that wrote to it, and their frames. */
const touching = new Map<string, { transactions: number; frames: number }>();
for (const transaction of transactions) {
  for (const store of new Set(transaction.map((f) => temporalStore(ownerOf.get(f.page) ?? '?')))) {
    const seen = touching.get(store) ?? { transactions: 0, frames: 0 };
    touching.set(store, { transactions: seen.transactions + 1, frames: seen.frames + transaction.length });
  }
}
console.log(`${frames.length} frames (${((frames.length * wal.pageSize) / 2 ** 20).toFixed(1)} MiB of ${wal.pageSize}-byte pages) in ${commits} transactions; per ${per === 1 ? 'run' : `1/${per}`}: ${fmt(frames.length)} frames, ${fmt(commits)} transactions`);
console.log('\nby store: frames; transactions that wrote to it, and their frames each');
for (const [store, n] of [...stores].sort((a, b) => b[1] - a[1])) {
  const t = touching.get(store) ?? { transactions: 0, frames: 0 };
  console.log(`  ${store.padEnd(28)} ${fmt(n).padStart(8)}; ${fmt(t.transactions).padStart(6)} transactions of ${(t.frames / Math.max(1, t.transactions)).toFixed(1)} frames`);
}
console.log(`\nby table or index (frames; ${owners.length} in all):`);
for (const { owner, frames: n } of owners.slice(0, 30)) console.log(`  ${owner.padEnd(48)} ${fmt(n).padStart(8)}`);
