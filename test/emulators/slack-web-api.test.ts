import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackEmulator } from './slack/index.js';
import { createSlackEmulator } from './slack/index.js';
import {
  ALICE,
  BOB,
  BOT_TOKEN,
  clientOptions,
  fakeClock,
  GENERAL,
  INFRA,
  silentLogger,
  workspace,
} from './slack-fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function emulatorWith(overrides = {}): Promise<SlackEmulator> {
  const emulator = await createSlackEmulator(workspace(overrides));
  cleanups.push(() => emulator.close());
  return emulator;
}

function client(emulator: SlackEmulator, extra: Partial<webApi.WebClientOptions> = {}) {
  return new webApi.WebClient(BOT_TOKEN, { ...clientOptions(emulator), logger: silentLogger, ...extra });
}

/** The Slack error name of a refused WebClient call. */
async function refusal(call: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: webApi.ErrorCode.PlatformError });
  return (error as { data: Record<string, unknown> }).data;
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } }) as const;

describe('Web API answers as Slack does', () => {
  it('refuses more than 50 blocks and over-long Block Kit texts with invalid_blocks', async () => {
    const emulator = await emulatorWith();
    const c = client(emulator);
    const many = Array.from({ length: 51 }, (_, i) => section(`line ${i}`));
    const tooMany = await refusal(c.chat.postMessage({ channel: INFRA, text: 'x', blocks: many }));
    expect(tooMany).toMatchObject({ error: 'invalid_blocks' });
    expect(tooMany.response_metadata).toMatchObject({
      messages: ['[ERROR] no more than 50 items allowed [json-pointer:/blocks]'],
    });
    await expect(c.chat.postMessage({ channel: INFRA, text: 'x', blocks: many.slice(0, 50) })).resolves.toMatchObject({
      ok: true,
    });
    const long = await refusal(c.chat.postMessage({ channel: INFRA, text: 'x', blocks: [section('a'.repeat(3001))] }));
    expect(long.errors).toEqual([
      'failed to match all allowed schemas [json-pointer:/blocks/0/text]',
      'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ]);
    const header = { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } } as const;
    const button = {
      type: 'button',
      action_id: 'a'.repeat(256),
      text: { type: 'plain_text', text: 'b'.repeat(76) },
    } as const;
    const mixed = await refusal(
      c.chat.postMessage({ channel: INFRA, text: 'x', blocks: [header, { type: 'actions', elements: [button] }] }),
    );
    expect(mixed.errors).toEqual(
      expect.arrayContaining([
        'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
        'must be less than 256 characters [json-pointer:/blocks/1/elements/0/action_id]',
        'must be less than 76 characters [json-pointer:/blocks/1/elements/0/text/text]',
      ]),
    );
    expect(
      await refusal(c.chat.postMessage({ channel: INFRA, text: 'x', blocks: [{ type: 'sections' }] })),
    ).toMatchObject({
      errors: ['unsupported type: sections [json-pointer:/blocks/0/type]'],
    });
    expect(emulator.messages).toHaveLength(1);
    expect(emulator.messages[0]?.blocks?.every((b) => typeof (b as { block_id?: unknown }).block_id === 'string')).toBe(
      true,
    );
  });

  it('checks channel, membership and text; takes a public channel by name; truncates past 40 000', async () => {
    const emulator = await emulatorWith();
    const c = client(emulator);
    expect(await refusal(c.chat.postMessage({ channel: INFRA, text: '' }))).toMatchObject({ error: 'no_text' });
    expect(await refusal(c.chat.postMessage({ channel: GENERAL, text: 'hi' }))).toMatchObject({
      error: 'not_in_channel',
    });
    expect(await refusal(c.chat.postMessage({ channel: 'C0NOSUCH01', text: 'hi' }))).toMatchObject({
      error: 'channel_not_found',
    });
    expect(await refusal(c.chat.postMessage({ channel: '#secret-room', text: 'hi' }))).toMatchObject({
      error: 'channel_not_found',
    });
    const byName = await c.chat.postMessage({ channel: '#infra', text: 'y'.repeat(40_001) });
    expect(byName).toMatchObject({ ok: true, channel: INFRA, message: { type: 'message', bot_id: emulator.botId } });
    expect(emulator.messages.at(-1)?.text).toHaveLength(40_000);
    const updated = await c.chat.update({ channel: INFRA, ts: byName.ts ?? '', text: 'short now' });
    expect(updated).toMatchObject({ ok: true, text: 'short now' });
    expect(emulator.messages.at(-1)).toMatchObject({
      text: 'short now',
      edited: { user: emulator.state.options.botUserId },
    });
    expect(await refusal(c.chat.update({ channel: INFRA, ts: '1.000001', text: 'z' }))).toMatchObject({
      error: 'message_not_found',
    });
    expect(await refusal(c.chat.update({ channel: INFRA, ts: byName.ts ?? '', text: 'z'.repeat(4001) }))).toMatchObject(
      { error: 'msg_too_long' },
    );
    await expect(c.chat.postEphemeral({ channel: INFRA, user: BOB, text: 'only you' })).resolves.toMatchObject({
      ok: true,
    });
    expect(await refusal(c.chat.postEphemeral({ channel: INFRA, user: 'U0NOBODY01', text: 'x' }))).toMatchObject({
      error: 'user_not_in_channel',
    });
  });

  it('gives user.profile.email only with users:read.email', async () => {
    const emulator = await emulatorWith();
    const c = client(emulator);
    const alice = await c.users.info({ user: ALICE });
    expect(alice.user).toMatchObject({
      id: ALICE,
      name: 'alice',
      is_bot: false,
      profile: { email: 'alice@epicerieledetour.org' },
    });
    expect(await refusal(c.users.info({ user: 'U0NOBODY01' }))).toMatchObject({ error: 'user_not_found' });
    emulator.setScopes(['chat:write', 'users:read']);
    const hidden = await c.users.info({ user: ALICE });
    expect(hidden.user?.profile).not.toHaveProperty('email');
    expect(hidden.response_metadata?.scopes).toEqual(['chat:write', 'users:read']);
    emulator.setScopes(['chat:write']);
    expect(await refusal(c.users.info({ user: ALICE }))).toMatchObject({
      error: 'missing_scope',
      needed: 'users:read',
    });
  });

  it('surfaces a 429 with Retry-After as the WebClient rate-limited error', async () => {
    const emulator = await emulatorWith();
    emulator.failNext('chat.postMessage', { retryAfter: 1 });
    const c = client(emulator, { rejectRateLimitedCalls: true });
    const error = await c.chat.postMessage({ channel: INFRA, text: 'hi' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: webApi.ErrorCode.RateLimitedError, retryAfter: 1 });
    expect(emulator.calls.at(-1)).toMatchObject({ method: 'chat.postMessage', status: 429 });
    emulator.failNext('chat.postMessage', { error: 'ratelimited' });
    expect(await refusal(c.chat.postMessage({ channel: INFRA, text: 'hi' }))).toMatchObject({ error: 'ratelimited' });
    await expect(c.chat.postMessage({ channel: INFRA, text: 'hi' })).resolves.toMatchObject({ ok: true });
  });

  it('goes away during an outage and comes back', async () => {
    const clock = fakeClock();
    const emulator = await emulatorWith({ now: clock.now });
    const c = client(emulator);
    emulator.outage(60_000);
    await expect(c.auth.test()).rejects.toMatchObject({ code: webApi.ErrorCode.HTTPError, statusCode: 503 });
    emulator.outage(60_000, 'refuse');
    await expect(c.auth.test()).rejects.toMatchObject({ code: webApi.ErrorCode.RequestError });
    clock.advance(60_001);
    await expect(c.auth.test()).resolves.toMatchObject({
      ok: true,
      user_id: emulator.state.options.botUserId,
      bot_id: emulator.botId,
    });
  });

  it('authenticates as Slack does', async () => {
    const emulator = await emulatorWith();
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${emulator.apiUrl}chat.postMessage`, { method: 'POST', headers, body }).then((r) => r.json());
    const json = { 'content-type': 'application/json; charset=utf-8' };
    expect(await post({ 'content-type': 'application/x-www-form-urlencoded' }, `channel=${INFRA}&text=hi`)).toEqual({
      ok: false,
      error: 'not_authed',
    });
    expect(await post(json, JSON.stringify({ token: BOT_TOKEN, channel: INFRA, text: 'hi' }))).toEqual({
      ok: false,
      error: 'not_authed',
    });
    expect(
      await post({ ...json, authorization: `Bearer ${BOT_TOKEN}` }, JSON.stringify({ channel: INFRA, text: 'hi' })),
    ).toMatchObject({ ok: true });
    expect(await post({ ...json, authorization: 'Bearer xoxb-forged' }, '{}')).toEqual({
      ok: false,
      error: 'invalid_auth',
    });
    expect(await post({ ...json, authorization: `Bearer ${emulator.state.options.appToken}` }, '{}')).toEqual({
      ok: false,
      error: 'not_allowed_token_type',
    });
    const unknown = await fetch(`${emulator.apiUrl}chat.postMesage`, { method: 'POST' });
    expect([unknown.status, await unknown.json()]).toEqual([
      200,
      { ok: false, error: 'unknown_method', req_method: 'chat.postMesage' },
    ]);
  });

  it('serves conversations.list with the channels the bot can see, and nothing the bot never calls', async () => {
    const emulator = await emulatorWith();
    const c = client(emulator);
    const list = await c.conversations.list({ types: 'public_channel,private_channel' });
    expect(list.channels?.map((ch) => [ch.name, ch.is_member])).toEqual([
      ['infra', true],
      ['general', false],
    ]);
    for (const method of ['views.open', 'files.upload', 'conversations.history', 'conversations.open'])
      expect(await refusal(c.apiCall(method, {}))).toMatchObject({ error: 'unknown_method', req_method: method });
  });

  it('refuses blocks holding more than 12 000 characters of text in all (msg_blocks_too_long)', async () => {
    const emulator = await emulatorWith();
    const c = client(emulator);
    const header = { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(1) } } as const;
    // 1 + 4 × 3000 = 12 001: each block within its own limit, the message over Slack's total.
    const blocks = [header, ...['a', 'b', 'c', 'd'].map((ch) => section(ch.repeat(3000)))];
    expect(await refusal(c.chat.postMessage({ channel: INFRA, text: 'x', blocks }))).toMatchObject({
      ok: false,
      error: 'msg_blocks_too_long',
    });
    const posted = await c.chat.postMessage({ channel: INFRA, text: 'x', blocks: blocks.slice(1) });
    expect(posted.ok).toBe(true);
    expect(await refusal(c.chat.update({ channel: INFRA, ts: posted.ts ?? '', text: 'x', blocks }))).toMatchObject({
      error: 'msg_blocks_too_long',
    });
    expect(await refusal(c.chat.postEphemeral({ channel: INFRA, user: ALICE, text: 'x', blocks }))).toMatchObject({
      error: 'msg_blocks_too_long',
    });
    expect(emulator.messages.filter((m) => m.channel === INFRA)).toHaveLength(1);
    expect(emulator.ephemerals).toEqual([]);
  });
});
