/**
 * The rhythm of a durable shell, shared by the ticket and the incident workflows.
 *
 * Temporal replays a workflow's history and expects the same commands in the same order. The SDK
 * runs the jobs of one activation (Updates, Signals, activity results, a fired timer) one after
 * another, and runs the microtasks they queued afterwards. Core does not promise the same order
 * of jobs on replay that the first run saw: an Update is a protocol message on the first run and
 * an event on replay. So whatever emits a command (an activity, a timer, search attributes, an
 * Update's completion) must not depend on that order. The shell guarantees it like this:
 *
 * - A handler only changes the state (through the pure core) and marks the shell `due`. It never
 *   starts anything itself.
 * - The workflow's loop waits until the shell is due. Then it waits one more round (`nextRound`),
 *   until the SDK has run every job of the activation and every microtask they queued. Only then
 *   does it start sends, set the timer and upsert search attributes: the processing point.
 * - A send that makes several calls waits for the next processing point (`turn`) before each
 *   call after its first. Queues take their turns in the order of their names.
 * - An Update's handler completes only after the processing point that carried out its command
 *   (`processed`). So its completion always follows the commands it caused.
 */
import { CancellationScope, condition, sleep, workflowInfo } from '@temporalio/workflow';
import { failureText } from './failure-text.js';

/**
 * Resolves at the SDK's next round of condition checks: after the jobs of the activation and the
 * microtasks they queued have all run. (A condition is checked at once when made; this one says
 * no the first time.)
 */
export function nextRound(): Promise<void> {
  let checked = false;
  return condition(() => {
    if (checked) return true;
    checked = true;
    return false;
  });
}

/** What a send reports when it went out: the channel it took and the attempts it needed. */
export interface SendOutcome {
  channel: string;
  attempts: number;
}

/** A send: its first call starts at once; every later call waits for `turn()` first. */
export type Send = (turn: () => Promise<void>) => Promise<SendOutcome | undefined>;

interface QueuedSend {
  key: string;
  send: Send;
}

/**
 * Sends in named queues: one send at a time per queue, in the order given; queues run side by
 * side. Sends start only when the shell calls `turn()` at its processing point.
 */
export class SendQueues {
  private readonly waiting = new Map<string, QueuedSend[]>();
  private readonly busy = new Set<string>();
  private readonly resumes = new Map<string, () => void>();

  /** `settled` hears each send's outcome (undefined when it had nothing to report) or its failure. */
  constructor(private readonly settled: (queue: string, key: string, result: { outcome?: SendOutcome; failure?: string }) => void) {}

  push(queue: string, key: string, send: Send): void {
    const queued = this.waiting.get(queue);
    if (queued) queued.push({ key, send });
    else this.waiting.set(queue, [{ key, send }]);
  }

  /** Nothing queued and nothing in flight. */
  idle(): boolean {
    return this.busy.size === 0 && [...this.waiting.values()].every((q) => q.length === 0);
  }

  /** A turn would do something: a send waits to make its next call, or an idle queue has one waiting. */
  due(): boolean {
    if (this.resumes.size > 0) return true;
    for (const [queue, queued] of this.waiting) if (queued.length > 0 && !this.busy.has(queue)) return true;
    return false;
  }

  /** At the processing point: each queue, in name order, resumes its send or starts its next one. */
  turn(): void {
    const queues = [...new Set([...this.waiting.keys(), ...this.resumes.keys()])].sort();
    for (const queue of queues) {
      const resume = this.resumes.get(queue);
      if (resume) {
        this.resumes.delete(queue);
        resume();
        continue;
      }
      if (this.busy.has(queue)) continue;
      const next = this.waiting.get(queue)?.shift();
      if (!next) continue;
      this.busy.add(queue);
      void this.run(queue, next);
    }
  }

  private async run(queue: string, { key, send }: QueuedSend): Promise<void> {
    const turn = () =>
      new Promise<void>((resolve) => {
        this.resumes.set(queue, resolve);
      });
    try {
      const outcome = await send(turn);
      this.busy.delete(queue);
      this.settled(queue, key, outcome ? { outcome } : {});
    } catch (err) {
      this.busy.delete(queue);
      this.settled(queue, key, { failure: failureText(err) });
    }
  }
}

/**
 * The local activities a workflow has in flight (the SLA notices to Slack, the ledger writes):
 * each call made through `counted` counts until it settles. None in flight means the workflow task
 * can complete, so its commands are about to leave the worker.
 */
export class LocalActivities {
  private inFlight = 0;

  idle(): boolean {
    return this.inFlight === 0;
  }

  /** The same activities, each call counted while in flight. */
  counted<T extends object>(activities: T): T {
    return new Proxy(activities, {
      get: (target, name) => {
        const value: unknown = Reflect.get(target, name);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          this.inFlight++;
          return (value.apply(target, args) as Promise<unknown>).finally(() => {
            this.inFlight--;
          });
        };
      },
    });
  }
}

/**
 * The one timer a shell keeps: set to the core's next wake-up at each processing point. Moving
 * it cancels the old one (a cancel in the history rather than a timer that fires for nothing).
 *
 * The server starts a timer when the workflow task that set it completes, and the workflow counts
 * its duration from the workflow time it had when it set it. A task that waits on local activities
 * (an SLA notice to Slack, the ledger write of a milestone) completes only once they have, and the
 * SDK moves the workflow time on by each one's run time as it hands over the result. Aimed once, a
 * timer fired late by the whole of the task that set it: 3.25 s after a 3 s ledger write
 * (test/workflows/timer-aim.test.ts). (Under the benchmark's intake, a task's 150-240 ms at the
 * median are mostly its wait in the worker before and after the write, which this cannot give back.)
 * So the timer set at a task's first processing point is aimed again, once, at the first point of
 * the same task where no local activity is in flight and the time has moved: its command has not
 * left the worker, so the first aim is dropped before it is sent and leaves nothing in the history.
 *
 * A replay must give the same commands, and each aim takes a timer's sequence number. On replay
 * the SDK may hand over several local activities' results in one activation where the first run
 * had one each, so there may be fewer processing points. Hence the three conditions: the first
 * point of a task is the same on replay; the first point with nothing in flight is too (what
 * follows it was started at or after it); and a timer first set at a later point (the core moved
 * its wake-up on a local activity's result) is not aimed again, since on replay it may be set only
 * at the point where the time has already moved. (Today no local activity's result moves the
 * wake-up: a notification's outcome only adds to the timeline, a ledger write changes no state.
 * One that did would need a look at these rules.) Histories written before this aimed once, and
 * replay them so: the second aim is for runs started with it (`aimAgain`, in the ticket's input).
 * Not `patched()`: its marker and the search attribute upsert that comes with it would add two
 * events and a visibility write to every ticket.
 */
export class WakeTimer {
  private current: { at: number; fired: boolean; scope: CancellationScope; task: number; from: number; firstOfTask: boolean } | undefined;
  private lastTask: number | undefined;

  /** `aimAgain`: aim a timer again within its task (off: aim once, for runs from before it). */
  constructor(private readonly aimAgain = false) {}

  fired(): boolean {
    return this.current?.fired === true;
  }

  /** `settled`: no local activity in flight (the ticket's `LocalActivities`); false: aim once. */
  set(at: number | undefined, settled = false): void {
    // The history's length as of this workflow task: the same for every activation within it.
    const task = workflowInfo().historyLength;
    const firstPoint = task !== this.lastTask;
    this.lastTask = task;
    const now = Date.now();
    const current = this.current;
    if (current && current.at === at && !current.fired) {
      if (!(this.aimAgain && current.firstOfTask && current.task === task && settled && now > current.from)) return;
    }
    if (current && !current.fired) current.scope.cancel();
    this.current = undefined;
    if (at === undefined) return;
    const next = { at, fired: false, scope: new CancellationScope(), task, from: now, firstOfTask: firstPoint };
    next.scope
      .run(() => sleep(Math.max(1, at - now)))
      .then(
        () => {
          next.fired = true;
        },
        () => undefined,
      );
    this.current = next;
  }
}

/**
 * The shell's bookkeeping: whether the state changed since the last processing point, and which
 * Updates wait for one.
 */
export class Shell {
  private changed = true;
  private requested = 0;
  private processedUpTo = 0;

  /** The state changed: the next processing point has work. */
  touch(): void {
    this.changed = true;
  }

  due(): boolean {
    return this.changed || this.requested > this.processedUpTo;
  }

  /** Called by an Update's handler after its command: resolves once a processing point carried it out. */
  processed(): Promise<void> {
    const ticket = ++this.requested;
    return condition(() => this.processedUpTo >= ticket);
  }

  /** Called at the end of each processing point. */
  done(): void {
    this.changed = false;
    this.processedUpTo = this.requested;
  }
}
