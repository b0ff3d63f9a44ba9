/**
 * The same-actions baseline (ADDENDA #7): a bare workflow that takes exactly the actions a real
 * tierline history shows for a scenario (bench/lib/same-actions-plan.ts) and decides nothing.
 * Each trigger (the start, each Update, each Signal, each timer that fires) starts its share of
 * activities, local activities and timers, and cancels the timers tierline canceled there. Sends to
 * one channel go one at a time, as tierline's do; nothing else is kept in order.
 */
import { CancellationScope, condition, defineSignal, defineUpdate, isCancellation, proxyActivities, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';
import type { PlanPhase, SameActionsPlan, SendChannel } from '../lib/same-actions-plan.js';

export interface SameActionsActivities {
  send(input: { channel: SendChannel; key: string }): Promise<void>;
  record(input: { key: string }): Promise<void>;
}

// The same timeouts and retries as tierline's notifications and ledger writes.
const { send } = proxyActivities<SameActionsActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 25 },
});
const { record } = proxyLocalActivities<SameActionsActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 12 },
});

export async function sameActionsWorkflow(plan: SameActionsPlan): Promise<void> {
  const queues = new Map<string, Promise<void>>();
  const timers = new Map<string, CancellationScope>();
  let inFlight = 0;
  let ended = false;

  const enqueue = (queue: string, job: () => Promise<void>) => {
    inFlight++;
    queues.set(queue, (queues.get(queue) ?? Promise.resolve()).then(job).then(() => {
      inFlight--;
    }));
  };

  function run(trigger: string, phase: PlanPhase | undefined): void {
    for (const [i, a] of (phase?.activities ?? []).entries()) enqueue(a.channel, () => send({ channel: a.channel, key: `${trigger}/${i}` }));
    for (let i = 0; i < (phase?.localActivities ?? 0); i++) enqueue('ledger', () => record({ key: `${trigger}/${i}` }));
    for (const t of phase?.timersStarted ?? []) {
      const scope = new CancellationScope();
      timers.set(t.id, scope);
      scope.run(() => sleep(Math.max(1, t.ms))).then(
        () => run(`timer:${t.id}`, plan.timers[t.id]),
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
    }
    for (const id of phase?.timersCanceled ?? []) timers.get(id)?.cancel();
    if (trigger === plan.endsAfter) ended = true;
  }

  let updates = 0;
  for (const name of new Set(plan.updates.map((u) => u.name))) {
    setHandler(defineUpdate<void, [unknown]>(name), () => {
      const i = updates++;
      run(`update:${i}`, plan.updates[i]?.phase);
    });
  }
  let signals = 0;
  for (const name of new Set(plan.signals.map((s) => s.name))) {
    setHandler(defineSignal<[unknown]>(name), () => {
      const i = signals++;
      run(`signal:${i}`, plan.signals[i]?.phase);
    });
  }

  run('start', plan.start);
  await condition(() => ended && inFlight === 0);
}
