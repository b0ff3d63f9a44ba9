/**
 * The naive-breach baseline (ADDENDA #7): sleep until the due time, then one ordinary activity
 * that posts to Slack. No policy, no state, no idempotency: what a bare Temporal workflow does.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';

export interface NaiveBreachActivities {
  postBreach(input: { key: string; dueAt: number }): Promise<void>;
}

const { postBreach } = proxyActivities<NaiveBreachActivities>({
  startToCloseTimeout: '30s',
  // An ordinary activity: dispatched through the task queue, not eagerly with the workflow task.
  allowEagerDispatch: false,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 25 },
});

export async function naiveBreachWorkflow(input: { key: string; dueAt: number }): Promise<void> {
  await sleep(Math.max(1, input.dueAt - Date.now()));
  await postBreach(input);
}
