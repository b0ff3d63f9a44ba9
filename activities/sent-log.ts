import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A durable record of sends an outside server has accepted, keyed by the send's identity (for
 * email, its Message-ID). An activity consults it before sending, so a retry after an accepted
 * send is skipped, and records a send as soon as the server accepts it.
 */
export interface SentLog {
  has(key: string): Promise<boolean>;
  record(key: string, detail: object): Promise<void>;
}

/**
 * A SentLog kept in an append-only JSONL file: one `{"key", "at", ...detail}` line per accepted
 * send, each appended and fsynced before `record` resolves. The file is read once, on first use;
 * a line torn by a crash in the middle of a write is skipped (its send was never confirmed as
 * recorded, so it counts as not recorded). Appends from concurrent calls in one process are
 * serialised; the file belongs to one worker process.
 */
export function fileSentLog(path: string): SentLog {
  let keys: Promise<Set<string>> | undefined;
  let directorySynced = false;
  let needsNewline = false;
  let tail: Promise<void> = Promise.resolve();

  async function loadKeys(): Promise<Set<string>> {
    const found = new Set<string>();
    let content: string;
    try {
      content = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return found;
      throw err;
    }
    needsNewline = content.length > 0 && !content.endsWith('\n');
    for (const line of content.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const entry = JSON.parse(line) as { key?: unknown };
        if (typeof entry.key === 'string') found.add(entry.key);
      } catch {
        // A torn last line from a crash mid-append: the send it describes was never confirmed.
      }
    }
    return found;
  }

  function loaded(): Promise<Set<string>> {
    keys ??= loadKeys().catch((err: unknown) => {
      keys = undefined;
      throw err;
    });
    return keys;
  }

  async function append(line: string): Promise<void> {
    const text = (needsNewline ? '\n' : '') + line + '\n';
    if (!directorySynced) await mkdir(dirname(path), { recursive: true });
    const file = await open(path, 'a', 0o600);
    try {
      await file.appendFile(text, 'utf8');
      await file.sync();
      needsNewline = false;
    } catch (err) {
      // Part of the line may be on disk; start the next record on a line of its own.
      needsNewline = true;
      throw err;
    } finally {
      await file.close();
    }
    if (!directorySynced) {
      // Make the file's directory entry durable too, so the first record survives a power failure.
      const dir = await open(dirname(path), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      directorySynced = true;
    }
  }

  return {
    async has(key) {
      return (await loaded()).has(key);
    },
    async record(key, detail) {
      const set = await loaded();
      const line = JSON.stringify({ ...detail, key, at: new Date().toISOString() });
      const done = tail.then(() => append(line));
      // The next append waits for this one whether it succeeds or not; the caller sees its error.
      tail = done.catch(() => undefined);
      await done;
      set.add(key);
    },
  };
}

/** A SentLog in memory, for tests and for a worker that accepts losing the record on restart. */
export function memorySentLog(): SentLog & { readonly entries: ReadonlyMap<string, object> } {
  const entries = new Map<string, object>();
  return {
    entries,
    async has(key) {
      return entries.has(key);
    },
    async record(key, detail) {
      entries.set(key, detail);
    },
  };
}
