import type { RespondFn, webApi } from '@slack/bolt';
import { CommandFailedError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import type { Confirmation } from '../../store/confirmation-store.js';
import type { ChatSurface } from '../chat-session.js';
import type { ChatMessage } from '../message.js';
import type { SecretPrompts } from '../secret-prompts.js';
import { escapeMrkdwn, splitForSlack, toSlackBlocks } from './blocks.js';
import { slackDeliveryError } from './slack-errors.js';
import type { SlackTexts } from './slack-texts.js';

export interface SlackSurfaceContext {
  client: webApi.WebClient;
  /** The request's response_url (5 posts in 30 minutes). */
  respond: RespondFn;
  channelId: string;
  userId: string;
  actor: string;
  prompts: SecretPrompts;
  publicUrl: string | undefined;
  promptTimeoutMs: number;
  texts: SlackTexts;
  onApiCall: (method: string, ok: boolean) => void;
  /** Last resort when Slack is away: the delivery queue posts it when Slack is back (not before `delayMs`). */
  enqueue: (channel: string, message: ChatMessage, delayMs?: number) => void;
}

/** Where the parts of a channel reply go once the Web API could not take one. */
type ChannelRoute = 'api' | 'response_url' | 'queue';

/**
 * Answers one Slack request: response_url for private replies, the Web API for channel posts and
 * progress. A long message goes out as several messages (see splitForSlack), in order: once one
 * part had to take a slower way, the parts after it follow the same way.
 */
export class SlackSurface implements ChatSurface {
  readonly #c: SlackSurfaceContext;
  #progressTs: string | undefined;
  /** Progress updates one after the other, so the result never lands before an older line. */
  #progress: Promise<void> = Promise.resolve();

  constructor(context: SlackSurfaceContext) {
    this.#c = context;
  }

  async replyPrivately(message: ChatMessage): Promise<void> {
    await this.#replyPrivately(message, true);
  }

  /** False when the message could not go out now and was not queued (`queue` false). */
  async #replyPrivately(message: ChatMessage, queue: boolean): Promise<boolean> {
    const parts = splitForSlack(message);
    let viaUrl = true;
    for (const [i, part] of parts.entries()) {
      const payload = toSlackBlocks(part);
      if (viaUrl) {
        try {
          // After a button click, Slack's default is to replace the message the button was on.
          await this.#call('response_url', () =>
            this.#c.respond({ response_type: 'ephemeral', replace_original: false, ...payload }),
          );
          continue;
        } catch {
          // Used up (5 posts) or expired: an ephemeral post reaches the user all the same.
          viaUrl = false;
        }
      }
      try {
        await this.#call('chat.postEphemeral', () =>
          this.#c.client.chat.postEphemeral({ channel: this.#c.channelId, user: this.#c.userId, ...payload }),
        );
      } catch {
        if (!queue) return false;
        // Slack is away: direct messages once it is back, rather than nothing.
        for (const rest of parts.slice(i)) this.#c.enqueue(this.#c.userId, rest);
        return true;
      }
    }
    return true;
  }

  async replyInChannel(message: ChatMessage): Promise<void> {
    await this.#postInChannel(splitForSlack(message));
  }

  showProgress(message: ChatMessage, final: boolean): Promise<void> {
    const next = this.#progress.then(() => this.#showProgress(message, final));
    this.#progress = next.catch(() => undefined);
    return next;
  }

  async #showProgress(message: ChatMessage, final: boolean): Promise<void> {
    const { client, channelId } = this.#c;
    if (!this.#progressTs) {
      if (final) return this.replyInChannel(message);
      const posted = await this.#call('chat.postMessage', () =>
        client.chat.postMessage({ channel: channelId, ...toSlackBlocks(message) }),
      );
      this.#progressTs = (posted as { ts?: string }).ts;
      return;
    }
    const [first = message, ...rest] = splitForSlack(message);
    const ts = this.#progressTs;
    try {
      await this.#call('chat.update', () => client.chat.update({ channel: channelId, ts, ...toSlackBlocks(first) }));
    } catch (error) {
      // A lost progress line does not matter; a lost result does. chat.update is Tier 3 (~50 a
      // minute) and may be refused (message deleted…): the result then comes as new messages.
      if (!final) throw error;
      return this.replyInChannel(message);
    }
    await this.#postInChannel(rest);
  }

  async #postInChannel(parts: ChatMessage[]): Promise<void> {
    const { channelId } = this.#c;
    let route: ChannelRoute = 'api';
    for (const [i, part] of parts.entries()) {
      const payload = toSlackBlocks(part);
      if (route === 'api') {
        try {
          await this.#call('chat.postMessage', () =>
            this.#c.client.chat.postMessage({ channel: channelId, ...payload }),
          );
          continue;
        } catch (error) {
          const failure = slackDeliveryError(error, 'chat.postMessage');
          if (failure.retryable) {
            // Rate limited or Slack away: the delivery queue retries, honouring Retry-After, in order.
            for (const rest of parts.slice(i)) this.#c.enqueue(channelId, rest, failure.retryAfterMs);
            return;
          }
          // Not a member of the channel: the response_url may still post there.
          route = 'response_url';
        }
      }
      if (route === 'response_url') {
        try {
          await this.#call('response_url', () =>
            this.#c.respond({ response_type: 'in_channel', replace_original: false, ...payload }),
          );
          continue;
        } catch {
          route = 'queue';
        }
      }
      this.#c.enqueue(channelId, part);
    }
  }

  async askConfirmation(confirmation: Confirmation, message: ChatMessage): Promise<void> {
    const { texts } = this.#c;
    await this.#call('response_url', () =>
      this.#c.respond({
        response_type: 'in_channel',
        replace_original: false,
        text: message.body,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(message.body) } },
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                action_id: 'detour_confirm',
                style: 'primary',
                value: confirmation.id,
                text: { type: 'plain_text', text: texts.confirm },
              },
              {
                type: 'button',
                action_id: 'detour_cancel',
                style: 'danger',
                value: confirmation.id,
                text: { type: 'plain_text', text: texts.cancel },
              },
            ],
          },
        ],
      }),
    );
  }

  async askSecret(prompt: string, result: Promise<string | undefined>): Promise<Secret> {
    const { publicUrl, texts } = this.#c;
    // Slack has no masked input: a passphrase must never be typed into it.
    if (!publicUrl) throw new CommandFailedError('no_public_url', texts.noPublicUrl);
    const opened = this.#c.prompts.open({
      platform: 'slack',
      userId: this.#c.userId,
      actor: this.#c.actor,
      purpose: prompt.replace(/\s*:\s*$/, ''),
      ttlMs: this.#c.promptTimeoutMs,
    });
    this.#c.prompts.attachResult(opened.token, result);
    const url = `${publicUrl.replace(/\/$/, '')}/prompt/${opened.token}`;
    // The link is the prompt's only key: it never waits in the delivery queue (SQLite), where it
    // would outlive its use. Slack away now means no prompt now.
    const sent = await this.#replyPrivately(
      { body: texts.promptLink(url, Math.round(this.#c.promptTimeoutMs / 60_000)) },
      false,
    );
    if (!sent) {
      this.#c.prompts.withdraw(opened.token);
      throw new CommandFailedError('prompt_undeliverable', texts.promptUndeliverable);
    }
    return opened.secret;
  }

  async #call<T>(method: string, call: () => Promise<T>): Promise<T> {
    try {
      const value = await call();
      this.#c.onApiCall(method, true);
      return value;
    } catch (error) {
      this.#c.onApiCall(method, false);
      throw error;
    }
  }
}
