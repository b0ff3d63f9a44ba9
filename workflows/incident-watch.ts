/**
 * The incident watcher: one long-lived workflow (`incident-watch`) that sees every new ticket.
 * A ticket whose components match an open incident is linked to it (the most severe first); the
 * others feed the policy's proposal rules, and a burst (say five tickets of one category within
 * ten minutes) is proposed to the team. A proposal never declares itself: a person confirms it by
 * declaring with its key, which links its tickets.
 */
import { allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { IncidentActivities } from '../activities/incidents.js';
import { incidentsForTicket, NO_PROPOSALS, observeOpening, type IncidentProposal, type ProposalState, type TicketOpening } from '../domain/incident/proposals.js';
import type { Policy } from '../domain/policy/schema.js';
import { autoLinkSignal, getProposalsQuery, incidentChangedSignal, ticketOpenedSignal, type IncidentChange } from './incident-messages.js';
import { incidentWorkflowId } from './ids.js';

const incidents = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 25 },
});

export interface WatchState {
  proposals: ProposalState;
  open: IncidentChange[];
  /** Raised and not yet confirmed by a declaration, newest last (at most 50). */
  pending: IncidentProposal[];
}

export interface IncidentWatchInput {
  policy: Policy;
  state?: WatchState;
}

const MAX_PENDING = 50;

export async function incidentWatchWorkflow(input: IncidentWatchInput): Promise<void> {
  const state: WatchState = input.state ?? { proposals: NO_PROPOSALS, open: [], pending: [] };
  let sending = Promise.resolve();
  let inFlight = 0;
  const send = (work: () => Promise<unknown>) => {
    inFlight++;
    sending = sending.then(async () => {
      try {
        await work();
      } catch {
        // The proposal is still listed (getProposals); the message is best effort after its retries.
      } finally {
        inFlight--;
      }
    });
  };

  setHandler(incidentChangedSignal, (change) => {
    state.open = [...state.open.filter((i) => i.id !== change.id), ...(change.status === 'resolved' ? [] : [change])].sort((a, b) => a.rank - b.rank);
    if (change.proposalKey) state.pending = state.pending.filter((p) => p.key !== change.proposalKey);
  });

  setHandler(ticketOpenedSignal, (opening: TicketOpening) => {
    const [incident] = incidentsForTicket(opening.components, state.open);
    if (incident) {
      send(() => getExternalWorkflowHandle(incidentWorkflowId(incident)).signal(autoLinkSignal, { ticketId: opening.ticketId }));
      return;
    }
    const observed = observeOpening(state.proposals, opening, input.policy);
    state.proposals = observed.state;
    for (const proposal of observed.proposals) {
      state.pending = [...state.pending, proposal].slice(-MAX_PENDING);
      const text =
        `Proposed incident (not declared): ${proposal.count} tickets with ${proposal.by} '${proposal.value}' within ${proposal.within}: ${proposal.tickets.join(', ')}. ` +
        `If it is one outage, declare it: tierline incident declare --proposal ${proposal.key} --severity <severity> --title "${proposal.title}" --impact "<who is affected>"`;
      send(() => incidents.postIncidentMessage({ key: `proposal/${proposal.key}`, incidentId: 'proposals', text }));
    }
  });

  setHandler(getProposalsQuery, () => state.pending);

  await condition(() => workflowInfo().continueAsNewSuggested && allHandlersFinished() && inFlight === 0);
  await continueAsNew<typeof incidentWatchWorkflow>({ ...input, state });
}
