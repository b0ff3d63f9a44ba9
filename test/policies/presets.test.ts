/**
 * Every seed organisation runs as a preset: each loads, validates, and says what its seed
 * document says. Targets are checked twice: as the policy resolves them (duration and clock), and
 * as deadlines on a freshly opened ticket, on the wall clock of the organisation.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolveTargets } from '../../domain/policy/match.js';
import type { Metric, Policy } from '../../domain/policy/schema.js';
import { fromLocal, toLocal } from '../../domain/sla/zoned-time.js';
import { openTicket } from '../../domain/ticket/decide.js';
import { IntakeSchema, type IntakeInput } from '../../domain/ticket/intake.js';
import type { TicketState } from '../../domain/ticket/types.js';
import { PRESETS, loadPolicy, presetPath } from '../../policies/load.js';

const NEW_YORK = 'America/New_York';
const UTC = 'UTC';

/** The instant a wall clock in `timeZone` shows 'YYYY-MM-DD HH:MM'. */
function at(text: string, timeZone = NEW_YORK): number {
  const [year, month, day, hour, minute] = text.split(/[- :]/).map(Number) as [number, number, number, number, number];
  return fromLocal({ year, month, day, hour, minute }, timeZone);
}

/** 'YYYY-MM-DD HH:MM' as the wall clock in `timeZone` shows the instant. */
function wall(instant: number, timeZone = NEW_YORK): string {
  const l = toLocal(instant, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${l.year}-${two(l.month)}-${two(l.day)} ${two(l.hour)}:${two(l.minute)}`;
}

type Ticket = { channel: string; priority?: string; subject?: string; description?: string; category?: string; receivedAt?: number };

/** A target as the seeds write it, in minutes, hours or weeks: 30m, 4h, 24h, 1w. */
function hours(ms: number): string {
  const WEEK = 7 * 24 * 3_600_000;
  if (ms % WEEK === 0) return `${ms / WEEK}w`;
  return ms < 3_600_000 ? `${ms / 60_000}m` : `${ms / 3_600_000}h`;
}

/** The target a ticket gets for a metric, as '4h on business-hours', 'none (release)' or undefined. */
function target(policy: Policy, metric: Metric, ticket: Ticket): string | undefined {
  const resolved = resolveTargets(policy, {
    priority: ticket.priority ?? policy.defaultPriority,
    channel: ticket.channel,
    category: ticket.category,
    tags: [],
    text: `${ticket.subject ?? ''}\n${ticket.description ?? ''}`,
    receivedAt: ticket.receivedAt ?? at('2026-03-10 10:00'),
  })[metric];
  if (!resolved) return undefined;
  return resolved.targetMs === null ? 'none (release)' : `${hours(resolved.targetMs)} on ${resolved.calendar}`;
}

/** Opens a ticket through the pure core, as intake would. */
function open(policy: Policy, when: number, ticket: Omit<IntakeInput, 'requester' | 'subject'> & { subject?: string }): TicketState {
  const intake = IntakeSchema.parse({ subject: 'Help', requester: { email: 'dev@example.com' }, ...ticket });
  return openTicket('T-preset-test', intake, policy, when).state;
}

/** When the ticket's clock for `metric` is due, on the wall clock of `timeZone`; 'none' without a deadline. */
function due(state: TicketState, metric: Metric, timeZone = NEW_YORK): string | undefined {
  const clock = state.clocks.find((c) => c.metric === metric);
  if (!clock) return undefined;
  return clock.dueAt === null ? 'none' : wall(clock.dueAt, timeZone);
}

// As observed: a Saturday's holiday on the Friday before it, a Sunday's on the Monday after.
const US_FEDERAL_HOLIDAYS = [
  '2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03',
  '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25',
  '2027-01-01', '2027-01-18', '2027-02-15', '2027-05-31', '2027-06-18', '2027-07-05',
  '2027-09-06', '2027-10-11', '2027-11-11', '2027-11-25', '2027-12-24', '2027-12-31',
];

describe('every preset', () => {
  for (const name of PRESETS) {
    test(`${name} loads, validates, and names its seed document`, () => {
      const policy = loadPolicy(name);
      assert.equal(policy.id, name);
      assert.match(policy.source ?? '', /^seed 00\d: /);
      const lines = readFileSync(presetPath(name), 'utf8').split('\n');
      assert.equal(lines[0], '# yaml-language-server: $schema=./policy.schema.json');
      assert.match(lines.slice(0, 6).join('\n'), /# Seed document: [^]*?seeds\/00\d_[0-9a-f]+\.txt/);
    });
  }
});

describe('SIGN X Studio (seed 002)', () => {
  const signx = loadPolicy('signx');

  test('P0-P3 are Critical, High, Medium and Low, in that order of urgency', () => {
    assert.deepEqual(signx.priorities.map((p) => `${p.id} ${p.name} ${p.urgency}`), ['P0 Critical 0', 'P1 High 1', 'P2 Medium 2', 'P3 Low 3']);
  });

  test('business hours are 8 AM - 6 PM New York time, Monday to Friday, closed on the US federal holidays of 2026 and 2027', () => {
    const hours = signx.calendars['business-hours']!;
    assert.equal(signx.defaultCalendar, 'business-hours');
    assert.equal(hours.timeZone, NEW_YORK);
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri'] as const) assert.deepEqual(hours.week[day], [{ start: '08:00', end: '18:00' }]);
    assert.equal(hours.week.sat, undefined);
    assert.equal(hours.week.sun, undefined);
    assert.deepEqual(hours.holidays, US_FEDERAL_HOLIDAYS);
  });

  test('four tiers: self-service, help desk, engineering escalation, vendor support', () => {
    assert.deepEqual(signx.tiers.map((t) => `${t.id} ${t.name}`), ['tier1 Self-Service', 'tier2 Help Desk', 'tier3 Engineering Escalation', 'tier4 Vendor Support']);
    assert.equal(signx.tiers[1]!.queue, 'apex-support');
  });

  test('response times: P0 1 h around the clock, P1 4 h, P2 24 h and P3 a working week of help-desk time', () => {
    assert.equal(target(signx, 'firstResponse', { channel: 'chat', priority: 'P0' }), '1h on 24x7');
    assert.equal(target(signx, 'firstResponse', { channel: 'chat', priority: 'P1' }), '4h on business-hours');
    assert.equal(target(signx, 'firstResponse', { channel: 'chat', priority: 'P2' }), '24h on business-hours');
    assert.equal(target(signx, 'firstResponse', { channel: 'chat', priority: 'P3' }), '50h on business-hours');
    assert.equal(target(signx, 'resolution', { channel: 'email', priority: 'P1' }), '24h on business-hours');
  });

  test('a P1 email at 5 PM on a Friday is answered by 11 AM Monday: one hour on Friday, three on Monday', () => {
    const ticket = open(signx, at('2026-03-13 17:00'), { channel: 'email', priority: 'P1' });
    assert.equal(due(ticket, 'firstResponse'), '2026-03-16 11:00');
    assert.equal(due(ticket, 'resolution'), '2026-03-18 11:00');
  });

  test('a P0 at 3 AM on a Saturday is due by 4 AM: P0 runs 24/7', () => {
    const ticket = open(signx, at('2026-03-14 03:00'), { channel: 'phone', priority: 'P0' });
    assert.equal(due(ticket, 'firstResponse'), '2026-03-14 04:00');
    assert.equal(due(ticket, 'periodicUpdate'), '2026-03-14 04:00');
  });

  test('after-hours email gets a 4-hour response, weekend email a 24-hour one, on the wall clock', () => {
    assert.equal(due(open(signx, at('2026-03-10 19:30'), { channel: 'email', priority: 'P2' }), 'firstResponse'), '2026-03-10 23:30');
    assert.equal(due(open(signx, at('2026-03-14 10:00'), { channel: 'email', priority: 'P3' }), 'firstResponse'), '2026-03-15 10:00');
    // Live chat after hours has no such promise: 24 working hours from Wednesday's opening.
    assert.equal(due(open(signx, at('2026-03-10 19:30'), { channel: 'chat', priority: 'P2' }), 'firstResponse'), '2026-03-13 12:00');
  });

  test('Thanksgiving closes the help desk: a P1 at 4 PM on Wednesday is due at 10 AM on Friday', () => {
    const ticket = open(signx, at('2026-11-25 16:00'), { channel: 'chat', priority: 'P1' });
    assert.equal(due(ticket, 'firstResponse'), '2026-11-27 10:00');
  });

  test('a holiday on a Saturday closes the Friday before it: a P1 at 4 PM on Thursday 23 December 2027 is due at 10 AM on Monday, and so at New Year', () => {
    assert.equal(due(open(signx, at('2027-12-23 16:00'), { channel: 'chat', priority: 'P1' }), 'firstResponse'), '2027-12-27 10:00');
    assert.equal(due(open(signx, at('2027-12-30 16:00'), { channel: 'chat', priority: 'P1' }), 'firstResponse'), '2028-01-03 10:00');
  });

  test('an email starts in Tier 1 Self-Service with the matching articles; live chat enters the help desk (Tier 2); both wait for a person to triage them', () => {
    const email = openTicket('T-preset-test', IntakeSchema.parse({ subject: 'Password reset', requester: { email: 'dev@example.com' }, channel: 'email' }), signx, at('2026-03-10 10:00'));
    assert.deepEqual([email.state.tier, email.state.selfService?.until], ['tier1', at('2026-03-10 11:00')]);
    assert.deepEqual(email.effects[0], { type: 'notifyCustomer', key: email.effects[0]!.key, template: 'self-service', suggest: 3 });
    const chat = open(signx, at('2026-03-10 10:00'), { channel: 'chat', subject: 'Password reset' });
    assert.equal(chat.tier, 'tier2');
    for (const ticket of [email.state, chat]) assert.deepEqual([ticket.priority, ticket.status], ['P2', 'new']);
    // "P0/P1 incidents" are escalated at once, by email too: no self-service first.
    assert.equal(open(signx, at('2026-03-10 10:00'), { channel: 'email', subject: 'System down since 9:40' }).tier, 'tier3');
  });

  test('"System down" is P0 and escalates to engineering at once; a hotline call is at least P1', () => {
    const down = open(signx, at('2026-03-10 10:00'), { channel: 'email', subject: 'System down since 9:40' });
    assert.deepEqual([down.priority, down.tier, down.triaged], ['P0', 'tier3', true]);
    const call = open(signx, at('2026-03-10 10:00'), { channel: 'phone', subject: 'Projects fail to open' });
    assert.deepEqual([call.priority, call.tier], ['P1', 'tier3']);
    const security = open(signx, at('2026-03-10 10:00'), { channel: 'email', subject: 'Security question about SSO' });
    assert.deepEqual([security.priority, security.category, security.tier], ['P2', 'security', 'tier3']);
  });

  test('waiting on a vendor stops only the resolution clock', () => {
    assert.deepEqual(signx.pauses.vendor, ['resolution']);
    assert.equal(signx.firstResponse.satisfiedBy, 'public-reply');
  });
});

describe('Caro (seed 004)', () => {
  const caro = loadPolicy('caro');

  test('P0-P3 are Critical, High, Medium and Low; the support engineer works 8 AM - 5 PM New York time', () => {
    assert.deepEqual(caro.priorities.map((p) => `${p.id} ${p.name}`), ['P0 Critical', 'P1 High', 'P2 Medium', 'P3 Low']);
    const hours = caro.calendars['coverage-hours']!;
    assert.equal(hours.timeZone, NEW_YORK);
    assert.deepEqual(hours.week.mon, [{ start: '08:00', end: '17:00' }]);
    assert.equal(hours.week.sat, undefined);
    assert.deepEqual(hours.holidays, US_FEDERAL_HOLIDAYS);
  });

  test('one tier: Caro escalates by priority, without named tiers', () => {
    assert.deepEqual(caro.tiers.map((t) => t.id), ['support']);
  });

  test('the acknowledgement of the issue is the first response', () => {
    assert.equal(caro.firstResponse.satisfiedBy, 'acknowledgement');
  });

  test('the priority table: P0 1 h / 24 h around the clock; P1 4 h / 3 days, P2 24 h / 1 week, P3 48 h / next release in work hours', () => {
    const github = (priority: string) => ({ channel: 'github', priority });
    assert.equal(target(caro, 'firstResponse', github('P0')), '1h on 24x7');
    assert.equal(target(caro, 'resolution', github('P0')), '24h on 24x7');
    assert.equal(target(caro, 'firstResponse', github('P1')), '4h on coverage-hours');
    assert.equal(target(caro, 'resolution', github('P1')), '27h on coverage-hours');
    assert.equal(target(caro, 'firstResponse', github('P2')), '24h on coverage-hours');
    assert.equal(target(caro, 'resolution', github('P2')), '45h on coverage-hours');
    assert.equal(target(caro, 'firstResponse', github('P3')), '48h on coverage-hours');
    assert.equal(target(caro, 'resolution', github('P3')), 'none (release)');
  });

  test('P3 resolution has no deadline: it is tracked by the next release', () => {
    const ticket = open(caro, at('2026-03-10 10:00'), { channel: 'github', priority: 'P3', subject: 'Feature request: fish shell' });
    assert.equal(due(ticket, 'resolution'), 'none');
    assert.deepEqual(caro.sla.targets.find((rule) => rule.name === 'P3 low (next release)')?.resolution, { trackedBy: 'release' });
  });

  test('channels: Discord #help 30 min, Twitter/X 1 h, GitHub and email 24 h, security email 4 h around the clock', () => {
    assert.equal(target(caro, 'firstResponse', { channel: 'discord' }), '30m on coverage-hours');
    assert.equal(target(caro, 'firstResponse', { channel: 'twitter' }), '1h on coverage-hours');
    assert.equal(target(caro, 'firstResponse', { channel: 'github' }), '24h on coverage-hours');
    assert.equal(target(caro, 'firstResponse', { channel: 'email' }), '24h on coverage-hours');
    const privacyMail = open(caro, at('2026-03-13 20:00'), { channel: 'email', subject: 'Privacy question about telemetry' });
    assert.equal(due(privacyMail, 'firstResponse'), '2026-03-14 00:00');
  });

  test('a Discord question on Friday night is answered within 2 work hours of Monday morning', () => {
    const ticket = open(caro, at('2026-03-13 20:00'), { channel: 'discord', subject: 'caro: command not found' });
    assert.equal(due(ticket, 'firstResponse'), '2026-03-16 10:00');
    const daytime = open(caro, at('2026-03-16 14:00'), { channel: 'discord', subject: 'caro: command not found' });
    assert.equal(due(daytime, 'firstResponse'), '2026-03-16 14:30');
  });

  test('an issue waits for manual triage, due within one work hour', () => {
    const ticket = open(caro, at('2026-03-16 16:30'), { channel: 'github', subject: 'Generated command does not work' });
    assert.equal(ticket.status, 'new');
    assert.equal(due(ticket, 'triage'), '2026-03-17 08:30');
  });

  test('a security vulnerability or a privacy violation is P0 on sight, answered within the hour at any time', () => {
    const vuln = open(caro, at('2026-03-14 02:00'), { channel: 'github', subject: 'Security vulnerability in the shell escaper' });
    assert.deepEqual([vuln.priority, vuln.triaged, vuln.status], ['P0', true, 'awaiting_first_response']);
    assert.equal(due(vuln, 'firstResponse'), '2026-03-14 03:00');
    assert.equal(due(vuln, 'resolution'), '2026-03-15 02:00');
    const pii = open(caro, at('2026-03-14 02:00'), { channel: 'email', subject: 'Privacy violation: telemetry export shows my paths' });
    assert.equal(pii.priority, 'P0');
    const dangerous = open(caro, at('2026-03-14 02:00'), { channel: 'discord', subject: 'Dangerous command not blocked: rm -rf' });
    assert.deepEqual([dangerous.priority, dangerous.category], ['P0', 'safety']);
  });

  test('follow up one day after the fix, with the satisfaction survey', () => {
    assert.equal(caro.followUp.after, '1d');
    assert.equal(caro.followUp.survey, true);
  });
});

describe('TRKV (seed 003)', () => {
  const trkv = loadPolicy('trkv');

  test('Critical, High, Medium and Low answer in 1, 4, 12 and 24 hours, around the clock', () => {
    assert.deepEqual(trkv.priorities.map((p) => p.name), ['Critical', 'High', 'Medium', 'Low']);
    assert.deepEqual(Object.keys(trkv.calendars), []);
    const discord = (priority: string) => target(trkv, 'firstResponse', { channel: 'discord', priority });
    assert.deepEqual(['critical', 'high', 'medium', 'low'].map(discord), ['1h on 24x7', '4h on 24x7', '12h on 24x7', '24h on 24x7']);
  });

  test('Twitter answers in 2 hours, email in 24 unless the priority asks for less', () => {
    assert.equal(target(trkv, 'firstResponse', { channel: 'twitter', priority: 'low' }), '2h on 24x7');
    assert.equal(target(trkv, 'firstResponse', { channel: 'twitter', priority: 'critical' }), '1h on 24x7');
    assert.equal(target(trkv, 'firstResponse', { channel: 'email', priority: 'low' }), '24h on 24x7');
    assert.equal(target(trkv, 'firstResponse', { channel: 'email', priority: 'medium' }), '12h on 24x7');
  });

  test('every ticket is resolved within 24 hours; a Critical one gets hourly updates', () => {
    for (const priority of ['critical', 'high', 'medium', 'low']) assert.equal(target(trkv, 'resolution', { channel: 'email', priority }), '24h on 24x7');
    const outage = open(trkv, at('2026-03-14 03:00', UTC), { channel: 'discord', subject: 'Service outage: dashboards return 502' });
    assert.equal(outage.priority, 'critical');
    assert.equal(due(outage, 'firstResponse', UTC), '2026-03-14 04:00');
    assert.equal(due(outage, 'periodicUpdate', UTC), '2026-03-14 04:00');
    assert.equal(due(outage, 'resolution', UTC), '2026-03-15 03:00');
  });

  test('one tier; a follow-up step closes the ticket', () => {
    assert.deepEqual(trkv.tiers.map((t) => t.id), ['support']);
    assert.deepEqual([trkv.followUp.after, trkv.followUp.survey, trkv.followUp.closeAfter], ['1d', true, '3d']);
  });
});

describe('FM-08 (seed 001)', () => {
  const fm08 = loadPolicy('fm08');

  test('no tiered support theater: one tier of engineers, nobody screens', () => {
    assert.deepEqual(fm08.tiers.map((t) => `${t.id} ${t.name}`), ['engineers Engineers']);
    assert.equal(fm08.triage.manual, false);
    const ticket = open(fm08, at('2026-03-10 10:00', UTC), { channel: 'github', subject: 'Confusing error message' });
    assert.deepEqual([ticket.tier, ticket.status], ['engineers', 'awaiting_first_response']);
  });

  test('response times by channel: enterprise Slack 4 h, Discord same day, GitHub and email 24 h', () => {
    assert.equal(target(fm08, 'firstResponse', { channel: 'enterprise-slack' }), '4h on 24x7');
    assert.equal(target(fm08, 'firstResponse', { channel: 'discord' }), '12h on 24x7');
    assert.equal(target(fm08, 'firstResponse', { channel: 'github' }), '24h on 24x7');
    assert.equal(target(fm08, 'firstResponse', { channel: 'email' }), '24h on 24x7');
  });

  test('production down pages within the hour on any channel', () => {
    const ticket = open(fm08, at('2026-03-14 03:00', UTC), { channel: 'github', subject: 'Production down after upgrading to 2.3' });
    assert.equal(ticket.priority, 'critical');
    assert.equal(due(ticket, 'firstResponse', UTC), '2026-03-14 04:00');
  });

  test('enterprise Slack tickets are tagged for their dedicated account engineer', () => {
    const ticket = open(fm08, at('2026-03-10 10:00', UTC), { channel: 'enterprise-slack', subject: 'SSO config for our tenant' });
    assert.ok(ticket.tags.includes('account-engineer'));
    assert.equal(due(ticket, 'firstResponse', UTC), '2026-03-10 14:00');
  });

  test('the acknowledgement is the first response; resolution is measured, not targeted; nothing closes early', () => {
    assert.equal(fm08.firstResponse.satisfiedBy, 'acknowledgement');
    assert.equal(target(fm08, 'resolution', { channel: 'email', priority: 'critical' }), undefined);
    assert.equal(fm08.followUp.closeAfter, '30d');
  });
});

describe('DevRel developer support (seed 000)', () => {
  const devrel = loadPolicy('devrel');

  test('tiers 0-3: self-service, community, DevRel team, engineering', () => {
    assert.deepEqual(devrel.tiers.map((t) => `${t.id} ${t.name}`), ['tier0 Self-Service', 'tier1 Community', 'tier2 DevRel Team', 'tier3 Engineering']);
  });

  test('a forum question starts in Tier 0 Self-Service (articles first), a support ticket lands with the DevRel team, a bug with engineering', () => {
    const when = at('2026-03-10 10:00', UTC);
    const forum = open(devrel, when, { channel: 'forum', subject: 'How do I paginate?' });
    assert.deepEqual([forum.tier, forum.selfService?.until], ['tier0', when + 3_600_000]);
    assert.equal(open(devrel, when, { channel: 'tickets', subject: 'Webhook retries' }).tier, 'tier2');
    assert.equal(open(devrel, when, { channel: 'tickets', subject: 'SDK crashes', category: 'bug' }).tier, 'tier3');
  });

  test('channel response times: forum/Discord 4-24 h, tickets 24-48 h, live chat minutes, office hours at the next session', () => {
    assert.equal(target(devrel, 'firstResponse', { channel: 'forum', priority: 'urgent' }), '4h on 24x7');
    assert.equal(target(devrel, 'firstResponse', { channel: 'discord' }), '24h on 24x7');
    assert.equal(target(devrel, 'firstResponse', { channel: 'tickets', priority: 'urgent' }), '24h on 24x7');
    assert.equal(target(devrel, 'firstResponse', { channel: 'tickets' }), '48h on 24x7');
    assert.equal(target(devrel, 'firstResponse', { channel: 'live-chat' }), '15m on 24x7');
    assert.equal(target(devrel, 'firstResponse', { channel: 'office-hours' }), '1w on 24x7');
  });

  test('a question that says it is urgent or blocking is urgent', () => {
    const ticket = open(devrel, at('2026-03-10 10:00', UTC), { channel: 'discord', subject: 'Blocking: OAuth callback fails' });
    assert.equal(ticket.priority, 'urgent');
    assert.equal(due(ticket, 'firstResponse', UTC), '2026-03-10 14:00');
  });
});
