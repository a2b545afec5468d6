import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Config } from '../config/schema.js';
import type { AuditLog } from '../core/audit.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../http/metrics.js';
import type { Route } from '../http/server.js';
import type { ConfirmationStore } from '../store/confirmation-store.js';
import type { ConsolePlatform } from './console/console-platform.js';
import type { MattermostPlatform } from './mattermost/mattermost-platform.js';
import type { ChatMessage } from './message.js';
import type { ChatPlatform } from './platform.js';
import type { SecretPrompts } from './secret-prompts.js';
import type { SlackPlatform } from './slack/slack-platform.js';

/** What building any chat platform may need. */
export interface PlatformContext {
  config: Config;
  confirmations: ConfirmationStore;
  prompts: SecretPrompts;
  metrics: Metrics;
  audit: AuditLog;
  logger: Logger;
  now: () => Date;
  /** Queues a message for one platform (the delivery queue). */
  enqueue: (platform: string, channel: string, message: ChatMessage, delayMs?: number) => void;
  /**
   * The HTTP server's bound address (`http://HOST:PORT`), once listening: the
   * Mattermost buttons and dialogs point there when no http.publicUrl is set.
   */
  listenUrl?: () => string | undefined;
  /** The terminal `detour serve` runs in, when it runs in one: the console platform reads it. */
  terminal?: { input: Readable; output: Writable; onClose: () => void };
}

/** A route handler made from the created platform (a method type: each entry names its own platform class). */
type Bind<P> = { bind(platform: P): Route }['bind'];

export interface PlatformEntry<P extends ChatPlatform = ChatPlatform> {
  enabled(config: Config): boolean;
  /** Builds the adapter; its modules (Bolt with Slack) are imported here only. */
  create(ctx: PlatformContext): Promise<P | undefined>;
  /** The HTTP routes it serves on the bot's one server with this config. */
  routes(config: Config): Record<string, Bind<P>>;
}

/** The adapters every config value shared alike. */
const common = (ctx: PlatformContext) => ({
  chat: ctx.config.chat,
  channels: ctx.config.channels,
  publicUrl: ctx.config.http.publicUrl,
  locale: ctx.config.locale,
  confirmations: ctx.confirmations,
  prompts: ctx.prompts,
  metrics: ctx.metrics,
  audit: ctx.audit,
  logger: ctx.logger,
  now: ctx.now,
  // Files attached to messages are read from the data folder's reports/ only (the monthly report's).
  filesRoot: join(dirname(ctx.config.database), 'reports'),
});

const slack: PlatformEntry<SlackPlatform> = {
  enabled: (config) => config.chat.slack !== undefined,
  async create(ctx) {
    const settings = ctx.config.chat.slack;
    if (!settings) return undefined;
    const { SlackPlatform } = await import('./slack/slack-platform.js');
    return new SlackPlatform({
      slack: settings,
      ...common(ctx),
      enqueue: (channel, message, delayMs) => ctx.enqueue('slack', channel, message, delayMs),
    });
  },
  routes(config) {
    // Socket Mode needs no route: Slack is reached over the socket the bot opens.
    const routes: Record<string, Bind<SlackPlatform>> = {};
    if (config.chat.slack?.mode === 'http') routes['POST /slack/events'] = (p) => (req, res) => p.handleHttp(req, res);
    return routes;
  },
};

const mattermost: PlatformEntry<MattermostPlatform> = {
  enabled: (config) => config.chat.mattermost !== undefined,
  async create(ctx) {
    const settings = ctx.config.chat.mattermost;
    if (!settings) return undefined;
    const { MattermostPlatform } = await import('./mattermost/mattermost-platform.js');
    return new MattermostPlatform({
      mattermost: settings,
      ...common(ctx),
      listen: ctx.config.http.listen,
      listenUrl: ctx.listenUrl,
      enqueue: (channel, message, delayMs) => ctx.enqueue('mattermost', channel, message, delayMs),
    });
  },
  routes: () => ({
    'POST /mattermost/command': (p) => (req, res) => p.handleCommand(req, res),
    'POST /mattermost/actions': (p) => (req, res) => p.handleAction(req, res),
  }),
};

const terminal: PlatformEntry<ConsolePlatform> = {
  // Always there: `detour run`, and the terminal of `detour serve` when it has one.
  enabled: () => true,
  async create(ctx) {
    if (!ctx.terminal) return undefined;
    const { ConsolePlatform } = await import('./console/console-platform.js');
    return new ConsolePlatform(ctx.terminal);
  },
  routes: () => ({}),
};

/**
 * Every chat platform, by name: the one place that says which exist, when the
 * config enables them, how each is built and which HTTP routes it serves.
 * `detour serve` builds from it, `detour config check` reports from it.
 */
export const platformTable: Readonly<Record<'slack' | 'mattermost' | 'console', PlatformEntry>> = {
  slack,
  mattermost,
  console: terminal,
};

/** The platforms a config enables, with the routes each serves (what `config check` prints). */
export function enabledPlatforms(config: Config): { name: string; routes: string[] }[] {
  return Object.entries(platformTable)
    .filter(([, entry]) => entry.enabled(config))
    .map(([name, entry]) => ({ name, routes: Object.keys(entry.routes(config)) }));
}
