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
import { type Answering, ChatSession } from '../chat-session.js';
import type { ChatMessage } from '../message.js';
import type { ChatPlatform, PlatformState } from '../platform.js';
import { RejectedRequests } from '../rejected-request.js';
import type { SecretPrompts } from '../secret-prompts.js';
import { UserCache } from '../user-cache.js';
import { type ActionContext, actionsUrl, onClick, onDialog } from './mattermost-actions.js';
import { type Fetch, MattermostApi } from './mattermost-api.js';
import { MattermostChannels } from './mattermost-channels.js';
import { MattermostDelivery } from './mattermost-delivery.js';
import { parseAction, parseSlashCommand } from './mattermost-inbound.js';
import { MattermostSurface, type OpenPromptEntry } from './mattermost-surface.js';
import { mattermostTexts } from './mattermost-texts.js';
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
  /** The data folder's `reports/`: the only place files attached to messages are read from. */
  filesRoot: string;
  /** Queues a message for this platform when Mattermost cannot take it now (not before `delayMs`). */
  enqueue: (channel: string, message: ChatMessage, delayMs?: number) => void;
  fetch?: Fetch;
  /** REST retries inside one call and their first backoff (bounded; the delivery queue retries later). */
  retries?: number;
  backoffMs?: number;
}

/** Where one request's answers go. */
interface Reply {
  userId: string;
  channelId: string;
  responseUrl: string | undefined;
  triggerId: string | undefined;
  actionsUrl: string;
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
  readonly #openPrompts = new Map<string, OpenPromptEntry>();
  readonly #hooks = new ReplyHooks();
  /**
   * A confirmation's response_url, by confirmation id, for the command it
   * re-runs: in memory only (it lets its holder post as the user), so after a
   * restart the confirmed command answers privately by direct message.
   */
  readonly #confirmationHooks = new ReplyHooks();
  readonly #rejected: RejectedRequests;
  #botUserId: Promise<string> | undefined;
  readonly #delivery: MattermostDelivery;
  #session: ChatSession | undefined;
  #state: PlatformState = 'connecting';

  constructor(deps: MattermostPlatformDeps) {
    this.#d = deps;
    this.#texts = mattermostTexts(deps.locale);
    this.#rejected = new RejectedRequests(deps);
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
      if (!user.email) throw new Error('Mattermost did not show this user’s e-mail address to the bot');
      return { email: user.email, name: user.username };
    }, deps.chat.userCacheTtl);
    this.#channels = new MattermostChannels(this.#api, deps.mattermost.team, deps.channels, () => this.#me());
    this.#delivery = new MattermostDelivery({
      api: this.#api,
      channels: this.#channels,
      hooks: this.#hooks,
      filesRoot: deps.filesRoot,
      locale: deps.locale,
      logger: deps.logger,
    });
  }

  async start(pipeline: Pipeline): Promise<void> {
    const d = this.#d;
    this.#session = new ChatSession({
      platform: 'mattermost',
      pipeline,
      confirmations: d.confirmations,
      audit: d.audit,
      metrics: d.metrics,
      logger: d.logger,
      now: d.now,
      confirmTimeoutMs: d.chat.confirmTimeout,
      texts: this.#texts,
      // The ack already said "on it": this only tells a long silence apart from a hang.
      slowAfterMs: 30_000,
      email: async (userId) => (await this.#users.get(userId)).email,
      // Only a name the REST API gave: never one a request claims.
      mention: (userId, fallback) => {
        const name = this.#users.peek(userId)?.name;
        return name ? `@${name}` : fallback;
      },
    });
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
    this.#rejected.close();
    this.#state = 'down';
  }

  state(): PlatformState {
    return this.#state;
  }

  /** How much the memories fed by requests hold: each is bounded, whatever comes in. */
  memory(): { users: number; replyHooks: number; confirmationHooks: number; refusalSources: number } {
    return {
      users: this.#users.size,
      replyHooks: this.#hooks.size,
      confirmationHooks: this.#confirmationHooks.size,
      refusalSources: this.#rejected.sources,
    };
  }

  /** See MattermostDelivery: its files uploaded first, then its posts; a retry resumes. */
  deliver(channel: string, message: ChatMessage): Promise<void> {
    return this.#delivery.deliver(channel, message);
  }

  /** POST /mattermost/command: the custom slash command. */
  async handleCommand(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const body = await this.#body(req, res);
    if (body === undefined) return;
    const parsed = parseSlashCommand(req.headers, body, this.#commandToken);
    if (!parsed.ok) return this.#refuse(req, res, parsed.status, parsed.reason);
    const session = this.#session;
    if (!session) return sendJson(res, 503, { error: 'not_started' });
    const c = parsed.command;
    sendJson(res, 200, { response_type: 'ephemeral', text: this.#texts.received(`${c.command} ${c.text}`.trim()) });
    this.#d.metrics.ackSeconds.observe({ platform: 'mattermost' }, (Date.now() - receivedAt) / 1000);
    const { responseUrl } = c;
    void session.command({
      userId: c.userId,
      channelId: c.channelId,
      text: c.text,
      receivedAt,
      ...this.#answering({ ...c, actionsUrl: this.#actionsUrl(req) }),
      onConfirmation: (confirmation) => {
        if (responseUrl) this.#confirmationHooks.keep(confirmation.id, responseUrl, Date.parse(confirmation.expiresAt));
      },
    });
  }

  /** POST /mattermost/actions: confirmation buttons and passphrase dialog submissions. */
  async handleAction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.#body(req, res);
    if (body === undefined) return;
    const parsed = parseAction(body);
    if (!parsed.ok) return this.#refuse(req, res, parsed.status, parsed.reason);
    const session = this.#session;
    if (!session) return sendJson(res, 503, { error: 'not_started' });
    const actionsUrl = this.#actionsUrl(req);
    const context: ActionContext = {
      prompts: this.#d.prompts,
      openPrompts: this.#openPrompts,
      texts: this.#texts,
      botToken: this.#botToken,
      refuse: (status, reason) => this.#refuse(req, res, status, reason),
      reply: (answer) => sendJson(res, 200, answer),
      decide: (click) =>
        void session.decide({
          ...click,
          refuse: (text) => sendJson(res, 200, { ephemeral_text: text }),
          // The buttons go: a decided confirmation is not offered again.
          decided: (message) => sendJson(res, 200, { update: { message, props: {} } }),
          rerun: (c) =>
            this.#answering({
              userId: click.userId,
              channelId: c.channelId,
              responseUrl: this.#confirmationHooks.take(c.id),
              triggerId: click.triggerId,
              actionsUrl,
            }),
        }),
    };
    const { action } = parsed;
    return action.kind === 'dialog' ? onDialog(context, action) : onClick(context, action);
  }

  /** How one request is answered: its response_url, the REST API as the bot, a dialog for secrets. */
  #answering(r: Reply): Answering {
    return {
      surface: (email) =>
        new MattermostSurface({
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
        }),
      // No response_url (a confirmation clicked after a restart): a direct message.
      answerPrivately: async (text) =>
        r.responseUrl
          ? this.#api.respond(r.responseUrl, { response_type: 'ephemeral', text })
          : this.#d.enqueue(`@${r.userId}`, { body: text }),
    };
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
    this.#rejected.record('mattermost', req, status, reason);
    sendJson(res, status, { error: reason });
  }

  #actionsUrl(req: IncomingMessage): string {
    return actionsUrl(req, { publicUrl: this.#d.publicUrl, listen: this.#d.listen, listenUrl: this.#d.listenUrl });
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
