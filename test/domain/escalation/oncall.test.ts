import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OnCallSchedule } from '../../../domain/escalation/oncall-schema.js';
import { OnCallScheduleSchema } from '../../../domain/escalation/oncall-schema.js';
import type { Shift } from '../../../domain/escalation/oncall.js';
import { nextHandoff, pagerKeyFor, shifts, whoIsOnCall } from '../../../domain/escalation/oncall.js';
import { fromLocal, offsetAt, toLocal } from '../../../domain/sla/zoned-time.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const NEW_YORK = 'America/New_York';

const A = { id: 'engineer-a', name: 'Engineer A' };
const B = { id: 'engineer-b', name: 'Engineer B' };
const C = { id: 'engineer-c', name: 'Engineer C' };
const D = { id: 'engineer-d', name: 'Engineer D' };

/** A schedule with one layer 'primary' (plus any others), parsed with the schema as configuration would be. */
function schedule(primary: Record<string, unknown>, ...others: Record<string, unknown>[]): OnCallSchedule {
  return OnCallScheduleSchema.parse({ id: 'engineering', name: 'Engineering on-call', timeZone: NEW_YORK, layers: [{ id: 'primary', ...primary }, ...others] });
}

/** SIGN X: "Primary On-Call: 24/7 coverage - Week 1: Engineer A ... Week 4: Engineer D", Monday 09:00 New York. */
const signx = (extra: Record<string, unknown> = {}): OnCallSchedule => schedule({
  rotation: { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-01-05' },
  people: [A, B, C, D],
  ...extra,
});

/** The instant a New York wall clock (or `timeZone`'s) shows 'YYYY-MM-DD HH:MM'. */
function at(text: string, timeZone = NEW_YORK): number {
  const [year, month, day, hour, minute] = text.split(/[- :]/).map(Number) as [number, number, number, number, number];
  return fromLocal({ year, month, day, hour, minute }, timeZone);
}

/** 'YYYY-MM-DD HH:MM' as New York's (or `timeZone`'s) wall clock shows `instant`. */
function wall(instant: number, timeZone = NEW_YORK): string {
  const l = toLocal(instant, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${l.year}-${two(l.month)}-${two(l.day)} ${two(l.hour)}:${two(l.minute)}`;
}

/** Shifts as 'person start..end' in New York wall time, to read like a rota. */
function rota(list: readonly Shift[], timeZone = NEW_YORK): string[] {
  return list.map((s) => `${s.person.id} ${wall(s.start, timeZone)}..${wall(s.end, timeZone)}${s.via === 'override' ? ' (override)' : ''}`);
}

function onCall(s: OnCallSchedule, layer: string, instant: number): string {
  const answer = whoIsOnCall(s, layer, instant);
  return answer.person?.id ?? `nobody: ${'reason' in answer ? answer.reason : ''}`;
}

describe('a weekly rotation: SIGN X primary on-call', () => {
  test('Week 1: Engineer A ... Week 4: Engineer D, then Engineer A again', () => {
    const s = signx();
    assert.deepEqual(rota(shifts(s, 'primary', at('2026-01-05 09:00'), at('2026-02-09 09:00'))), [
      'engineer-a 2026-01-05 09:00..2026-01-12 09:00',
      'engineer-b 2026-01-12 09:00..2026-01-19 09:00',
      'engineer-c 2026-01-19 09:00..2026-01-26 09:00',
      'engineer-d 2026-01-26 09:00..2026-02-02 09:00',
      'engineer-a 2026-02-02 09:00..2026-02-09 09:00',
    ]);
  });

  test('the handoff is exact to the millisecond: 08:59:59.999 is still last week\'s engineer', () => {
    const s = signx();
    const handoff = at('2026-01-12 09:00');
    assert.equal(onCall(s, 'primary', handoff - 1), 'engineer-a');
    assert.equal(onCall(s, 'primary', handoff), 'engineer-b');
  });

  test('whoIsOnCall gives the whole shift', () => {
    const answer = whoIsOnCall(signx(), 'primary', at('2026-01-14 03:00'));
    assert.ok(answer.person);
    assert.deepEqual([wall(answer.shift.start), wall(answer.shift.end), answer.shift.via], ['2026-01-12 09:00', '2026-01-19 09:00', 'rotation']);
  });

  test('before the rotation starts nobody is on call', () => {
    assert.equal(onCall(signx(), 'primary', at('2026-01-05 08:59')), 'nobody: not-started');
    assert.deepEqual(rota(shifts(signx(), 'primary', at('2026-01-01 00:00'), at('2026-01-06 00:00'))), ['engineer-a 2026-01-05 09:00..2026-01-12 09:00']);
  });

  test('a shift that began before the range asked for keeps its start', () => {
    assert.deepEqual(rota(shifts(signx(), 'primary', at('2026-01-14 00:00'), at('2026-01-14 00:01'))), ['engineer-b 2026-01-12 09:00..2026-01-19 09:00']);
    assert.deepEqual(shifts(signx(), 'primary', at('2026-01-14 00:00'), at('2026-01-14 00:00')), []);
  });

  test('an unknown layer is refused with the layers there are', () => {
    assert.throws(() => whoIsOnCall(signx(), 'tertiary', 0), /unknown on-call layer 'tertiary' in schedule 'engineering'; expected one of primary/);
  });
});

describe('handoffs across the clock changes (America/New_York, 2026-03-08 and 2026-11-01)', () => {
  test('a weekly Monday 09:00 handoff stays at 09:00 local: the week of spring-forward is 7 days less an hour', () => {
    const list = shifts(signx(), 'primary', at('2026-03-03 00:00'), at('2026-03-10 00:00'));
    assert.deepEqual(rota(list), ['engineer-a 2026-03-02 09:00..2026-03-09 09:00', 'engineer-b 2026-03-09 09:00..2026-03-16 09:00']);
    assert.equal(list[0]!.start, Date.UTC(2026, 2, 2, 14)); // 09:00 EST
    assert.equal(list[0]!.end, Date.UTC(2026, 2, 9, 13)); // 09:00 EDT
    assert.equal(list[0]!.end - list[0]!.start, 7 * DAY - HOUR);
  });

  test('and the week of fall-back is 7 days and an hour', () => {
    const [shift] = shifts(signx(), 'primary', at('2026-10-28 00:00'), at('2026-10-28 00:01'));
    assert.deepEqual([shift!.start, shift!.end], [Date.UTC(2026, 9, 26, 13), Date.UTC(2026, 10, 2, 14)]);
    assert.equal(shift!.end - shift!.start, 7 * DAY + HOUR);
  });

  test('a daily 02:30 handoff on spring-forward day, when 02:30 never happens, is at 03:30 EDT', () => {
    const s = schedule({ rotation: { every: 'daily', handoff: '02:30', start: '2026-03-01' }, people: [A, B] });
    const list = shifts(s, 'primary', at('2026-03-07 12:00'), at('2026-03-09 12:00'));
    assert.deepEqual(list.map((x) => [new Date(x.start).toISOString(), (x.end - x.start) / HOUR]), [
      ['2026-03-07T07:30:00.000Z', 24],
      ['2026-03-08T07:30:00.000Z', 23], // 03:30 EDT until 02:30 EDT the next day
      ['2026-03-09T06:30:00.000Z', 24],
    ]);
  });

  test('a daily 01:30 handoff on fall-back day, when 01:30 happens twice, is at the first 01:30', () => {
    const s = schedule({ rotation: { every: 'daily', handoff: '01:30', start: '2026-10-01' }, people: [A, B] });
    const list = shifts(s, 'primary', at('2026-10-31 12:00'), at('2026-11-02 00:00'));
    assert.deepEqual(list.map((x) => [new Date(x.start).toISOString(), (x.end - x.start) / HOUR]), [
      ['2026-10-31T05:30:00.000Z', 24],
      ['2026-11-01T05:30:00.000Z', 25], // 01:30 EDT until 01:30 EST the next day
    ]);
  });

  test('a 12-hour rotation hands off at 08:00 and 20:00 local on both sides of the change', () => {
    const s = schedule({ rotation: { every: '12h', handoff: '08:00', start: '2026-03-07' }, people: [A, B, C] });
    assert.deepEqual(rota(shifts(s, 'primary', at('2026-03-07 08:00'), at('2026-03-09 08:00'))), [
      'engineer-a 2026-03-07 08:00..2026-03-07 20:00',
      'engineer-b 2026-03-07 20:00..2026-03-08 08:00',
      'engineer-c 2026-03-08 08:00..2026-03-08 20:00',
      'engineer-a 2026-03-08 20:00..2026-03-09 08:00',
    ]);
    const night = shifts(s, 'primary', at('2026-03-08 00:00'), at('2026-03-08 00:01'))[0]!;
    assert.equal(night.end - night.start, 11 * HOUR);
  });

  test('an hourly rotation loses no time in the hour that does not exist: the 01:00 shift runs to 03:00 EDT', () => {
    const s = schedule({ rotation: { every: '1h', handoff: '00:00', start: '2026-03-08' }, people: [A, B, C] });
    assert.deepEqual(rota(shifts(s, 'primary', at('2026-03-08 00:00'), at('2026-03-08 04:00'))), [
      'engineer-a 2026-03-08 00:00..2026-03-08 01:00',
      'engineer-b 2026-03-08 01:00..2026-03-08 03:00',
      // The 02:00 slot (engineer-c's) has no time; the rotation goes on counting slots.
      'engineer-a 2026-03-08 03:00..2026-03-08 04:00',
    ]);
  });

  test('a weekly handoff in another zone follows that zone\'s change (Berlin, 2026-03-29)', () => {
    const s = schedule({ rotation: { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-23', timeZone: 'Europe/Berlin' }, people: [A, B] });
    const [shift] = shifts(s, 'primary', Date.UTC(2026, 2, 25), Date.UTC(2026, 2, 25, 1));
    assert.deepEqual([shift!.start, shift!.end], [Date.UTC(2026, 2, 23, 8), Date.UTC(2026, 2, 30, 7)]);
  });
});

describe('overrides', () => {
  const cover = (from: string, to: string, person: unknown, note?: string) => ({ from: new Date(at(from)).toISOString(), to: new Date(at(to)).toISOString(), person, ...(note ? { note } : {}) });

  test('a partial overlap splits the shift: Engineer C covers two days of Engineer B\'s week', () => {
    const s = signx({ overrides: [cover('2026-01-13 09:00', '2026-01-15 09:00', 'engineer-c', 'conference')] });
    const list = shifts(s, 'primary', at('2026-01-12 09:00'), at('2026-01-19 09:00'));
    assert.deepEqual(rota(list), [
      'engineer-b 2026-01-12 09:00..2026-01-13 09:00',
      'engineer-c 2026-01-13 09:00..2026-01-15 09:00 (override)',
      'engineer-b 2026-01-15 09:00..2026-01-19 09:00',
    ]);
    assert.equal(list[1]!.note, 'conference');
    assert.equal(onCall(s, 'primary', at('2026-01-14 12:00')), 'engineer-c');
  });

  test('an override over a handoff takes the end of one shift and the start of the next', () => {
    const s = signx({ overrides: [cover('2026-01-18 18:00', '2026-01-19 18:00', 'engineer-d')] });
    assert.deepEqual(rota(shifts(s, 'primary', at('2026-01-18 00:00'), at('2026-01-20 00:00'))), [
      'engineer-b 2026-01-12 09:00..2026-01-18 18:00',
      'engineer-d 2026-01-18 18:00..2026-01-19 18:00 (override)',
      'engineer-c 2026-01-19 18:00..2026-01-26 09:00',
    ]);
  });

  test('an override of exactly one shift replaces it whole, and a person outside every rotation can cover', () => {
    const s = signx({ overrides: [cover('2026-01-12 09:00', '2026-01-19 09:00', { id: 'cto', name: 'The CTO' })] });
    assert.deepEqual(rota(shifts(s, 'primary', at('2026-01-12 09:00'), at('2026-01-19 09:00'))), ['cto 2026-01-12 09:00..2026-01-19 09:00 (override)']);
  });

  test('an override before the rotation starts puts someone on call', () => {
    const s = signx({ overrides: [cover('2026-01-04 09:00', '2026-01-05 09:00', 'engineer-d')] });
    assert.equal(onCall(s, 'primary', at('2026-01-04 12:00')), 'engineer-d');
    assert.equal(onCall(s, 'primary', at('2026-01-04 08:00')), 'nobody: not-started');
  });

  test('an override by the secondary\'s people is resolved across layers', () => {
    const s = schedule(
      { rotation: { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-01-05' }, people: [A, B], overrides: [cover('2026-01-06 00:00', '2026-01-07 00:00', 'engineer-c')] },
      { id: 'secondary', rotation: { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-01-05' }, people: [C, D] },
    );
    const answer = whoIsOnCall(s, 'primary', at('2026-01-06 12:00'));
    assert.deepEqual(answer.person, C);
  });
});

describe('restrictions: hours of the week a layer is on', () => {
  const lead = (extra: Record<string, unknown> = {}) => schedule({
    rotation: { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-01-05' },
    people: [A, B],
    restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }],
    ...extra,
  });

  test('weekdays 08:00-18:00: a Saturday page finds nobody, for the restriction', () => {
    assert.equal(onCall(lead(), 'primary', at('2026-01-10 12:00')), 'nobody: restricted');
    assert.equal(onCall(lead(), 'primary', at('2026-01-09 17:59')), 'engineer-a');
    assert.equal(onCall(lead(), 'primary', at('2026-01-09 18:00')), 'nobody: restricted');
  });

  test('a week of shifts is clipped to the working days, and split where the rotation hands off', () => {
    assert.deepEqual(rota(shifts(lead(), 'primary', at('2026-01-09 00:00'), at('2026-01-13 00:00'))), [
      'engineer-a 2026-01-09 08:00..2026-01-09 18:00',
      'engineer-a 2026-01-12 08:00..2026-01-12 09:00',
      'engineer-b 2026-01-12 09:00..2026-01-12 18:00',
    ]);
  });

  test('restricted hours stay at 08:00-18:00 local across spring-forward', () => {
    const list = shifts(lead(), 'primary', at('2026-03-06 00:00'), at('2026-03-10 00:00'));
    assert.deepEqual(list.map((x) => new Date(x.start).toISOString()), ['2026-03-06T13:00:00.000Z', '2026-03-09T12:00:00.000Z', '2026-03-09T13:00:00.000Z']);
    assert.deepEqual(rota(list).map((r) => r.split(' ').slice(1).join(' ')), ['2026-03-06 08:00..2026-03-06 18:00', '2026-03-09 08:00..2026-03-09 09:00', '2026-03-09 09:00..2026-03-09 18:00']);
  });

  test('an overnight window (Friday 18:00 to Saturday 08:00) and the weekend join into one stretch', () => {
    const s = lead({ restrictions: [{ days: ['fri'], start: '18:00', end: '08:00' }, { days: ['sat'], start: '08:00', end: '24:00' }, { days: ['sun'], start: '00:00', end: '24:00' }] });
    assert.deepEqual(rota(shifts(s, 'primary', at('2026-01-09 00:00'), at('2026-01-12 00:00'))), [
      'engineer-a 2026-01-09 18:00..2026-01-12 00:00',
    ]);
    assert.equal(onCall(s, 'primary', at('2026-01-12 00:00')), 'nobody: restricted');
  });

  test('a window over Sunday midnight runs into Monday', () => {
    const s = lead({ restrictions: [{ days: ['sun'], start: '22:00', end: '02:00' }] });
    assert.equal(onCall(s, 'primary', at('2026-01-12 01:59')), 'engineer-a');
    assert.equal(onCall(s, 'primary', at('2026-01-12 02:00')), 'nobody: restricted');
  });

  test('an override changes who, not when: outside the hours nobody is on call', () => {
    const s = lead({ overrides: [{ from: '2026-01-09T00:00:00Z', to: '2026-01-11T00:00:00Z', person: 'engineer-b' }] });
    assert.deepEqual(rota(shifts(s, 'primary', at('2026-01-08 12:00'), at('2026-01-11 00:00'))), [
      'engineer-a 2026-01-08 08:00..2026-01-08 18:00',
      'engineer-b 2026-01-09 08:00..2026-01-09 18:00 (override)',
    ]);
    assert.equal(onCall(s, 'primary', at('2026-01-09 20:00')), 'nobody: restricted');
  });
});

describe('empty layers', () => {
  const empty = schedule({ rotation: { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-01-05' } });

  test('a layer without people has nobody on call, for being empty', () => {
    assert.equal(onCall(empty, 'primary', at('2026-02-02 12:00')), 'nobody: empty');
    assert.deepEqual(shifts(empty, 'primary', at('2026-01-01 00:00'), at('2027-01-01 00:00')), []);
    assert.equal(nextHandoff(empty, 'primary', at('2026-02-02 12:00')), undefined);
  });

  test('an override fills an empty layer for its time', () => {
    const s = schedule({ rotation: { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-01-05' }, overrides: [{ from: '2026-02-03T00:00:00Z', to: '2026-02-04T00:00:00Z', person: { id: 'cto', name: 'The CTO' } }] });
    assert.equal(onCall(s, 'primary', Date.UTC(2026, 1, 3, 12)), 'cto');
    assert.deepEqual(nextHandoff(s, 'primary', Date.UTC(2026, 1, 1)), { at: Date.UTC(2026, 1, 3), from: undefined, to: { id: 'cto', name: 'The CTO' } });
  });
});

describe('the next handoff', () => {
  test('the next Monday 09:00, from this week\'s engineer to the next', () => {
    const next = nextHandoff(signx(), 'primary', at('2026-03-04 12:00'));
    assert.deepEqual(next && [wall(next.at), next.from?.id, next.to?.id], ['2026-03-09 09:00', 'engineer-a', 'engineer-b']);
    assert.equal(next?.at, Date.UTC(2026, 2, 9, 13));
  });

  test('at a handoff, the next one is a week later', () => {
    const next = nextHandoff(signx(), 'primary', at('2026-03-09 09:00'));
    assert.equal(next && wall(next.at), '2026-03-16 09:00');
  });

  test('overrides and restrictions are handoffs too; a handoff to the same person is none', () => {
    const s = schedule({
      rotation: { every: 'daily', handoff: '09:00', start: '2026-01-05' },
      people: [A],
      restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }],
      overrides: [{ from: '2026-01-06T15:00:00Z', to: '2026-01-06T16:00:00Z', person: { id: 'cto', name: 'The CTO' } }],
    });
    const steps: string[] = [];
    let t = at('2026-01-06 08:30');
    for (let i = 0; i < 5; i++) {
      const next = nextHandoff(s, 'primary', t)!;
      steps.push(`${wall(next.at)} ${next.from?.id ?? 'nobody'} -> ${next.to?.id ?? 'nobody'}`);
      t = next.at;
    }
    assert.deepEqual(steps, [
      '2026-01-06 10:00 engineer-a -> cto',
      '2026-01-06 11:00 cto -> engineer-a',
      '2026-01-06 18:00 engineer-a -> nobody',
      '2026-01-07 08:00 nobody -> engineer-a',
      '2026-01-07 18:00 engineer-a -> nobody',
    ]);
  });

  test('a one-person round-the-clock layer never hands off, within the horizon asked for', () => {
    const s = schedule({ rotation: { every: 'daily', handoff: '09:00', start: '2026-01-05' }, people: [A] });
    assert.equal(nextHandoff(s, 'primary', at('2026-01-06 12:00')), undefined);
    const withOverride = schedule({ rotation: { every: 'daily', handoff: '09:00', start: '2026-01-05' }, people: [A], overrides: [{ from: '2026-06-01T00:00:00Z', to: '2026-06-02T00:00:00Z', person: { id: 'cto', name: 'The CTO' } }] });
    assert.equal(nextHandoff(withOverride, 'primary', at('2026-01-06 12:00'))?.at, Date.UTC(2026, 5, 1));
    assert.equal(nextHandoff(withOverride, 'primary', at('2026-01-06 12:00'), 30 * DAY), undefined);
  });
});

describe('pager keys', () => {
  test("a person's own pager key, else the layer's: names only", () => {
    const s = schedule({ rotation: { every: 'daily', handoff: '09:00', start: '2026-01-05' }, pagerKey: 'signx-primary', people: [A, { ...B, pagerKey: 'engineer-b-phone' }] });
    assert.equal(pagerKeyFor(s, 'primary', s.layers[0]!.people[0]!), 'signx-primary');
    assert.equal(pagerKeyFor(s, 'primary', s.layers[0]!.people[1]!), 'engineer-b-phone');
  });
});

describe('properties over random schedules, zones and ranges', () => {
  const ZONES = [NEW_YORK, 'Europe/Berlin', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kolkata', 'UTC'];
  const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
  const BASE = Date.UTC(2026, 0, 1);
  const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const iso = (ms: number) => new Date(ms).toISOString();

  const arbitrarySchedule = fc
    .record({
      timeZone: fc.constantFrom(...ZONES),
      every: fc.constantFrom('daily', 'weekly', '2d', '2w', '12h', '8h', '1h'),
      handoff: fc.integer({ min: 0, max: 24 * 60 - 1 }),
      startDay: fc.integer({ min: 0, max: 300 }),
      people: fc.integer({ min: 0, max: 4 }),
      overrides: fc.array(fc.tuple(fc.integer({ min: 0, max: 400 * 24 }), fc.integer({ min: 1, max: 72 })), { maxLength: 4 }),
      restrictions: fc.option(fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1438 }), fc.integer({ min: 1, max: 1440 })), { selector: (w) => w[0], minLength: 1, maxLength: 7 })),
    })
    .map((r): OnCallSchedule => {
      const start = new Date(BASE + r.startDay * DAY).toISOString().slice(0, 10);
      const weekly = r.every === 'weekly' || r.every === '2w';
      const weekday = WEEKDAY_NAMES[(new Date(start).getUTCDay() + 6) % 7]!;
      const people = [A, B, C, D].slice(0, r.people);
      // Overrides laid end to end from their offsets, so they never overlap.
      let cursor = BASE;
      const overrides = [...r.overrides].sort((x, y) => x[0] - y[0]).map(([gapHours, hours]) => {
        const from = cursor + gapHours * HOUR;
        cursor = from + hours * HOUR;
        return { from: iso(from), to: iso(cursor), person: { id: 'stand-in', name: 'Stand-in' } };
      });
      const restrictions = r.restrictions?.map(([day, startMinute, length]) => ({
        days: [WEEKDAY_NAMES[day]!], start: hhmm(startMinute), end: hhmm(Math.min(24 * 60, startMinute + Math.min(length, 24 * 60 - startMinute))),
      })).filter((w) => w.start !== w.end);
      return OnCallScheduleSchema.parse({
        id: 'random',
        name: 'Random',
        layers: [{
          id: 'primary',
          rotation: { every: r.every, handoff: hhmm(r.handoff), start, timeZone: r.timeZone, ...(weekly ? { handoffDay: weekday } : {}) },
          people,
          overrides,
          ...(restrictions && restrictions.length > 0 ? { restrictions } : {}),
        }],
      });
    });
  const range = fc.tuple(fc.integer({ min: 0, max: 420 * DAY }), fc.integer({ min: 1, max: 20 * DAY })).map(([offset, length]) => [BASE + offset, BASE + offset + length] as const);

  test('shifts are sorted, disjoint and non-empty, and each overlaps the range', () => {
    fc.assert(fc.property(arbitrarySchedule, range, (s, [from, to]) => {
      const list = shifts(s, 'primary', from, to);
      list.forEach((shift, i) => {
        assert.ok(shift.start < shift.end, 'a shift has time');
        assert.ok(shift.end > from && shift.start < to, 'a shift overlaps the range');
        if (i > 0) assert.ok(list[i - 1]!.end <= shift.start, 'shifts do not overlap');
      });
    }), { numRuns: 150 });
  });

  test('whoIsOnCall agrees with shifts at every moment, and gives a reason when nobody is on call', () => {
    fc.assert(fc.property(arbitrarySchedule, range, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }), (s, [from, to], fractions) => {
      const list = shifts(s, 'primary', from, to);
      for (const f of fractions) {
        const t = Math.min(to - 1, from + Math.floor(f * (to - from)));
        const expected = list.find((x) => x.start <= t && t < x.end);
        const answer = whoIsOnCall(s, 'primary', t);
        if (expected) assert.deepEqual(answer, { person: expected.person, shift: expected });
        else assert.ok(answer.person === undefined && ['restricted', 'empty', 'not-started'].includes(answer.reason));
      }
    }), { numRuns: 150 });
  });

  test('shifts do not depend on the range they were asked for: [a, c) is [a, b) and [b, c) joined', () => {
    fc.assert(fc.property(arbitrarySchedule, range, fc.double({ min: 0, max: 1, noNaN: true }), (s, [from, to], f) => {
      const middle = from + Math.floor(f * (to - from));
      const whole = shifts(s, 'primary', from, to);
      const joined = [...shifts(s, 'primary', from, middle), ...shifts(s, 'primary', middle, to)];
      const unique = joined.filter((x, i) => i === 0 || x.start !== joined[i - 1]!.start);
      assert.deepEqual(unique, whole);
    }), { numRuns: 100 });
  });

  test('a rotation without overrides or restrictions hands off at its local time, or just after a gap', () => {
    fc.assert(fc.property(arbitrarySchedule, range, (s, [from, to]) => {
      const layer = s.layers[0]!;
      if (layer.people.length === 0 || layer.restrictions) return;
      const plain: OnCallSchedule = { ...s, layers: [{ ...layer, overrides: [] }] };
      const [h, m] = layer.rotation.handoff.split(':').map(Number) as [number, number];
      const step = layer.rotation.every.endsWith('h') ? Number(layer.rotation.every.slice(0, -1)) * 60 : 24 * 60;
      for (const shift of shifts(plain, 'primary', from, to)) {
        const local = toLocal(shift.start, layer.rotation.timeZone!);
        const minute = local.hour * 60 + local.minute;
        const onGrid = (((minute - (h * 60 + m)) % step) + step) % step === 0;
        // Only a handoff that fell into a spring-forward gap is moved, by the gap (an hour, or Lord Howe's half hour).
        const zone = layer.rotation.timeZone!;
        const moved = offsetAt(shift.start, zone) > offsetAt(shift.start - 2 * HOUR, zone);
        assert.ok(onGrid || moved, `shift at ${iso(shift.start)} starts at local ${hhmm(minute)}`);
        if (layer.rotation.handoffDay && onGrid) assert.equal(local.weekday, layer.rotation.handoffDay);
      }
    }), { numRuns: 150 });
  });

  test('nextHandoff is the first change after the moment asked about', () => {
    fc.assert(fc.property(arbitrarySchedule, range, (s, [from]) => {
      const next = nextHandoff(s, 'primary', from, 30 * DAY);
      const before = whoIsOnCall(s, 'primary', from).person?.id;
      if (next === undefined) {
        for (const shift of shifts(s, 'primary', from, from + 30 * DAY)) assert.equal(shift.person.id, before);
        return;
      }
      assert.ok(next.at > from);
      assert.equal(next.from?.id, before);
      assert.equal(whoIsOnCall(s, 'primary', next.at - 1).person?.id, before);
      assert.equal(whoIsOnCall(s, 'primary', next.at).person?.id, next.to?.id);
      assert.notEqual(next.from?.id, next.to?.id);
      for (const shift of shifts(s, 'primary', from, next.at)) assert.equal(shift.person.id, before);
    }), { numRuns: 150 });
  });
});
