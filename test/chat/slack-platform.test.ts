import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/chat/delivery/delivery-error.js';
import { SecretPrompts } from '../../src/chat/secret-prompts.js';
import { SlackPlatform } from '../../src/chat/slack/slack-platform.js';
import { validateConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { Metrics } from '../../src/http/metrics.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { ConfirmationStore } from '../../src/store/confirmation-store.js';
import { openDatabase } from '../../src/store/database.js';
import { createSlackEmulator, type SlackEmulator } from '../emulators/slack/index.js';
import { BOT_TOKEN, GENERAL, INFRA, SIGNING_SECRET, workspace } from '../emulators/slack-fixtures.js';

let slack: SlackEmulator;
/** The body lines a Block Kit message shows, fences and escaping undone. */
const sectionLines = (blocks: unknown[] | undefined) =>
  (blocks ?? [])
    .filter((b) => (b as { type: string }).type === 'section')
    .flatMap((b) => (b as { text: { text: string } }).text.text.replace(/^```\n|\n```$/g, '').split('\n'));
let platform: SlackPlatform;

beforeAll(async () => {
  slack = await createSlackEmulator(workspace());
  const config = validateConfig(
    {
      chat: { slack: { mode: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: slack.apiUrl } },
      channels: { infra: '#infra', reports: '#general' },
    },
    {},
    '/tmp',
    'test',
  );
  const db = openDatabase(':memory:');
  platform = new SlackPlatform({
    slack: config.chat.slack as NonNullable<typeof config.chat.slack>,
    chat: config.chat,
    channels: config.channels,
    publicUrl: undefined,
    locale: 'en',
    confirmations: new ConfirmationStore(db),
    prompts: new SecretPrompts(db),
    metrics: new Metrics(),
    audit: new AuditStore(db),
    logger: silentLogger,
    now: () => new Date(),
    retries: 0,
    enqueue: () => {},
    filesRoot: '/nonexistent/reports',
  });
});
afterAll(() => slack.close());

describe('Slack channel delivery (emulator)', () => {
  it('posts to a logical channel by name, resolved to its id once', async () => {
    await platform.deliver('infra', { title: 'Alert', body: 'disk:b7-srv:/srv 91 %' });
    await platform.deliver('infra', { body: 'second' });
    const posted = slack.messages.filter((m) => m.channel === INFRA);
    expect(posted.map((m) => m.text)).toEqual(['Alert\ndisk:b7-srv:/srv 91 %', 'second']);
    expect(slack.calls.filter((c) => c.method === 'conversations.list')).toHaveLength(1);
  });

  it('says clearly when the bot is not in the channel, and that waiting will not help', async () => {
    const failure = await platform.deliver('reports', { body: 'monthly report' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(failure).toMatchObject({ code: 'not_in_channel', retryable: false });
    expect((failure as Error).message).toBe(
      'chat.postMessage: the bot is not in this channel: invite it with /invite @detour',
    );
    expect(slack.messages.some((m) => m.channel === GENERAL)).toBe(false);
  });

  it('names an unknown channel', async () => {
    await expect(platform.deliver('#nowhere', { body: 'x' })).rejects.toMatchObject({
      code: 'channel_not_found',
      retryable: false,
    });
  });

  it('posts a long result as several messages, in order, none refused', async () => {
    const body = Array.from({ length: 700 }, (_, i) => `line ${i} ${'x'.repeat(50)}`).join('\n'); // ~42 000
    const before = slack.calls.length;
    await platform.deliver('infra', { title: 'Long', body });
    const calls = slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage');
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.map((c) => (c.response as { ok: boolean }).ok)).toEqual(calls.map(() => true));
    const posted = slack.messages.filter((m) => m.channel === INFRA).slice(-calls.length);
    expect(posted.map((m) => (m.blocks?.[0] as { text: { text: string } }).text.text)).toEqual(
      calls.map((_, i) => `Long (${i + 1}/${calls.length})`),
    );
    expect(posted.flatMap((m) => sectionLines(m.blocks))).toEqual(body.split('\n'));
  });

  it('posts the rest of a long result, not the whole, when the queue retries it', async () => {
    const body = Array.from({ length: 700 }, (_, i) => `row ${i} ${'y'.repeat(50)}`).join('\n');
    slack.failNext('chat.postMessage', { after: 1, retryAfter: 1 });
    const first = await platform.deliver('infra', { title: 'Retried', body }).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'ratelimited', retryable: true });
    await platform.deliver('infra', { title: 'Retried', body });
    const posted = slack.messages.filter((m) => m.channel === INFRA && m.text.startsWith('Retried'));
    expect(posted.flatMap((m) => sectionLines(m.blocks))).toEqual(body.split('\n'));
  });

  it('reports a rate limit as retryable, with its Retry-After', async () => {
    slack.failNext('chat.postMessage', { retryAfter: 7 });
    await expect(platform.deliver('infra', { body: 'x' })).rejects.toMatchObject({
      code: 'ratelimited',
      retryable: true,
      retryAfterMs: 7_000,
    });
  });
});

describe('Slack secret prompts without a public URL', () => {
  it('refuse to ask, and say how to unlock from the server instead', async () => {
    const { SlackSurface } = await import('../../src/chat/slack/slack-surface.js');
    const { slackTexts } = await import('../../src/chat/slack/slack-texts.js');
    const db = openDatabase(':memory:');
    const surface = new SlackSurface({
      client: {} as never,
      respond: async () => undefined as never,
      channelId: INFRA,
      userId: 'U0ALICE001',
      actor: 'alice@epicerieledetour.org',
      prompts: new SecretPrompts(db),
      publicUrl: undefined,
      promptTimeoutMs: 60_000,
      texts: slackTexts('en'),
      onApiCall: () => {},
      enqueue: () => {},
    });
    await expect(surface.askSecret('Passphrase for dataproxies: ', Promise.resolve(undefined))).rejects.toMatchObject({
      code: 'no_public_url',
      message: expect.stringContaining('detour run "unlock <target>"'),
    });
    expect(db.prepare('SELECT count(*) AS n FROM secret_prompts').get()).toEqual({ n: 0 });
  });
});
