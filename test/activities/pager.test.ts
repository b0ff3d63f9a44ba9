import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { createPagerActivities, severityForPriority } from '../../activities/pager.js';
import type { PageEvent } from '../../activities/pager.js';
import { start } from '../servers/pager.js';
import type { PagerServer } from '../servers/pager.js';
import { activityEnv } from '../helpers/activity-env.js';

const { attempt, failureOf, logs, failures } = activityEnv();

// Integration keys are 32 characters; these are secrets the activity looks up by layer name.
const PRIMARY_KEY = 'R0UTINGKEYPRIMARY000000000000001';
const SECONDARY_KEY = 'R0UTINGKEYSECONDARY0000000000002';

let pager: PagerServer;



const trigger: PageEvent = {
  action: 'trigger',
  dedupKey: 'T-01JPAGE/page-1',
  routingKeyName: 'primary',
  summary: 'P0 T-01JPAGE: Dangerous command not blocked',
  severity: severityForPriority(0),
  source: 'tierline',
  customDetails: { ticketId: 'T-01JPAGE', priority: 'P0', slaDueAt: '2026-01-24T09:15:00.000Z' },
  link: { href: 'http://127.0.0.1:8080/tickets/T-01JPAGE', text: 'Ticket T-01JPAGE' },
};

describe('pager events through fetch against the local PagerDuty Events v2 server', () => {
  before(async () => {
    pager = await start();
  });
  after(async () => {
    await pager.close();
  });
  beforeEach(() => {
    pager.faults.clear();
    pager.received.length = 0;
    pager.alerts.clear();
  });

  const activities = () =>
    createPagerActivities({ eventsUrl: pager.url, routingKeys: { primary: PRIMARY_KEY, secondary: SECONDARY_KEY } });

  it('a P0 pages the primary on-call: a trigger in the Events v2 wire format, with severity, details and the ticket link', async () => {
    const { sendPageEvent } = activities();
    assert.deepEqual(await attempt(1, sendPageEvent, trigger), { dedupKey: 'T-01JPAGE/page-1' });
    assert.deepEqual(pager.received[0]?.body, {
      routing_key: PRIMARY_KEY,
      event_action: 'trigger',
      dedup_key: 'T-01JPAGE/page-1',
      client: 'tierline',
      client_url: 'http://127.0.0.1:8080/tickets/T-01JPAGE',
      links: [{ href: 'http://127.0.0.1:8080/tickets/T-01JPAGE', text: 'Ticket T-01JPAGE' }],
      payload: {
        summary: 'P0 T-01JPAGE: Dangerous command not blocked',
        source: 'tierline',
        severity: 'critical',
        custom_details: { ticketId: 'T-01JPAGE', priority: 'P0', slaDueAt: '2026-01-24T09:15:00.000Z' },
      },
    });
  });

  it('the page is acknowledged, then resolved, with the same dedup key and nothing but the action', async () => {
    const { sendPageEvent } = activities();
    await attempt(1, sendPageEvent, trigger);
    await attempt(1, sendPageEvent, { action: 'acknowledge', dedupKey: trigger.dedupKey, routingKeyName: 'primary' });
    assert.equal(pager.alerts.get(trigger.dedupKey)?.state, 'acknowledged');
    await attempt(1, sendPageEvent, { action: 'resolve', dedupKey: trigger.dedupKey, routingKeyName: 'primary' });
    assert.equal(pager.alerts.get(trigger.dedupKey)?.state, 'resolved');
    assert.deepEqual(pager.received[2]?.body, { routing_key: PRIMARY_KEY, event_action: 'resolve', dedup_key: trigger.dedupKey });
  });

  it('a trigger retried after PagerDuty took it but the answer was lost opens no second alert: the dedup key folds it', async () => {
    const { sendPageEvent } = activities();
    pager.faults.inject({ kind: 'store-then-drop' });
    const lost = await failureOf(attempt(1, sendPageEvent, trigger));
    assert.deepEqual([lost.type, lost.nonRetryable], ['PagerRetryableError', false]);
    pager.faults.inject({ kind: 'store-then-500' });
    await failureOf(attempt(2, sendPageEvent, trigger));
    await attempt(3, sendPageEvent, trigger);
    assert.equal(pager.alerts.size, 1);
    assert.deepEqual(pager.alerts.get(trigger.dedupKey), { dedupKey: trigger.dedupKey, routingKey: PRIMARY_KEY, state: 'triggered', triggers: 3 });
  });

  it("rejects a 400 for good, quoting PagerDuty's errors but never the routing key", async () => {
    const { sendPageEvent } = activities();
    pager.faults.inject({ kind: 'invalid', errors: [`Routing key ${PRIMARY_KEY} is not enabled for events`, "'payload.summary' is too long"] });
    const failure = await failureOf(attempt(1, sendPageEvent, trigger));
    assert.deepEqual([failure.type, failure.nonRetryable], ['PagerPermanentError', true]);
    assert.match(failure.message, /HTTP 400: Event object is invalid: Routing key \[redacted\] is not enabled for events; 'payload.summary' is too long/);
  });

  it('retries a 429 after its Retry-After, a 429 without one by the retry policy, and a 500', async () => {
    const { sendPageEvent } = activities();
    pager.faults.inject({ kind: 'rate-limit', retryAfterSeconds: 30 });
    const limited = await failureOf(attempt(1, sendPageEvent, trigger));
    assert.deepEqual([limited.type, limited.nonRetryable, limited.nextRetryDelay], ['PagerRateLimitedError', false, '30s']);

    pager.faults.inject({ kind: 'rate-limit' });
    const bare = await failureOf(attempt(2, sendPageEvent, trigger));
    assert.deepEqual([bare.type, bare.nonRetryable, bare.nextRetryDelay], ['PagerRateLimitedError', false, undefined]);

    pager.faults.inject({ kind: 'http-500' });
    const broken = await failureOf(attempt(3, sendPageEvent, trigger));
    assert.deepEqual([broken.type, broken.nonRetryable], ['PagerRetryableError', false]);
    assert.equal(pager.alerts.size, 0);
  });

  it('retries when PagerDuty cannot be reached', async () => {
    const { sendPageEvent } = createPagerActivities({ eventsUrl: 'http://127.0.0.1:1/v2/enqueue', routingKeys: { primary: PRIMARY_KEY } });
    const failure = await failureOf(attempt(1, sendPageEvent, trigger));
    assert.deepEqual([failure.type, failure.nonRetryable], ['PagerRetryableError', false]);
  });

  it('refuses a page for an on-call layer with no routing key configured, naming the layer', async () => {
    const { sendPageEvent } = activities();
    const failure = await failureOf(attempt(1, sendPageEvent, { ...trigger, routingKeyName: 'engineering-lead' }));
    assert.deepEqual([failure.type, failure.nonRetryable], ['PagerConfigError', true]);
    assert.match(failure.message, /"engineering-lead"/);
    assert.match(failure.message, /primary, secondary/);
    assert.equal(pager.received.length, 0);
  });

  it('refuses a trigger without a summary before sending it', async () => {
    const { sendPageEvent } = activities();
    const failure = await failureOf(attempt(1, sendPageEvent, { ...trigger, summary: undefined }));
    assert.deepEqual([failure.type, failure.nonRetryable], ['PagerPermanentError', true]);
    assert.equal(pager.received.length, 0);
  });

  it('maps priority urgency to severity: the most urgent is critical', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map(severityForPriority), ['critical', 'error', 'warning', 'info', 'info']);
    assert.throws(() => severityForPriority(-1), /expected 0 \(most urgent\)/);
  });

  it('never shows a routing key in any failure or log', () => {
    assert.ok(failures.length >= 8);
    for (const text of [...failures.map((f) => inspect(f)), ...logs]) {
      assert.ok(!text.includes(PRIMARY_KEY) && !text.includes(SECONDARY_KEY), `a routing key leaked: ${text}`);
    }
  });
});
