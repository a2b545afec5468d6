import type { Config } from '../../config/schema.js';
import type { OutboxStore } from '../../store/outbox-store.js';
import { channelPoster, type PostToChannel } from './channel-post.js';

/**
 * How a one-shot process (`detour run`, `detour job run`) posts to a logical channel: it cannot
 * wait to deliver, so it writes the message to the outbox, once per chat platform the config
 * enables, and the serving bot delivers it (its queue looks at the outbox again every 30 s, and
 * at start). Without a chat platform there is nowhere to post: nothing is queued.
 */
export function outboxPoster(config: Config, store: OutboxStore, now: () => Date): PostToChannel {
  const platforms = (['slack', 'mattermost'] as const).filter((name) => config.chat[name]).map((name) => ({ name }));
  if (platforms.length === 0) return () => {};
  return channelPoster({
    channels: config.channels,
    platforms: () => platforms,
    queue: (channel, message, platform) => store.add(platform, channel, message, now()),
  });
}
