/**
 * One incident: a thin durable shell around the pure incident core, as the ticket workflow is
 * around the ticket's. It feeds the core every command and the one timer it needs (the update
 * cadence), carries out the effects (broadcasts, pages, telling the linked tickets), and keeps the
 * Temporal UI's details in step. Like the ticket's, its handlers only change the state; sends and
 * the timer start at the loop's processing point (shell.ts).
 */
import { allHandlersFinished, condition, continueAsNew, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { DeclareCommand, IncidentCommand, IncidentEvent } from '../domain/incident/commands.js';
import { canApply } from '../domain/incident/commands.js';
import { decide, declareIncident, nextWake } from '../domain/incident/decide.js';
import type { IncidentState } from '../domain/incident/types.js';
import { currentDetails, viewIncident, type IncidentView } from '../domain/incident/view.js';
import type { Policy } from '../domain/policy/schema.js';
import { IncidentEffectRunner } from './incident-effects.js';
import { autoLinkSignal, getIncidentQuery, getIncidentStateQuery, INCIDENT_UPDATES } from './incident-messages.js';
import { pageProgressSignal } from './messages.js';
import { nextRound, Shell, WakeTimer } from './shell.js';

export interface IncidentWorkflowInput {
  incidentId: string;
  declaration: DeclareCommand;
  policy: Policy;
  /** Where the status page is served: links to it in tickets and emails. */
  publicUrl: string;
  /** Carried across continue-as-new. */
  state?: IncidentState;
}

export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<IncidentView> {
  let state: IncidentState;
  const shell = new Shell();
  const timer = new WakeTimer();
  const runner = new IncidentEffectRunner(() => state, (event) => step(event), input.publicUrl);

  function step(event: IncidentEvent): void {
    const decision = decide(state, event, Date.now());
    if (decision.state === state) return;
    state = decision.state;
    runner.enqueue(decision.effects);
    shell.touch();
  }

  /** The processing point: time's due reminders, then every send and the timer. */
  function carryOut(): void {
    step({ type: 'tick' });
    runner.turn();
    setCurrentDetails(currentDetails(state));
    timer.set(resolved() ? undefined : nextWake(state));
    shell.done();
  }

  if (input.state) {
    state = input.state;
  } else {
    const declared = declareIncident(input.incidentId, input.declaration, input.policy, Date.now());
    state = declared.state;
    runner.enqueue(declared.effects);
    runner.announce();
  }

  for (const [type, update] of Object.entries(INCIDENT_UPDATES)) {
    setHandler(
      update,
      async (args: object) => {
        step({ ...args, type } as IncidentCommand);
        await shell.processed();
        return viewIncident(state, Date.now());
      },
      {
        validator: (args: object) => {
          const reason = canApply(state, { ...args, type } as IncidentCommand);
          if (reason) throw new Error(reason);
        },
      },
    );
  }
  setHandler(autoLinkSignal, ({ ticketId }) => {
    const command: IncidentCommand = { type: 'linkTicket', ticketId, auto: true, actor: 'tierline', requestId: `auto-link-${ticketId}` };
    if (!canApply(state, command)) step(command);
  });
  setHandler(pageProgressSignal, (progress) => step({ type: 'pageProgress', ...progress }));
  setHandler(getIncidentQuery, () => viewIncident(state, Date.now()));
  setHandler(getIncidentStateQuery, () => state);

  const finished = () => allHandlersFinished() && runner.idle();
  const readyToContinue = () => workflowInfo().continueAsNewSuggested && finished();
  const resolved = () => state.status === 'resolved';
  let announcedEnd = false;
  // The final update, the linked tickets and the report go out before the incident ends.
  for (;;) {
    await condition(() => shell.due() || runner.due() || timer.fired() || (resolved() ? finished() : readyToContinue()));
    await nextRound();
    if (resolved() && !announcedEnd) {
      announcedEnd = true;
      runner.announce();
    }
    carryOut();
    if (resolved() && finished()) break;
    if (!resolved() && readyToContinue()) await continueAsNew<typeof incidentWorkflow>({ ...input, state });
  }
  return viewIncident(state, Date.now());
}
