/** What /proc says of a process the tests started (Linux): its command line, environment, liveness. */
import { readFileSync } from 'node:fs';

/** The process's arguments, or none once it is gone. */
export const cmdline = (pid: number): string[] => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
};

/** The environment the process started with, or none once it is gone. */
export const environOf = (pid: number): Record<string, string> => {
  try {
    return Object.fromEntries(
      readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
  } catch {
    return {};
  }
};

/** Whether the process still runs (a zombie does not). */
export const alive = (pid: number): boolean => {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
