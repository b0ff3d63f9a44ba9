import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { ticketCommand } from '../../adapters/discord/command.js';
import { buildApi } from '../../adapters/http/server.js';
import { derivedTicketId, ticketWorkflowId } from '../../client/ticket-ids.js';
import { TicketClient } from '../../client/tickets.js';
import type { Policy } from '../../domain/policy/schema.js';
import { caroLikePolicy } from '../fixtures/policies.js';
import { outboxActivities } from '../helpers/activities.js';
import { createTicketWorker } from '../../workers/worker.js';
import { devServerEnv, settled, ticketHarness, workflowBundle, type TicketHarness } from '../helpers/temporal.js';
import { eventually, listenOnLoopback } from '../helpers/api.js';

/** The test policy with Caro's Discord #help channel beside its email, API and GitHub ones. */
function withDiscord(): Policy {
  const base = caroLikePolicy();
  return caroLikePolicy({ channels: [...base.channels, { id: 'discord', name: 'Discord #help', kind: 'discord', public: true }] });
}

const ADA = { id: '310000000000000001', username: 'ada' };
const LINUS = { id: '310000000000000002', username: 'linus' };
const GRACE = { id: '310000000000000003', username: 'grace.h' };

let nextId = 1_250_000_000_000_000_000n;
const snowflake = () => String(nextId++);

interface InteractionReply {
  type: number;
  data?: { content: string; flags?: number; components?: { type: number; components: { custom_id: string; label: string }[] }[]; allowed_mentions?: unknown };
}

describe('Discord interactions on a real Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let harness: TicketHarness;
  let app: FastifyInstance;
  let base: string;
  const keys = generateKeyPairSync('ed25519');
  const stranger = generateKeyPairSync('ed25519');
  const publicKey = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');

  before(async () => {
    env = await devServerEnv();
    harness = await ticketHarness(env, { policy: withDiscord(), activities: outboxActivities().activities });
    app = buildApi({ tickets: harness.tickets, tokens: new Map(), adapters: { discord: { publicKey, users: { [GRACE.id]: 'grace' } } } });
    base = await listenOnLoopback(app);
  });
  after(async () => {
    await app?.close();
    await harness?.shutdown();
    await env?.teardown();
  });

  /** Posts an interaction as Discord does: Ed25519 over the timestamp and the raw body. */
  async function interact(
    payload: unknown,
    opts: { body?: string; timestamp?: number; key?: KeyObject; signature?: string | null; url?: string } = {},
  ): Promise<{ status: number; body: InteractionReply & Record<string, unknown> }> {
    const body = opts.body ?? JSON.stringify(payload);
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const signature = opts.signature === undefined ? sign(null, Buffer.from(timestamp + body), opts.key ?? keys.privateKey).toString('hex') : opts.signature;
    const res = await fetch(`${opts.url ?? base}/v1/webhooks/discord`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature-timestamp': timestamp, ...(signature !== null ? { 'x-signature-ed25519': signature } : {}) },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const envelope = (id: string, who: { id: string; username: string }) => ({
    id,
    application_id: '1100000000000000001',
    token: 'interaction-token',
    version: 1,
    guild_id: '1200000000000000001',
    channel_id: '1200000000000000002',
    member: { user: { ...who, global_name: null, discriminator: '0' }, roles: [] },
  });
  const slash = (sub: string, options: Record<string, string>, who = ADA, id = snowflake()) => ({
    ...envelope(id, who),
    type: 2,
    data: { id: '1300000000000000001', name: 'ticket', type: 1, options: [{ name: sub, type: 1, options: Object.entries(options).map(([name, value]) => ({ name, type: 3, value })) }] },
  });
  const click = (customId: string, who: { id: string; username: string }) => ({
    ...envelope(snowflake(), who),
    type: 3,
    message: { id: '1400000000000000001', content: 'Opened ...' },
    data: { custom_id: customId, component_type: 2 },
  });
  const open = (subject: string, who = ADA, id = snowflake(), extra: Record<string, string> = {}) =>
    slash('open', { subject, description: 'caro explain hangs after the 1.4 update', ...extra }, who, id);
  const ticketOf = (interactionId: string) => derivedTicketId('discord', interactionId);
  const tickets = async () => (await harness.tickets.list({}, 500)).length;


  async function openTicket(subject: string): Promise<string> {
    const id = snowflake();
    assert.equal((await interact(open(subject, ADA, id))).status, 200);
    return ticketOf(id);
  }

  test('PING is answered with PONG; the /ticket definition lists its subcommands; without a key there is no route', async () => {
    assert.deepEqual(await interact({ id: snowflake(), type: 1, application_id: '1100000000000000001', token: 't', version: 1 }), { status: 200, body: { type: 1 } });

    const command = ticketCommand(withDiscord());
    assert.equal(command.name, 'ticket');
    assert.deepEqual(command.options.map((o) => [o.type, o.name]), [[1, 'open'], [1, 'status'], [1, 'ack'], [1, 'resolve']]);
    const openOptions = command.options[0]!.options;
    assert.deepEqual(openOptions.map((o) => [o.name, o.required]), [['subject', true], ['description', true], ['priority', false]]);
    const priority = openOptions[2]!;
    assert.deepEqual('choices' in priority ? priority.choices?.map((c) => c.value) : [], ['P0', 'P1', 'P2', 'P3']);
    for (const o of command.options) assert.match(o.name, /^[a-z]{1,32}$/);

    const off = buildApi({ tickets: harness.tickets, tokens: new Map() });
    assert.equal((await off.inject({ method: 'POST', url: '/v1/webhooks/discord', payload: {} })).statusCode, 404);
    await off.close();
  });

  test('/ticket open opens one ticket on the discord channel as the Discord user, however often it arrives', async () => {
    const before = await tickets();
    const id = snowflake();
    const first = await interact(open('caro explain hangs @everyone', ADA, id, { priority: 'P1' }));
    assert.equal(first.status, 200);
    assert.equal(first.body.type, 4);
    assert.match(first.body.data!.content, new RegExp(`^Opened \\*\\*${ticketOf(id)}\\*\\* caro explain hangs @everyone · P1 High · next SLA deadline <t:\\d+:f>$`));
    assert.equal(first.body.data!.flags, undefined, 'the confirmation is public in the channel');
    assert.deepEqual(first.body.data!.allowed_mentions, { parse: [] }, 'echoed text pings nobody');
    assert.equal(first.body.data!.components?.[0]?.components[0]?.custom_id, `ack:${ticketOf(id)}`);

    const again = await interact(open('caro explain hangs @everyone', ADA, id, { priority: 'P1' }));
    assert.match(again.body.data!.content, new RegExp(`^Already opened \\*\\*${ticketOf(id)}\\*\\*`));

    const ticket = await harness.tickets.get(ticketOf(id));
    assert.equal(ticket.channel, 'discord');
    assert.equal(ticket.priority, 'P1');
    assert.deepEqual(ticket.requester, { handle: ADA.id, name: 'ada' });
    const opened = ticket.timeline.filter((e) => e.type === 'opened');
    assert.deepEqual(opened.map((e) => [e.actor, e.data?.externalId]), [[ADA.id, id]]);
    assert.equal(await eventually('one new ticket in visibility', async () => ((await tickets()) > before ? tickets() : undefined)), before + 1);
  });

  test('a bad, foreign or missing signature, an expired timestamp and a malformed body are refused and start nothing', async () => {
    const before = await tickets();
    const refused: string[] = [];
    const attempt = async (opts: Parameters<typeof interact>[1], expected: number) => {
      const id = snowflake();
      refused.push(id);
      const res = await interact(open('should never open', ADA, id), opts);
      assert.equal(res.status, expected, JSON.stringify(res.body));
      return res;
    };
    await attempt({ key: stranger.privateKey }, 401);
    await attempt({ signature: null }, 401);
    await attempt({ signature: '00'.repeat(64) }, 401);
    await attempt({ signature: 'not hex' }, 401);
    // Half a minute past the 5-minute tolerance either way: the adapter reads its own clock later,
    // unrounded, so a timestamp 301 s ahead of a rounded-down now could be 300 s ahead by then.
    const expired = await attempt({ timestamp: Math.floor(Date.now() / 1000) - 330 }, 401);
    assert.match(String(expired.body.message), /within 5 minutes/);
    await attempt({ timestamp: Math.floor(Date.now() / 1000) + 330 }, 401);
    // Signed, then changed on the way: the signature covers the bytes.
    const id = snowflake();
    refused.push(id);
    const signedBody = JSON.stringify(open('signed text', ADA, id));
    const ts = Math.floor(Date.now() / 1000);
    const tampered = await interact(undefined, { body: signedBody.replace('signed text', 'other text'), timestamp: ts, signature: sign(null, Buffer.from(`${ts}${signedBody}`), keys.privateKey).toString('hex') });
    assert.equal(tampered.status, 401);

    // Validly signed but malformed: 400 naming the field.
    const noId = open('no id') as Partial<ReturnType<typeof open>>;
    delete noId.id;
    const malformed = await interact(noId);
    assert.equal(malformed.status, 400);
    assert.deepEqual((malformed.body.errors as { path: string }[]).map((e) => e.path), ['id']);
    const noUser = { ...open('no user'), member: undefined };
    assert.equal((await interact(noUser)).status, 400);
    assert.equal((await interact(undefined, { body: '{"type":2,' })).status, 400, 'not JSON');
    const unknownType = await interact({ ...envelope(snowflake(), ADA), type: 9 });
    assert.equal(unknownType.status, 400);

    for (const refusedId of refused) await assert.rejects(env.client.workflow.getHandle(ticketWorkflowId(ticketOf(refusedId))).describe(), WorkflowNotFoundError);
    // A valid interaction after them is the only new ticket visibility ever shows.
    await openTicket('the one valid open');
    assert.equal(await eventually('the one valid ticket in visibility', async () => ((await tickets()) > before ? tickets() : undefined)), before + 1);
  });

  test('an open the ticket cannot take is answered privately and starts nothing', async () => {
    const id = snowflake();
    const res = await interact(open('Unknown priority', ADA, id, { priority: 'P9' }));
    assert.equal(res.status, 200);
    assert.equal(res.body.data!.flags, 64);
    assert.match(res.body.data!.content, /^Not done: priority: unknown priority 'P9'; expected one of P0, P1, P2, P3/);
    await assert.rejects(env.client.workflow.getHandle(ticketWorkflowId(ticketOf(id))).describe(), WorkflowNotFoundError);
    const other = await interact({ ...open('x'), data: { id: '1', name: 'weather', type: 1 } });
    assert.deepEqual([other.body.data!.content, other.body.data!.flags], ['tierline does not know the command /weather; it answers /ticket', 64]);
    const noResolution = await interact(slash('resolve', { id: 'T-ZZZZZZZZZZZZZZZZ' }, GRACE));
    assert.deepEqual([noResolution.body.data!.content, noResolution.body.data!.flags], ['/ticket resolve: resolution: Invalid input: expected string, received undefined', 64]);
  });

  test('/ticket status shows the requester their own ticket and engineers any, privately', async () => {
    const ticketId = await openTicket('Status please');
    const own = await interact(slash('status', { id: ticketId.toLowerCase() }, ADA));
    assert.equal(own.body.data!.flags, 64);
    assert.match(own.body.data!.content, new RegExp(`^\\*\\*${ticketId}\\*\\* Status please\\nawaiting first response · P2 Medium · tier support · unassigned\\nnext SLA deadline <t:\\d+:f>$`));
    const engineer = await interact(slash('status', { id: ticketId }, GRACE));
    assert.match(engineer.body.data!.content, /Status please/);
    const someoneElse = await interact(slash('status', { id: ticketId }, LINUS));
    assert.deepEqual([someoneElse.body.data!.content, someoneElse.body.data!.flags], [`No ticket ${ticketId} of yours: you can see the tickets you opened here.`, 64]);
    const unknown = await interact(slash('status', { id: 'T-ZZZZZZZZZZZZZZZZ' }, LINUS));
    assert.equal(unknown.body.data!.content, someoneElse.body.data!.content.replace(ticketId, 'T-ZZZZZZZZZZZZZZZZ'), 'an unknown id and somebody else\'s read the same');
    assert.equal((await interact(slash('status', { id: 'T-ZZZZZZZZZZZZZZZZ' }, GRACE))).body.data!.content, 'No ticket T-ZZZZZZZZZZZZZZZZ.');
  });

  test('/ticket ack runs as the mapped engineer, once; an unmapped user is refused and changes nothing', async () => {
    const ticketId = await openTicket('Acknowledge me');
    const handle = env.client.workflow.getHandle(ticketWorkflowId(ticketId));
    const before = await settled(handle);
    const unmapped = await interact(slash('ack', { id: ticketId }, LINUS));
    assert.equal(unmapped.body.data!.flags, 64);
    assert.equal(unmapped.body.data!.content, `Only engineers can acknowledge tickets from Discord, and your Discord account (linus, id ${LINUS.id}) is not mapped to one (DISCORD_USERS).`);
    assert.equal(await settled(handle), before, 'the refusal reached no ticket');

    const interactionId = snowflake();
    const acked = await interact(slash('ack', { id: ticketId }, GRACE, interactionId));
    assert.deepEqual([acked.body.type, acked.body.data!.flags, acked.body.data!.content], [4, 64, `Acknowledged ${ticketId} as grace; assigned to grace.`]);
    assert.equal((await interact(slash('ack', { id: ticketId }, GRACE, interactionId))).body.data!.content, `Acknowledged ${ticketId} as grace; assigned to grace.`, 'the same interaction again is a no-op');
    const again = await interact(slash('ack', { id: ticketId }, GRACE));
    assert.deepEqual([again.body.data!.content, again.body.data!.flags], [`${ticketId}: already acknowledged by grace`, 64]);

    const ticket = await harness.tickets.get(ticketId);
    assert.equal(ticket.assignee, 'grace');
    assert.deepEqual(ticket.timeline.filter((e) => e.type === 'acknowledged').map((e) => e.actor), ['grace']);
  });

  test('the Acknowledge button on an opened ticket acknowledges as the engineer and updates the message', async () => {
    const id = snowflake();
    const opened = await interact(open('Button me', ADA, id));
    const customId = opened.body.data!.components![0]!.components[0]!.custom_id;
    const ticketId = ticketOf(id);
    const unmapped = await interact(click(customId, ADA));
    assert.deepEqual([unmapped.body.type, unmapped.body.data!.flags], [4, 64]);
    const pressed = await interact(click(customId, GRACE));
    assert.equal(pressed.body.type, 7, 'UPDATE_MESSAGE');
    assert.match(pressed.body.data!.content, new RegExp(`^\\*\\*${ticketId}\\*\\* Button me · P2 Medium.*\\nAcknowledged by grace\\.$`));
    assert.deepEqual(pressed.body.data!.components, [], 'the button is gone');
    const ticket = await harness.tickets.get(ticketId);
    assert.deepEqual(ticket.timeline.filter((e) => e.type === 'acknowledged').map((e) => e.actor), ['grace']);
    const unknownButton = await interact(click('explode:now', GRACE));
    assert.deepEqual([unknownButton.body.type, unknownButton.body.data!.flags], [4, 64]);
  });

  test('/ticket resolve resolves as the engineer with the resolution; a second resolve is refused privately', async () => {
    const ticketId = await openTicket('Resolve me');
    assert.match((await interact(slash('resolve', { id: ticketId, resolution: 'Fixed in 1.4.2' }, LINUS))).body.data!.content, /^Only engineers can resolve tickets/);
    const resolved = await interact(slash('resolve', { id: ticketId, resolution: 'Fixed in 1.4.2' }, GRACE));
    assert.deepEqual([resolved.body.data!.content, resolved.body.data!.flags], [`Resolved ${ticketId} as grace: Fixed in 1.4.2`, 64]);
    const ticket = await harness.tickets.get(ticketId);
    assert.equal(ticket.status, 'resolved');
    assert.equal(ticket.resolution, 'Fixed in 1.4.2');
    assert.deepEqual(ticket.timeline.filter((e) => e.type === 'resolved').map((e) => e.actor), ['grace']);
    const again = await interact(slash('resolve', { id: ticketId, resolution: 'Again' }, GRACE));
    assert.deepEqual([again.body.data!.content, again.body.data!.flags], [`${ticketId}: cannot resolve a resolved ticket`, 64]);
    const unknown = await interact(slash('resolve', { id: 'T-ZZZZZZZZZZZZZZZZ', resolution: 'x' }, GRACE));
    assert.equal(unknown.body.data!.content, 'No ticket T-ZZZZZZZZZZZZZZZZ.');
  });

  test('when Temporal is slower than Discord waits, the answer comes in time, and the ticket is there once a worker catches up', async () => {
    // A task queue no worker polls yet: the ticket starts, but nothing can answer for it.
    const taskQueue = `late-worker-${snowflake()}`;
    const idle = new TicketClient(env.client, { taskQueue, policy: withDiscord() });
    const slow = buildApi({ tickets: idle, tokens: new Map(), adapters: { discord: { publicKey, users: {} } } });
    await slow.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(slow.server.address() as AddressInfo).port}`;
    try {
      const id = snowflake();
      const started = Date.now();
      const res = await interact(open('Slow day', ADA, id), { url });
      const took = Date.now() - started;
      assert.ok(took < 3_000, `answered in ${took} ms`);
      assert.deepEqual([res.body.type, res.body.data!.flags], [4, 64]);
      assert.equal(res.body.data!.content, `Opening ${ticketOf(id)} takes longer than Discord waits; see /ticket status id:${ticketOf(id)} in a minute.`);
      assert.equal((await env.client.workflow.getHandle(ticketWorkflowId(ticketOf(id))).describe()).taskQueue, taskQueue, 'the ticket was started all the same');

      const worker = await createTicketWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, activities: outboxActivities().activities, workflowBundle: await workflowBundle() });
      await worker.runUntil(async () => {
        const status = await eventually('the late ticket', async () => {
          const answer = await interact(slash('status', { id: ticketOf(id) }, ADA), { url });
          return answer.body.data?.content.startsWith(`**${ticketOf(id)}**`) ? answer : undefined;
        });
        assert.match(status.body.data!.content, /Slow day\nawaiting first response/);
      });
    } finally {
      await slow.close();
    }
  });
});
