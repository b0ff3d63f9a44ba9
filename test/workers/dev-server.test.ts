import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { firstCause } from '../../workers/dev-server.js';

describe('why the embedded dev server stopped', () => {
  test("the CLI's own error line", () => {
    const stderr = 'Error: can\'t set frontend port 7233: listen tcp 127.0.0.1:7233: bind: address already in use\n';
    assert.equal(firstCause(stderr), "Error: can't set frontend port 7233: listen tcp 127.0.0.1:7233: bind: address already in use");
  });

  test("a Go panic's first line, not the goroutine stacks after it", () => {
    const stacks = Array.from({ length: 200 }, (_, i) => `goroutine ${i} [select]:\n\tgo.temporal.io/server/common/x.go:${i} +0x2a9\n`).join('');
    const stderr = `time=… level=WARN msg="slow"\npanic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV]\n\n${stacks}main.main()\n\t/home/runner/work/cli/cli/cmd/temporal/main.go:18 +0x8e\n`;
    assert.equal(firstCause(stderr), 'panic: runtime error: invalid memory address or nil pointer dereference');
  });

  test('nothing until a whole line has arrived, and nothing in ordinary log lines', () => {
    assert.equal(firstCause('panic: runtime err'), undefined);
    assert.equal(firstCause('time=… level=WARN msg="Error: not a cause" \n'), undefined);
  });
});
