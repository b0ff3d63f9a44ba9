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
import { CancellationScope, condition, sleep } from '@temporalio/workflow';
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
 * The one timer a shell keeps: set to the core's next wake-up at each processing point. Moving
 * it cancels the old one (a cancel in the history rather than a timer that fires for nothing).
 */
export class WakeTimer {
  private current: { at: number; fired: boolean; scope: CancellationScope } | undefined;

  fired(): boolean {
    return this.current?.fired === true;
  }

  set(at: number | undefined): void {
    const current = this.current;
    if (current && current.at === at && !current.fired) return;
    if (current && !current.fired) current.scope.cancel();
    this.current = undefined;
    if (at === undefined) return;
    const next = { at, fired: false, scope: new CancellationScope() };
    next.scope
      .run(() => sleep(Math.max(1, at - Date.now())))
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
