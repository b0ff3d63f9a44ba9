import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { OnCallConfigSchema, parseOnCallConfig } from '../../../domain/escalation/oncall-schema.js';
import { parseInstant, rotationPeriod } from '../../../domain/escalation/oncall-values.js';
import { whoIsOnCall } from '../../../domain/escalation/oncall.js';

const EXAMPLE = new URL('../../../policies/oncall.example.yaml', import.meta.url);

/** A one-schedule configuration with a weekly primary layer; `change` edits it before parsing. */
function config(change: (c: { schedules: [Record<string, unknown> & { layers: Record<string, unknown>[] }] }) => void = () => {}): unknown {
  const c = {
    schedules: [
      {
        id: 'engineering',
        name: 'Engineering on-call',
        timeZone: 'America/New_York',
        layers: [
          {
            id: 'primary',
            rotation: { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-01-05' },
            people: [
              { id: 'engineer-a', name: 'Engineer A' },
              { id: 'engineer-b', name: 'Engineer B' },
            ],
          },
        ],
      },
    ],
  } as { schedules: [Record<string, unknown> & { layers: Record<string, unknown>[] }] };
  change(c);
  return c;
}

function problems(value: unknown): string[] {
  const result = parseOnCallConfig(value);
  assert.equal(result.ok, false, 'expected the configuration to be refused');
  return result.ok ? [] : result.problems;
}

function layer(c: { schedules: [{ layers: Record<string, unknown>[] }] }, i = 0): Record<string, unknown> {
  return c.schedules[0].layers[i]!;
}

describe('the SIGN X example schedule (policies/oncall.example.yaml)', () => {
  const parsed = parseOnCallConfig(parse(readFileSync(EXAMPLE, 'utf8')));

  test('parses with the on-call schema', () => {
    assert.deepEqual(parsed.ok ? [] : parsed.problems, []);
  });

  test('has the seed\'s four-week primary rotation (Week 1: Engineer A ... Week 4: Engineer D), a secondary and a lead', () => {
    assert.ok(parsed.ok);
    const schedule = parsed.config.schedules[0]!;
    assert.deepEqual(schedule.layers.map((l) => l.id), ['primary', 'secondary', 'lead']);
    const primary = schedule.layers[0]!;
    assert.deepEqual(primary.people.map((p) => p.name), ['Engineer A', 'Engineer B', 'Engineer C', 'Engineer D']);
    assert.equal(primary.rotation.every, 'weekly');
    // Week 1 from Monday 2026-01-05 09:00 New York is Engineer A's; week 5 is A's again.
    assert.equal(whoIsOnCall(schedule, 'primary', Date.UTC(2026, 0, 5, 14)).person?.id, 'engineer-a');
    assert.equal(whoIsOnCall(schedule, 'primary', Date.UTC(2026, 0, 26, 14)).person?.id, 'engineer-d');
    assert.equal(whoIsOnCall(schedule, 'primary', Date.UTC(2026, 1, 2, 14)).person?.id, 'engineer-a');
    assert.ok(schedule.layers[2]!.restrictions, 'the lead layer is on in business hours only');
  });

  test('names pager keys and never holds one', () => {
    assert.ok(parsed.ok);
    for (const l of parsed.config.schedules[0]!.layers) assert.match(l.pagerKey ?? '', /^signx-[a-z]+$/);
  });
});

describe('rotations', () => {
  test('a valid configuration parses and keeps its text as written', () => {
    const result = OnCallConfigSchema.parse(config());
    assert.equal(result.schedules[0]!.layers[0]!.rotation.start, '2026-01-05');
    assert.deepEqual(result.schedules[0]!.layers[0]!.overrides, []);
  });

  test('every: daily, weekly, whole days or weeks, and hours that divide a day', () => {
    assert.deepEqual(rotationPeriod('daily'), { kind: 'days', days: 1 });
    assert.deepEqual(rotationPeriod('2w'), { kind: 'days', days: 14 });
    assert.deepEqual(rotationPeriod('12h'), { kind: 'hours', hours: 12, perDay: 2 });
    for (const bad of ['5h', '36h', '90m', '0s', 'fortnightly', '']) assert.equal(rotationPeriod(bad), undefined, bad);
    assert.deepEqual(problems(config((c) => { (layer(c).rotation as Record<string, unknown>).every = '5h'; })), [
      'schedules[0].layers[0].rotation.every: "5h": expected daily, weekly, whole days or weeks (2d, 2w) or hours that divide a day (1h, 2h, 3h, 4h, 6h, 8h, 12h)',
    ]);
  });

  test('a weekly rotation needs its handoff weekday, and starts on it', () => {
    assert.deepEqual(problems(config((c) => { delete (layer(c).rotation as Record<string, unknown>).handoffDay; })), [
      'schedules[0].layers[0].rotation.handoffDay: missing; a rotation of whole weeks (every: weekly) hands off on a weekday: give one of mon, tue, wed, thu, fri, sat, sun',
    ]);
    assert.deepEqual(problems(config((c) => { (layer(c).rotation as Record<string, unknown>).start = '2026-01-07'; })), [
      'schedules[0].layers[0].rotation.start: 2026-01-07 is a wed, but the rotation hands off on mon; start on a mon, e.g. 2026-01-05',
    ]);
  });

  test('a daily rotation has no handoff weekday', () => {
    assert.deepEqual(problems(config((c) => { (layer(c).rotation as Record<string, unknown>).every = 'daily'; })), [
      'schedules[0].layers[0].rotation.handoffDay: a rotation every daily hands off every 1 day(s), not on a weekday; remove handoffDay or rotate weekly',
    ]);
  });

  test('handoff times, dates and time zones are checked with the value in the message', () => {
    const found = problems(config((c) => {
      Object.assign(layer(c).rotation as Record<string, unknown>, { handoff: '9:00', start: '2026-02-30', timeZone: 'America/NewYork' });
    }));
    assert.deepEqual(found, [
      "schedules[0].layers[0].rotation.handoff: expected a local time 'HH:MM' from 00:00 to 23:59",
      'schedules[0].layers[0].rotation.timeZone: unknown time zone "America/NewYork"; use an IANA name such as America/New_York or UTC',
      'schedules[0].layers[0].rotation.start: "2026-02-30" is not a date; write YYYY-MM-DD, e.g. 2026-01-05',
    ]);
  });

  test('a rotation without a time zone, in a schedule without one, is refused', () => {
    assert.deepEqual(problems(config((c) => { delete c.schedules[0].timeZone; })), [
      "schedules[0].layers[0].rotation.timeZone: missing; give the rotation's time zone, or a timeZone for the whole schedule",
    ]);
  });

  test('a missing field says it is missing, and an unknown key is named', () => {
    assert.deepEqual(problems(config((c) => { delete (layer(c).rotation as Record<string, unknown>).handoff; layer(c).color = 'red'; })), [
      "schedules[0].layers[0].rotation.handoff: missing; expected a local time 'HH:MM' (quote it in YAML)",
      'schedules[0].layers[0].color: unknown key',
    ]);
  });

  test('layer and schedule ids are unique', () => {
    assert.deepEqual(problems(config((c) => { c.schedules[0].layers.push({ ...layer(c) }); })), [
      "schedules[0].layers[1].id: layer id 'primary' is already used by layers[0]",
    ]);
    const again = problems(config((c) => { (c.schedules as unknown[]).push(structuredClone(c.schedules[0])); }));
    assert.deepEqual(again, ["schedules[1].id: schedule id 'engineering' is already used by schedules[0]"]);
  });
});

describe('people and pager keys', () => {
  test('a pager key that looks like the integration key itself is refused', () => {
    const found = problems(config((c) => {
      (layer(c).people as Record<string, unknown>[])[0]!.pagerKey = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4';
    }));
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^schedules\[0\]\.layers\[0\]\.people\[0\]\.pagerKey: this looks like an integration key itself; keys are secrets/);
  });

  test('an email is checked', () => {
    assert.deepEqual(problems(config((c) => { (layer(c).people as Record<string, unknown>[])[0]!.email = 'engineer-a'; })), [
      'schedules[0].layers[0].people[0].email: expected an email address such as engineer-a@example.com',
    ]);
  });

  test('one person is the same person in every layer', () => {
    const found = problems(config((c) => {
      c.schedules[0].layers.push({
        id: 'secondary',
        rotation: { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-01-05' },
        people: [{ id: 'engineer-a', name: 'Engineer A', email: 'a@example.com' }],
      });
    }));
    assert.deepEqual(found, [
      "schedules[0].layers[1].people[0]: person 'engineer-a' differs from layers[0].people[0]; give one person the same name, email, slack and pagerKey everywhere (a YAML anchor helps)",
    ]);
  });
});

describe('overrides', () => {
  const override = (o: Record<string, unknown>) => config((c) => { layer(c).overrides = [o]; });

  test('an override names a person of the schedule, by id', () => {
    assert.deepEqual(problems(override({ from: '2026-03-10T13:00:00Z', to: '2026-03-11T13:00:00Z', person: 'engineer-e' })), [
      "schedules[0].layers[0].overrides[0].person: unknown person 'engineer-e'; expected one of engineer-a, engineer-b, or a person { id, name, ... }",
    ]);
  });

  test('someone in no rotation covers with a whole person', () => {
    const result = parseOnCallConfig(override({ from: '2026-03-10T13:00:00Z', to: '2026-03-11T13:00:00Z', person: { id: 'cto', name: 'The CTO' } }));
    assert.ok(result.ok);
  });

  test('a person given whole must match the one of the rotation', () => {
    assert.deepEqual(problems(override({ from: '2026-03-10T13:00:00Z', to: '2026-03-11T13:00:00Z', person: { id: 'engineer-a', name: 'Somebody else' } })), [
      "schedules[0].layers[0].overrides[0].person: person 'engineer-a' differs from layers[0].people[0]; give just the id 'engineer-a'",
    ]);
  });

  test('from and to are instants with a zone, and to comes after from', () => {
    assert.deepEqual(problems(override({ from: '2026-03-10T09:00', to: '2026-03-10T09:00:00Z', person: 'engineer-a' })), [
      'schedules[0].layers[0].overrides[0].from: "2026-03-10T09:00" has no time zone; write an instant with Z or an offset, e.g. "2026-03-10T09:00-04:00"',
    ]);
    assert.deepEqual(problems(override({ from: '2026-03-10T13:00:00Z', to: '2026-03-10T08:00:00-05:00', person: 'engineer-a' })), [
      'schedules[0].layers[0].overrides[0].to: 2026-03-10T08:00:00-05:00 is not after from (2026-03-10T13:00:00Z); an override covers from..to',
    ]);
    assert.deepEqual(problems(override({ from: '2026-02-30T13:00:00Z', to: 20260310, person: 'engineer-a' })), [
      'schedules[0].layers[0].overrides[0].from: "2026-02-30T13:00:00Z" is not an instant; write ISO 8601 with Z or an offset, e.g. "2026-03-09T13:00:00Z"',
      "schedules[0].layers[0].overrides[0].to: expected an instant such as '2026-03-09T13:00:00Z' (quote it in YAML)",
    ]);
  });

  test('overrides of one layer do not overlap', () => {
    const found = problems(config((c) => {
      layer(c).overrides = [
        { from: '2026-03-10T13:00:00Z', to: '2026-03-12T13:00:00Z', person: 'engineer-a' },
        { from: '2026-03-11T13:00:00Z', to: '2026-03-13T13:00:00Z', person: 'engineer-b' },
        { from: '2026-03-12T13:00:00Z', to: '2026-03-14T13:00:00Z', person: 'engineer-a' },
      ];
    }));
    assert.deepEqual(found, [
      'schedules[0].layers[0].overrides[1]: 2026-03-11T13:00:00Z..2026-03-13T13:00:00Z overlaps overrides[0] (2026-03-10T13:00:00Z..2026-03-12T13:00:00Z); split them so that one person covers each moment',
      'schedules[0].layers[0].overrides[2]: 2026-03-12T13:00:00Z..2026-03-14T13:00:00Z overlaps overrides[1] (2026-03-11T13:00:00Z..2026-03-13T13:00:00Z); split them so that one person covers each moment',
    ]);
  });

  test('instants: Z, offsets, fractions; no impossible dates', () => {
    assert.equal(parseInstant('2026-03-09T13:00:00Z'), Date.UTC(2026, 2, 9, 13));
    assert.equal(parseInstant('2026-03-09T09:00-04:00'), Date.UTC(2026, 2, 9, 13));
    assert.equal(parseInstant('2026-03-09T18:30:00.5+05:30'), Date.UTC(2026, 2, 9, 13, 0, 0, 500));
    for (const bad of ['2026-02-29T00:00Z', '2026-03-09T24:00Z', '2026-03-09 13:00Z', '2026-03-09T13:00:00']) assert.equal(parseInstant(bad), undefined, bad);
  });
});

describe('restrictions', () => {
  const restrict = (windows: unknown[]) => config((c) => { layer(c).restrictions = windows; });

  test('weekdays 08:00-18:00 and an overnight window parse', () => {
    assert.ok(parseOnCallConfig(restrict([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }])).ok);
    assert.ok(parseOnCallConfig(restrict([{ days: ['fri'], start: '18:00', end: '08:00' }, { days: ['sat'], start: '08:00', end: '24:00' }])).ok);
  });

  test('overlapping windows are refused, also over midnight and over the end of the week', () => {
    assert.deepEqual(problems(restrict([{ days: ['fri'], start: '18:00', end: '08:00' }, { days: ['sat'], start: '07:00', end: '12:00' }])), [
      'schedules[0].layers[0].restrictions[1]: sat 07:00-12:00 overlaps restrictions[0] (fri 18:00-08:00); the windows of one layer must not overlap',
    ]);
    assert.deepEqual(problems(restrict([{ days: ['sun'], start: '22:00', end: '02:00' }, { days: ['mon'], start: '00:00', end: '08:00' }])), [
      'schedules[0].layers[0].restrictions[1]: mon 00:00-08:00 overlaps restrictions[0] (sun 22:00-02:00); the windows of one layer must not overlap',
    ]);
  });

  test('empty windows, repeated days and no windows at all are refused', () => {
    assert.deepEqual(problems(restrict([{ days: ['mon', 'mon'], start: '08:00', end: '08:00' }])), [
      'schedules[0].layers[0].restrictions[0].end: a window 08:00-08:00 is empty; a whole day is written 00:00-24:00',
      'schedules[0].layers[0].restrictions[0].days[1]: mon is listed twice',
    ]);
    assert.deepEqual(problems(restrict([])), [
      'schedules[0].layers[0].restrictions: expected at least one window; leave restrictions out for a layer that is on around the clock',
    ]);
    assert.deepEqual(problems(restrict([{ days: ['monday'], start: '08:00', end: '25:00' }])), [
      'schedules[0].layers[0].restrictions[0].days[0]: expected a weekday: mon, tue, wed, thu, fri, sat or sun',
      "schedules[0].layers[0].restrictions[0].end: expected a local time 'HH:MM' from 00:00 to 24:00",
    ]);
  });
});
