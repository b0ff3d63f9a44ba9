import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ICAL_LINE_OCTETS, fold, scheduleToICalendar, text, utcDateTime } from '../../../domain/escalation/ical.js';
import type { OnCallSchedule } from '../../../domain/escalation/oncall-schema.js';
import { OnCallScheduleSchema } from '../../../domain/escalation/oncall-schema.js';
import { shifts } from '../../../domain/escalation/oncall.js';

const DTSTAMP = Date.UTC(2026, 0, 1, 12);

/** SIGN X primary on-call, with an override whose note needs escaping and a name that needs folding. */
const signx: OnCallSchedule = OnCallScheduleSchema.parse({
  id: 'signx-engineering',
  name: 'SIGN X engineering on-call',
  timeZone: 'America/New_York',
  layers: [
    {
      id: 'primary',
      name: 'Primary on-call',
      rotation: { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-01-05' },
      people: [
        { id: 'engineer-a', name: 'Engineer A', email: 'engineer-a@signx.example' },
        { id: 'engineer-b', name: 'Engineer B' },
        { id: 'engineer-c', name: 'Zoë Ångström-Kowalczyk, Staff Engineer; Platform \\ Infra 🚨 (nights)' },
        { id: 'engineer-d', name: 'Engineer D' },
      ],
      overrides: [{ from: '2026-03-10T13:00:00Z', to: '2026-03-12T13:00:00Z', person: 'engineer-c', note: 'covering B; conference\nback Thursday' }],
    },
  ],
});

interface Component {
  name: string;
  properties: { name: string; value: string }[];
  components: Component[];
}

/** A small RFC 5545 reader: unfolds lines, splits name and value, nests BEGIN/END. */
function parseICalendar(feed: string): Component {
  assert.ok(feed.endsWith('\r\n'), 'the feed ends with CRLF');
  assert.ok(!/[^\r]\n/.test(feed) && !/\r(?!\n)/.test(feed), 'every line ends with CRLF, never a bare LF or CR');
  const lines = feed.slice(0, -2).replace(/\r\n[ \t]/g, '').split('\r\n');
  const root: Component = { name: '', properties: [], components: [] };
  const stack = [root];
  for (const line of lines) {
    const colon = line.indexOf(':');
    assert.ok(colon > 0, `a content line has a name and a value: ${line}`);
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1);
    const top = stack[stack.length - 1]!;
    if (name === 'BEGIN') {
      const component: Component = { name: value, properties: [], components: [] };
      top.components.push(component);
      stack.push(component);
    } else if (name === 'END') {
      assert.equal(value, top.name, `END:${value} closes BEGIN:${top.name}`);
      stack.pop();
    } else top.properties.push({ name, value });
  }
  assert.equal(stack.length, 1, 'every BEGIN has its END');
  assert.equal(root.components.length, 1);
  return root.components[0]!;
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

function prop(component: Component, name: string): string {
  const found = component.properties.filter((p) => p.name === name);
  assert.equal(found.length, 1, `${component.name} has one ${name}`);
  return found[0]!.value;
}

describe('the on-call schedule as an iCalendar feed', () => {
  const from = Date.UTC(2026, 2, 1);
  const to = Date.UTC(2026, 2, 20);
  const feed = scheduleToICalendar(signx, 'primary', from, to, { dtstamp: DTSTAMP, uidDomain: 'tierline.example' });
  const calendar = parseICalendar(feed);
  const events = calendar.components.filter((c) => c.name === 'VEVENT');
  const expected = shifts(signx, 'primary', from, to);

  test('is a VCALENDAR 2.0 with a PRODID and a name', () => {
    assert.equal(calendar.name, 'VCALENDAR');
    assert.equal(prop(calendar, 'VERSION'), '2.0');
    assert.equal(prop(calendar, 'PRODID'), '-//tierline//on-call//EN');
    assert.equal(prop(calendar, 'METHOD'), 'PUBLISH');
    assert.equal(unescapeText(prop(calendar, 'X-WR-CALNAME')), 'SIGN X engineering on-call: Primary on-call');
  });

  test('holds one event per shift, in UTC, with the DTSTAMP the caller gave', () => {
    assert.equal(events.length, expected.length);
    assert.equal(events.length, 6, 'four weeks and an override that splits one');
    events.forEach((event, i) => {
      assert.equal(prop(event, 'DTSTART'), utcDateTime(expected[i]!.start));
      assert.equal(prop(event, 'DTEND'), utcDateTime(expected[i]!.end));
      assert.equal(prop(event, 'DTSTAMP'), '20260101T120000Z');
      assert.match(prop(event, 'DTSTART'), /^\d{8}T\d{6}Z$/);
    });
    // The week of spring-forward: Monday 09:00 EST to Monday 09:00 EDT.
    assert.deepEqual([prop(events[1]!, 'DTSTART'), prop(events[1]!, 'DTEND')], ['20260302T140000Z', '20260309T130000Z']);
  });

  test('escapes text: the name\'s comma, semicolon and backslash, the note\'s newline', () => {
    const override = events.find((e) => prop(e, 'DTSTART') === '20260310T130000Z')!;
    const summary = prop(override, 'SUMMARY');
    assert.equal(unescapeText(summary), 'On call: Zoë Ångström-Kowalczyk, Staff Engineer; Platform \\ Infra 🚨 (nights) (Primary on-call)');
    assert.match(summary, /Kowalczyk\\, Staff Engineer\\; Platform \\\\ Infra/);
    assert.equal(
      unescapeText(prop(override, 'DESCRIPTION')),
      'Zoë Ångström-Kowalczyk, Staff Engineer; Platform \\ Infra 🚨 (nights) is on call for SIGN X engineering on-call, Primary on-call.\nOverride: covering B; conference\nback Thursday',
    );
    assert.ok(!/[^\\]\n/.test(prop(override, 'DESCRIPTION')));
  });

  test('folds every line at 75 octets without splitting a character', () => {
    const physical = feed.slice(0, -2).split('\r\n');
    assert.ok(physical.some((line) => line.startsWith(' ')), 'some lines are folded');
    for (const line of physical) {
      const bytes = Buffer.from(line, 'utf8');
      assert.ok(bytes.length <= ICAL_LINE_OCTETS, `${bytes.length} octets: ${line}`);
      assert.equal(bytes.toString('utf8'), line);
      assert.ok(!/[\uD800-\uDBFF]$|^ ?[\uDC00-\uDFFF]/.test(line), 'no surrogate pair is cut');
    }
  });

  test('gives every shift a UID that stays the same in the next export', () => {
    const uids = events.map((e) => prop(e, 'UID'));
    assert.equal(new Set(uids).size, uids.length);
    assert.equal(uids[1], 'signx-engineering.primary.20260302T140000Z.engineer-a@tierline.example');
    const later = parseICalendar(scheduleToICalendar(signx, 'primary', Date.UTC(2026, 2, 5), Date.UTC(2026, 3, 1), { dtstamp: DTSTAMP + 86_400_000, uidDomain: 'tierline.example' }));
    const laterUids = later.components.map((e) => prop(e, 'UID'));
    for (const uid of uids.slice(1)) assert.ok(laterUids.includes(uid), `${uid} is in the later export`);
  });

  test('marks shifts as free time, with the layer as a category', () => {
    for (const event of events) {
      assert.equal(prop(event, 'TRANSP'), 'TRANSPARENT');
      assert.equal(prop(event, 'CATEGORIES'), 'on-call,primary');
    }
  });

  test('can hold one person\'s shifts only', () => {
    const mine = parseICalendar(scheduleToICalendar(signx, 'primary', from, to, { dtstamp: DTSTAMP, personId: 'engineer-c' }));
    assert.deepEqual(mine.components.map((e) => prop(e, 'DTSTART')), ['20260310T130000Z', '20260316T130000Z']);
    assert.match(prop(mine, 'X-WR-CALNAME'), /\(engineer-c\)$/);
  });

  test('an empty range is a calendar without events', () => {
    const empty = parseICalendar(scheduleToICalendar(signx, 'primary', Date.UTC(2025, 0, 1), Date.UTC(2025, 1, 1), { dtstamp: DTSTAMP }));
    assert.deepEqual(empty.components, []);
  });
});

describe('text values and folding, for any text', () => {
  test('escaping then folding, read back by unfolding and unescaping, gives the text back', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'é', '字', '🚨', ',', ';', '\\', '\n', '\r\n', ':', ' ', '\t'), maxLength: 200 }), (value) => {
      const line = fold(`DESCRIPTION:${text(value)}`);
      for (const physical of line.split('\r\n')) assert.ok(Buffer.byteLength(physical, 'utf8') <= ICAL_LINE_OCTETS);
      const unfolded = line.replace(/\r\n[ \t]/g, '');
      assert.equal(unescapeText(unfolded.slice('DESCRIPTION:'.length)), value.replace(/\r\n/g, '\n'));
    }), { numRuns: 300 });
  });

  test('control characters other than tab and newline are dropped', () => {
    assert.equal(text('a\u0000b\u0007c\u001Fd\u007Fe\tf'), 'abcde\tf');
  });
});
