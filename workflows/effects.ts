/**
 * Carries out the core's effects as activities. Sends to one channel go one at a time, in event
 * order (a queue per channel), while the ticket keeps taking messages: an Update does not wait for
 * Slack or SMTP (except behind an SLA notice's local activity, see `notifyNow`). Each outcome, sent
 * or failed for good, comes back to the core as an event. Sends
 * start only at the shell's processing point (see shell.ts), so replay sees the same commands.
 */
import { ParentClosePolicy, getExternalWorkflowHandle, proxyActivities, proxyLocalActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { TicketEvent } from '../domain/ticket/commands.js';
import { nextDue } from '../domain/ticket/ticket-clocks.js';
import type { Effect, TeamEvent, TicketState } from '../domain/ticket/types.js';
import type { CustomerNotice, Delivery, NotificationActivities } from '../activities/notifications.js';
import type { GitHubActivities } from '../activities/github.js';
import type { TicketCard } from '../activities/slack.js';
import type { ArticleSuggestion, KnowledgeBaseActivities } from '../activities/knowledge-base.js';
import { priorityOf } from '../domain/policy/match.js';
import { failureText } from './failure-text.js';
import { SendQueues, type SendOutcome } from './shell.js';
import { pageEndSignal } from './messages.js';
import { pagingWorkflow } from './paging.js';

export const pageWorkflowId = (pageId: string) => `page-${pageId}`;

/**
 * Retries belong to Temporal (the clients' own retries are off). Permanent errors (bad token,
 * unknown channel, SMTP 5xx) are non-retryable and fail at once; outages are retried for about
 * twenty minutes before the notification is recorded as failed.
 */
const NOTIFY_RETRY = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 25 } as const;
const notify = proxyActivities<NotificationActivities>({ startToCloseTimeout: '30s', retry: NOTIFY_RETRY });

/**
 * The same notifications as local activities, for the team's SLA notices (warning, breach, still
 * breached) and the card edit that goes with them. A breach is then one workflow task: the timer
 * fires, the worker posts to Slack inside the task, and the task completes with the result
 * (a marker), the search attributes and the next timer. An ordinary activity costs a schedule, a
 * dispatch, a completion and one more workflow task: the round trips that back up when thousands
 * of deadlines fall in one minute.
 *
 * The retry policy and the idempotency rules are those of `notify`: the activity itself finds a
 * message an earlier attempt posted (Slack metadata). A backoff longer than two seconds waits on a
 * durable timer instead of inside the task, so an outage does not hold the ticket's task open
 * (and an Update that lands meanwhile waits at most for one attempt).
 */
const notifyNow = proxyLocalActivities<NotificationActivities>({ startToCloseTimeout: '10s', localRetryThreshold: '2s', retry: NOTIFY_RETRY });

/** Team notices that time raises: sent as local activities (see `notifyNow`). */
const PROMPT_TEAM_EVENTS: ReadonlySet<TeamEvent> = new Set(['sla-warning', 'sla-breach', 'sla-breach-repeat']);
type Notify = typeof notify;

/** GitHub calls are retried like notifications; a permanent error (no access, unknown repo) fails at once. */
const github = proxyActivities<GitHubActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 25 },
});

type Queue = 'customer' | 'team' | 'page' | 'vendor' | 'github';

export function ticketCard(state: TicketState): TicketCard {
  const due = nextDue(state);
  return {
    ticketId: state.ticketId,
    subject: state.intake.subject,
    priority: state.priority,
    status: state.status,
    tier: state.tier,
    ...(due ? { slaDueAt: new Date(due.dueAt).toISOString() } : {}),
    ...(state.assignee ? { assignee: state.assignee } : {}),
  };
}

function customerNotice(state: TicketState, effect: Extract<Effect, { type: 'notifyCustomer' }>): CustomerNotice {
  const firstResponse = state.clocks.find((c) => c.metric === 'firstResponse');
  const vars: Record<string, string> = { ...effect.vars };
  switch (effect.template) {
    case 'auto-reply':
    case 'self-service':
      vars.responseTarget = firstResponse?.dueAt ? `by ${new Date(firstResponse.dueAt).toUTCString()}` : 'as soon as we can';
      break;
    case 'public-reply':
      vars.body = effect.body ?? '';
      vars.agentName = effect.author ?? 'Support';
      break;
    case 'resolution':
      vars.resolution = effect.body ?? '';
      break;
    case 'follow-up':
      vars.update = 'We resolved your request a little while ago and want to make sure it stays fixed.';
      break;
    case 'duplicate':
      vars.originalTicketId = effect.body ?? '';
      vars.originalLink = effect.body ?? '';
      break;
  }
  const ids = state.customerMessageIds;
  return {
    key: effect.key,
    ticketId: state.ticketId,
    channel: state.intake.channel,
    to: state.intake.requester,
    template: effect.template,
    subject: state.intake.subject,
    vars,
    automatic: effect.template !== 'public-reply',
    ...(ids.length ? { inReplyTo: ids[ids.length - 1]!, references: ids } : {}),
  };
}

const knowledgeBase = proxyActivities<KnowledgeBaseActivities>({
  startToCloseTimeout: '30s',
  // Suggestions are worth little once late: the reply goes without them after a short outage.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 4 },
});

/** What identifies a card as Slack shows it: its message and its rendering. */
const cardShownAs = (at: { channel: string; ts: string }, card: TicketCard) => JSON.stringify([at.channel, at.ts, card]);

export class EffectRunner {
  private readonly queues: SendQueues;
  private cardRefreshQueued = false;
  /**
   * The card as this run last posted or edited it (its message and rendering). A refresh that
   * would render the same card is skipped: a thread message carries the edit its state calls for,
   * so the refresh that follows it finds nothing to do. Sends on the team queue run one at a
   * time, in order, so this is what Slack shows. Rebuilt the same way on replay; it starts empty
   * after a continue-as-new (the first refresh then edits).
   */
  private cardShown: string | undefined;

  constructor(
    private readonly state: () => TicketState,
    private readonly feed: (event: TicketEvent) => void,
  ) {
    this.queues = new SendQueues((queue, key, { outcome, failure }) => {
      if (outcome) feed({ type: 'notificationOutcome', key, channel: outcome.channel, outcome: 'sent', attempts: outcome.attempts });
      else if (failure !== undefined) feed({ type: 'notificationOutcome', key, channel: queue, outcome: 'failed', attempts: 0, detail: failure });
    });
  }

  idle(): boolean {
    return this.queues.idle();
  }

  /** A send is ready to start or to make its next call. */
  due(): boolean {
    return this.queues.due();
  }

  /** At the shell's processing point. */
  turn(): void {
    this.queues.turn();
  }

  /**
   * Queues one core decision's effects. An SLA notice, and the card edit a breach brings
   * (`alarm`), go as local activities. The choice depends on the effect alone: which decision
   * carried it may differ on replay (an alarm due when an Update lands fires inside the Update's
   * decision on replay, but at the processing point live), so it must not count.
   */
  enqueue(effects: readonly Effect[]): void {
    for (const effect of effects) {
      if (effect.type === 'notifyCustomer' && effect.suggest) {
        this.push('customer', effect.key, (turn) => this.selfServiceReply(effect, effect.suggest!, turn));
      } else if (effect.type === 'notifyCustomer') {
        this.push('customer', effect.key, () => notify.notifyCustomer(customerNotice(this.state(), effect)));
      } else if (effect.type === 'notifyTeam') {
        const via = PROMPT_TEAM_EVENTS.has(effect.event) ? notifyNow : notify;
        this.push('team', effect.key, (turn) => this.teamMessage(via, effect, turn));
      } else if (effect.type === 'notifyVendor') {
        const state = this.state();
        this.push('vendor', effect.key, () =>
          notify.notifyVendor({ key: effect.key, ticketId: state.ticketId, vendor: effect.vendor, template: effect.template, subject: state.intake.subject, vars: effect.vars }),
        );
      } else if (effect.type === 'openEngineeringIssue') {
        this.push('github', effect.key, () => this.openEngineeringIssue(effect));
      } else if (effect.type === 'commentOnEngineeringIssue') {
        const ticketId = this.state().ticketId;
        this.push('github', effect.key, () => github.commentOnIssue({ key: effect.key, ticketId, url: effect.url, body: effect.body }));
      } else if (effect.type === 'startPage') {
        this.push('page', effect.key, () => this.startPage(effect));
      } else if (effect.type === 'endPage') {
        this.push('page', effect.key, () => this.endPage(effect));
      } else if (!this.cardRefreshQueued) {
        // Refreshes coalesce: the card is rendered from the state when the refresh runs. They stay
        // on the team queue: which queue a send takes must not depend on the state's transient
        // order (a card edit on its own queue, chosen by whether the card exists yet, made replay
        // after eviction diverge when an Update and the card's post landed in one workflow task).
        this.cardRefreshQueued = true;
        const via = effect.alarm ? notifyNow : notify;
        this.push('team', effect.key, async () => {
          this.cardRefreshQueued = false;
          // No card yet (its post renders the state then), or the card shows this state already.
          const card = this.state().teamCard;
          const edit = card ? this.cardEdit(card) : undefined;
          if (!card || !edit) return undefined;
          const edited = await via.updateTicketCard({ key: effect.key, slackChannel: card.channel, ts: card.ts, card: edit.card });
          this.cardShown = edit.shown;
          return edited;
        });
      }
    }
  }

  /**
   * Tier 1: the matching articles first (recorded on the ticket), then the self-service email
   * offering them, or the plain auto-reply when none matched.
   */
  private async selfServiceReply(effect: Extract<Effect, { type: 'notifyCustomer' }>, limit: number, turn: () => Promise<void>): Promise<Delivery> {
    const state = this.state();
    let articles: ArticleSuggestion[] = [];
    let detail: string | undefined;
    try {
      articles = await knowledgeBase.suggestArticles({ policyId: state.policy.id, subject: state.intake.subject, description: state.intake.description, limit });
    } catch (err) {
      detail = failureText(err);
    }
    this.feed({ type: 'articlesSuggested', articles: articles.map(({ id, title, url }) => ({ id, title, url })), ...(detail ? { detail } : {}) });
    await turn();
    if (articles.length === 0) return notify.notifyCustomer(customerNotice(this.state(), { ...effect, template: 'auto-reply' }));
    const notice = customerNotice(this.state(), effect);
    const list = articles.map((a, i) => `${i + 1}. ${a.title}\n   ${a.url}\n   ${a.excerpt}`).join('\n\n');
    return notify.notifyCustomer({ ...notice, vars: { ...notice.vars, articles: list } });
  }

  /** The issue's URL comes back to the ticket (engineeringIssueOpened), like the card's ts. */
  private async openEngineeringIssue(effect: Extract<Effect, { type: 'openEngineeringIssue' }>): Promise<Pick<Delivery, 'attempts'> & { channel: string }> {
    const delivered = await github.openEngineeringIssue({ key: effect.key, ticketId: this.state().ticketId, ...(effect.repo ? { repo: effect.repo } : {}), title: effect.title, body: effect.body });
    if (delivered.issue) this.feed({ type: 'engineeringIssueOpened', ...delivered.issue });
    return delivered;
  }

  /** A page runs as its own child workflow; it outlives a continue-as-new of the ticket. */
  private async startPage(effect: Extract<Effect, { type: 'startPage' }>): Promise<undefined> {
    const state = this.state();
    await startChild(pagingWorkflow, {
      workflowId: pageWorkflowId(effect.pageId),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `Paging ${effect.plan.levels.map((l) => l.layer).join(' → ')} for ${state.ticketId}`,
      staticDetails: effect.cause,
      args: [
        {
          ticketWorkflowId: workflowInfo().workflowId,
          pageId: effect.pageId,
          plan: effect.plan,
          cause: effect.cause,
          ticket: { id: state.ticketId, subject: state.intake.subject, priority: state.priority, urgency: priorityOf(state.policy, state.priority)?.urgency ?? 0 },
        },
      ],
    });
    return undefined;
  }

  private async endPage(effect: Extract<Effect, { type: 'endPage' }>): Promise<undefined> {
    try {
      await getExternalWorkflowHandle(pageWorkflowId(effect.pageId)).signal(pageEndSignal, { outcome: effect.outcome, ...(effect.actor ? { actor: effect.actor } : {}) });
    } catch {
      // The page has already finished: nothing is left to end.
    }
    return undefined;
  }

  /** The card rendered from the state now, unless the card at `at` shows exactly that already. */
  private cardEdit(at: { channel: string; ts: string }): { card: TicketCard; shown: string } | undefined {
    const card = ticketCard(this.state());
    const shown = cardShownAs(at, card);
    return shown === this.cardShown ? undefined : { card, shown };
  }

  /**
   * A thread message under the ticket's card (posting the card first if there is none yet). The
   * message carries the card's edit when the state has changed what the card shows: one call
   * instead of a message and a separate refresh.
   */
  private async teamMessage(via: Notify, effect: Extract<Effect, { type: 'notifyTeam' }>, turn: () => Promise<void>): Promise<Delivery> {
    let card = this.state().teamCard;
    if (!card || effect.event === 'opened') {
      const state = this.state();
      const tier = state.policy.tiers.find((t) => t.id === state.tier);
      const rendered = ticketCard(state);
      const posted = await via.postTicketCard({ key: `${effect.key}/card`, queue: tier?.queue ?? tier?.id ?? 'default', card: rendered });
      this.feed({ type: 'teamCardPosted', channel: posted.slackChannel, ts: posted.ts });
      card = { channel: posted.slackChannel, ts: posted.ts };
      this.cardShown = cardShownAs(card, rendered);
      if (effect.event === 'opened') return posted;
      await turn();
    }
    const edit = this.cardEdit(card);
    const sent = await via.postThreadMessage({ key: effect.key, slackChannel: card.channel, threadTs: card.ts, text: effect.text, ...(edit ? { card: { key: `${effect.key}/card-edit`, card: edit.card } } : {}) });
    if (edit && sent.cardEdited) this.cardShown = edit.shown;
    return sent;
  }

  private push(queue: Queue, key: string, send: (turn: () => Promise<void>) => Promise<SendOutcome | undefined>): void {
    this.queues.push(queue, key, send);
  }
}
