/**
 * Who is on call: the rotations, restrictions and overrides of oncall-schema.ts turned into
 * shifts. Pure: every instant (epoch milliseconds) is passed in, nothing reads a clock.
 *
 * A layer's time is built in three steps:
 * 1. The rotation cuts time into slots at its handoffs, in local time: a weekly handoff on Monday
 *    09:00 in New York is at 09:00 EST before 2026-03-08 and at 09:00 EDT after it, so that week's
 *    shift is 7 days less an hour. Slot k goes to people[k mod n], from the first handoff on the
 *    rotation's start date; before it nobody is on call.
 * 2. Overrides replace the rotation for their time range (a partial overlap splits a shift).
 * 3. Restrictions clip what remains to the layer's hours of the week; outside them nobody is on
 *    call for that layer, even during an override: an override changes who, not when.
 *
 * A handoff inside a spring-forward gap follows fromLocal (02:30 becomes 03:30 EDT); one in the
 * fall-back overlap takes the first 01:30. A later handoff never starts before an earlier one.
 */
import type { OnCallLayer, OnCallSchedule, Person } from './oncall-schema.js';
import type { RotationPeriod } from './oncall-values.js';
import { minuteOfDay, parseInstant, parseLocalDate, rotationPeriod } from './oncall-values.js';
import { DAY_MS, HOUR_MS, WEEKDAYS, dateOfDayNumber, dayNumberOf, fromLocal, toLocal, weekdayOfDayNumber } from '../sla/zoned-time.js';

/**
 * A stretch of time one person is on call for a layer, `start` inclusive, `end` exclusive. Every
 * handoff ends a shift, even to the same person (a rotation of one), so a shift's bounds do not
 * depend on the range asked for, and an iCalendar event keeps its UID from one export to the next.
 */
export interface Shift {
  person: Person;
  start: number;
  end: number;
  /** From the rotation, or from an override (whose note, if any, comes along). */
  via: 'rotation' | 'override';
  note?: string;
}

/** Why nobody is on call: outside the layer's restrictions, a layer without people, or before the rotation's start. */
export type NobodyReason = 'restricted' | 'empty' | 'not-started';

export type OnCall = { person: Person; shift: Shift } | { person: undefined; reason: NobodyReason };

/** The moment the person on call changes; `undefined` on either side is nobody. */
export interface Handoff {
  at: number;
  from: Person | undefined;
  to: Person | undefined;
}

/** How far ahead nextHandoff looks by default: a year and a day. */
export const HANDOFF_SEARCH_MS = 366 * DAY_MS;

/** Who is on call for `layerId` at `at`, with the whole shift; or nobody, and why. */
export function whoIsOnCall(schedule: OnCallSchedule, layerId: string, at: number): OnCall {
  const layer = prepare(schedule, layerId);
  const shift = layerShifts(layer, at, at + 1)[0];
  if (shift !== undefined) return { person: shift.person, shift };
  if (layer.windows !== undefined && !windowsIn(layer, at, at + 1).some((w) => w.start <= at && at < w.end)) {
    return { person: undefined, reason: 'restricted' };
  }
  return { person: undefined, reason: layer.people.length === 0 ? 'empty' : 'not-started' };
}

/**
 * The next moment after `at` (strictly) that the person on call for `layerId` changes, including to
 * and from nobody (the end of restricted hours, an override on an empty layer); a handoff from a
 * person to the same person (a rotation of one) is none. Undefined when nothing changes within
 * `within` milliseconds (default a year and a day).
 */
export function nextHandoff(schedule: OnCallSchedule, layerId: string, at: number, within = HANDOFF_SEARCH_MS): Handoff | undefined {
  const layer = prepare(schedule, layerId);
  const horizon = at + within;
  const now = layerShifts(layer, at, at + 1)[0];
  let current = now?.person;
  // `covered`: the end of the last shift seen; from `at` to it, the person on call is known.
  let covered = now?.end ?? at;
  let cursor = at;
  for (let span = 8 * DAY_MS; cursor < horizon; span *= 2) {
    const end = Math.min(cursor + span, horizon);
    for (const shift of layerShifts(layer, cursor, end)) {
      if (shift.end <= covered) continue;
      const start = Math.max(shift.start, at);
      if (start > covered && current !== undefined) return { at: covered, from: current, to: undefined };
      if (shift.person.id !== current?.id && start > at) return { at: start, from: current, to: shift.person };
      current = shift.person;
      covered = shift.end;
    }
    if (covered < end && current !== undefined) return { at: covered, from: current, to: undefined };
    cursor = Math.max(end, covered);
  }
  return undefined;
}

/**
 * The shifts of `layerId` that overlap [from, to), whole (a shift that began before `from` keeps
 * its start), in time order, with overrides applied and restrictions clipped.
 */
export function shifts(schedule: OnCallSchedule, layerId: string, from: number, to: number): Shift[] {
  return layerShifts(prepare(schedule, layerId), from, to);
}

/** The NAME of the pager integration key that pages `person` for `layerId`: the person's own, else the layer's. */
export function pagerKeyFor(schedule: OnCallSchedule, layerId: string, person: Person): string | undefined {
  return person.pagerKey ?? findLayer(schedule, layerId).pagerKey;
}

interface Interval {
  start: number;
  end: number;
}

interface PreparedLayer {
  timeZone: string;
  people: readonly Person[];
  period: RotationPeriod;
  startDay: number;
  handoffMinute: number;
  /** Sorted by start; they do not overlap (the schema refuses that). */
  overrides: (Interval & { person: Person; note?: string })[];
  /** The restriction windows as (weekday of their start, minute of that day, length in minutes). */
  windows: { weekday: number; minute: number; length: number }[] | undefined;
}

function findLayer(schedule: OnCallSchedule, layerId: string): OnCallLayer {
  const layer = schedule.layers.find((l) => l.id === layerId);
  if (layer === undefined) {
    throw new RangeError(`unknown on-call layer '${layerId}' in schedule '${schedule.id}'; expected one of ${schedule.layers.map((l) => l.id).join(', ')}`);
  }
  return layer;
}

function prepare(schedule: OnCallSchedule, layerId: string): PreparedLayer {
  const layer = findLayer(schedule, layerId);
  const invalid = (what: string): never => {
    throw new RangeError(`on-call schedule '${schedule.id}', layer '${layerId}': ${what}; parse the schedule with OnCallScheduleSchema first`);
  };
  const timeZone = layer.rotation.timeZone ?? schedule.timeZone ?? invalid('no time zone');
  const period = rotationPeriod(layer.rotation.every) ?? invalid(`every '${layer.rotation.every}' is not a rotation period`);
  const startDay = parseLocalDate(layer.rotation.start) ?? invalid(`start '${layer.rotation.start}' is not a date`);
  const handoffMinute = minuteOfDay(layer.rotation.handoff) ?? invalid(`handoff '${layer.rotation.handoff}' is not a time`);
  const everyone = new Map(schedule.layers.flatMap((l) => l.people.map((p) => [p.id, p] as const)));
  const overrides = layer.overrides
    .map((o) => ({
      start: parseInstant(o.from) ?? invalid(`override from '${o.from}' is not an instant`),
      end: parseInstant(o.to) ?? invalid(`override to '${o.to}' is not an instant`),
      person: typeof o.person === 'string' ? everyone.get(o.person) ?? invalid(`override person '${o.person}' is unknown`) : o.person,
      ...(o.note === undefined ? {} : { note: o.note }),
    }))
    .sort((a, b) => a.start - b.start);
  const windows = layer.restrictions?.flatMap((r) => {
    const minute = minuteOfDay(r.start) ?? invalid(`restriction start '${r.start}' is not a time`);
    const end = minuteOfDay(r.end) ?? invalid(`restriction end '${r.end}' is not a time`);
    const length = end > minute ? end - minute : end + 24 * 60 - minute;
    return r.days.map((day) => ({ weekday: WEEKDAYS.indexOf(day), minute, length }));
  });
  return { timeZone, people: layer.people, period, startDay, handoffMinute, overrides, windows };
}

function layerShifts(layer: PreparedLayer, from: number, to: number): Shift[] {
  if (!(to > from)) return [];
  const rotation = subtract(rotationShifts(layer, from, to), layer.overrides);
  const overrides: Shift[] = layer.overrides
    .filter((o) => o.end > from && o.start < to)
    .map((o) => ({ person: o.person, start: o.start, end: o.end, via: 'override', ...(o.note === undefined ? {} : { note: o.note }) }));
  let all = [...rotation, ...overrides].sort((a, b) => a.start - b.start);
  if (layer.windows !== undefined && all.length > 0) {
    all = clip(all, windowsIn(layer, all[0]!.start, Math.max(...all.map((s) => s.end))));
  }
  return all.filter((s) => s.end > from && s.start < to);
}

/** The instant of handoff k (k = 0 is the first, on the start date). */
function handoffAt(layer: PreparedLayer, k: number): number {
  const { period, startDay, handoffMinute, timeZone } = layer;
  if (period.kind === 'days') return localInstant(startDay + k * period.days, handoffMinute, timeZone);
  const day = Math.floor(k / period.perDay);
  const minute = handoffMinute + (k - day * period.perDay) * period.hours * 60;
  return localInstant(startDay + day, minute, timeZone);
}

/** The index of the handoff at or before `at` (negative before the start). */
function slotAt(layer: PreparedLayer, at: number): number {
  const nominal = layer.period.kind === 'days' ? layer.period.days * DAY_MS : layer.period.hours * HOUR_MS;
  // Clock changes move handoffs by at most a few hours from the nominal grid, so this is a step or two off.
  let k = Math.floor((at - handoffAt(layer, 0)) / nominal);
  while (handoffAt(layer, k) > at) k--;
  while (handoffAt(layer, k + 1) <= at) k++;
  return k;
}

/** The rotation's whole slots that overlap [from, to). */
function rotationShifts(layer: PreparedLayer, from: number, to: number): Shift[] {
  const n = layer.people.length;
  if (n === 0) return [];
  const out: Shift[] = [];
  // One slot earlier than needed: a handoff that a clock change moved before its predecessor.
  let k = Math.max(0, slotAt(layer, from) - 1);
  let start = handoffAt(layer, k);
  while (start < to) {
    const end = Math.max(start, handoffAt(layer, k + 1));
    if (end > start && end > from) out.push({ person: layer.people[k % n]!, start, end, via: 'rotation' });
    start = end;
    k++;
  }
  return out;
}

/** `shifts` without the time the (sorted, disjoint) `holes` cover; a shift with a hole inside becomes two. */
function subtract(shifts: readonly Shift[], holes: readonly Interval[]): Shift[] {
  const out: Shift[] = [];
  for (const shift of shifts) {
    let start = shift.start;
    for (const hole of holes) {
      if (hole.end <= start || hole.start >= shift.end) continue;
      if (hole.start > start) out.push({ ...shift, start, end: hole.start });
      start = Math.max(start, hole.end);
    }
    if (start < shift.end) out.push({ ...shift, start });
  }
  return out;
}

/** The parts of the (sorted, disjoint) `shifts` inside the (sorted, merged) `windows`. */
function clip(shifts: readonly Shift[], windows: readonly Interval[]): Shift[] {
  const out: Shift[] = [];
  let first = 0;
  for (const shift of shifts) {
    while (first < windows.length && windows[first]!.end <= shift.start) first++;
    for (let i = first; i < windows.length && windows[i]!.start < shift.end; i++) {
      const start = Math.max(shift.start, windows[i]!.start);
      const end = Math.min(shift.end, windows[i]!.end);
      if (start < end) out.push({ ...shift, start, end });
    }
  }
  return out;
}

/**
 * The layer's on-hours around [from, to) as instants, merged where they touch (fri 18:00-24:00 and
 * sat 00:00-24:00 are one stretch). Windows last at most a day, so starting two local days early
 * catches every window that reaches `from`.
 */
function windowsIn(layer: PreparedLayer, from: number, to: number): Interval[] {
  const spans: Interval[] = [];
  const firstDay = dayNumberOf(toLocal(from, layer.timeZone)) - 2;
  const lastDay = dayNumberOf(toLocal(to, layer.timeZone)) + 1;
  for (let day = firstDay; day <= lastDay; day++) {
    const weekday = WEEKDAYS.indexOf(weekdayOfDayNumber(day));
    for (const window of layer.windows ?? []) {
      if (window.weekday !== weekday) continue;
      const start = localInstant(day, window.minute, layer.timeZone);
      const end = localInstant(day, window.minute + window.length, layer.timeZone);
      if (end > start) spans.push({ start, end });
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/** The instant a local date (day number) and minute of the day shows in `timeZone`; minutes past 1440 run into the next days. */
function localInstant(dayNumber: number, minute: number, timeZone: string): number {
  return fromLocal({ ...dateOfDayNumber(dayNumber), hour: 0, minute }, timeZone);
}
