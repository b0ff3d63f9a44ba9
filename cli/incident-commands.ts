/**
 * What each `tierline incident` command asks of the API and what it prints. The text options are
 * final here: a `-` has already been replaced by stdin (main.ts).
 */
import { usageError } from './errors.js';
import { formatIncident, formatIncidentList, formatProposals, incidentLine } from './format-incident.js';
import type { IncidentActionRoute, IncidentApi } from './incident-api.js';
import { incidentRequestOf, type IncidentCommandName, type IncidentInvocation } from './incident-args.js';
import type { Outcome } from './commands.js';

type ActionCommand = Exclude<IncidentCommandName, 'declare' | 'list' | 'show' | 'report' | 'proposals'>;

/** Each action: its API route, and what it did (the start of the line printed before the incident). */
const ACTIONS: Record<ActionCommand, { route: IncidentActionRoute; done: (inv: IncidentInvocation) => string }> = {
  update: { route: 'update', done: (inv) => `update posted (${String(inv.values.status)})` },
  severity: { route: 'severity', done: (inv) => `severity set to ${inv.argument}` },
  commander: { route: 'commander', done: (inv) => `commander is now ${inv.argument}` },
  link: { route: 'link', done: (inv) => `linked ${inv.argument}` },
  unlink: { route: 'unlink', done: (inv) => `unlinked ${inv.argument}` },
  resolve: { route: 'resolve', done: () => 'resolved' },
  'ack-page': { route: 'acknowledge-page', done: () => 'page acknowledged' },
};

/** `list`'s options, checked here so that a typo names the option before any request. */
function count(option: string, given: string | boolean | string[] | undefined): string | undefined {
  if (typeof given !== 'string') return undefined;
  if (!/^\d+$/.test(given.trim()) || Number(given) < 1) throw usageError(`--${option}: expected a whole number from 1, got '${given}'`);
  return given.trim();
}

export async function runIncidentCommand(inv: IncidentInvocation, api: IncidentApi): Promise<Outcome> {
  switch (inv.command) {
    case 'declare': {
      const { body, fields } = incidentRequestOf(inv);
      const key = inv.values['idempotency-key'];
      const { incident, created } = await api.declare(body, { ...(typeof key === 'string' ? { idempotencyKey: key } : {}), fields });
      return { json: incident, text: `${created ? 'declared' : 'found the incident declared before'}: ${incidentLine(incident)}` };
    }
    case 'list': {
      const { fields } = incidentRequestOf(inv);
      const list = await api.list({ days: count('days', inv.values.days), limit: count('limit', inv.values.limit) }, fields);
      return { json: list, text: formatIncidentList(list) };
    }
    case 'show': {
      const incident = await api.get(inv.incidentId!);
      return { json: incident, text: formatIncident(incident) };
    }
    case 'report': {
      const markdown = await api.report(inv.incidentId!);
      return { json: { id: inv.incidentId, markdown }, text: markdown.trimEnd() };
    }
    case 'proposals': {
      const list = await api.proposals();
      return { json: list, text: formatProposals(list) };
    }
    default: {
      const action = ACTIONS[inv.command];
      const { body, fields } = incidentRequestOf(inv);
      const incident = await api.act(inv.incidentId!, action.route, body, fields);
      return { json: incident, text: `${action.done(inv)}: ${incidentLine(incident)}` };
    }
  }
}
