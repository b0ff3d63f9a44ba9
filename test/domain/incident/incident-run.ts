/**
 * An incident driven through the pure core the way its durable shell drives it: a declaration,
 * then events at given instants, each decided with `decide`, the effects kept in order.
 */
import assert from 'node:assert/strict';
import type { Policy } from '../../../domain/policy/schema.js';
import type { Declaration, IncidentEvent } from '../../../domain/incident/commands.js';
import { declareIncident, decide, nextWake } from '../../../domain/incident/decide.js';
import type { IncidentEffect, IncidentState } from '../../../domain/incident/types.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
/** Tuesday 2026-03-10 14:00 UTC. */
export const T0 = Date.UTC(2026, 2, 10, 14, 0, 0);

export const utc = (ms: number | undefined) => (ms === undefined ? 'undefined' : new Date(ms).toISOString());

export class IncidentRun {
  state: IncidentState;
  now: number;
  /** Every effect asked for so far, the declaration's included. */
  readonly effects: IncidentEffect[] = [];

  constructor(policy: Policy, declaredAt: number, declaration: Partial<Declaration> & { severity: string }, incidentId = 'I-run', actor = 'alice') {
    const declared = declareIncident(incidentId, { type: 'declare', actor, title: 'Logins fail', impact: 'Users cannot log in', ...declaration }, policy, declaredAt);
    this.state = declared.state;
    this.now = declaredAt;
    this.effects.push(...declared.effects);
  }

  /** Decides `event` at `when` (default: the current instant); returns the effects of this one decision. */
  send(event: IncidentEvent, when = this.now): IncidentEffect[] {
    assert.ok(when >= this.now, `time runs forward: ${utc(when)} is before ${utc(this.now)}`);
    this.now = when;
    const decision = decide(this.state, event, when);
    this.state = decision.state;
    this.effects.push(...decision.effects);
    return decision.effects;
  }

  /** The shell's timer: sleep until nextWake and tick. */
  wake(): IncidentEffect[] {
    const at = nextWake(this.state);
    assert.ok(at !== undefined, 'the incident has nothing to wake for');
    return this.send({ type: 'tick' }, at);
  }

  tickAt(when: number): IncidentEffect[] {
    return this.send({ type: 'tick' }, when);
  }

  update(fields: { status?: 'investigating' | 'identified' | 'monitoring'; message?: string; impact?: string; nextUpdateIn?: string; reason?: string }, when = this.now, actor = 'alice'): IncidentEffect[] {
    return this.send({ type: 'postUpdate', actor, status: fields.status ?? 'identified', impact: fields.impact ?? 'Users cannot log in', message: fields.message ?? 'Working on it', ...fields }, when);
  }

  timelineTypes(): string[] {
    return this.state.timeline.map((e) => e.type);
  }
}

/** The effect types among some effects, in order. */
export const typesOf = (effects: readonly IncidentEffect[]) => effects.map((e) => e.type);

export function only<T extends IncidentEffect['type']>(effects: readonly IncidentEffect[], type: T): Extract<IncidentEffect, { type: T }>[] {
  return effects.filter((e): e is Extract<IncidentEffect, { type: T }> => e.type === type);
}
