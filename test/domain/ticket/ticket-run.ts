/**
 * A ticket driven through the pure core the way the durable shell drives it: events at given
 * instants, each decided with `decide`, the effects kept in order. No clock is ever read.
 */
import assert from 'node:assert/strict';
import type { Metric, Policy } from '../../../domain/policy/schema.js';
import type { SlaClock } from '../../../domain/sla/clock.js';
import { fromLocal, toLocal } from '../../../domain/sla/zoned-time.js';
import type { TicketEvent } from '../../../domain/ticket/commands.js';
import { decide, nextWake, openTicket } from '../../../domain/ticket/decide.js';
import { IntakeSchema, type IntakeInput } from '../../../domain/ticket/intake.js';
import type { Effect, TicketState } from '../../../domain/ticket/types.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const NEW_YORK = 'America/New_York';

/** The instant a wall clock in `timeZone` shows 'YYYY-MM-DD HH:MM'. */
export function at(text: string, timeZone = NEW_YORK): number {
  const [year, month, day, hour, minute] = text.split(/[- :]/).map(Number) as [number, number, number, number, number];
  return fromLocal({ year, month, day, hour, minute }, timeZone);
}

/** 'YYYY-MM-DD HH:MM' (with ':SS.mmm' when not on the minute) as the wall clock in `timeZone` shows it. */
export function wall(instant: number | null | undefined, timeZone = NEW_YORK): string {
  if (instant === null || instant === undefined) return String(instant);
  const l = toLocal(instant, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  const seconds = l.second || l.millisecond ? `:${two(l.second)}.${String(l.millisecond).padStart(3, '0')}` : '';
  return `${l.year}-${two(l.month)}-${two(l.day)} ${two(l.hour)}:${two(l.minute)}${seconds}`;
}

export type IntakeFields = Omit<IntakeInput, 'requester' | 'subject'> & { subject?: string };

export function intakeOf(fields: IntakeFields) {
  return IntakeSchema.parse({ subject: 'Help needed', requester: { email: 'dev@example.com' }, ...fields });
}

export class TicketRun {
  state: TicketState;
  now: number;
  /** Every effect asked for so far, the opening's included. */
  readonly effects: Effect[] = [];

  constructor(policy: Policy, openedAt: number, fields: IntakeFields, ticketId = 'T-run') {
    const opened = openTicket(ticketId, intakeOf(fields), policy, openedAt);
    this.state = opened.state;
    this.now = openedAt;
    this.effects.push(...opened.effects);
  }

  /** Decides `event` at `when` (default: the current instant); returns the effects of this one decision. */
  send(event: TicketEvent, when = this.now): Effect[] {
    assert.ok(when >= this.now, `time runs forward: ${wall(when)} is before ${wall(this.now)}`);
    this.now = when;
    const decision = decide(this.state, event, when);
    this.state = decision.state;
    this.effects.push(...decision.effects);
    return decision.effects;
  }

  /** The shell's timer: sleep until nextWake and tick. */
  wake(): Effect[] {
    const wakeAt = nextWake(this.state);
    assert.ok(wakeAt !== undefined, 'the ticket has nothing to wake for');
    return this.send({ type: 'tick' }, wakeAt);
  }

  tickAt(when: number): Effect[] {
    return this.send({ type: 'tick' }, when);
  }

  /** The latest clock of a metric. */
  clock(metric: Metric): SlaClock {
    const found = [...this.state.clocks].reverse().find((c) => c.metric === metric);
    assert.ok(found, `no ${metric} clock; the ticket has ${this.state.clocks.map((c) => c.id).join(', ') || 'none'}`);
    return found;
  }

  /** The timeline entry types, in order, from the `since`-th on. */
  timelineTypes(since = 0): string[] {
    return this.state.timeline.slice(since).map((e) => e.type);
  }

  teamEvents(): string[] {
    return this.effects.flatMap((e) => (e.type === 'notifyTeam' ? [e.event] : []));
  }
}

/** The notifyTeam events among some effects, e.g. ['sla-breach']. */
export function teamEventsOf(effects: readonly Effect[]): string[] {
  return effects.flatMap((e) => (e.type === 'notifyTeam' ? [e.event] : []));
}
