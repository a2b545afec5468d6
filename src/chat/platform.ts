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
