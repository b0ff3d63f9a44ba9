/**
 * The local outbox: where notifications go when a channel has no settings (the embedded default
 * needs no accounts). Each notification is one JSON line in `outbox.jsonl` under the data folder
 * and one log line; the idempotency key makes a retried or replayed send a no-op.
 */
import { fileSentLog, type SentLog } from './sent-log.js';

export interface Outbox {
  /** Writes the notification once; false when this key was written before. */
  write(key: string, channel: string, payload: Record<string, unknown>): Promise<boolean>;
}

export function fileOutbox(path: string, log: (line: string) => void = (line) => console.log(line)): Outbox {
  const written: SentLog = fileSentLog(path);
  return {
    async write(key, channel, payload) {
      if (await written.has(key)) return false;
      await written.record(key, { channel, ...payload });
      log(`outbox ${channel}: ${key}`);
      return true;
    },
  };
}
