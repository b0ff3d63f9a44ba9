/**
 * The status-update cadence of the policy's severities: when the next update is due, when the
 * commander is reminded, when a missed update is overdue and what that does (notify, or page like
 * an SLA breach). Every instant is computed from the last update; nothing reads a clock.
 */
import { formatDuration, parseDuration } from '../duration.js';
import { NOTIFY_ONLY } from '../policy/constants.js';
import type { IncidentSeverity, Policy } from '../policy/schema.js';
import { startIncidentPage } from './paging.js';
import { effectKey, record, SYSTEM } from './timeline.js';
import type { IncidentDecision, IncidentEffect, IncidentState, UpdateCadence } from './types.js';

export function severityOf(policy: Policy, id: string): IncidentSeverity | undefined {
  return policy.incidents.severities.find((s) => s.id === id);
}

/** The incident's severity; canApply and declaration keep it one of the policy's. */
export function currentSeverity(state: IncidentState): IncidentSeverity {
  return severityOf(state.policy, state.severity)!;
}

/** 0 for the most severe (the policy lists severities from the most severe down). */
export function severityRank(policy: Policy, id: string): number {
  return policy.incidents.severities.findIndex((s) => s.id === id);
}

export const updateEveryMs = (severity: IncidentSeverity) => parseDuration(severity.updateEvery)!;

/** Why `nextUpdateIn` cannot be promised at this severity, or undefined. */
export function nextUpdateProblem(severity: IncidentSeverity, nextUpdateIn: string | undefined): string | undefined {
  if (nextUpdateIn === undefined) return undefined;
  const ms = parseDuration(nextUpdateIn);
  if (ms === undefined || ms <= 0) return `'${nextUpdateIn}' is not a duration for the next update; expected e.g. 15m, 1h or 1h30m`;
  if (ms > updateEveryMs(severity)) return `the next update in ${formatDuration(ms)} is later than the ${severity.name} cadence allows (every ${severity.updateEvery}); promise ${severity.updateEvery} or sooner`;
  return undefined;
}

/** When the next update is due after one posted at `now`: as promised, or the severity's cadence. */
export function nextUpdateAt(severity: IncidentSeverity, now: number, nextUpdateIn?: string): number {
  return now + (nextUpdateIn !== undefined ? parseDuration(nextUpdateIn)! : updateEveryMs(severity));
}

/**
 * The cadence toward an update due at `dueAt`, set at `from`. When the reminder's instant is not
 * after `from` (an update promised sooner than `remindBefore`), there is no reminder: the person
 * who just posted needs none.
 */
export function cadenceToward(severity: IncidentSeverity, from: number, dueAt: number): UpdateCadence {
  const remindAt = dueAt - parseDuration(severity.remindBefore)!;
  return { nextUpdateAt: dueAt, remindAt, overdueAt: dueAt + parseDuration(severity.overdueAfter)!, reminded: remindAt <= from, overdue: false };
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Fires the reminder and the overdue notice due by `now`. A reminder that finds the update already overdue is skipped. */
export function fireCadence(state: IncidentState, now: number): IncidentDecision {
  const cadence = state.cadence;
  if (!cadence || state.status === 'resolved') return { state, effects: [] };
  const effects: IncidentEffect[] = [];
  const severity = currentSeverity(state);
  const base = { incidentId: state.incidentId, commander: state.commander, dueAt: cadence.nextUpdateAt };
  if (!cadence.overdue && cadence.overdueAt <= now) {
    const paging = severity.onOverdue === NOTIFY_ONLY ? undefined : severity.onOverdue;
    state = record({ ...state, cadence: { ...cadence, reminded: true, overdue: true } }, now, SYSTEM, 'update-overdue', `the status update due at ${utc(cadence.nextUpdateAt)} is overdue`, {
      dueAt: cadence.nextUpdateAt, overdueAt: cadence.overdueAt, ...(paging ? { paging } : {}),
    });
    const text = `The status update of ${state.incidentId} (${state.title}) was due at ${utc(cadence.nextUpdateAt)} and is overdue: ${severity.name} incidents update every ${severity.updateEvery}.`;
    effects.push({ type: 'updateOverdue', key: effectKey(state, 'update-overdue'), ...base, text, ...(paging ? { paging } : {}) });
    if (paging) {
      const paged = startIncidentPage(state, paging, now, `status update overdue since ${utc(cadence.overdueAt)}`);
      state = paged.state;
      effects.push(...paged.effects);
    }
  } else if (!cadence.reminded && cadence.remindAt <= now) {
    state = record({ ...state, cadence: { ...cadence, reminded: true } }, now, SYSTEM, 'update-reminder', `the commander was reminded: the next status update is due at ${utc(cadence.nextUpdateAt)}`, { dueAt: cadence.nextUpdateAt });
    const text = `Reminder for ${state.commander}: the next status update of ${state.incidentId} (${state.title}) is due at ${utc(cadence.nextUpdateAt)}, in ${formatDuration(Math.max(0, cadence.nextUpdateAt - now))}.`;
    effects.push({ type: 'remindCommander', key: effectKey(state, 'update-reminder'), ...base, text });
  }
  return { state, effects };
}

/** The next cadence instant still to fire, if any. */
export function nextCadenceWake(state: IncidentState): number | undefined {
  const cadence = state.cadence;
  if (!cadence || state.status === 'resolved' || cadence.overdue) return undefined;
  return cadence.reminded ? cadence.overdueAt : Math.min(cadence.remindAt, cadence.overdueAt);
}
