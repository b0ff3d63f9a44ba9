/**
 * Disk traffic over a phase, from /proc (Linux): what the Temporal server's process read from and
 * wrote to storage (`/proc/PID/io`: bytes that reached the block layer, not those the page cache
 * served), and what the machine's disks did (`/proc/diskstats`). A phase with iowait shows here
 * whether the server's SQLite file was read back from disk (the host's page cache too small to
 * hold it) or the time went to writes.
 */
import { readFileSync, readdirSync } from 'node:fs';

const SECTOR = 512;
const MiB = 1024 * 1024;

interface Bytes {
  read: number;
  write: number;
}

export interface DiskReading {
  server?: Bytes;
  machine: Bytes;
}

/** MiB read and written over a phase; `server` missing when its process could not be read. */
export interface DiskUse {
  serverReadMiB?: number;
  serverWriteMiB?: number;
  machineReadMiB: number;
  machineWriteMiB: number;
}

function processIo(pid: number): Bytes | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    const io = { read: field('read_bytes'), write: field('write_bytes') };
    return Number.isFinite(io.read) && Number.isFinite(io.write) ? io : undefined;
  } catch {
    return undefined;
  }
}

/** The whole disks (not partitions, loop devices, RAM disks or zram) by their /sys/block names. */
function disks(): Set<string> {
  try {
    return new Set(readdirSync('/sys/block').filter((name) => !/^(loop|ram|zram)/.test(name)));
  } catch {
    return new Set();
  }
}

function machineIo(): Bytes {
  const names = disks();
  let read = 0;
  let write = 0;
  try {
    for (const line of readFileSync('/proc/diskstats', 'utf8').split('\n')) {
      // major minor name reads merged sectors_read ms writes merged sectors_written ...
      const fields = line.trim().split(/\s+/);
      if (!names.has(fields[2] ?? '')) continue;
      read += Number(fields[5]) * SECTOR;
      write += Number(fields[9]) * SECTOR;
    }
  } catch {
    // no /proc/diskstats: zero traffic is reported
  }
  return { read, write };
}

export function diskReading(serverPid: number | undefined): DiskReading {
  const server = serverPid === undefined ? undefined : processIo(serverPid);
  return { ...(server ? { server } : {}), machine: machineIo() };
}

export function diskUse(before: DiskReading, serverPid: number | undefined): DiskUse {
  const now = diskReading(serverPid);
  const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
  const server = before.server && now.server
    ? { serverReadMiB: mib(now.server.read - before.server.read), serverWriteMiB: mib(now.server.write - before.server.write) }
    : {};
  return { ...server, machineReadMiB: mib(now.machine.read - before.machine.read), machineWriteMiB: mib(now.machine.write - before.machine.write) };
}

/** `disk: server read 412.3 MiB, wrote 96.1 MiB; all disks read 430.0 MiB, wrote 220.4 MiB`. */
export function diskText(d: DiskUse): string {
  const server = d.serverReadMiB !== undefined ? `server read ${d.serverReadMiB} MiB, wrote ${d.serverWriteMiB} MiB; ` : '';
  return `disk: ${server}all disks read ${d.machineReadMiB} MiB, wrote ${d.machineWriteMiB} MiB`;
}
