import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { DISCORD_CONTENT_LIMIT, createIncidentActivities } from '../../activities/incidents.js';
import type { IncidentDeps } from '../../activities/incidents.js';
import { fileOutbox } from '../../activities/outbox.js';
import { fileSentLog } from '../../activities/sent-log.js';
import { createSlackActivities } from '../../activities/slack.js';
import { NOTIFICATION_EVENT_TYPE } from '../../activities/slack.js';
import { renderEmail, templateVariables } from '../../activities/templates.js';
import { createActivities } from '../../workers/activities.js';
import { ConfigError, loadConfig } from '../../workers/config.js';
import { start as startDiscord } from '../servers/discord.js';
import type { DiscordServer } from '../servers/discord.js';
import { start as startSlack } from '../servers/slack.js';
import type { SlackServer } from '../servers/slack.js';
import { activityEnv } from '../helpers/activity-env.js';

const { attempt, failureOf, logs, failures } = activityEnv();

const INCIDENTS = 'C0INCIDENTS';
const TICKETS = 'C0TICKETS';
const INCIDENT = 'I-01JOUTAGE';

// A status update as the incident core renders it (TRKV's template); the headline is its first line.
const headline = '[Identified] TRKV Service Update: Checkout returns 500 for EU customers';
const update = [
  headline,
  'Current Status: Identified. A bad deploy of the payments service; rolling back.',
  'Impact: EU customers cannot pay; @everyone in the EU region is affected.',
  'Next Update: 2026-03-10 15:30 UTC',
].join('\n');

let slack: SlackServer;
let discord: DiscordServer;
let root: string;
/** A fresh data folder per test. */
let dir: string;

function deps(overrides: Partial<IncidentDeps> = {}): IncidentDeps {
  return {
    outbox: fileOutbox(join(dir, 'outbox.jsonl'), () => {}),
    reportsDir: join(dir, 'reports'),
    slack: { activities: createSlackActivities({ token: slack.token, apiUrl: slack.url }), channels: { incidents: INCIDENTS, default: TICKETS } },
    discord: { webhookUrl: discord.url, sentLog: fileSentLog(join(dir, 'discord-sent.jsonl')) },
    ...overrides,
  };
}

async function outboxLines(): Promise<{ key: string; channel: string; [field: string]: unknown }[]> {
  const text = await readFile(join(dir, 'outbox.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

describe('incident activities against the local Slack server and a local Discord webhook', () => {
  before(async () => {
    slack = await startSlack({ channels: [INCIDENTS, TICKETS] });
    discord = await startDiscord();
    root = await mkdtemp(join(tmpdir(), 'tierline-incidents-'));
  });
  after(async () => {
    await slack.close();
    await discord.close();
    await rm(root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    slack.faults.clear();
    discord.faults.clear();
    discord.messages.length = 0;
    discord.received.length = 0;
    dir = await mkdtemp(join(root, 'data-'));
  });

  describe('the Slack incident channel', () => {
    it('hears the declaration once, even when Slack stored the first attempt and then answered 500: the retry finds it by its key', async () => {
      const { postIncidentMessage } = createIncidentActivities(deps());
      const input = { key: `${INCIDENT}/1/declared`, incidentId: INCIDENT, text: `Critical incident ${INCIDENT} declared by grace: Checkout returns 500. Commander: grace.` };
      slack.faults.inject({ kind: 'store-then-500' }, { method: 'chat.postMessage' });
      const failed = await failureOf(attempt(1, postIncidentMessage, input));
      assert.deepEqual([failed.type, failed.nonRetryable], ['SlackRetryableError', false]);

      assert.deepEqual(await attempt(2, postIncidentMessage, input), { channel: 'slack', attempts: 2 });
      const messages = slack.messages(INCIDENTS);
      assert.equal(messages.length, 1);
      assert.equal(messages[0]?.text, input.text);
      assert.deepEqual(messages[0]?.metadata, { event_type: NOTIFICATION_EVENT_TYPE, event_payload: { idempotency_key: input.key } });
    });

    it('shows what people typed as text: a `<!channel>` in a title pings nobody', async () => {
      const { postIncidentMessage } = createIncidentActivities(deps());
      await attempt(1, postIncidentMessage, { key: `${INCIDENT}/2/severity`, incidentId: INCIDENT, text: 'I-1 is now Critical (was Major): <!channel> & <https://evil.example|click>' });
      assert.equal(slack.messages(INCIDENTS).at(-1)?.text, 'I-1 is now Critical (was Major): &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    });

    it("goes to the default channel when no 'incidents' channel is configured, and to the outbox under incident:<id> without Slack", async () => {
      const before = slack.messages(TICKETS).length;
      const viaDefault = createIncidentActivities(deps({ slack: { activities: createSlackActivities({ token: slack.token, apiUrl: slack.url }), channels: { default: TICKETS } } }));
      assert.deepEqual(await attempt(1, viaDefault.postIncidentMessage, { key: 'k-default', incidentId: INCIDENT, text: 'declared' }), { channel: 'slack', attempts: 1 });
      assert.equal(slack.messages(TICKETS).length, before + 1);

      const { slack: _slack, ...withoutSlack } = deps();
      const { postIncidentMessage } = createIncidentActivities(withoutSlack);
      const input = { key: `${INCIDENT}/3/commander`, incidentId: INCIDENT, text: 'ada is now the commander' };
      assert.deepEqual(await attempt(1, postIncidentMessage, input), { channel: 'outbox', attempts: 1 });
      assert.deepEqual(await attempt(2, postIncidentMessage, input), { channel: 'outbox', attempts: 2 });
      const lines = await outboxLines();
      assert.equal(lines.length, 1);
      assert.deepEqual([lines[0]?.key, lines[0]?.channel, lines[0]?.['text']], [input.key, `incident:${INCIDENT}`, input.text]);
    });
  });

  describe('the Discord announcement', () => {
    const broadcast = { key: `${INCIDENT}/4/broadcast/discord`, incidentId: INCIDENT, headline, text: update };

    it('posts the update once with ?wait=true, the headline in bold, and mentions suppressed: @everyone is shown, not pinged', async () => {
      const { broadcastDiscord } = createIncidentActivities(deps());
      assert.deepEqual(await attempt(1, broadcastDiscord, broadcast), { channel: 'discord', attempts: 1 });
      assert.equal(discord.received.length, 1);
      const call = discord.received[0]!;
      assert.deepEqual([call.status, call.query], [200, { wait: 'true' }]);
      assert.deepEqual(call.body, {
        content: `**${headline}**\nCurrent Status: Identified. A bad deploy of the payments service; rolling back.\nImpact: EU customers cannot pay; @everyone in the EU region is affected.\nNext Update: 2026-03-10 15:30 UTC`,
        allowed_mentions: { parse: [] },
      });
      assert.equal(discord.messages.length, 1);
      assert.equal(discord.messages[0]?.mention_everyone, false);
    });

    it('a retry after Discord accepted and the post was recorded (the worker died before completing) posts nothing, also from a new worker', async () => {
      const { broadcastDiscord } = createIncidentActivities(deps());
      await attempt(1, broadcastDiscord, broadcast);
      assert.deepEqual(await attempt(2, broadcastDiscord, broadcast), { channel: 'discord', attempts: 2 });

      const restarted = createIncidentActivities(deps());
      assert.deepEqual(await attempt(3, restarted.broadcastDiscord, broadcast), { channel: 'discord', attempts: 3 });
      assert.equal(discord.messages.length, 1);
      assert.equal(discord.received.length, 1);
      const record = JSON.parse((await readFile(join(dir, 'discord-sent.jsonl'), 'utf8')).trim()) as Record<string, unknown>;
      assert.deepEqual([record['key'], record['incidentId'], record['messageId']], [broadcast.key, INCIDENT, discord.messages[0]?.id]);
    });

    it('the one window Discord leaves: it stored the post but its answer was lost (dropped, or a 500 after storing), so the retry posts a second copy', async () => {
      // An incoming webhook has no idempotency key and cannot list what it posted: nothing on
      // tierline's side can know Discord has the message. The README says so.
      for (const kind of ['store-then-drop', 'store-then-500'] as const) {
        discord.messages.length = 0;
        const { broadcastDiscord } = createIncidentActivities(deps());
        const input = { ...broadcast, key: `${broadcast.key}/${kind}` };
        discord.faults.inject({ kind });
        const lost = await failureOf(attempt(1, broadcastDiscord, input));
        assert.deepEqual([lost.type, lost.nonRetryable], ['DiscordRetryableError', false]);
        await attempt(2, broadcastDiscord, input);
        assert.equal(discord.messages.length, 2, kind);
        await attempt(3, broadcastDiscord, input);
        assert.equal(discord.messages.length, 2, `${kind}: once accepted and recorded, no further copy`);
      }
    });

    it('retries a 429 after the retry_after Discord gives, and a 500 or 502 by the retry policy; the update then appears once', async () => {
      const { broadcastDiscord } = createIncidentActivities(deps());
      discord.faults.inject({ kind: 'rate-limit', retryAfterSeconds: 1.25 });
      const limited = await failureOf(attempt(1, broadcastDiscord, broadcast));
      assert.deepEqual([limited.type, limited.nonRetryable, limited.nextRetryDelay], ['DiscordRateLimitedError', false, '2s']);
      assert.match(limited.message, /429/);

      for (const [n, status] of [[2, 500], [3, 502]] as const) {
        discord.faults.inject({ kind: 'http-5xx', status });
        const broken = await failureOf(attempt(n, broadcastDiscord, broadcast));
        assert.deepEqual([broken.type, broken.nonRetryable], ['DiscordRetryableError', false]);
        assert.match(broken.message, new RegExp(`HTTP ${status}`));
      }
      assert.equal(discord.messages.length, 0);
      assert.deepEqual(await attempt(4, broadcastDiscord, broadcast), { channel: 'discord', attempts: 4 });
      assert.equal(discord.messages.length, 1);
    });

    it('retries when Discord cannot be reached', async () => {
      const { broadcastDiscord } = createIncidentActivities(deps({ discord: { webhookUrl: `http://127.0.0.1:1/api/webhooks/${discord.webhookId}/${discord.token}`, sentLog: fileSentLog(join(dir, 'discord-sent.jsonl')) } }));
      const failure = await failureOf(attempt(1, broadcastDiscord, broadcast));
      assert.deepEqual([failure.type, failure.nonRetryable], ['DiscordRetryableError', false]);
    });

    it("fails for good on 400, 401 and 404, naming the status and Discord's words but never the webhook URL", async () => {
      discord.faults.inject({ kind: 'error', status: 400, message: 'Invalid Form Body', code: 50035 });
      const invalid = await failureOf(attempt(1, createIncidentActivities(deps()).broadcastDiscord, broadcast));
      assert.deepEqual([invalid.type, invalid.nonRetryable], ['DiscordPermanentError', true]);
      assert.match(invalid.message, /HTTP 400: Invalid Form Body \(code 50035\)/);

      const wrongToken = `${discord.url.slice(0, discord.url.lastIndexOf('/') + 1)}not-the-token-${'x'.repeat(40)}`;
      const unauthorised = await failureOf(attempt(1, createIncidentActivities(deps({ discord: { webhookUrl: wrongToken, sentLog: fileSentLog(join(dir, 'a.jsonl')) } })).broadcastDiscord, broadcast));
      assert.deepEqual([unauthorised.type, unauthorised.nonRetryable], ['DiscordPermanentError', true]);
      assert.match(unauthorised.message, /HTTP 401: Invalid Webhook Token \(code 50027\)/);
      assert.ok(!unauthorised.message.includes('not-the-token'), unauthorised.message);

      const unknown = discord.url.replace(discord.webhookId, '999999999999999999');
      const gone = await failureOf(attempt(1, createIncidentActivities(deps({ discord: { webhookUrl: unknown, sentLog: fileSentLog(join(dir, 'b.jsonl')) } })).broadcastDiscord, broadcast));
      assert.deepEqual([gone.type, gone.nonRetryable], ['DiscordPermanentError', true]);
      assert.match(gone.message, /HTTP 404: Unknown Webhook \(code 10015\)/);
      assert.equal(discord.messages.length, 0);
    });

    it("clips a long update to Discord's 2000 characters, which Discord then accepts", async () => {
      const { broadcastDiscord } = createIncidentActivities(deps());
      const long = `${headline}\nCurrent Status: Identified. ${'The rollback is in progress, region by region. '.repeat(60)}😀😀`;
      await attempt(1, broadcastDiscord, { ...broadcast, text: long });
      const content = discord.messages[0]?.content ?? '';
      assert.equal(content.length, DISCORD_CONTENT_LIMIT);
      assert.ok(content.endsWith('…'));
      assert.ok(content.startsWith(`**${headline}**\nCurrent Status: Identified.`));
    });

    it('goes to the outbox when no webhook is configured', async () => {
      const { discord: _discord, ...withoutDiscord } = deps();
      const { broadcastDiscord } = createIncidentActivities(withoutDiscord);
      assert.deepEqual(await attempt(1, broadcastDiscord, broadcast), { channel: 'outbox', attempts: 1 });
      await attempt(2, broadcastDiscord, broadcast);
      const lines = await outboxLines();
      assert.deepEqual(lines.map((l) => [l.key, l.channel, l['incidentId'], l['headline'], l['text']]), [[broadcast.key, 'broadcast:discord', INCIDENT, headline, update]]);
      assert.equal(discord.received.length, 0);
    });
  });

  it('social media and the GitHub announcement get one outbox line each, for a person or an integration to post', async () => {
    const { broadcastOutbox } = createIncidentActivities(deps());
    for (const channel of ['social', 'github'] as const) {
      const input = { key: `${INCIDENT}/4/broadcast/${channel}`, incidentId: INCIDENT, channel, headline, text: update };
      assert.deepEqual(await attempt(1, broadcastOutbox, input), { channel: 'outbox', attempts: 1 });
      assert.deepEqual(await attempt(2, broadcastOutbox, input), { channel: 'outbox', attempts: 2 });
    }
    const lines = await outboxLines();
    assert.deepEqual(
      lines.map((l) => [l.key, l.channel, l['incidentId'], l['headline'], l['text']]),
      [
        [`${INCIDENT}/4/broadcast/social`, 'broadcast:social', INCIDENT, headline, update],
        [`${INCIDENT}/4/broadcast/github`, 'broadcast:github', INCIDENT, headline, update],
      ],
    );
  });

  describe('the incident report', () => {
    const report = `# Incident report: ${INCIDENT}\n\n**Duration:** 42 minutes\n\n## Root cause\n\n_To be filled in by the commander._\n`;

    it('is written to <data dir>/reports/<id>.md, and a retry or a later rewrite replaces it whole, leaving no temporary file', async () => {
      const { writeIncidentReport } = createIncidentActivities(deps());
      const input = { key: `${INCIDENT}/9/report`, incidentId: INCIDENT, markdown: report };
      const { path } = await attempt(1, writeIncidentReport, input);
      assert.equal(path, join(dir, 'reports', `${INCIDENT}.md`));
      assert.equal(await readFile(path, 'utf8'), report);

      assert.deepEqual(await attempt(2, writeIncidentReport, input), { path });
      assert.equal(await readFile(path, 'utf8'), report);

      const revised = report.replace('_To be filled in by the commander._', 'A bad deploy of the payments service.');
      await attempt(1, writeIncidentReport, { ...input, key: `${INCIDENT}/12/report`, markdown: revised });
      assert.equal(await readFile(path, 'utf8'), revised);
      assert.deepEqual(await readdir(join(dir, 'reports')), [`${INCIDENT}.md`]);
    });

    it('refuses for good an incident id that is no file name, writing nothing', async () => {
      const { writeIncidentReport } = createIncidentActivities(deps());
      const failure = await failureOf(attempt(1, writeIncidentReport, { key: 'k', incidentId: '../outbox', markdown: report }));
      assert.deepEqual([failure.type, failure.nonRetryable], ['IncidentReportError', true]);
      assert.match(failure.message, /"\.\.\/outbox" cannot name a report file/);
      assert.deepEqual(await readdir(dir), []);
    });

    it('retries when the disk refuses, naming the path', async () => {
      await writeFile(join(dir, 'reports'), 'a file where the folder should be');
      const { writeIncidentReport } = createIncidentActivities(deps());
      const failure = await failureOf(attempt(1, writeIncidentReport, { key: 'k', incidentId: INCIDENT, markdown: report }));
      assert.deepEqual([failure.type, failure.nonRetryable], ['IncidentReportError', false]);
      assert.match(failure.message, /reports\/I-01JOUTAGE\.md could not be written \(E[A-Z]+\)/);
    });
  });

  describe('the worker builds them from configuration', () => {
    it('with SLACK_CHANNELS incidents=... and DISCORD_ANNOUNCE_WEBHOOK_URL, the update reaches both; the sent log lives in the data folder', async () => {
      const activities = createActivities(
        loadConfig({ TIERLINE_DATA_DIR: dir, SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.url, SLACK_CHANNELS: `default=${TICKETS},incidents=${INCIDENTS}`, DISCORD_ANNOUNCE_WEBHOOK_URL: discord.url }),
        () => {},
      );
      const before = slack.messages(INCIDENTS).length;
      assert.deepEqual(await attempt(1, activities.postIncidentMessage, { key: 'cfg/slack', incidentId: INCIDENT, text: headline }), { channel: 'slack', attempts: 1 });
      assert.equal(slack.messages(INCIDENTS).length, before + 1);
      assert.deepEqual(await attempt(1, activities.broadcastDiscord, { key: 'cfg/discord', incidentId: INCIDENT, headline, text: update }), { channel: 'discord', attempts: 1 });
      assert.equal(discord.messages.length, 1);
      assert.match(await readFile(join(dir, 'discord-sent.jsonl'), 'utf8'), /"key":"cfg\/discord"/);
      const { path } = await attempt(1, activities.writeIncidentReport, { key: 'cfg/report', incidentId: INCIDENT, markdown: '# Report\n' });
      assert.equal(path, join(dir, 'reports', `${INCIDENT}.md`));
    });

    it('a wrong DISCORD_ANNOUNCE_WEBHOOK_URL stops start-up with one line that hides the value', () => {
      const secret = 'sEcReT-webhook-token-value';
      assert.throws(
        () => loadConfig({ DISCORD_ANNOUNCE_WEBHOOK_URL: `https://discord.com/api/${secret}` }),
        (err) => err instanceof ConfigError && /^DISCORD_ANNOUNCE_WEBHOOK_URL: expected the webhook URL, .*\(got \(value hidden\)\)$/.test(err.message) && !err.message.includes(secret),
      );
    });
  });

  describe('the email templates of linked tickets', () => {
    it('incident-linked tells the requester their request is part of a known incident, where to follow it, and that we will write when it is resolved', async () => {
      assert.deepEqual(await templateVariables('incident-linked'), ['recipientName', 'ticketId', 'incidentTitle', 'statusPageUrl', 'teamName']);
      const { text, html } = await renderEmail('incident-linked', {
        recipientName: 'Ada', ticketId: 'T-01JLINKED', incidentTitle: 'Checkout returns 500 for EU customers', statusPageUrl: 'https://status.trkv.example/incidents/I-01JOUTAGE', teamName: 'TRKV Support',
      });
      assert.match(text, /T-01JLINKED\)\. It is part of a known incident that we are already working on: Checkout returns 500 for EU customers/);
      assert.match(text, /follow it here: https:\/\/status\.trkv\.example\/incidents\/I-01JOUTAGE/);
      assert.match(text, /We will write to you on this ticket when the incident is resolved/);
      assert.match(html, /<a href="https:\/\/status\.trkv\.example\/incidents\/I-01JOUTAGE">/);
    });

    it("incident-update carries TRKV's status update verbatim in text and escaped in HTML: a <script> typed into it stays text", async () => {
      assert.deepEqual(await templateVariables('incident-update'), ['recipientName', 'ticketId', 'update', 'statusPageUrl', 'teamName', 'headline']);
      const typed = update.replace('rolling back.', 'rolling back. <script>alert("x")</script>');
      const { text, html } = await renderEmail('incident-update', {
        recipientName: 'Ada', ticketId: 'T-01JLINKED', headline: `${headline} <b>`, update: typed, statusPageUrl: 'https://status.trkv.example/incidents/I-01JOUTAGE', teamName: 'TRKV Support',
      });
      assert.ok(text.includes(typed));
      for (const line of ['[Identified] TRKV Service Update', 'Current Status: Identified.', 'Impact: EU customers cannot pay', 'Next Update: 2026-03-10 15:30 UTC']) assert.ok(text.includes(line), line);
      assert.ok(!html.includes('<script>') && !html.includes('<b>'));
      assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
      assert.ok(html.includes(`<title>${headline} &lt;b&gt;</title>`));
    });
  });

  it('never shows the webhook URL or its token in any failure or log', () => {
    assert.ok(failures.length >= 8);
    for (const text of [...failures.map((f) => inspect(f)), ...logs]) {
      assert.ok(!text.includes(discord.token) && !text.includes(discord.url), `the webhook leaked: ${text}`);
    }
  });
});
