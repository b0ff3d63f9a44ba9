/**
 * One page: a child workflow of the ticket ("Paging primary for T-…" in the Temporal UI). It pages
 * each level of the plan in turn (whoever is on call for that layer at that moment), waits up to
 * the level's timeout for an acknowledgement, then goes on; repeats the plan as often as it says;
 * skips a level with nobody on call. It tells the ticket each step. When the ticket says the page
 * was acknowledged it acknowledges the incidents it opened, and resolves them when the ticket is
 * resolved or paged afresh.
 */
import { condition, getExternalWorkflowHandle, proxyActivities, setCurrentDetails, setHandler, sleep } from '@temporalio/workflow';
import { parseDuration } from '../domain/duration.js';
import type { PagingPlan } from '../domain/policy/schema.js';
import type { PageTarget, PagingActivities } from '../activities/paging.js';
import { failureText } from './failure-text.js';
import { pageEndSignal, pageProgressSignal, type PageEnd, type PageProgress } from './messages.js';

const paging = proxyActivities<PagingActivities>({
  startToCloseTimeout: '30s',
  // A page cannot wait twenty minutes for an outage: a level's timeout is often 15 minutes.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 8 },
});

export interface PagingInput {
  ticketWorkflowId: string;
  pageId: string;
  plan: PagingPlan;
  cause: string;
  ticket: { id: string; subject: string; priority: string; urgency: number };
}

export interface PagingResult {
  outcome: PageEnd['outcome'] | 'exhausted';
  paged: number;
  acknowledgedBy?: string;
}


export async function pagingWorkflow(input: PagingInput): Promise<PagingResult> {
  let ack: PageEnd | undefined;
  let end: PageEnd | undefined;
  setHandler(pageEndSignal, (signal) => {
    if (signal.outcome === 'acknowledged') ack ??= signal;
    else end ??= signal;
  });
  const ticket = getExternalWorkflowHandle(input.ticketWorkflowId);
  const report = (progress: Omit<PageProgress, 'pageId'>) => ticket.signal(pageProgressSignal, { pageId: input.pageId, ...progress });
  const stopped = () => ack !== undefined || end !== undefined;
  const targets: PageTarget[] = [];

  // The instant the plan pages the next level: levels keep the plan's times exactly, however late
  // a timer's workflow task runs; a skipped (or failed) level hands over at its own instant.
  let levelAt = Date.now();
  levels: for (let round = 0; round <= input.plan.repeat; round++) {
    for (const level of input.plan.levels) {
      if (stopped()) break levels;
      let who;
      try {
        who = await paging.whoIsOnCall({ schedule: input.plan.schedule, layer: level.layer, at: Date.now() });
      } catch (err) {
        await report({ kind: 'failed', layer: level.layer, round, detail: failureText(err) });
        continue;
      }
      if (!who.person) {
        await report({ kind: 'skipped', layer: level.layer, round, detail: who.reason ?? 'nobody on call' });
        continue;
      }
      setCurrentDetails(`Paging ${who.person.name} (${level.layer}) for ${input.ticket.id}${round ? `, round ${round + 1}` : ''}`);
      try {
        targets.push(
          await paging.pagePerson({
            dedupKey: `${input.pageId}/${level.layer}/${round + 1}`,
            ...(who.pagerKey ? { pagerKey: who.pagerKey } : {}),
            person: who.person,
            layer: level.layer,
            round,
            pagedAt: levelAt,
            ticket: { ...input.ticket, cause: input.cause },
          }),
        );
        await report({ kind: 'paged', layer: level.layer, person: who.person.name, round });
      } catch (err) {
        await report({ kind: 'failed', layer: level.layer, person: who.person.name, round, detail: failureText(err) });
        continue;
      }
      levelAt += parseDuration(level.timeout)!;
      // The level's timer is left to fire rather than cancelled when an answer comes first: the
      // time-skipping test server mishandles a timer cancelled in the task that also sees a signal.
      let levelOver = false;
      void sleep(Math.max(1, levelAt - Date.now())).then(() => {
        levelOver = true;
      });
      await condition(() => stopped() || levelOver);
    }
  }
  if (!stopped()) {
    setCurrentDetails(`Nobody acknowledged the page for ${input.ticket.id}`);
    await report({ kind: 'exhausted' });
  }
  // Whatever happened, the incidents stay open until the ticket says how it ended.
  await condition(stopped);
  if (ack && !end && targets.length) {
    setCurrentDetails(`Acknowledged by ${ack.actor ?? 'on-call'} for ${input.ticket.id}`);
    await paging.pageEvents({ action: 'acknowledge', targets });
  }
  await condition(() => end !== undefined);
  if (targets.length) await paging.pageEvents({ action: 'resolve', targets });
  setCurrentDetails(`Ended (${end!.outcome}) for ${input.ticket.id}`);
  return { outcome: ack ? 'acknowledged' : end!.outcome, paged: targets.length, ...(ack?.actor ? { acknowledgedBy: ack.actor } : {}) };
}
