/**
 * What a SQLite write-ahead log holds: one frame per page a transaction wrote, each with the
 * page's number and, on a transaction's last frame, the database's size after it
 * (https://www.sqlite.org/fileformat2.html#walformat). With SQLite's `dbstat` table, which names
 * the table or index that owns each page, it says where a server's writes went.
 */

export interface WalFrame {
  page: number;
  /** The frame ends a transaction. */
  commit: boolean;
}

export interface Wal {
  pageSize: number;
  /** The log's generation: a checkpoint that restarts the log gives it new salts. */
  salts: [number, number];
  frames: WalFrame[];
}

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/**
 * The frames of a WAL file's bytes, in order. Only the frames of its current generation: those
 * whose salts match the header's (a checkpoint restarts the log from its start with new salts,
 * leaving older frames after the new ones until they are overwritten).
 */
export function walFrames(bytes: Uint8Array): Wal {
  if (bytes.length < WAL_HEADER) return { pageSize: 0, salts: [0, 0], frames: [] };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) throw new Error('not a SQLite WAL file (bad magic number)');
  const pageSize = view.getUint32(8) === 1 ? 65536 : view.getUint32(8);
  const salts: [number, number] = [view.getUint32(16), view.getUint32(20)];
  const frames: WalFrame[] = [];
  for (let at = WAL_HEADER; at + FRAME_HEADER + pageSize <= bytes.length; at += FRAME_HEADER + pageSize) {
    if (view.getUint32(at + 8) !== salts[0] || view.getUint32(at + 12) !== salts[1]) break;
    frames.push({ page: view.getUint32(at), commit: view.getUint32(at + 4) !== 0 });
  }
  return { pageSize, salts, frames };
}

export interface OwnerCount {
  owner: string;
  frames: number;
}

/** Frames per owning table or index (`?` for a page no table holds: free or pointer-map pages), most first. */
export function framesByOwner(frames: readonly WalFrame[], ownerOf: ReadonlyMap<number, string>): OwnerCount[] {
  const counts = new Map<string, number>();
  for (const { page } of frames) {
    const owner = ownerOf.get(page) ?? '?';
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return [...counts].map(([owner, n]) => ({ owner, frames: n })).sort((a, b) => b.frames - a.frames || a.owner.localeCompare(b.owner));
}

/** The part of Temporal's SQLite schema a table or index belongs to. */
export function temporalStore(owner: string): string {
  if (owner.startsWith('by_') || owner.includes('executions_visibility')) return 'visibility';
  if (owner.includes('history')) return 'history';
  if (owner.includes('timer')) return 'timers';
  if (owner === 'executions' || owner.includes('autoindex_executions_')) return 'executions';
  if (owner.includes('task')) return 'task queues and other tasks';
  return 'other';
}

/** The frames of each transaction, in order (frames after the last commit, not yet committed, left out). */
export function walTransactions(frames: readonly WalFrame[]): WalFrame[][] {
  const transactions: WalFrame[][] = [];
  let current: WalFrame[] = [];
  for (const frame of frames) {
    current.push(frame);
    if (frame.commit) {
      transactions.push(current);
      current = [];
    }
  }
  return transactions;
}
