import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../config/schema.js';
import type { AuditLog } from '../../core/audit.js';
import type { Locale } from '../../core/i18n.js';
import type { Logger } from '../../core/logger.js';
import type { Pipeline } from '../../core/pipeline.js';
import { Secret } from '../../core/secret.js';
import type { Metrics } from '../../http/metrics.js';
import { BodyTooLargeError, readBody, sendJson } from '../../http/server.js';
import type { ConfirmationStore } from '../../store/confirmation-store.js';
import { platformSessionDeps, runChatRequest } from '../chat-session.js';
import { DeliveryError } from '../delivery/delivery-error.js';
import type { ChatMessage } from '../message.js';
import type { ChatPlatform, PlatformState } from '../platform.js';
import { recordRejection } from '../rejected-request.js';
import type { SecretPrompts } from '../secret-prompts.js';
import { UserCache } from '../user-cache.js';
import { type ActionContext, actionsUrl, onClick, onDialog } from './mattermost-actions.js';
import { commandReply, type Fetch, MattermostApi } from './mattermost-api.js';
import { MattermostChannels } from './mattermost-channels.js';
import { parseAction, parseSlashCommand } from './mattermost-inbound.js';
import { MattermostSurface, type OpenPromptEntry } from './mattermost-surface.js';
import { mattermostTexts } from './mattermost-texts.js';
import { toMattermostPosts } from './post-text.js';
import { ReplyHooks } from './reply-hooks.js';

type MattermostConfig = NonNullable<Config['chat']['mattermost']>;

export interface MattermostPlatformDeps {
  mattermost: MattermostConfig;
  chat: Config['chat'];
  channels: Record<string, string>;
  publicUrl: string | undefined;
  /** config.http.listen, for the actions URL when no publicUrl is set. */
  listen: string;
  /** The address the HTTP server actually bound (a `:0` port is only known then). */
  listenUrl?: () => string | undefined;
  locale: Locale;
  confirmations: ConfirmationStore;
  prompts: SecretPrompts;
  metrics: Metrics;
  audit: AuditLog;
  logger: Logger;
  now: () => Date;
  /** Queues a message for this platform when Mattermost cannot take it now (not before `delayMs`). */
  enqueue: (channel: string, message: ChatMessage, delayMs?: number) => void;
  fetch?: Fetch;
  /** REST retries inside one call and their first backoff (bounded; the delivery queue retries later). */
  retries?: number;
  backoffMs?: number;
}

interface RunRequest {
  userId: string;
  channelId: string;
  text: string;
  responseUrl?: string;
  triggerId?: string;
  actionsUrl: string;
  receivedAt: number;
  confirmed?: boolean;
}

/**
 * Mattermost: a custom slash command and message buttons come in over the
 * bot's HTTP server, answers go out through the response_url and the REST API
 * as the bot account. Commands are acknowledged at once; the work happens after.
 */
export class MattermostPlatform implements ChatPlatform {
  readonly name = 'mattermost';
  readonly #d: MattermostPlatformDeps;
  readonly #api: MattermostApi;
  readonly #users: UserCache;
  readonly #channels: MattermostChannels;
  readonly #texts;
  readonly #botToken: Secret;
  readonly #commandToken: Secret;
  readonly #usernames = new Map<string, string>();
  readonly #openPrompts = new Map<string, OpenPromptEntry>();
  readonly #hooks = new ReplyHooks();
  #botUserId: Promise<string> | undefined;
  #pipeline: Pipeline | undefined;
  #state: PlatformState = 'connecting';

  constructor(deps: MattermostPlatformDeps) {
    this.#d = deps;
    this.#texts = mattermostTexts(deps.locale);
    this.#botToken = deps.mattermost.botToken ?? new Secret('');
    this.#commandToken = deps.mattermost.commandToken ?? new Secret('');
    this.#api = new MattermostApi({
      url: deps.mattermost.url,
      botToken: this.#botToken,
      fetch: deps.fetch,
      retries: deps.retries,
      backoffMs: deps.backoffMs,
      onCall: (call, outcome) => {
        const ok = outcome === 'ok';
        deps.metrics.chatApiCalls.inc({ platform: 'mattermost', method: call, outcome: ok ? 'ok' : 'error' });
        if (ok || outcome.code === 'rate_limited') this.#state = 'up';
        else if (outcome.retryable) this.#state = 'down';
      },
    });
    this.#users = new UserCache(async (userId) => {
      const user = await this.#api.user(userId);
      this.#usernames.set(userId, user.username);
      if (!user.email) throw new Error('Mattermost did not show this user’s e-mail address to the bot');
      return user.email;
    }, deps.chat.userCacheTtl);
    this.#channels = new MattermostChannels(this.#api, deps.mattermost.team, deps.channels, () => this.#me());
  }

  async start(pipeline: Pipeline): Promise<void> {
    this.#pipeline = pipeline;
    try {
      await this.#me();
    } catch (error) {
      // Not fatal: commands still come in, and the delivery queue waits for Mattermost.
      this.#state = 'down';
      this.#d.logger.error(
        { err: error, platform: 'mattermost' },
        'Mattermost is not reachable with the bot token yet',
      );
    }
  }

  async stop(): Promise<void> {
    for (const entry of this.#openPrompts.values()) entry.cancel();
    this.#state = 'down';
  }

  state(): PlatformState {
    return this.#state;
  }

  async deliver(channel: string, message: ChatMessage): Promise<void> {
    const pieces = toMattermostPosts(message);
    try {
      const reply = this.#hooks.resolve(channel);
      if (reply?.url) {
        try {
          await this.#api.respond(reply.url, commandReply(pieces, 'ephemeral'));
          return;
        } catch (error) {
          if (error instanceof DeliveryError && error.retryable) throw error;
          // Used up or expired: a direct message instead.
          this.#hooks.forget(reply.key);
        }
      }
      const channelId = await this.#channels.idOf(reply ? `@${reply.userId}` : channel);
      for (const piece of pieces) await this.#api.createPost({ channel_id: channelId, message: piece });
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      throw new DeliveryError('mattermost', 'delivery_failed', 'posting to Mattermost failed', {
        retryable: true,
        cause: error,
      });
    }
  }

  /** POST /mattermost/command: the custom slash command. */
  async handleCommand(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const body = await this.#body(req, res);
    if (body === undefined) return;
    const parsed = parseSlashCommand(req.headers, body, this.#commandToken);
    if (!parsed.ok) return this.#refuse(req, res, parsed.status, parsed.reason);
    if (!this.#pipeline) return sendJson(res, 503, { error: 'not_started' });
    const c = parsed.command;
    if (c.userName) this.#usernames.set(c.userId, c.userName);
    sendJson(res, 200, { response_type: 'ephemeral', text: this.#texts.received(`${c.command} ${c.text}`.trim()) });
    this.#d.metrics.ackSeconds.observe({ platform: 'mattermost' }, (Date.now() - receivedAt) / 1000);
    this.#spawn({ ...c, actionsUrl: this.#actionsUrl(req), receivedAt });
  }

  /** POST /mattermost/actions: confirmation buttons and passphrase dialog submissions. */
  async handleAction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.#body(req, res);
    if (body === undefined) return;
    const parsed = parseAction(body);
    if (!parsed.ok) return this.#refuse(req, res, parsed.status, parsed.reason);
    if (!this.#pipeline) return sendJson(res, 503, { error: 'not_started' });
    const url = this.#actionsUrl(req);
    const context: ActionContext = {
      confirmations: this.#d.confirmations,
      prompts: this.#d.prompts,
      openPrompts: this.#openPrompts,
      audit: this.#d.audit,
      texts: this.#texts,
      botToken: this.#botToken,
      now: this.#d.now,
      mention: (userId, fallback) => this.#mention(userId, fallback),
      refuse: (status, reason) => this.#refuse(req, res, status, reason),
      reply: (answer) => sendJson(res, 200, answer),
      runConfirmed: (r) => this.#spawn({ ...r, actionsUrl: url, receivedAt: Date.now(), confirmed: true }),
    };
    const { action } = parsed;
    if (action.kind === 'dialog') return onDialog(context, action);
    if (action.userName) this.#usernames.set(action.userId, action.userName);
    return onClick(context, action);
  }

  /** Runs a request after its HTTP answer; a crash is logged, never an unhandled rejection. */
  #spawn(r: RunRequest): void {
    this.#run(r).catch((error: unknown) =>
      this.#d.logger.error({ err: error, platform: 'mattermost' }, 'answering a Mattermost command failed'),
    );
  }

  async #run(r: RunRequest): Promise<void> {
    const { logger, audit } = this.#d;
    let email: string;
    try {
      email = await this.#users.email(r.userId);
    } catch (error) {
      logger.warn({ err: error, userId: r.userId }, 'cannot resolve a Mattermost user to an e-mail');
      const id = audit.start({ actor: `mattermost:${r.userId}`, platform: 'mattermost', text: r.text });
      audit.finish(id, 'denied', 'e-mail unknown');
      if (r.responseUrl)
        await this.#api
          .respond(r.responseUrl, { response_type: 'ephemeral', text: this.#texts.noEmail })
          .catch(() => undefined);
      return;
    }
    const surface = new MattermostSurface({
      api: this.#api,
      channelId: r.channelId,
      userId: r.userId,
      actor: email,
      responseUrl: r.responseUrl,
      privateTarget: this.#hooks.target(r.userId, r.responseUrl),
      triggerId: r.triggerId,
      actionsUrl: r.actionsUrl,
      botToken: this.#botToken,
      prompts: this.#d.prompts,
      promptTimeoutMs: this.#d.chat.promptTimeout,
      dialogTimeoutMs: this.#d.mattermost.dialogTimeout,
      publicUrl: this.#d.publicUrl,
      texts: this.#texts,
      trackPrompt: (token, entry) => {
        this.#openPrompts.set(token, entry);
        return () => this.#openPrompts.delete(token);
      },
      enqueue: this.#d.enqueue,
    });
    await runChatRequest(
      platformSessionDeps({
        platform: 'mattermost',
        pipeline: this.#pipeline as Pipeline,
        confirmations: this.#d.confirmations,
        metrics: this.#d.metrics,
        confirmTimeoutMs: this.#d.chat.confirmTimeout,
        now: this.#d.now,
        texts: this.#texts,
        logger,
        // The ack already said "on it": this only tells a long silence apart from a hang.
        slowAfterMs: 30_000,
      }),
      {
        platform: 'mattermost',
        actor: { kind: 'user', email, platformUserId: r.userId },
        userId: r.userId,
        channelId: r.channelId,
        text: r.text,
        confirmed: r.confirmed,
        receivedAt: r.receivedAt,
        // Stored with a confirmation: the click carries no response_url of its own.
        replyTo: r.responseUrl ? { responseUrl: r.responseUrl } : undefined,
      },
      surface,
    );
  }

  async #body(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
    try {
      return await readBody(req);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      this.#refuse(req, res, 413, 'too_large');
      return undefined;
    }
  }

  /** Refused before reaching any command: counted, logged and audited. */
  #refuse(req: IncomingMessage, res: ServerResponse, status: number, reason: string): void {
    recordRejection(this.#d, 'mattermost', req, status, reason);
    sendJson(res, status, { error: reason });
  }

  #actionsUrl(req: IncomingMessage): string {
    return actionsUrl(req, { publicUrl: this.#d.publicUrl, listen: this.#d.listen, listenUrl: this.#d.listenUrl });
  }

  #mention(userId: string, fallback: string): string {
    const name = this.#usernames.get(userId);
    return name ? `@${name}` : fallback;
  }

  #me(): Promise<string> {
    this.#botUserId ??= this.#api.me().then(
      (me) => me.id,
      (error: unknown) => {
        this.#botUserId = undefined;
        throw error;
      },
    );
    return this.#botUserId;
  }
}
