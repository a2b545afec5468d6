import type { ChatMessage } from '../message.js';

/** Sends a message to a logical channel; what the scheduled jobs (the digest) post through. */
export type PostToChannel = (channel: string, message: ChatMessage) => void;

// The console shows channel messages in its terminal, but it is no channel anyone reads.
const CHANNEL_PLATFORMS: ReadonlySet<string> = new Set(['slack', 'mattermost']);

/**
 * A message to a logical channel (a key of the config's `channels`) goes to every running
 * platform that posts to channels, each through the delivery queue: written to SQLite first,
 * retried, never lost. A channel the config does not name, or no such platform, is an error the
 * job records rather than a message queued for nobody.
 */
export function channelPoster(options: {
  channels: Readonly<Record<string, string>>;
  platforms: () => readonly { name: string }[];
  queue: (channel: string, message: ChatMessage, platform: string) => void;
}): PostToChannel {
  return (channel, message) => {
    if (!Object.hasOwn(options.channels, channel)) {
      throw new Error(`channel "${channel}" is not configured (add channels.${channel} to the config)`);
    }
    const targets = options.platforms().filter((p) => CHANNEL_PLATFORMS.has(p.name));
    if (targets.length === 0) {
      throw new Error('no chat platform posts to channels (configure chat.slack or chat.mattermost)');
    }
    for (const platform of targets) options.queue(channel, message, platform.name);
  };
}
