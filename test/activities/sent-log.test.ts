import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileSentLog } from '../../activities/sent-log.js';

let dir: string;

describe('the sent log: a durable record of sends the server accepted', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tierline-sent-log-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('remembers a recorded Message-ID across a worker restart', async () => {
    const path = join(dir, 'restart', 'sent.jsonl');
    const log = fileSentLog(path);
    assert.equal(await log.has('<T-1.a@x>'), false);
    await log.record('<T-1.a@x>', { ticketId: 'T-1', template: 'auto-reply' });
    assert.equal(await log.has('<T-1.a@x>'), true);

    const restarted = fileSentLog(path);
    assert.equal(await restarted.has('<T-1.a@x>'), true);
    assert.equal(await restarted.has('<T-1.b@x>'), false);
    const [line] = (await readFile(path, 'utf8')).trim().split('\n');
    assert.deepEqual(Object.keys(JSON.parse(line ?? '{}')), ['ticketId', 'template', 'key', 'at']);
    assert.equal((await stat(path)).mode & 0o777, 0o600, 'only the worker reads what it sent to whom');
  });

  it('keeps every line whole when many sends are recorded at once', async () => {
    const path = join(dir, 'concurrent.jsonl');
    const log = fileSentLog(path);
    const keys = Array.from({ length: 50 }, (_, i) => `<T-${i}.k@x>`);
    await Promise.all(keys.map((key) => log.record(key, { ticketId: key })));
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 50);
    assert.deepEqual(new Set(lines.map((l) => (JSON.parse(l) as { key: string }).key)), new Set(keys));
  });

  it('skips a line torn by a crash mid-append, and starts the next record on its own line', async () => {
    const path = join(dir, 'torn.jsonl');
    await appendFile(path, `${JSON.stringify({ key: '<whole@x>' })}\n{"key":"<torn@x>","tick`);
    const log = fileSentLog(path);
    assert.equal(await log.has('<whole@x>'), true);
    assert.equal(await log.has('<torn@x>'), false, 'a torn record was never confirmed, so it does not count');
    await log.record('<next@x>', {});
    assert.equal(await fileSentLog(path).has('<next@x>'), true);
  });
});
