import type { RespondFn, webApi } from '@slack/bolt';
import { CommandFailedError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import type { Confirmation } from '../../store/confirmation-store.js';
import type { ChatSurface } from '../chat-session.js';
import type { ChatMessage } from '../message.js';
import type { SecretPrompts } from '../secret-prompts.js';
import { escapeMrkdwn, toSlackBlocks } from './blocks.js';
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

/** Answers one Slack request: response_url for private replies, the Web API for channel posts and progress. */
export class SlackSurface implements ChatSurface {
  readonly #c: SlackSurfaceContext;
  #progressTs: string | undefined;

  constructor(context: SlackSurfaceContext) {
    this.#c = context;
  }

  async replyPrivately(message: ChatMessage): Promise<void> {
    const payload = toSlackBlocks(message);
    try {
      await this.#call('response_url', () => this.#c.respond({ response_type: 'ephemeral', ...payload }));
    } catch {
      try {
        // The response_url is used up or expired: an ephemeral post reaches the user all the same.
        await this.#call('chat.postEphemeral', () =>
          this.#c.client.chat.postEphemeral({ channel: this.#c.channelId, user: this.#c.userId, ...payload }),
        );
      } catch {
        // Slack is away: a direct message once it is back, rather than nothing.
        this.#c.enqueue(this.#c.userId, message);
      }
    }
  }

  async replyInChannel(message: ChatMessage): Promise<void> {
    const payload = toSlackBlocks(message);
    try {
      await this.#call('chat.postMessage', () =>
        this.#c.client.chat.postMessage({ channel: this.#c.channelId, ...payload }),
      );
      return;
    } catch (error) {
      // Rate limited or Slack away: the delivery queue retries, honouring Retry-After, in order.
      const failure = slackDeliveryError(error, 'chat.postMessage');
      if (failure.retryable) return this.#c.enqueue(this.#c.channelId, message, failure.retryAfterMs);
    }
    try {
      // Not a member of the channel: the response_url may still post there.
      await this.#call('response_url', () => this.#c.respond({ response_type: 'in_channel', ...payload }));
    } catch {
      this.#c.enqueue(this.#c.channelId, message);
    }
  }

  async showProgress(message: ChatMessage, final: boolean): Promise<void> {
    const payload = toSlackBlocks(message);
    if (this.#progressTs) {
      await this.#call('chat.update', () =>
        this.#c.client.chat.update({ channel: this.#c.channelId, ts: this.#progressTs as string, ...payload }),
      );
      return;
    }
    if (final) return this.replyInChannel(message);
    const posted = await this.#call('chat.postMessage', () =>
      this.#c.client.chat.postMessage({ channel: this.#c.channelId, ...payload }),
    );
    this.#progressTs = (posted as { ts?: string }).ts;
  }

  async askConfirmation(confirmation: Confirmation, message: ChatMessage): Promise<void> {
    const { texts } = this.#c;
    await this.#call('response_url', () =>
      this.#c.respond({
        response_type: 'in_channel',
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
    await this.replyPrivately({ body: texts.promptLink(url, Math.round(this.#c.promptTimeoutMs / 60_000)) });
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
