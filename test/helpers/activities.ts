/**
 * The real notification activities for tests of the shell, writing to an outbox in a fresh
 * temporary folder (the embedded default's channel). Tests of Slack, SMTP and the pager use their
 * local servers instead.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNotificationActivities } from '../../activities/notifications.js';
import { fileOutbox } from '../../activities/outbox.js';

export function outboxActivities() {
  const dir = mkdtempSync(join(tmpdir(), 'tierline-outbox-'));
  const path = join(dir, 'outbox.jsonl');
  const activities = createNotificationActivities({ outbox: fileOutbox(path, () => {}), publicUrl: 'http://127.0.0.1:3000', teamName: 'Support' });
  return {
    activities,
    /** What the outbox holds, one object per notification, in write order. */
    sent(): { key: string; channel: string; [k: string]: unknown }[] {
      if (!existsSync(path)) return [];
      return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    },
  };
}
