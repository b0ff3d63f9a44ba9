/**
 * The `incidents` section of a policy: its defaults, its checks, and what each preset takes from
 * its seed document (TRKV's incident management and communication, Caro's P0 playbook, SIGN X's
 * paged P0/P1 incidents, FM-08's production-down page).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyError, loadPolicy, parsePolicy } from '../../policies/load.js';

const BASE = `id: office
name: Office
version: 1
priorities:
  - { id: P1, name: High, urgency: 0 }
defaultPriority: P1
channels:
  - { id: email, name: Email, kind: email }
tiers:
  - { id: support, name: Support }
sla:
  targets:
    - firstResponse: { within: 24h }
`;

function refusal(text: string): string {
  try {
    parsePolicy(text, 'x.yaml');
  } catch (error) {
    assert.ok(error instanceof PolicyError);
    return error.message;
  }
  assert.fail('the policy was accepted');
}

describe('the incidents section', () => {
  test('a policy without one gets critical, major and minor, keeps linked tickets’ clocks, notifies them, and broadcasts to Slack and the status page', () => {
    const { incidents } = parsePolicy(BASE, 'x.yaml');
    assert.deepEqual(incidents.severities.map((s) => `${s.id} every ${s.updateEvery}, reminded ${s.remindBefore} before, overdue ${s.overdueAfter} after: ${s.onOverdue}`), [
      'critical every 30m, reminded 10m before, overdue 5m after: notify',
      'major every 1h, reminded 15m before, overdue 15m after: notify',
      'minor every 4h, reminded 30m before, overdue 30m after: notify',
    ]);
    assert.deepEqual([incidents.linkedTicketClocks, incidents.onResolve, incidents.broadcast, incidents.statusPage, incidents.proposals], ['keep', 'notify-linked', ['slack', 'status-page'], { basePath: '/status' }, []]);
  });

  test('paging plans are named from escalation.paging; an unknown one is refused with the known ones', () => {
    const text = `${BASE}incidents:\n  severities:\n    - { id: sev1, name: Sev 1, updateEvery: 30m, remindBefore: 10m, onOverdue: on-call, pageAtOnce: on-call }\n`;
    assert.equal(refusal(text), [
      "x.yaml: incidents.severities[0].onOverdue: unknown paging plan 'on-call'; expected 'notify' or a paging plan, and escalation.paging has none (line 16)",
      "x.yaml: incidents.severities[0].pageAtOnce: unknown paging plan 'on-call'; expected a paging plan, and escalation.paging has none (line 16)",
    ].join('\n'));
  });

  test('a reminder must come before the update is due; severities are unique; proposals count at least two tickets', () => {
    const severity = (id: string, remindBefore: string) => `    - { id: ${id}, name: ${id}, updateEvery: 30m, remindBefore: ${remindBefore} }\n`;
    assert.match(refusal(`${BASE}incidents:\n  severities:\n${severity('a', '30m')}`), /incidents\.severities\[0\]\.remindBefore: remindBefore must be shorter than updateEvery/);
    assert.match(refusal(`${BASE}incidents:\n  severities:\n${severity('a', '5m')}${severity('a', '5m')}`), /incidents\.severities\[1\]\.id: severity 'a' is listed twice/);
    assert.match(refusal(`${BASE}incidents:\n  proposals:\n    - { by: category, count: 1, within: 10m }\n`), /incidents\.proposals\[0\]\.count: /);
    assert.match(refusal(`${BASE}incidents:\n  broadcast: [pigeon]\n`), /incidents\.broadcast\[0\]: expected one of "slack", "email", "discord", "status-page", "social", "github"/);
  });
});

describe('what each preset takes from its seed', () => {
  test('TRKV: Critical, Major and Minor; updates to the status page, Discord, email and social media; the fix resolves the linked tickets', () => {
    const { incidents } = loadPolicy('trkv');
    assert.deepEqual(incidents.severities.map((s) => `${s.name} every ${s.updateEvery}`), ['Critical every 1h', 'Major every 4h', 'Minor every 12h']);
    assert.deepEqual([incidents.service, incidents.broadcast, incidents.statusPage.title], ['TRKV', ['status-page', 'discord', 'email', 'social'], 'TRKV System Status']);
    assert.deepEqual([incidents.linkedTicketClocks, incidents.onResolve], ['pause', 'resolve-linked']);
  });

  test("Caro: the P0 playbook notifies all users on Discord, Twitter and GitHub", () => {
    const { incidents } = loadPolicy('caro');
    assert.deepEqual(incidents.broadcast, ['discord', 'social', 'github']);
    assert.deepEqual(incidents.severities.map((s) => `${s.id} ${s.name} every ${s.updateEvery}`), ['P0 Critical every 4h', 'P1 High every 1d']);
    assert.equal(incidents.onResolve, 'notify-linked');
  });

  test('SIGN X: P0 and P1 incidents page at once through the Tier 3 plans; updates go to Slack, email and the status page', () => {
    const { incidents } = loadPolicy('signx');
    assert.deepEqual(incidents.severities.map((s) => [s.id, s.pageAtOnce, s.onOverdue]), [['P0', 'P0 critical', 'P0 critical'], ['P1', 'P1 high', 'P1 high']]);
    assert.deepEqual(incidents.broadcast, ['slack', 'email', 'status-page']);
  });

  test('FM-08: one severity, production down, told in public channels first', () => {
    const { incidents } = loadPolicy('fm08');
    assert.deepEqual(incidents.severities.map((s) => s.id), ['critical']);
    assert.deepEqual(incidents.broadcast, ['slack', 'discord', 'github', 'email']);
  });
});
