/**
 * The CLI's client of the incident routes (`/v1/incidents`), on the same HTTP client, errors and
 * exit codes as the ticket commands (api.ts).
 */
import type { IncidentSummary, ProposalAnswer } from '../adapters/http/incidents.js';
import type { IncidentView } from '../domain/incident/view.js';
import { ApiClient } from './api.js';

/** The actions on an incident the CLI runs, by their API route. */
export type IncidentActionRoute = 'update' | 'severity' | 'commander' | 'link' | 'unlink' | 'resolve' | 'acknowledge-page';

export interface IncidentList {
  incidents: IncidentSummary[];
}

export interface ProposalList {
  proposals: ProposalAnswer[];
}

type Body = Record<string, string | string[]>;
type Fields = Record<string, string>;

const incidentPath = (incidentId: string) => `v1/incidents/${encodeURIComponent(incidentId)}`;

export class IncidentApi extends ApiClient {
  async declare(declaration: Body, opts: { idempotencyKey?: string; fields: Fields }): Promise<{ incident: IncidentView; created: boolean }> {
    const { status, body } = await this.request({
      method: 'POST',
      path: 'v1/incidents',
      body: declaration,
      ...(opts.idempotencyKey ? { headers: { 'idempotency-key': opts.idempotencyKey } } : {}),
      fields: opts.fields,
    });
    return { incident: body as IncidentView, created: status === 201 };
  }

  async list(query: Record<string, string | undefined>, fields: Fields): Promise<IncidentList> {
    return (await this.request({ method: 'GET', path: 'v1/incidents', query, fields })).body as IncidentList;
  }

  async get(incidentId: string): Promise<IncidentView> {
    return (await this.request({ method: 'GET', path: incidentPath(incidentId) })).body as IncidentView;
  }

  async act(incidentId: string, route: IncidentActionRoute, body: Body, fields: Fields): Promise<IncidentView> {
    return (await this.request({ method: 'POST', path: `${incidentPath(incidentId)}/${route}`, body, fields })).body as IncidentView;
  }

  /** The incident report, as Markdown. */
  async report(incidentId: string): Promise<string> {
    return (await this.request({ method: 'GET', path: `${incidentPath(incidentId)}/report`, accept: 'markdown' })).body as string;
  }

  async proposals(): Promise<ProposalList> {
    return (await this.request({ method: 'GET', path: 'v1/incidents/proposals' })).body as ProposalList;
  }
}
