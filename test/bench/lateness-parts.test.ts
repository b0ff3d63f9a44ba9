/**
 * Reading where a breach's lateness went off a history (bench/lib/lateness-parts.ts): the parts of
 * a hand-written history, which add up to the lateness.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { msToTs } from '@temporalio/common/lib/time.js';
import { tailOf } from '../../bench/lib/breach-scenario.js';
import { historyAtWake, latenessParts, wakeTimeouts } from '../../bench/lib/lateness-parts.js';
import type { HistoryEvent } from '../../bench/lib/same-actions-plan.js';

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
// Ids as plain numbers (the SDK's are Longs; the reading compares them as strings).
const event = (eventId: number, at: number, attrs: Record<string, unknown>): HistoryEvent => ({ eventId, eventTime: msToTs(T0 + at), ...attrs }) as unknown as HistoryEvent;

/**
 * A workflow started with `started` whose first task started at `taskStartedAt`, completed at
 * `taskCompletedAt` setting a timer for `timerDueAt` that fired at `firedAt` (ms after T0), and the
 * task the timer scheduled (event 7).
 */
interface TimerFired {
  taskStartedAt?: number;
  taskCompletedAt?: number;
  firedAt?: number;
  timerDueAt?: number;
  started?: Record<string, unknown>;
}
const timerFired = ({ taskStartedAt = 10, taskCompletedAt = 30, firedAt = 60_020, timerDueAt = firedAt, started = {} }: TimerFired = {}) => [
  event(1, 0, { workflowExecutionStartedEventAttributes: started }),
  event(2, 0, { workflowTaskScheduledEventAttributes: {} }),
  event(3, taskStartedAt, { workflowTaskStartedEventAttributes: { scheduledEventId: 2 } }),
  event(4, taskCompletedAt, { workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3 } }),
  event(5, taskCompletedAt, { timerStartedEventAttributes: { timerId: '1', startToFireTimeout: msToTs(timerDueAt - taskCompletedAt), workflowTaskCompletedEventId: 4 } }),
  event(6, firedAt, { timerFiredEventAttributes: { timerId: '1', startedEventId: 5 } }),
  event(7, firedAt, { workflowTaskScheduledEventAttributes: {} }),
];

test('a timer set by a slow task: arm is the task, and the parts add up to the lateness', () => {
  const due = T0 + 60_000;
  const events = [
    // The task read its clock at 100 ms and aimed at the due time; it completed at 700 ms, so
    // its timer, for 59.9 s, was due at 60.6 s and fired 5 ms after.
    ...timerFired({ taskStartedAt: 100, taskCompletedAt: 700, timerDueAt: 60_600, firedAt: 60_605 }),
    event(8, 60_615, { workflowTaskStartedEventAttributes: { scheduledEventId: 7 } }),
  ];
  const arrived = T0 + 60_640;
  const parts = latenessParts(events, due, arrived);
  assert.deepEqual(parts, { aim: 0, arm: 600, fire: 5, pickup: 10, notify: 25 });
  assert.equal(Object.values(parts!).reduce((a, b) => a + b, 0), arrived - due);
  assert.equal(wakeTimeouts(events, arrived), 0);
});

test('a wake task that timed out on the sticky queue: counted, and its wait is pickup', () => {
  const due = T0 + 60_000;
  const events = [
    ...timerFired(),
    // No poll of the sticky queue took it within 10 s: scheduled again on the ordinary queue.
    event(8, 70_020, { workflowTaskTimedOutEventAttributes: { scheduledEventId: 7, timeoutType: 2 } }),
    event(9, 70_020, { workflowTaskScheduledEventAttributes: {} }),
    event(10, 95_000, { workflowTaskStartedEventAttributes: { scheduledEventId: 9 } }),
  ];
  const arrived = T0 + 95_030;
  assert.deepEqual(latenessParts(events, due, arrived), { aim: 0, arm: 20, fire: 0, pickup: 34_980, notify: 30 });
  assert.equal(wakeTimeouts(events, arrived), 1);
});

test('no timer fired before the arrival: nothing to read', () => {
  const events = [event(1, 0, { workflowExecutionStartedEventAttributes: {} })];
  assert.equal(latenessParts(events, T0, T0 + 1_000), undefined);
  assert.equal(wakeTimeouts(events, T0 + 1_000), undefined);
});

test('the history a replay at the wake goes through: its events, workflow tasks and stored size, which grows with what the start event carries', () => {
  const history = (input: Uint8Array) => [
    ...timerFired({ started: { input: { payloads: [{ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: input }] } } }),
    event(8, 60_030, { workflowTaskStartedEventAttributes: { scheduledEventId: 7 } }),
  ];
  const arrived = T0 + 60_050;
  const small = historyAtWake(history(new Uint8Array(10)), arrived)!;
  const large = historyAtWake(history(new Uint8Array(15_000)), arrived)!;
  // Events 1-7 come before the task that ran the breach; one workflow task completed among them.
  assert.deepEqual([small.events, small.tasks, large.events, large.tasks], [7, 1, 7, 1]);
  assert.ok(small.bytes > 0 && small.bytes < 1_000, String(small.bytes));
  // 14,990 more bytes of input, plus the longer length prefixes of protobuf.
  assert.ok(large.bytes - small.bytes >= 14_990 && large.bytes - small.bytes < 15_010, String(large.bytes - small.bytes));
  assert.equal(historyAtWake(history(new Uint8Array(10)), T0 + 50_000), undefined);
});

test('the tail: the breaches later than the target, when they were due, and the latest first', () => {
  const dues = new Map([['a', 0], ['b', 1_000], ['c', 3_000], ['d', 5_500], ['e', 9_000]].map(([id, s]) => [id as string, T0 + (s as number)]));
  const late = new Map([['a', 200], ['b', 1_400], ['c', 900], ['d', 2_600], ['e', 1_000]]);
  const arrivedAt = new Map([...late].map(([id, ms]) => [id, dues.get(id)! + ms]));
  assert.deepEqual(tailOf(arrivedAt, dues, 1_000), { figures: { overMs: 1_000, n: 2, dueFromS: 1, dueToS: 5.5 }, latest: ['d', 'b'] });
  assert.deepEqual(tailOf(arrivedAt, dues, 1_000, 1).latest, ['d']);
  assert.deepEqual(tailOf(arrivedAt, dues, 5_000), { figures: { overMs: 5_000, n: 0 }, latest: [] });
});
