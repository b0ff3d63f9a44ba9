/**
 * The ticket workflow: a thin durable shell around the pure core. It feeds the core every message
 * and the one timer it needs, carries out the effects the core asks for, and keeps the search
 * attributes and the Temporal UI's details in step with the state. Handlers only change the
 * state; everything that reaches the server starts at the loop's processing point (shell.ts).
 */
import { allHandlersFinished, condition, continueAsNew, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Command, TicketEvent } from '../domain/ticket/commands.js';
import { canApply, signalProblem } from '../domain/ticket/commands.js';
import { decide, nextWake, openTicket } from '../domain/ticket/decide.js';
import type { Intake } from '../domain/ticket/intake.js';
import type { Policy } from '../domain/policy/schema.js';
import type { TicketState } from '../domain/ticket/types.js';
import { currentDetails, viewTicket, type TicketView } from '../domain/ticket/view.js';
import { EffectRunner } from './effects.js';
import { COMMAND_SIGNALS, COMMAND_UPDATES, openedUpdate, customerMessageSignal, engineeringIssueClosedSignal, getTicketQuery, getTicketStateQuery, pageProgressSignal } from './messages.js';
import { incidentTicketSignal } from './incident-messages.js';
import { LedgerWriter } from './ledger.js';
import { syncSearchAttributes } from './ticket-search-attributes.js';
import { meterTicketStep } from './ticket-metrics.js';
import { nextRound, Shell, WakeTimer } from './shell.js';
import { watchedOpening } from '../domain/incident/proposals.js';

export interface TicketWorkflowInput {
  ticketId: string;
  intake: Intake;
  policy: Policy;
  /** The client's id for the open request (tells a new ticket from an existing one). */
  openRequestId?: string;
  /** Carried across continue-as-new: the whole state, as it is. */
  state?: TicketState;
  /** Continue as new after this many history events even if Temporal does not suggest it yet (tests). */
  continueAsNewAfterEvents?: number;
  /** Carried across continue-as-new: the last event seq written to the ticket ledger. */
  ledgerSeq?: number;
}

export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketView> {
  let state: TicketState;
  const shell = new Shell();
  const timer = new WakeTimer();
  const runner = new EffectRunner(() => state, (event) => step(event));
  const ledger = new LedgerWriter(() => state, input.ledgerSeq ?? 0);
  let lastSearchAttributes: Record<string, unknown> = {};
  // The state tierline's metrics have counted: a run continued as new counted its carried state already.
  let metered = input.state;

  /** The one path every event takes: the core decides; what it asks for waits for the processing point. */
  function step(event: TicketEvent): void {
    const decision = decide(state, event, Date.now());
    if (decision.state === state) return;
    state = decision.state;
    metered = meterTicketStep(metered, state, event);
    runner.enqueue(decision.effects);
    shell.touch();
  }

  /** The processing point: time's due alarms, then every send, search attribute and ledger write. */
  function carryOut(): void {
    step({ type: 'tick' });
    runner.turn();
    lastSearchAttributes = syncSearchAttributes(state, lastSearchAttributes, upsertSearchAttributes);
    setCurrentDetails(currentDetails(state));
    ledger.sync();
    timer.set(closed() ? undefined : nextWake(state));
    shell.done();
  }

  if (input.state) {
    state = input.state;
  } else {
    const opened = openTicket(input.ticketId, input.intake, input.policy, Date.now(), input.openRequestId);
    state = opened.state;
    runner.enqueue(opened.effects);
  }
  metered = meterTicketStep(metered, state, undefined);

  for (const [type, update] of Object.entries(COMMAND_UPDATES)) {
    setHandler(
      update,
      async (args: object) => {
        step({ ...args, type } as Command);
        // Completes after the processing point that carried it out (see shell.ts).
        await shell.processed();
        return viewTicket(state, Date.now());
      },
      {
        // Synchronous on purpose: an async validator that throws does not reject the Update.
        validator: (args: object) => {
          const reason = canApply(state, { ...args, type } as Command);
          if (reason) throw new Error(reason);
        },
      },
    );
  }
  // The opening request's answer rides in the first workflow task. A query sent right after the
  // start instead reached that task while its ledger write was in flight, and the SDK then had the
  // server schedule one more task to finish it: three events and a replayed activation per ticket.
  setHandler(
    openedUpdate,
    async () => {
      await shell.processed();
      const opening = watchedOpening(state);
      return { ticket: viewTicket(state, Date.now()), ...(opening ? { opening } : {}) };
    },
    {
      validator: ({ openRequestId }) => {
        if (openRequestId !== state.openRequestId) throw new Error('ticket already open: another request opened it');
      },
    },
  );
  for (const [type, signal] of Object.entries(COMMAND_SIGNALS)) {
    setHandler(signal, (args: unknown) => {
      const given = (typeof args === 'object' && args !== null ? args : {}) as { actor?: unknown };
      const problem = signalProblem(type, args) ?? canApply(state, { ...(args as object), type } as Command);
      if (!problem) return step({ ...(args as object), type } as Command);
      step({ type: 'commandRefused', command: type, actor: typeof given.actor === 'string' && given.actor.trim() ? given.actor : 'unknown', reason: problem });
    });
  }
  setHandler(customerMessageSignal, (message) => {
    if (message.messageId && state.customerMessageIds.includes(message.messageId)) return;
    step({ type: 'customerMessage', ...message });
  });
  setHandler(pageProgressSignal, (progress) => step({ type: 'pageProgress', ...progress }));
  setHandler(engineeringIssueClosedSignal, (closed) => step({ type: 'engineeringIssueClosed', ...closed }));
  // The incident the ticket belongs to: linked, unlinked, its status updates, resolved.
  setHandler(incidentTicketSignal, (event) => step(event));
  setHandler(getTicketQuery, () => viewTicket(state, Date.now()));
  setHandler(getTicketStateQuery, () => state);

  // Continue as new only between sends (nothing in flight to lose), never by stalling the clocks.
  const finished = () => allHandlersFinished() && runner.idle() && ledger.idle();
  const readyToContinue = () => {
    const info = workflowInfo();
    const due = info.continueAsNewSuggested || (input.continueAsNewAfterEvents !== undefined && info.historyLength >= input.continueAsNewAfterEvents);
    return due && finished();
  };
  const closed = () => state.status === 'closed';

  // One timer at a time (the core's next wake-up). The last notifications (resolution card,
  // duplicate notice) go out before a closed ticket ends.
  for (;;) {
    await condition(() => shell.due() || runner.due() || ledger.due() || timer.fired() || (closed() ? finished() : readyToContinue()));
    await nextRound();
    carryOut();
    if (closed() && finished()) break;
    if (!closed() && readyToContinue()) {
      const { openRequestId: _opened, ...carried } = input;
      await continueAsNew<typeof ticketWorkflow>({ ...carried, state, ledgerSeq: ledger.writtenSeq });
    }
  }
  return viewTicket(state, Date.now());
}
