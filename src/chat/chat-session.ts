import type { Actor } from '../core/actor.js';
import type { Pipeline, PipelineResult } from '../core/pipeline.js';
import type { Secret } from '../core/secret.js';
import type { Metrics } from '../http/metrics.js';
import type { Confirmation, ConfirmationStore } from '../store/confirmation-store.js';
import { type ChatMessage, messageFromText } from './message.js';

/**
 * What a chat platform offers one request: ways to answer the person who
 * asked, privately or in the channel, to update one progress message, to ask
 * for a confirmation and for a secret. Slack and Mattermost implement it; the
 * flow below is the same for both.
 */
export interface ChatSurface {
  replyPrivately(message: ChatMessage): Promise<void>;
  replyInChannel(message: ChatMessage): Promise<void>;
  /** Posts or updates the one message that shows progress; `final` replaces it with the result. */
  showProgress(message: ChatMessage, final: boolean): Promise<void>;
  askConfirmation(confirmation: Confirmation, message: ChatMessage): Promise<void>;
  askSecret(prompt: string, result: Promise<string | undefined>): Promise<Secret>;
}

export interface ChatRequest {
  platform: string;
  actor: Actor;
  /** The platform's own user and channel ids, for confirmations bound to the user. */
  userId: string;
  channelId: string;
  text: string;
  confirmed?: boolean;
  receivedAt: number;
  replyTo?: unknown;
}

export interface ChatSessionDeps {
  pipeline: Pipeline;
  confirmations: ConfirmationStore;
  metrics: Metrics;
  confirmationTtlMs: number;
  now: () => Date;
  /** Shown when a command has not answered within `slowAfterMs`. */
  workingText: string;
  slowAfterMs?: number;
  confirmText: (text: string, expiresInMin: number) => string;
  onError: (error: unknown) => void;
}

const PROGRESS_EVERY_MS = 1_000;

/** The session dependencies every platform builds the same way from its own. */
export function platformSessionDeps(p: {
  platform: string;
  pipeline: Pipeline;
  confirmations: ConfirmationStore;
  metrics: Metrics;
  confirmTimeoutMs: number;
  now: () => Date;
  texts: { working: string; confirmQuestion: (text: string, minutes: number) => string };
  logger: { error(fields: object, message?: string): void };
  slowAfterMs?: number;
}): ChatSessionDeps {
  return {
    pipeline: p.pipeline,
    confirmations: p.confirmations,
    metrics: p.metrics,
    confirmationTtlMs: p.confirmTimeoutMs,
    now: p.now,
    workingText: p.texts.working,
    slowAfterMs: p.slowAfterMs,
    confirmText: p.texts.confirmQuestion,
    onError: (error) =>
      p.logger.error({ err: error, platform: p.platform }, `answering a ${p.platform} command failed`),
  };
}

/** Runs one chat request through the pipeline and answers it where it belongs. Never throws. */
export async function runChatRequest(
  deps: ChatSessionDeps,
  request: ChatRequest,
  surface: ChatSurface,
): Promise<PipelineResult | undefined> {
  let settle: (text: string | undefined) => void = () => {};
  const resultText = new Promise<string | undefined>((resolve) => {
    settle = resolve;
  });
  let progressShown = false;
  let lastProgress = 0;
  let done = false;
  const slow = setTimeout(() => {
    if (!done && !progressShown) void surface.replyPrivately({ body: deps.workingText }).catch(deps.onError);
  }, deps.slowAfterMs ?? 2_000);
  try {
    const result = await deps.pipeline({
      text: request.text,
      actor: request.actor,
      platform: request.platform,
      requireConfirmation: true,
      confirmed: request.confirmed,
      askSecret: (prompt) => surface.askSecret(prompt, resultText),
      progress: (line) => {
        // One message updated at most once a second, never a flood of posts.
        const now = Date.now();
        if (now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        progressShown = true;
        void surface.showProgress({ body: `… ${line}` }, false).catch(deps.onError);
      },
    });
    done = true;
    deps.metrics.commands.inc({
      command: result.command ?? 'unknown',
      outcome: result.outcome,
      platform: request.platform,
    });
    if (result.outcome === 'confirm') {
      const confirmation = deps.confirmations.create(
        {
          platform: request.platform,
          userId: request.userId,
          actor: request.actor.kind === 'user' ? request.actor.email : 'unknown',
          text: request.text,
          channelId: request.channelId,
          replyTo: request.replyTo,
          ttlMs: deps.confirmationTtlMs,
        },
        deps.now(),
      );
      await surface.askConfirmation(confirmation, {
        body: deps.confirmText(request.text, Math.round(deps.confirmationTtlMs / 60_000)),
      });
    } else {
      const message = messageFromText(result.text);
      if (progressShown) await surface.showProgress(message, true);
      else if (result.replyIn === 'channel') await surface.replyInChannel(message);
      else await surface.replyPrivately(message);
    }
    deps.metrics.resultSeconds.observe(
      { platform: request.platform, command: result.command ?? 'unknown' },
      (Date.now() - request.receivedAt) / 1000,
    );
    settle(result.text);
    return result;
  } catch (error) {
    deps.onError(error);
    settle(undefined);
    return undefined;
  } finally {
    done = true;
    clearTimeout(slow);
  }
}
