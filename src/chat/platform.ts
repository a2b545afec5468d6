import type { Logger } from '../core/logger.js';
import type { Pipeline } from '../core/pipeline.js';
import type { ChatMessage } from './message.js';

export type PlatformState = 'up' | 'down' | 'connecting';

/**
 * The port every chat platform implements (console now; Slack and Mattermost
 * next). A platform turns its users' messages into invocations of the one
 * pipeline and posts channel messages for the scheduler and alerts.
 */
export interface ChatPlatform {
  readonly name: string;
  start(pipeline: Pipeline): Promise<void>;
  stop(): Promise<void>;
  state(): PlatformState;
  /**
   * Delivers one message to a channel (a logical name such as `infra`, mapped
   * by the config's `channels`, or the platform's own name or id). Throws a
   * DeliveryError; the delivery queue retries or reports.
   */
  deliver(channel: string, message: ChatMessage): Promise<void>;
}

/**
 * Stops every platform at once, waiting at most `ms` for each: one that cannot
 * close cleanly (a Slack socket lost mid-goodbye) must not hold the shutdown.
 * Failures and overruns are logged, never thrown.
 */
export async function stopPlatforms(platforms: readonly ChatPlatform[], ms: number, logger: Logger): Promise<void> {
  await Promise.all(
    platforms.map(async (platform) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), ms);
      });
      const stopped = platform.stop().then(
        () => 'stopped' as const,
        (error: unknown) => {
          logger.error({ err: error, platform: platform.name }, 'chat platform failed to stop');
          return 'failed' as const;
        },
      );
      const outcome = await Promise.race([stopped, late]);
      clearTimeout(timer);
      if (outcome === 'late') logger.warn({ platform: platform.name }, `chat platform did not stop within ${ms} ms`);
    }),
  );
}
