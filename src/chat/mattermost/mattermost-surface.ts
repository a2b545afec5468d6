import type { DialogElement } from '@mattermost/types/integrations';
import { CommandFailedError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import type { Confirmation } from '../../store/confirmation-store.js';
import type { ChatSurface } from '../chat-session.js';
import { DeliveryError } from '../delivery/delivery-error.js';
import type { ChatMessage } from '../message.js';
import type { SecretPrompts } from '../secret-prompts.js';
import { commandReply, type MattermostApi } from './mattermost-api.js';
import { buttonSecret } from './mattermost-inbound.js';
import type { MattermostTexts } from './mattermost-texts.js';
import { toMattermostPosts } from './post-text.js';

/** A message-attachment button; @mattermost/types' PostAction leaves `integration` out. */
export interface ActionButton {
  id: string;
  name: string;
  type: 'button';
  style: 'primary' | 'danger' | 'default';
  integration: { url: string; context: Record<string, unknown> };
}

export interface OpenPromptEntry {
  userId: string;
  cancel(): void;
}

export interface MattermostSurfaceContext {
  api: MattermostApi;
  channelId: string;
  userId: string;
  actor: string;
  /** The slash command's response_url (5 posts in 30 minutes), when there is one. */
  responseUrl: string | undefined;
  /** Where the delivery queue sends a private reply that could not go now (the response_url, else a direct message). */
  privateTarget: string;
  /** The latest trigger id from this user (30 s, opens the passphrase dialog). */
  triggerId: string | undefined;
  /** Absolute URL of POST /mattermost/actions as the Mattermost server reaches the bot. */
  actionsUrl: string;
  botToken: Secret;
  prompts: SecretPrompts;
  promptTimeoutMs: number;
  /** After this long without an answer, the user hears that the dialog may not have opened, and the way out. */
  dialogTimeoutMs: number;
  /** http.publicUrl: where the one-time passphrase page answers the same prompt, when set. */
  publicUrl: string | undefined;
  texts: MattermostTexts;
  /** Remembers an open dialog by its prompt token; returns how to forget it. */
  trackPrompt(token: string, entry: OpenPromptEntry): () => void;
  /** Last resort when Mattermost cannot take a message now: the delivery queue posts it later (not before `delayMs`). */
  enqueue: (channel: string, message: ChatMessage, delayMs?: number) => void;
}

// Action ids must be letters and digits only: the webapp cannot find ids with "_" or "-".
const CONFIRM_ID = 'detourconfirm';
const CANCEL_ID = 'detourcancel';
const MAX_PASSPHRASE = 512;

/**
 * Answers one Mattermost request: the response_url for private replies, the
 * REST API (as the bot) for channel posts, progress and confirmation buttons,
 * an interactive dialog with a password field for secrets.
 */
export class MattermostSurface implements ChatSurface {
  readonly #c: MattermostSurfaceContext;
  #progressPostId: string | undefined;
  /** Progress updates run one after the other, so the final one cannot overtake the first post. */
  #progress: Promise<void> = Promise.resolve();

  constructor(context: MattermostSurfaceContext) {
    this.#c = context;
  }

  async replyPrivately(message: ChatMessage): Promise<void> {
    const { responseUrl } = this.#c;
    if (responseUrl) {
      try {
        await this.#c.api.respond(responseUrl, commandReply(toMattermostPosts(message), 'ephemeral'));
        return;
      } catch (error) {
        // Away, rate limited, used up: the delivery queue tries again in order, then as a direct message.
        return this.#c.enqueue(this.#c.privateTarget, message, (error as DeliveryError).retryAfterMs);
      }
    }
    this.#c.enqueue(this.#c.privateTarget, message);
  }

  async replyInChannel(message: ChatMessage): Promise<void> {
    try {
      for (const piece of toMattermostPosts(message))
        await this.#c.api.createPost({ channel_id: this.#c.channelId, message: piece });
      return;
    } catch (error) {
      // Rate limited or Mattermost away: the delivery queue retries, honouring Retry-After, in order.
      if (error instanceof DeliveryError && error.retryable)
        return this.#c.enqueue(this.#c.channelId, message, error.retryAfterMs);
      if (this.#c.responseUrl) {
        try {
          // The bot is not in this channel: the response_url posts there in the user's name.
          await this.#c.api.respond(this.#c.responseUrl, commandReply(toMattermostPosts(message), 'in_channel'));
          return;
        } catch {
          // fall through to the queue, which reports what cannot heal
        }
      }
    }
    this.#c.enqueue(this.#c.channelId, message);
  }

  showProgress(message: ChatMessage, final: boolean): Promise<void> {
    const next = this.#progress.then(() => this.#showProgress(message, final));
    this.#progress = next.catch(() => undefined);
    return next;
  }

  async #showProgress(message: ChatMessage, final: boolean): Promise<void> {
    const [first = '', ...rest] = toMattermostPosts(message);
    const { api, channelId } = this.#c;
    if (this.#progressPostId) {
      try {
        await api.patchPost(this.#progressPostId, { message: first });
        for (const piece of rest) await api.createPost({ channel_id: channelId, message: piece });
      } catch (error) {
        // A lost progress line does not matter; a lost result does.
        if (!final) throw error;
        this.#c.enqueue(channelId, message);
      }
      return;
    }
    if (final) return this.replyInChannel(message);
    this.#progressPostId = (await api.createPost({ channel_id: channelId, message: first })).id;
  }

  async askConfirmation(confirmation: Confirmation, message: ChatMessage): Promise<void> {
    const { texts, actionsUrl } = this.#c;
    const secret = buttonSecret(this.#c.botToken, confirmation.id);
    const button = (id: string, name: string, style: ActionButton['style'], decision: string): ActionButton => ({
      id,
      name,
      type: 'button',
      style,
      integration: { url: actionsUrl, context: { confirmation: confirmation.id, decision, secret } },
    });
    const attachments = [
      {
        fallback: message.body,
        actions: [
          button(CONFIRM_ID, texts.confirm, 'primary', 'confirmed'),
          button(CANCEL_ID, texts.cancel, 'danger', 'cancelled'),
        ],
      },
    ];
    try {
      await this.#c.api.createPost({ channel_id: this.#c.channelId, message: message.body, props: { attachments } });
    } catch (error) {
      if (!this.#c.responseUrl) throw error;
      await this.#c.api.respond(this.#c.responseUrl, {
        response_type: 'in_channel',
        text: message.body,
        attachments,
      });
    }
  }

  async askSecret(prompt: string, result?: Promise<string | undefined>): Promise<Secret> {
    const { api, texts, triggerId, userId, promptTimeoutMs } = this.#c;
    if (!triggerId) throw new CommandFailedError('no_trigger', texts.noTrigger);
    const purpose = prompt.replace(/\s*:\s*$/, '');
    const opened = this.#c.prompts.open({
      platform: 'mattermost',
      userId,
      actor: this.#c.actor,
      purpose,
      ttlMs: promptTimeoutMs,
    });
    // Settles later on its own (expiry) when the dialog never opens or is cancelled.
    opened.secret.catch(() => undefined);
    // The one-time page answers the same prompt, and shows the command's outcome once used.
    if (result) this.#c.prompts.attachResult(opened.token, result);
    let cancel: () => void = () => {};
    const cancelled = new Promise<never>((_resolve, reject) => {
      cancel = () => reject(new CommandFailedError('prompt_cancelled', texts.promptCancelled));
    });
    const untrack = this.#c.trackPrompt(opened.token, { userId, cancel });
    const element = {
      display_name: texts.passphraseLabel,
      name: 'passphrase',
      type: 'text',
      subtype: 'password',
      max_length: MAX_PASSPHRASE,
    };
    try {
      await api.openDialog({
        trigger_id: triggerId,
        url: this.#c.actionsUrl,
        dialog: {
          callback_id: 'detour_secret',
          title: texts.dialogTitle,
          introduction_text: texts.dialogIntro(purpose, Math.round(promptTimeoutMs / 60_000)),
          elements: [element as DialogElement],
          submit_label: texts.submit,
          notify_on_cancel: true,
          // The prompt's one-time token comes back with the submission: the only proof it answers this dialog.
          state: opened.token,
        },
      });
    } catch (error) {
      untrack();
      throw new CommandFailedError('dialog_failed', texts.dialogFailed, { cause: error });
    }
    const watch = this.#watchDialog(opened.token);
    return Promise.race([opened.secret, cancelled]).finally(() => {
      clearTimeout(watch);
      untrack();
    });
  }

  /**
   * A 200 from dialogs/open only means the server told the user's clients: the webapp opens
   * the dialog only where the trigger is the latest one it got (another tab, another command
   * since, or no connection, and nobody sees it). Without an answer after a while, the user
   * hears the way out; the prompt itself stays open, for the page, until it expires.
   */
  #watchDialog(token: string): NodeJS.Timeout | undefined {
    const { dialogTimeoutMs, promptTimeoutMs } = this.#c;
    if (dialogTimeoutMs >= promptTimeoutMs) return undefined;
    const timer = setTimeout(() => {
      this.#sayUnanswered(token).catch(() => undefined);
    }, dialogTimeoutMs);
    timer.unref();
    return timer;
  }

  async #sayUnanswered(token: string): Promise<void> {
    const { api, responseUrl, publicUrl, texts, promptTimeoutMs, dialogTimeoutMs } = this.#c;
    // As a title, not a preformatted body: the link stays clickable.
    const say = (link?: { url: string; minutes: number }): ChatMessage => ({
      title: texts.dialogUnanswered(link),
      body: '',
    });
    if (publicUrl && responseUrl) {
      const link = {
        url: `${publicUrl.replace(/\/$/, '')}/prompt/${token}`,
        minutes: Math.max(1, Math.round((promptTimeoutMs - dialogTimeoutMs) / 60_000)),
      };
      try {
        await api.respond(responseUrl, commandReply(toMattermostPosts(say(link)), 'ephemeral'));
        return;
      } catch {
        // The link never waits in the delivery queue: the prompt token lives only in memory and in the link.
      }
    }
    await this.replyPrivately(say());
  }
}
