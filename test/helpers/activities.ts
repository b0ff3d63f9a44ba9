/**
 * The worker's activities as the embedded default builds them (no Slack, SMTP, pager or on-call
 * settings: every notification goes to an outbox in a fresh temporary folder). Tests of Slack,
 * SMTP and the pager build theirs from configuration pointing at their local servers.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivities } from '../../workers/activities.js';
import { loadConfig } from '../../workers/config.js';

export function outboxActivities() {
  const dir = mkdtempSync(join(tmpdir(), 'tierline-outbox-'));
  const path = join(dir, 'outbox.jsonl');
  const activities = createActivities(loadConfig({ TIERLINE_DATA_DIR: dir, PUBLIC_URL: 'http://127.0.0.1:3000' }), () => {});
  return {
    activities,
    /** What the outbox holds, one object per notification, in write order. */
    sent(): { key: string; channel: string; [k: string]: unknown }[] {
      if (!existsSync(path)) return [];
      return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    },
  };
}
