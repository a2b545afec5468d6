import type { Pipeline } from '../core/pipeline.js';

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
  /** Posts to a logical channel (`infra`, `digest`…), mapped by the config's `channels`. */
  post(channel: string, text: string): Promise<void>;
}
