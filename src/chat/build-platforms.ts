import type { Config } from '../config/schema.js';
import type { AuditLog } from '../core/audit.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../http/metrics.js';
import type { Routes } from '../http/server.js';
import type { ConfirmationStore } from '../store/confirmation-store.js';
import type { ChatMessage } from './message.js';
import type { ChatPlatform } from './platform.js';
import type { SecretPrompts } from './secret-prompts.js';

export interface PlatformDeps {
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
}

/**
 * The chat platforms the config enables, with the HTTP routes they need.
 * Each adapter is imported only when enabled: a console-only bot never loads
 * Bolt or the Mattermost client.
 */
export async function buildPlatforms(deps: PlatformDeps): Promise<{ platforms: ChatPlatform[]; routes: Routes }> {
  const { config } = deps;
  const platforms: ChatPlatform[] = [];
  const routes: Routes = {};
  // What every adapter gets alike.
  const shared = {
    chat: config.chat,
    channels: config.channels,
    publicUrl: config.http.publicUrl,
    locale: config.locale,
    confirmations: deps.confirmations,
    prompts: deps.prompts,
    metrics: deps.metrics,
    audit: deps.audit,
    logger: deps.logger,
    now: deps.now,
  };
  if (config.chat.slack) {
    const { SlackPlatform } = await import('./slack/slack-platform.js');
    const slack = new SlackPlatform({
      slack: config.chat.slack,
      ...shared,
      enqueue: (channel, message, delayMs) => deps.enqueue('slack', channel, message, delayMs),
    });
    platforms.push(slack);
    if (config.chat.slack.mode === 'http') routes['POST /slack/events'] = (req, res) => slack.handleHttp(req, res);
  }
  if (config.chat.mattermost) {
    const { MattermostPlatform } = await import('./mattermost/mattermost-platform.js');
    const mattermost = new MattermostPlatform({
      mattermost: config.chat.mattermost,
      ...shared,
      listen: config.http.listen,
      listenUrl: deps.listenUrl,
      enqueue: (channel, message, delayMs) => deps.enqueue('mattermost', channel, message, delayMs),
    });
    platforms.push(mattermost);
    routes['POST /mattermost/command'] = (req, res) => mattermost.handleCommand(req, res);
    routes['POST /mattermost/actions'] = (req, res) => mattermost.handleAction(req, res);
  }
  return { platforms, routes };
}
