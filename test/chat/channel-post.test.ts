import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelPoster } from '../../src/chat/delivery/channel-post.js';
import { DeliveryQueue } from '../../src/chat/delivery/delivery-queue.js';
import type { ChatMessage } from '../../src/chat/message.js';
import { silentLogger } from '../../src/core/logger.js';
import { openDatabase } from '../../src/store/database.js';
import { OutboxStore } from '../../src/store/outbox-store.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-channel-post-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('posting a scheduled message to a logical channel', () => {
  it('goes through the delivery queue to Slack and Mattermost, not to the console', async () => {
    const db = openDatabase(join(dir, 'post.db'));
    const delivery = new DeliveryQueue({ store: new OutboxStore(db), logger: silentLogger });
    const delivered: string[] = [];
    const names = ['console', 'slack', 'mattermost'];
    for (const name of names) {
      delivery.register(name, async (channel: string, message: ChatMessage) => {
        delivered.push(`${name} ${channel} ${message.title}`);
      });
    }
    const post = channelPoster({
      channels: { digest: '#infra', infra: '#infra' },
      platforms: () => names.map((name) => ({ name })),
      queue: (channel, message, platform) => delivery.post(channel, message, platform),
    });
    post('digest', { title: 'Bonjour', body: 'all OK' });
    await Promise.all(['slack', 'mattermost'].map((p) => delivery.drain(p)));
    expect(delivered.sort()).toEqual(['mattermost digest Bonjour', 'slack digest Bonjour']);
    // Queued in SQLite first, as every channel message is.
    expect(db.prepare('SELECT platform, channel FROM outbox ORDER BY platform').all()).toEqual([
      { platform: 'mattermost', channel: 'digest' },
      { platform: 'slack', channel: 'digest' },
    ]);
    delivery.stop();
    db.close();
  });

  it('refuses a channel the config does not name, and a bot with no platform that posts to channels', () => {
    const queued: string[] = [];
    const poster = (platforms: string[]) =>
      channelPoster({
        channels: { infra: '#infra' },
        platforms: () => platforms.map((name) => ({ name })),
        queue: (channel, _message, platform) => void queued.push(`${platform} ${channel}`),
      });
    expect(() => poster(['slack'])('digest', { body: 'x' })).toThrow(
      'channel "digest" is not configured (add channels.digest to the config)',
    );
    expect(() => poster(['console'])('infra', { body: 'x' })).toThrow(
      'no chat platform posts to channels (configure chat.slack or chat.mattermost)',
    );
    expect(queued).toEqual([]);
  });
});
