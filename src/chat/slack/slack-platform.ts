import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as Bolt from '@slack/bolt';
import type { RespondFn } from '@slack/bolt';
import type { Config } from '../../config/schema.js';
import type { AuditLog } from '../../core/audit.js';
import type { Locale } from '../../core/i18n.js';
import type { Logger } from '../../core/logger.js';
import type { Pipeline } from '../../core/pipeline.js';
import type { Metrics } from '../../http/metrics.js';
import { requireCjs } from '../../require-cjs.js';
import type { ConfirmationStore } from '../../store/confirmation-store.js';
import { AckFirst } from '../ack-first.js';
import { fileNotAttached, readChatFiles, type SkippedFile } from '../attachments.js';
import { type Answering, ChatSession } from '../chat-session.js';
import { DeliveryError } from '../delivery/delivery-error.js';
import type { ChatMessage } from '../message.js';
import type { ChatPlatform, PlatformState } from '../platform.js';
import { RejectedRequests } from '../rejected-request.js';
import type { SecretPrompts } from '../secret-prompts.js';
import { UserCache } from '../user-cache.js';
import { escapeMrkdwn, MAX_SECTION_TEXT, type SlackMessagePayload, toSlackMessages } from './blocks.js';
import { boltLogger } from './bolt-logger.js';
import { SlackChannels } from './slack-channels.js';
import { slackDeliveryError } from './slack-errors.js';
import { SlackFiles, type UploadedFile } from './slack-files.js';
import { SlackSurface } from './slack-surface.js';
import { slackTexts } from './slack-texts.js';

// A CommonJS package: required, not imported (see require-cjs.ts).
const { App, HTTPReceiver, SocketModeReceiver } = requireCjs('@slack/bolt') as typeof Bolt;

type SlackConfig = NonNullable<Config['chat']['slack']>;

/** How far a message got: its Slack messages (fixed once built), how many are posted, and where. */
interface Progress {
  channel: string;
  message: ChatMessage;
  parts: SlackMessagePayload[];
  sent: number;
  conversation?: string;
}

export interface SlackPlatformDeps {
  slack: SlackConfig;
  chat: Config['chat'];
  channels: Record<string, string>;
  publicUrl: string | undefined;
  locale: Locale;
  confirmations: ConfirmationStore;
  prompts: SecretPrompts;
  metrics: Metrics;
  audit: AuditLog;
  logger: Logger;
  now: () => Date;
  /** Web API retries inside one call (bounded; the delivery queue retries later). */
  retries?: number;
  /** The data folder's `reports/`: the only place files attached to messages are read from. */
  filesRoot: string;
  /** Queues a message for this platform when Slack cannot take it now. */
  enqueue: (channel: string, message: ChatMessage, delayMs?: number) => void;
}

/**
 * Slack through Bolt: slash commands and buttons come in (HTTP on the bot's
 * one server, or Socket Mode), answers go out through response_url and the
 * Web API. Commands are acknowledged at once; the work happens after the ack.
 */
export class SlackPlatform implements ChatPlatform {
  readonly name = 'slack';
  readonly #d: SlackPlatformDeps;
  readonly #app: InstanceType<typeof App>;
  readonly #receiver: InstanceType<typeof HTTPReceiver> | undefined;
  readonly #users: UserCache;
  readonly #channels: SlackChannels;
  readonly #files: SlackFiles;
  readonly #texts;
  readonly #rejected: RejectedRequests;
  readonly #ackFirst = new AckFirst();
  #state: PlatformState = 'connecting';

  constructor(deps: SlackPlatformDeps) {
    this.#d = deps;
    this.#texts = slackTexts(deps.locale);
    this.#rejected = new RejectedRequests(deps);
    const { slack } = deps;
    const logger = boltLogger(deps.logger.child({ platform: 'slack' }));
    const clientOptions = {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: deps.retries ?? 2, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
      // A 429 comes back to us with its Retry-After instead of blocking a request for minutes.
      rejectRateLimitedCalls: true,
      logger,
    };
    const token = slack.botToken?.reveal();
    if (slack.mode === 'socket') {
      const receiver = new SocketModeReceiver({
        appToken: slack.appToken?.reveal() ?? '',
        logger,
        installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl } },
      });
      this.#app = new App({ token, receiver, logger, clientOptions });
    } else {
      this.#receiver = new HTTPReceiver({
        signingSecret: slack.signingSecret?.reveal() ?? '',
        endpoints: '/slack/events',
        logger,
        // Well under Slack's 3 s: a listener that has not acked by then gets a 404, as Slack expects.
        unhandledRequestTimeoutMillis: 2_900,
      });
      this.#app = new App({ token, receiver: this.#receiver, logger, clientOptions });
    }
    const client = this.#app.client;
    this.#users = new UserCache(async (userId) => {
      const info = await client.users.info({ user: userId }).catch((error: unknown) => {
        this.#apiCall('users.info', false);
        throw error;
      });
      this.#apiCall('users.info', true);
      const email = info.user?.profile?.email;
      if (!email) throw new Error('no e-mail in users.info');
      return { email };
    }, deps.chat.userCacheTtl);
    this.#channels = new SlackChannels(client, deps.channels);
    this.#files = new SlackFiles({ client, onApiCall: (method, ok) => this.#apiCall(method, ok) });
  }

  /** For `POST /slack/events` on the bot's HTTP server (HTTP mode). Refusals are counted and logged. */
  handleHttp(req: IncomingMessage, res: ServerResponse): void {
    if (!this.#receiver) {
      res.writeHead(404).end();
      return;
    }
    const answered = this.#ackFirst.received();
    res.once('close', answered);
    res.once('finish', () => {
      answered();
      if (res.statusCode === 401 || res.statusCode === 400 || res.statusCode === 413) {
        const reason =
          res.statusCode === 401 ? 'bad_signature_or_stale' : res.statusCode === 413 ? 'too_large' : 'malformed';
        this.#rejected.record('slack', req, res.statusCode, reason);
      }
    });
    this.#receiver.requestListener(req, res);
  }

  async start(pipeline: Pipeline): Promise<void> {
    const d = this.#d;
    const session = new ChatSession({
      platform: 'slack',
      pipeline,
      confirmations: d.confirmations,
      audit: d.audit,
      metrics: d.metrics,
      logger: d.logger,
      now: d.now,
      confirmTimeoutMs: d.chat.confirmTimeout,
      texts: this.#texts,
      email: async (userId) => (await this.#users.get(userId)).email,
      // Slack writes any user id as a mention itself: nothing taken from a request is shown.
      mention: (userId) => `<@${userId}>`,
    });
    this.#app.command(this.#d.chat.commandPrefix, async ({ command, ack, respond }) => {
      const receivedAt = Date.now();
      await ack();
      this.#d.metrics.ackSeconds.observe({ platform: 'slack' }, (Date.now() - receivedAt) / 1000);
      // After the ack, and after the other requests already waiting for theirs.
      const request = {
        userId: command.user_id,
        channelId: command.channel_id,
        text: command.text,
        receivedAt,
        ...this.#answering(respond, command.user_id, command.channel_id),
      };
      this.#ackFirst.schedule(() => void session.command(request));
    });
    for (const [actionId, decision] of [
      ['detour_confirm', 'confirmed'],
      ['detour_cancel', 'cancelled'],
    ] as const) {
      this.#app.action(actionId, async ({ ack, body, respond }) => {
        await ack();
        const b = body as { user?: { id?: string }; actions?: { value?: string }[] };
        const userId = b.user?.id ?? '';
        void session.decide({
          userId,
          confirmationId: b.actions?.[0]?.value ?? '',
          decision,
          refuse: (text) => respond({ response_type: 'ephemeral', replace_original: false, text }).then(() => {}),
          decided: (text) => respond({ replace_original: true, text }).then(() => {}),
          rerun: (c) => this.#answering(respond, userId, c.channelId),
        });
      });
    }
    this.#app.error(async (error) => {
      this.#d.logger.error({ err: error, platform: 'slack' }, 'Slack listener failed');
    });
    if (this.#d.slack.mode === 'socket') await this.#app.start();
    this.#state = 'up';
  }

  async stop(): Promise<void> {
    this.#rejected.close();
    if (this.#d.slack.mode === 'socket') await this.#app.stop();
    this.#state = 'down';
  }

  state(): PlatformState {
    return this.#state;
  }

  /**
   * A message the queue will retry after part of it went out: the text already posted is not
   * posted again, whether a later part of it or its files failed.
   */
  #partial: Progress | undefined;

  /**
   * Posts the message, then shares its files under it. The files are uploaded first (Slack holds
   * them unshared until completeUploadExternal), so a refused upload stops the message before
   * any text is posted; a file missing on disk is left out, with a note in the message.
   */
  async deliver(channel: string, message: ChatMessage): Promise<void> {
    const p = this.#partial;
    this.#partial = undefined;
    const resumed = p?.channel === channel && JSON.stringify(p.message) === JSON.stringify(message) ? p : undefined;
    const { read, skipped } = await readChatFiles(message.files, this.#d.filesRoot);
    for (const s of skipped) {
      this.#d.logger.warn({ platform: 'slack', channel, file: s.file.path, reason: s.reason }, 'file not attached');
    }
    const progress: Progress = resumed ?? { channel, message, parts: this.#parts(message, skipped), sent: 0 };
    try {
      const id = progress.conversation ?? (await this.#channels.idOf(channel));
      const uploaded: UploadedFile[] = [];
      for (const file of read) uploaded.push(await this.#files.upload(file));
      for (; progress.sent < progress.parts.length; progress.sent += 1) {
        const answer = await this.#app.client.chat.postMessage({ channel: id, ...progress.parts[progress.sent] });
        this.#apiCall('chat.postMessage', true);
        // A user id posts to the bot's DM with them: the files are shared there, by the DM's id.
        progress.conversation ??= answer.channel ?? id;
      }
      await this.#files.share(uploaded, progress.conversation ?? id);
    } catch (error) {
      const failure = error instanceof DeliveryError ? error : this.#postFailed(error);
      if (progress.sent > 0 && failure.retryable) this.#partial = progress;
      if (progress.sent === progress.parts.length && !failure.retryable) {
        this.#d.logger.warn({ platform: 'slack', channel, code: failure.code }, 'message posted without its files');
      }
      throw failure;
    }
  }

  /** The Slack messages carrying a message, and one more saying which files are not attached. */
  #parts(message: ChatMessage, skipped: readonly SkippedFile[]): SlackMessagePayload[] {
    const parts = toSlackMessages(message);
    if (skipped.length === 0) return parts;
    const notes = escapeMrkdwn(skipped.map((s) => fileNotAttached(this.#d.locale, s.name, s.reason)).join('\n'));
    const text = notes.slice(0, MAX_SECTION_TEXT);
    return [...parts, { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }];
  }

  #postFailed(error: unknown): DeliveryError {
    this.#apiCall('chat.postMessage', false);
    return slackDeliveryError(error, 'chat.postMessage');
  }

  /** How one request is answered: its response_url, the Web API in its channel. */
  #answering(respond: RespondFn, userId: string, channelId: string): Answering {
    return {
      surface: (email) =>
        new SlackSurface({
          client: this.#app.client,
          respond,
          channelId,
          userId,
          actor: email,
          prompts: this.#d.prompts,
          publicUrl: this.#d.publicUrl,
          promptTimeoutMs: this.#d.chat.promptTimeout,
          texts: this.#texts,
          onApiCall: (method, ok) => this.#apiCall(method, ok),
          enqueue: this.#d.enqueue,
        }),
      // After a click, response_url replaces the clicked message unless told not to.
      answerPrivately: (text) => respond({ response_type: 'ephemeral', replace_original: false, text }).then(() => {}),
    };
  }

  #apiCall(method: string, ok: boolean): void {
    this.#d.metrics.chatApiCalls.inc({ platform: 'slack', method, outcome: ok ? 'ok' : 'error' });
  }
}
