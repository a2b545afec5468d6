import { afterEach, describe, expect, it } from 'vitest';
import { buildPlatforms } from '../../src/chat/build-platforms.js';
import { DeliveryError } from '../../src/chat/delivery/delivery-error.js';
import { MattermostApi } from '../../src/chat/mattermost/mattermost-api.js';
import { MattermostSurface } from '../../src/chat/mattermost/mattermost-surface.js';
import { mattermostTexts } from '../../src/chat/mattermost/mattermost-texts.js';
import type { ChatMessage } from '../../src/chat/message.js';
import { SecretPrompts } from '../../src/chat/secret-prompts.js';
import { silentLogger } from '../../src/core/logger.js';
import { Secret } from '../../src/core/secret.js';
import { Metrics } from '../../src/http/metrics.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { ConfirmationStore } from '../../src/store/confirmation-store.js';
import { openDatabase } from '../../src/store/database.js';
import { startWorld, type World } from '../emulators/mattermost/fixture.js';
import { testConfig } from '../support/app.js';
import { waitFor } from '../support/wait.js';
import { type Harness, startHarness } from './mattermost-harness.js';

let h: Harness | undefined;
let world: World | undefined;
afterEach(async () => {
  await h?.close();
  await world?.emulator.close();
  h = undefined;
  world = undefined;
});

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as DeliveryError,
  );

/** A surface on its own, against the emulator, with the queue replaced by a list. */
async function surfaceAlone() {
  world = await startWorld();
  const queued: { channel: string; message: ChatMessage; delayMs?: number }[] = [];
  const api = new MattermostApi({ url: world.emulator.url, botToken: new Secret(world.botToken), backoffMs: 20 });
  const surface = new MattermostSurface({
    api,
    channelId: world.ids.infra,
    userId: world.ids.alice,
    actor: 'alice@epicerieledetour.org',
    responseUrl: undefined,
    privateTarget: `@${world.ids.alice}`,
    triggerId: undefined,
    actionsUrl: 'http://127.0.0.1:9/mattermost/actions',
    botToken: new Secret(world.botToken),
    prompts: new SecretPrompts(openDatabase(':memory:')),
    promptTimeoutMs: 60_000,
    dialogTimeoutMs: 30_000,
    publicUrl: undefined,
    texts: mattermostTexts('en'),
    trackPrompt: () => () => {},
    enqueue: (channel, message, delayMs) => queued.push({ channel, message, delayMs }),
  });
  return { world, surface, queued };
}

describe('posting', () => {
  it('shows progress in one post, patched in place, ending with the result', async () => {
    const { world, surface } = await surfaceAlone();
    await Promise.all([
      surface.showProgress({ body: '… play: site' }, false),
      surface.showProgress({ body: '… task 1' }, false),
    ]);
    await surface.showProgress({ title: 'site: ok', body: 'localhost ok=3' }, true);
    expect(world.emulator.posts).toHaveLength(1);
    expect(world.emulator.posts[0]).toMatchObject({
      user_id: world.ids.bot,
      message: '**site: ok**\n```\nlocalhost ok=3\n```',
    });
    expect(world.emulator.calls.map((c) => `${c.method} ${c.path.replace(/[a-z0-9]{26}/, 'ID')} ${c.status}`)).toEqual([
      'POST /api/v4/posts 201',
      'PUT /api/v4/posts/ID/patch 200',
      'PUT /api/v4/posts/ID/patch 200',
    ]);
  });

  it('waits out a short Retry-After and posts once; a long one goes to the queue with its delay', async () => {
    const { world, surface, queued } = await surfaceAlone();
    world.emulator.failNext('POST /api/v4/posts', { status: 429, retryAfterSeconds: 1 });
    await surface.replyInChannel({ body: 'first' });
    expect(world.emulator.calls.map((c) => c.status)).toEqual([429, 201]);
    expect(world.emulator.posts.map((p) => p.message)).toEqual(['```\nfirst\n```']);
    world.emulator.failNext('POST /api/v4/posts', { status: 429, retryAfterSeconds: 30 });
    await surface.replyInChannel({ body: 'second' });
    expect(queued).toEqual([{ channel: world.ids.infra, message: { body: 'second' }, delayMs: 30_000 }]);
    expect(world.emulator.posts).toHaveLength(1);
  });

  it('retries 5xx inside a call, bounded, then reports a retryable failure', async () => {
    h = await startHarness();
    h.world.emulator.failNext('POST /api/v4/posts', { status: 503, times: 2 });
    await h.platform.deliver('infra', { body: 'after two 503' });
    expect(h.world.emulator.posts.map((p) => p.message)).toEqual(['```\nafter two 503\n```']);
    h.world.emulator.failNext('POST /api/v4/posts', { status: 500, times: 3 });
    const failure = await rejection(h.platform.deliver('infra', { body: 'x' }));
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(failure).toMatchObject({ code: 'http_500', retryable: true });
    expect(h.world.emulator.posts).toHaveLength(1);
  });

  it('resolves channels by name in the team, and reports what waiting cannot fix', async () => {
    h = await startHarness();
    await h.platform.deliver('infra', { body: 'by logical name' });
    await h.platform.deliver(h.world.ids.infra, { body: 'by id' });
    expect(h.world.emulator.posts.map((p) => p.channel_id)).toEqual([h.world.ids.infra, h.world.ids.infra]);
    // Looked up once.
    expect(h.world.emulator.calls.filter((c) => c.path.includes('/channels/name/'))).toHaveLength(1);
    const notMember = await rejection(h.platform.deliver('general', { body: 'x' }));
    expect(notMember).toMatchObject({ code: 'forbidden', retryable: false });
    const unknown = await rejection(h.platform.deliver('#nowhere', { body: 'x' }));
    expect(unknown).toMatchObject({ code: 'channel_not_found', retryable: false });
    expect(unknown?.message).toContain('no channel ~nowhere in team detour');
    // A direct message: the bot's DM channel with the user, created once and reused.
    await h.platform.deliver(`@${h.world.ids.alice}`, { body: 'just for alice' });
    await h.platform.deliver(`@${h.world.ids.alice}`, { body: 'again' });
    const direct = h.world.emulator.posts.filter((p) => p.channel_id !== h?.world.ids.infra);
    expect(direct.map((p) => p.message)).toEqual(['```\njust for alice\n```', '```\nagain\n```']);
    expect(new Set(direct.map((p) => p.channel_id)).size).toBe(1);
    expect(h.world.emulator.calls.filter((c) => c.path === '/api/v4/channels/direct')).toHaveLength(1);
    expect(h.world.emulator.calls.find((c) => c.path === '/api/v4/channels/direct')?.body).toEqual([
      h.world.ids.bot,
      h.world.ids.alice,
    ]);
  });
});

describe('outage', () => {
  const help = (harness: Harness) =>
    harness.world.emulator.sendSlashCommand({
      url: `${harness.botUrl}/mattermost/command`,
      user: 'alice',
      channel: 'infra',
      text: 'help',
    });
  const onResponseUrl = (harness: Harness) =>
    harness.world.emulator.ephemeral.filter((e) => e.source === 'response_url');

  /**
   * alice runs `help` while Mattermost is up (the bot then knows her e-mail), then again during
   * an outage: that reply waits in the queue. Returns what ends the outage.
   */
  async function replyQueuedDuringOutage(harness: Harness): Promise<() => void> {
    await help(harness);
    await waitFor('the first reply', () => onResponseUrl(harness).length === 1);
    expect(harness.platform.state()).toBe('up');
    const end = harness.world.emulator.outage(60_000);
    expect((await help(harness)).status).toBe(200);
    await waitFor('the reply to be queued', () => harness.outbox.depth('mattermost') > 0);
    expect(harness.platform.state()).toBe('down');
    return end;
  }

  it('keeps a private reply in SQLite while Mattermost is away and delivers it on the response_url after', async () => {
    h = await startHarness();
    const harness = h;
    const end = await replyQueuedDuringOutage(harness);
    end();
    await waitFor('the second reply', () => onResponseUrl(harness).length === 2);
    expect(onResponseUrl(harness)[1]?.message).toContain('Commands you can run');
    expect(h.outbox.depth('mattermost')).toBe(0);
    expect(h.platform.state()).toBe('up');
  });

  it('sends it as a direct message instead once its response_url has expired', async () => {
    h = await startHarness();
    const harness = h;
    const end = await replyQueuedDuringOutage(harness);
    // Mattermost keeps a command's response_url 30 minutes: it is gone when Mattermost is back.
    h.world.advance(31 * 60_000);
    end();
    const post = await waitFor('a direct message', () =>
      harness.world.emulator.posts.find((p) => p.channel_id !== harness.world.ids.infra),
    );
    expect(post.message).toContain('Commands you can run');
    const dm = harness.world.emulator.channels.get(post.channel_id);
    expect(dm).toMatchObject({ type: 'D' });
    expect([...(dm?.members ?? [])].sort()).toEqual([harness.world.ids.alice, harness.world.ids.bot].sort());
    expect(onResponseUrl(harness)).toHaveLength(1);
    await waitFor('the queue to drain', () => harness.outbox.depth('mattermost') === 0);
  });
});

describe('configuration', () => {
  it('points buttons at http.publicUrl when it is set', async () => {
    h = await startHarness({ http: { publicUrl: 'https://bot.example.org/' } });
    await h.world.emulator.sendSlashCommand({
      url: `${h.botUrl}/mattermost/command`,
      user: 'alice',
      channel: 'infra',
      text: 'jobs cancel 42',
    });
    const post = await waitFor('the confirmation', () => h?.world.emulator.posts[0]);
    const actions = (post.props.attachments as { actions: { integration: { url: string } }[] }[])[0]?.actions;
    expect(actions?.map((a) => a.integration.url)).toEqual([
      'https://bot.example.org/mattermost/actions',
      'https://bot.example.org/mattermost/actions',
    ]);
  });

  it('points them at http.listen when it names a real address, without publicUrl', async () => {
    h = await startHarness({ http: { listen: '10.8.0.9:8123' } });
    await h.world.emulator.sendSlashCommand({
      url: `${h.botUrl}/mattermost/command`,
      user: 'alice',
      channel: 'infra',
      text: 'jobs cancel 42',
    });
    const post = await waitFor('the confirmation', () => h?.world.emulator.posts[0]);
    const actions = (post.props.attachments as { actions: { integration: { url: string } }[] }[])[0]?.actions;
    expect(actions?.[0]?.integration.url).toBe('http://10.8.0.9:8123/mattermost/actions');
  });

  it('is built from chat.mattermost with its two routes', async () => {
    world = await startWorld();
    const db = openDatabase(':memory:');
    const config = testConfig(
      {
        chat: { mattermost: { url: world.emulator.url, botToken: world.botToken, commandToken: 'c', team: 'detour' } },
      },
      '/tmp',
    );
    const built = await buildPlatforms({
      config,
      confirmations: new ConfirmationStore(db),
      prompts: new SecretPrompts(db),
      metrics: new Metrics(),
      audit: new AuditStore(db),
      logger: silentLogger,
      now: () => new Date(),
      enqueue: () => {},
    });
    expect(built.platforms.map((p) => p.name)).toEqual(['mattermost']);
    expect(Object.keys(built.routes).sort()).toEqual(['POST /mattermost/actions', 'POST /mattermost/command']);
  });
});
