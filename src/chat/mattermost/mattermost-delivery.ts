import type { Locale } from '../../core/i18n.js';
import type { Logger } from '../../core/logger.js';
import { fileNotAttached, readChatFiles } from '../attachments.js';
import { DeliveryError } from '../delivery/delivery-error.js';
import type { ChatMessage } from '../message.js';
import { commandReply, type MattermostApi, type NewPost } from './mattermost-api.js';
import type { MattermostChannels } from './mattermost-channels.js';
import { postsWithFiles, toMattermostPosts } from './post-text.js';
import type { ReplyHooks } from './reply-hooks.js';

/** How far a message got: its texts, the ids of its uploaded files, how many posts are made. */
interface Progress {
  channel: string;
  message: ChatMessage;
  texts: string[];
  notes: string[];
  sent: number;
  channelId?: string;
  fileIds?: string[];
}

export interface MattermostDeliveryDeps {
  api: MattermostApi;
  channels: MattermostChannels;
  /** Private replies waiting for a command's response_url (ReplyHooks). */
  hooks: ReplyHooks;
  /** The data folder's `reports/`: the only place files attached to messages are read from. */
  filesRoot: string;
  locale: Locale;
  logger: Logger;
}

/**
 * Channel messages to Mattermost, for the delivery queue: a message (several posts when long)
 * with its files, uploaded first, so a refused upload stops the message before anything is
 * posted, then attached to its last post. A file missing on disk is left out, with a note in
 * the message. A retry of the same message resumes where the last attempt stopped: the posts
 * made are not made again, the files uploaded are reused.
 */
export class MattermostDelivery {
  readonly #d: MattermostDeliveryDeps;
  /** A message the queue will retry after part of it went out (one at a time: the queue is ordered). */
  #partial: Progress | undefined;

  constructor(deps: MattermostDeliveryDeps) {
    this.#d = deps;
  }

  async deliver(channel: string, message: ChatMessage): Promise<void> {
    const { api, hooks } = this.#d;
    const p = this.#partial;
    this.#partial = undefined;
    const resumed = p?.channel === channel && JSON.stringify(p.message) === JSON.stringify(message) ? p : undefined;
    const { read, skipped } = await readChatFiles(message.files, this.#d.filesRoot);
    for (const s of skipped) {
      this.#d.logger.warn(
        { platform: 'mattermost', channel, file: s.file.path, reason: s.reason },
        'file not attached',
      );
    }
    const progress: Progress = resumed ?? {
      channel,
      message,
      texts: toMattermostPosts(message),
      notes: skipped.map((s) => fileNotAttached(this.#d.locale, s.name, s.reason)),
      sent: 0,
    };
    try {
      const reply = hooks.resolve(channel);
      // A response_url takes no files: a message with files goes by direct message instead.
      if (reply?.url && read.length === 0 && progress.sent === 0) {
        try {
          const texts = postsWithFiles(progress.texts, progress.notes, []).map((post) => post.message);
          await api.respond(reply.url, commandReply(texts, 'ephemeral'));
          return;
        } catch (error) {
          if (error instanceof DeliveryError && error.retryable) throw error;
          // Used up or expired: a direct message instead.
          hooks.forget(reply.key);
        }
      }
      const channelId = progress.channelId ?? (await this.#d.channels.idOf(reply ? `@${reply.userId}` : channel));
      progress.channelId = channelId;
      if (read.length > 0) progress.fileIds ??= (await api.uploadFiles(channelId, read)).map((info) => info.id);
      const posts = postsWithFiles(progress.texts, progress.notes, progress.fileIds ?? []);
      for (; progress.sent < posts.length; progress.sent += 1) {
        await api.createPost({ channel_id: channelId, ...posts[progress.sent] } as NewPost);
      }
    } catch (error) {
      const failure =
        error instanceof DeliveryError
          ? error
          : new DeliveryError('mattermost', 'delivery_failed', 'posting to Mattermost failed', {
              retryable: true,
              cause: error,
            });
      // Kept for the retry: the posts already made, and the files already uploaded (reused, not sent twice).
      if (failure.retryable && (progress.sent > 0 || progress.fileIds)) this.#partial = progress;
      throw failure;
    }
  }
}
