/**
 * On-call schedules as configuration: who carries the pager for each layer (primary, secondary,
 * engineering lead) of a schedule, written in YAML and checked here. SIGN X's "Primary On-Call:
 * 24/7 coverage - Week 1: Engineer A ... Week 4: Engineer D" is one layer with a weekly rotation of
 * four people; "Secondary On-Call: Backup" is a second layer.
 *
 * A layer is a rotation (who, in turn, from which local date, handing off at which local time), an
 * optional set of restrictions (the hours of the week the layer is on at all) and overrides (this
 * person instead, for this time range). Who is on call is computed in oncall.ts.
 *
 * Paging keys are secrets: a person's (or layer's) `pagerKey` is the NAME of an integration key in
 * the worker's configuration (PAGERDUTY_ROUTING_KEYS), never the key itself.
 */
import { z } from 'zod';
import type { Weekday } from '../sla/zoned-time.js';
import { dateOfDayNumber, isValidTimeZone, weekdayOfDayNumber } from '../sla/zoned-time.js';
import { HANDOFF_PATTERN, WINDOW_END_PATTERN, minuteOfDay, parseInstant, parseLocalDate, rotationPeriod } from './oncall-values.js';

const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const satisfies readonly Weekday[];
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** An error for a value of the wrong type that says "missing" when there is no value at all. */
function expected(what: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? `missing; ${what}` : what);
}

const id = z.string({ error: expected('expected an id') }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected an id of letters, digits, - _ . (e.g. engineer-a)');

const TimeZoneText = z
  .string({ error: expected('expected an IANA time zone such as America/New_York') })
  .superRefine((tz, ctx) => {
    if (!isValidTimeZone(tz)) {
      ctx.addIssue({ code: 'custom', message: `unknown time zone ${JSON.stringify(tz)}; use an IANA name such as America/New_York or UTC` });
    }
  })
  .describe('IANA time zone, e.g. America/New_York');

const Weekday = z.enum(WEEKDAY_NAMES, { error: 'expected a weekday: mon, tue, wed, thu, fri, sat or sun' });

const LocalTimeText = z
  .string({ error: expected("expected a local time 'HH:MM' (quote it in YAML)") })
  .regex(HANDOFF_PATTERN, "expected a local time 'HH:MM' from 00:00 to 23:59");

const WindowEndText = z
  .string({ error: expected("expected a local time 'HH:MM' (quote it in YAML)") })
  .regex(WINDOW_END_PATTERN, "expected a local time 'HH:MM' from 00:00 to 24:00");

const LocalDateText = z
  .string({ error: expected("expected a date 'YYYY-MM-DD' (quote it in YAML)") })
  .superRefine((text, ctx) => {
    if (parseLocalDate(text) === undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a date; write YYYY-MM-DD, e.g. 2026-01-05` });
  });

const InstantText = z
  .string({ error: expected("expected an instant such as '2026-03-09T13:00:00Z' (quote it in YAML)") })
  .superRefine((text, ctx) => {
    if (parseInstant(text) !== undefined) return;
    const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(text);
    ctx.addIssue({
      code: 'custom',
      message: local
        ? `${JSON.stringify(text)} has no time zone; write an instant with Z or an offset, e.g. ${JSON.stringify(`${text}-04:00`)}`
        : `${JSON.stringify(text)} is not an instant; write ISO 8601 with Z or an offset, e.g. "2026-03-09T13:00:00Z"`,
    });
  });

const EVERY_HINT = 'expected daily, weekly, whole days or weeks (2d, 2w) or hours that divide a day (1h, 2h, 3h, 4h, 6h, 8h, 12h)';

export const RotationSchema = z
  .object({
    every: z
      .string({ error: expected(EVERY_HINT) })
      .superRefine((every, ctx) => {
        if (rotationPeriod(every) === undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(every)}: ${EVERY_HINT}` });
      })
      .describe('daily, weekly, whole days or weeks (3d, 2w), or hours that divide a day (8h, 12h)'),
    handoff: LocalTimeText.describe("local time of the handoff, 'HH:MM'; with hours (12h) the first handoff of each day"),
    handoffDay: Weekday.optional().describe('the weekday of the handoff, for weekly (and whole-week) rotations'),
    timeZone: TimeZoneText.optional().describe("the rotation's time zone; default: the schedule's"),
    start: LocalDateText.describe('the local date of the first handoff, to the first person of `people`'),
  })
  .strict()
  .superRefine((rotation, ctx) => {
    const period = rotationPeriod(rotation.every);
    const startDay = parseLocalDate(rotation.start);
    if (period === undefined || startDay === undefined) return;
    const weeks = period.kind === 'days' && period.days % 7 === 0;
    if (weeks && rotation.handoffDay === undefined) {
      ctx.addIssue({ code: 'custom', path: ['handoffDay'], message: `missing; a rotation of whole weeks (every: ${rotation.every}) hands off on a weekday: give one of ${WEEKDAY_NAMES.join(', ')}` });
    }
    if (!weeks && rotation.handoffDay !== undefined) {
      ctx.addIssue({
        code: 'custom', path: ['handoffDay'],
        message: `a rotation every ${rotation.every} hands off every ${period.kind === 'days' ? `${period.days} day(s)` : `${period.hours} hour(s)`}, not on a weekday; remove handoffDay or rotate weekly`,
      });
    }
    if (weeks && rotation.handoffDay !== undefined) {
      const startWeekday = weekdayOfDayNumber(startDay);
      if (startWeekday !== rotation.handoffDay) {
        const back = (WEEKDAY_NAMES.indexOf(startWeekday) - WEEKDAY_NAMES.indexOf(rotation.handoffDay) + 7) % 7;
        const previous = dateOfDayNumber(startDay - back);
        const suggestion = `${previous.year}-${String(previous.month).padStart(2, '0')}-${String(previous.day).padStart(2, '0')}`;
        ctx.addIssue({
          code: 'custom', path: ['start'],
          message: `${rotation.start} is a ${startWeekday}, but the rotation hands off on ${rotation.handoffDay}; start on a ${rotation.handoffDay}, e.g. ${suggestion}`,
        });
      }
    }
  });
export type Rotation = z.infer<typeof RotationSchema>;

const PagerKeyName = z
  .string({ error: expected('expected the name of a pager integration key in configuration') })
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'expected the name of a pager integration key in configuration (letters, digits, - _ .), e.g. signx-primary')
  .superRefine((name, ctx) => {
    // A PagerDuty integration key is 32 letters and digits: a secret that belongs in configuration only.
    if (/^[A-Za-z0-9]{32}$/.test(name) && /\d/.test(name)) {
      ctx.addIssue({
        code: 'custom',
        message: 'this looks like an integration key itself; keys are secrets: give the NAME of the key in PAGERDUTY_ROUTING_KEYS (e.g. signx-primary) and keep the key in configuration',
      });
    }
  });

export const PersonSchema = z
  .object({
    id,
    name: z.string({ error: expected('expected the name people know this person by') }).min(1, 'expected a name'),
    email: z.email({ error: 'expected an email address such as engineer-a@example.com' }).optional(),
    slack: z.string().min(1, 'expected a Slack member id such as U0123ABCD').optional().describe('Slack member id, e.g. U0123ABCD'),
    pagerKey: PagerKeyName.optional().describe("the NAME of this person's pager integration key in configuration; default: the layer's"),
  })
  .strict();
export type Person = z.infer<typeof PersonSchema>;

export const RestrictionSchema = z
  .object({
    days: z.array(Weekday).min(1, 'expected at least one weekday'),
    start: LocalTimeText,
    end: WindowEndText.describe("local time the window closes; at or before start means the next day (18:00-08:00 runs overnight); '24:00' is midnight"),
  })
  .strict()
  .superRefine((window, ctx) => {
    if (window.start === window.end) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `a window ${window.start}-${window.end} is empty; a whole day is written 00:00-24:00` });
    }
    const seen = new Set<string>();
    window.days.forEach((day, i) => {
      if (seen.has(day)) ctx.addIssue({ code: 'custom', path: ['days', i], message: `${day} is listed twice` });
      seen.add(day);
    });
  });
export type Restriction = z.infer<typeof RestrictionSchema>;

export const OverrideSchema = z
  .object({
    from: InstantText,
    to: InstantText,
    person: z
      .union([id, PersonSchema], { error: 'expected the id of a person of this schedule, or a person { id, name, ... }' })
      .describe('the id of a person of this schedule, or a person who is in none of its rotations'),
    note: z.string().optional().describe("why, e.g. covering engineer-b's holiday"),
  })
  .strict()
  .superRefine((override, ctx) => {
    const from = parseInstant(override.from);
    const to = parseInstant(override.to);
    if (from !== undefined && to !== undefined && to <= from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `${override.to} is not after from (${override.from}); an override covers from..to` });
    }
  });
export type Override = z.infer<typeof OverrideSchema>;

export const LayerSchema = z
  .object({
    id,
    name: z.string().min(1).optional().describe('e.g. Primary on-call'),
    description: z.string().optional(),
    pagerKey: PagerKeyName.optional().describe("the NAME of this layer's pager integration key in configuration"),
    rotation: RotationSchema,
    people: z.array(PersonSchema).default([]).describe('in rotation order; the first takes the first shift from `start`'),
    restrictions: z
      .array(RestrictionSchema)
      .min(1, 'expected at least one window; leave restrictions out for a layer that is on around the clock')
      .optional()
      .describe('the hours of the week this layer is on; outside them nobody is on call for it'),
    overrides: z.array(OverrideSchema).default([]).describe('this person instead, for a time range; restrictions still apply'),
  })
  .strict()
  .superRefine((layer, ctx) => {
    for (const problem of restrictionOverlaps(layer.restrictions ?? [])) ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of overrideOverlaps(layer.overrides)) ctx.addIssue({ code: 'custom', ...problem });
  });
export type OnCallLayer = z.infer<typeof LayerSchema>;

export const OnCallScheduleSchema = z
  .object({
    id,
    name: z.string().min(1, 'expected a name'),
    description: z.string().optional(),
    timeZone: TimeZoneText.optional().describe('the time zone of every rotation that names none'),
    layers: z.array(LayerSchema).min(1, 'expected at least one layer, e.g. primary').describe('in paging order: primary first'),
  })
  .strict()
  .superRefine((schedule, ctx) => {
    const layerIds = new Map<string, number>();
    const people = new Map<string, { person: Person; path: (string | number)[] }>();
    schedule.layers.forEach((layer, i) => {
      const first = layerIds.get(layer.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['layers', i, 'id'], message: `layer id '${layer.id}' is already used by layers[${first}]` });
      else layerIds.set(layer.id, i);
      if (layer.rotation.timeZone === undefined && schedule.timeZone === undefined) {
        ctx.addIssue({ code: 'custom', path: ['layers', i, 'rotation', 'timeZone'], message: "missing; give the rotation's time zone, or a timeZone for the whole schedule" });
      }
      layer.people.forEach((person, j) => {
        const path = ['layers', i, 'people', j];
        const known = people.get(person.id);
        if (known === undefined) people.set(person.id, { person, path });
        else if (!samePerson(known.person, person)) {
          ctx.addIssue({ code: 'custom', path, message: `person '${person.id}' differs from ${describePath(known.path)}; give one person the same name, email, slack and pagerKey everywhere (a YAML anchor helps)` });
        }
      });
    });
    schedule.layers.forEach((layer, i) => {
      layer.overrides.forEach((override, j) => {
        const path = ['layers', i, 'overrides', j, 'person'];
        if (typeof override.person === 'string') {
          if (!people.has(override.person)) {
            const known = [...people.keys()];
            ctx.addIssue({
              code: 'custom', path,
              message: `unknown person '${override.person}'; expected one of ${known.length > 0 ? known.join(', ') : '(nobody: this schedule has no people)'}, or a person { id, name, ... }`,
            });
          }
        } else {
          const known = people.get(override.person.id);
          if (known !== undefined && !samePerson(known.person, override.person)) {
            ctx.addIssue({ code: 'custom', path, message: `person '${override.person.id}' differs from ${describePath(known.path)}; give just the id '${override.person.id}'` });
          }
        }
      });
    });
  });
export type OnCallSchedule = z.infer<typeof OnCallScheduleSchema>;

/** The on-call part of a configuration file: `schedules: [...]`. */
export const OnCallConfigSchema = z
  .object({
    schedules: z.array(OnCallScheduleSchema).min(1, 'expected at least one schedule'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.schedules.forEach((schedule, i) => {
      const first = seen.get(schedule.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['schedules', i, 'id'], message: `schedule id '${schedule.id}' is already used by schedules[${first}]` });
      else seen.set(schedule.id, i);
    });
  });
export type OnCallConfig = z.infer<typeof OnCallConfigSchema>;

/**
 * Parses on-call configuration (what a YAML or JSON file holds) and says what is wrong, one line
 * per problem with the path of the bad field:
 *
 *   schedules[0].layers[1].overrides[0].person: unknown person 'engineer-e'; expected one of ...
 */
export function parseOnCallConfig(value: unknown): { ok: true; config: OnCallConfig } | { ok: false; problems: string[] } {
  const result = OnCallConfigSchema.safeParse(value);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: describeIssues(result.error.issues) };
}

function describeIssues(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union') {
      // The alternative with the fewest problems is the one the author meant.
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0];
      if (closest && closest.length > 0 && !closest.every((i) => i.code === 'invalid_type' && i.path.length === 0)) return describeIssues(closest, path);
    }
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${describePath([...path, key])}: unknown key`);
    const message = issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? `missing; expected ${issue.expected}` : issue.message;
    return [`${path.length > 0 ? `${describePath(path)}: ` : ''}${message.replace(/^Invalid input: /, '')}`];
  });
}

/** `schedules[0].layers[1].rotation.start`. */
function describePath(path: readonly PropertyKey[]): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`)).join('');
}

function samePerson(a: Person, b: Person): boolean {
  return a.name === b.name && a.email === b.email && a.slack === b.slack && a.pagerKey === b.pagerKey;
}

interface Problem {
  path: (string | number)[];
  message: string;
}

/** Restriction windows of one layer that overlap, on the circle of the week (sun 22:00-02:00 meets mon). */
function restrictionOverlaps(windows: readonly Restriction[]): Problem[] {
  const spans: { index: number; day: Weekday; text: string; start: number; end: number }[] = [];
  windows.forEach((window, index) => {
    const start = minuteOfDay(window.start);
    const end = minuteOfDay(window.end);
    if (start === undefined || end === undefined || start === end) return;
    const length = end > start ? end - start : end + MINUTES_PER_DAY - start;
    for (const day of new Set(window.days)) {
      const weekStart = WEEKDAY_NAMES.indexOf(day) * MINUTES_PER_DAY + start;
      const text = `${day} ${window.start}-${window.end}`;
      // A window over sunday midnight is split so that every span lies within the week.
      const weekEnd = weekStart + length;
      if (weekEnd <= MINUTES_PER_WEEK) spans.push({ index, day, text, start: weekStart, end: weekEnd });
      else {
        spans.push({ index, day, text, start: weekStart, end: MINUTES_PER_WEEK });
        spans.push({ index, day, text, start: 0, end: weekEnd - MINUTES_PER_WEEK });
      }
    }
  });
  spans.sort((a, b) => a.start - b.start || a.index - b.index);
  const problems: Problem[] = [];
  const reported = new Set<string>();
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length && spans[j]!.start < spans[i]!.end; j++) {
      const [first, second] = spans[i]!.index <= spans[j]!.index ? [spans[i]!, spans[j]!] : [spans[j]!, spans[i]!];
      const key = `${first.text}|${second.text}`;
      if (reported.has(key) || (first.index === second.index && first.day === second.day)) continue;
      reported.add(key);
      problems.push({
        path: ['restrictions', second.index],
        message: `${second.text} overlaps restrictions[${first.index}] (${first.text}); the windows of one layer must not overlap`,
      });
    }
  }
  return problems;
}

/** Overrides of one layer whose ranges overlap: which person would be on call is then a guess. */
function overrideOverlaps(overrides: readonly Override[]): Problem[] {
  const ranges = overrides
    .map((override, index) => ({ index, override, from: parseInstant(override.from), to: parseInstant(override.to) }))
    .filter((r): r is typeof r & { from: number; to: number } => r.from !== undefined && r.to !== undefined && r.from < r.to)
    .sort((a, b) => a.from - b.from || a.index - b.index);
  const problems: Problem[] = [];
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length && ranges[j]!.from < ranges[i]!.to; j++) {
      const [first, second] = ranges[i]!.index < ranges[j]!.index ? [ranges[i]!, ranges[j]!] : [ranges[j]!, ranges[i]!];
      problems.push({
        path: ['overrides', second.index],
        message: `${second.override.from}..${second.override.to} overlaps overrides[${first.index}] (${first.override.from}..${first.override.to}); split them so that one person covers each moment`,
      });
    }
  }
  return problems;
}

