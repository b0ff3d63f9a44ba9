/**
 * A wrong policy is refused at start-up with the path of the bad field: one line per problem,
 * naming the file, the field and, where the file has one, its line.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyError, loadPolicy, parsePolicy } from '../../policies/load.js';

/** A small valid policy: a Paris office with a lunch break, two priorities, one catch-all rule. */
const OFFICE = `id: office
name: Office
version: 1
calendars:
  paris:
    timeZone: Europe/Paris
    week:
      mon: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }]
defaultCalendar: paris
priorities:
  - { id: P1, name: High, urgency: 0 }
  - { id: P2, name: Normal, urgency: 1 }
defaultPriority: P2
channels:
  - { id: email, name: Email, kind: email }
tiers:
  - { id: support, name: Support }
sla:
  targets:
    - when: { priority: [P1] }
      firstResponse: { within: 4h }
    - firstResponse: { within: 24h, calendar: 24x7 }
`;

/** The message a policy text is refused with. */
function refusal(text: string, source = 'policies/x.yaml'): string {
  try {
    parsePolicy(text, source);
  } catch (error) {
    assert.ok(error instanceof PolicyError, `expected a PolicyError, got ${String(error)}`);
    assert.equal(error.source, source);
    assert.equal(error.message, error.problems.join('\n'));
    return error.message;
  }
  assert.fail('the policy was accepted');
}

function edit(from: string, to: string): string {
  assert.ok(OFFICE.includes(from), `the base policy has no ${JSON.stringify(from)}`);
  return OFFICE.replace(from, to);
}

describe('a valid policy', () => {
  test('is parsed with its defaults filled in', () => {
    const policy = parsePolicy(OFFICE, 'office.yaml');
    assert.equal(policy.calendars.paris?.week.mon?.length, 2);
    assert.deepEqual(policy.sla.warnings, [0.5, 0.75, 0.9]);
    assert.deepEqual(policy.firstResponse, { satisfiedBy: 'public-reply' });
    assert.deepEqual(policy.sla.targets[1]?.when, {});
  });

  test('loads from a YAML or a JSON file given by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierline-policy-'));
    try {
      writeFileSync(join(dir, 'office.yaml'), OFFICE);
      assert.equal(loadPolicy(join(dir, 'office.yaml')).id, 'office');
      writeFileSync(join(dir, 'office.json'), JSON.stringify(parsePolicy(OFFICE, 'office.yaml')));
      assert.equal(loadPolicy(join(dir, 'office.json')).defaultCalendar, 'paris');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a wrong policy is refused with the path of the bad field', () => {
  test('a duration written in words', () => {
    assert.equal(
      refusal(edit('firstResponse: { within: 4h }', 'firstResponse: { within: 4 hours }')),
      'policies/x.yaml: sla.targets[0].firstResponse.within: expected a duration such as 90s, 15m, 4h, 1d, 1w or 1h30m (line 21)',
    );
  });

  test('a rule naming a priority the policy does not have', () => {
    assert.equal(
      refusal(edit('when: { priority: [P1] }', 'when: { priority: [P0] }')),
      "policies/x.yaml: sla.targets[0].when.priority[0]: unknown priority 'P0'; expected one of P1, P2 (line 20)",
    );
  });

  test('a target on a calendar the policy does not define', () => {
    assert.equal(
      refusal(edit('calendar: 24x7', 'calendar: london')),
      "policies/x.yaml: sla.targets[1].firstResponse.calendar: unknown calendar 'london'; expected one of 24x7, paris (line 22)",
    );
  });

  test('working hours that overlap on one day', () => {
    assert.equal(
      refusal(edit("{ start: '13:00', end: '17:00' }", "{ start: '11:30', end: '17:00' }")),
      'policies/x.yaml: calendars.paris.week.mon[1]: interval 11:30-17:00 overlaps week.mon[0] 09:00-12:00 (line 8)',
    );
  });

  test('an unknown time zone', () => {
    assert.equal(
      refusal(edit('Europe/Paris', 'Europe/Parris')),
      'policies/x.yaml: calendars.paris.timeZone: unknown time zone "Europe/Parris"; use an IANA name such as "America/New_York" (line 6)',
    );
  });

  test('a misspelt key, with the keys allowed there', () => {
    assert.equal(
      refusal(edit('calendar: 24x7', 'calender: 24x7')),
      'policies/x.yaml: sla.targets[1].firstResponse.calender: unknown key; expected one of within, calendar, trackedBy (line 22)',
    );
    assert.equal(
      refusal(edit('defaultPriority: P2', 'defaultPriority: P2\nescalate: tier3')),
      'policies/x.yaml: escalate: unknown key; expected one of id, name, version, description, source, calendars, defaultCalendar, priorities, defaultPriority, channels, tiers, triage, sla, firstResponse, pauses, followUp, accounts, escalation, incidents, metrics (line 14)',
    );
  });

  test('a target that is neither a duration nor tracked by release', () => {
    assert.equal(
      refusal(edit('firstResponse: { within: 4h }', 'firstResponse: { trackedBy: sprint }')),
      'policies/x.yaml: sla.targets[0].firstResponse.trackedBy: expected "release" (line 21)',
    );
  });

  test('a missing field names the field, at its parent\'s line', () => {
    assert.equal(
      refusal(edit('  - { id: support, name: Support }', '  - { id: support }')),
      'policies/x.yaml: tiers[0].name: missing; expected string (line 17)',
    );
  });

  test('every problem gets its own line', () => {
    const message = refusal(edit('name: Office', 'name: ""').replace('kind: email', 'kind: fax'));
    assert.deepEqual(message.split('\n'), [
      'policies/x.yaml: name: Too small: expected string to have >=1 characters (line 2)',
      'policies/x.yaml: channels[0].kind: expected one of "email", "web", "api", "slack", "github", "discord", "forum", "chat", "phone", "social", "office-hours" (line 15)',
    ]);
  });

  test('no catch-all rule: some ticket would get no first-response target', () => {
    assert.match(
      refusal(edit('    - firstResponse: { within: 24h, calendar: 24x7 }\n', '')),
      /^policies\/x\.yaml: sla\.targets: no catch-all rule: end the list with a rule whose 'when' is empty/,
    );
  });

  test('YAML syntax errors give the line and column', () => {
    assert.equal(
      refusal(edit('version: 1', 'version: 1\nversion: 2')),
      'policies/x.yaml: line 4, column 1: Map keys must be unique',
    );
    assert.match(refusal(edit("mon: [{ start: '09:00'", "mon: [{ start: '09:00"), 'policies/office.yaml'), /^policies\/office\.yaml: line \d+, column \d+: /);
  });

  test('an empty file, a missing file and an unknown preset', () => {
    assert.equal(refusal(''), 'policies/x.yaml: the policy is empty; expected a mapping with id, name, version, priorities, channels, tiers and sla');
    assert.throws(() => loadPolicy('sign-x'), (error: unknown) => error instanceof PolicyError
      && error.message === 'sign-x: no such policy file, and not a preset name (caro, signx, trkv, fm08, devrel)');
  });
});
