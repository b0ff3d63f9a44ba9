/**
 * Runs activities outside a worker, at a chosen attempt, with their logs and failures kept so tests
 * can check that no secret leaks into either.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';

export function activityEnv() {
  const logs: string[] = [];
  const failures: ApplicationFailure[] = [];
  const logger = new DefaultLogger('DEBUG', (entry) => logs.push(`${entry.message} ${inspect(entry.meta, { depth: 5 })}`));
  return {
    logs,
    failures,
    /** Runs `fn` as attempt `n` of an activity. */
    attempt<A extends unknown[], R>(n: number, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
      return new MockActivityEnvironment({ attempt: n }, { logger }).run(fn, ...args);
    },
    /** The ApplicationFailure the activity failed with (the test fails if it did not). */
    async failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
      try {
        await promise;
      } catch (err) {
        assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${inspect(err)}`);
        failures.push(err);
        return err;
      }
      assert.fail('expected the activity to fail');
    },
  };
}
