import type { Actor } from '../core/actor.js';
import type { AuditLog } from '../core/audit.js';
import type { Logger } from '../core/logger.js';
import type { Pipeline, PipelineResult } from '../core/pipeline.js';
import type { Secret } from '../core/secret.js';
import type { Metrics } from '../http/metrics.js';
import type { Confirmation, ConfirmationStore, Decision } from '../store/confirmation-store.js';
import type { ConfirmationTexts } from './confirmation-texts.js';
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
  /** Told of the confirmation this request asks for, once stored (adapters keep what must not be stored). */
  onConfirmation?: (confirmation: Confirmation) => void;
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
          ttlMs: deps.confirmationTtlMs,
        },
        deps.now(),
      );
      request.onConfirmation?.(confirmation);
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

/** What a platform's session says itself; commands bring their own texts. */
export interface SessionTexts extends ConfirmationTexts {
  working: string;
  noEmail: string;
}

export interface ChatSessionOptions {
  platform: string;
  pipeline: Pipeline;
  confirmations: ConfirmationStore;
  audit: AuditLog;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
  confirmTimeoutMs: number;
  texts: SessionTexts;
  slowAfterMs?: number;
  /** The platform's user lookup: its user id to the e-mail address access rules need. */
  email(userId: string): Promise<string>;
  /** A user written the platform's way (`<@U1>`, `@alice`), from what the bot itself looked up; else `fallback`. */
  mention(userId: string, fallback: string): string;
}

/** How to answer one request, supplied by the adapter that parsed it. */
export interface Answering {
  /** The request's surface, once its user is known. */
  surface(email: string): ChatSurface;
  /** A private answer when no surface can be made (the user's e-mail is unknown). */
  answerPrivately(text: string): Promise<void>;
}

export interface InboundCommand extends Answering {
  userId: string;
  channelId: string;
  text: string;
  receivedAt: number;
  onConfirmation?: (confirmation: Confirmation) => void;
}

export interface InboundDecision {
  userId: string;
  confirmationId: string;
  decision: 'confirmed' | 'cancelled';
  /** Tells the clicker only why nothing happened. */
  refuse(text: string): void | Promise<void>;
  /** Shows the decision in place of the question (its buttons go). */
  decided(text: string): void | Promise<void>;
  /** How the confirmed command answers when it runs. */
  rerun(confirmation: Confirmation): Answering;
}

/**
 * The one inbound path every chat platform feeds (Bolt's `processEvent`):
 * adapters parse, authenticate and ack, then hand over a command or a button
 * decision with the means to answer it. Resolving the user, deciding a
 * confirmation, auditing refusals and re-running confirmed commands happen
 * here, the same for every platform. Never throws.
 */
export class ChatSession {
  readonly #o: ChatSessionOptions;
  readonly #deps: ChatSessionDeps;

  constructor(options: ChatSessionOptions) {
    this.#o = options;
    this.#deps = {
      pipeline: options.pipeline,
      confirmations: options.confirmations,
      metrics: options.metrics,
      confirmationTtlMs: options.confirmTimeoutMs,
      now: options.now,
      workingText: options.texts.working,
      slowAfterMs: options.slowAfterMs,
      confirmText: options.texts.confirmQuestion,
      onError: (error) => this.#failed(error),
    };
  }

  /** A command typed by a user: resolved to an e-mail (or refused, audited), then run. */
  async command(c: InboundCommand & { confirmed?: boolean }): Promise<PipelineResult | undefined> {
    const { platform, audit, logger, texts } = this.#o;
    let email: string;
    try {
      email = await this.#o.email(c.userId);
    } catch (error) {
      logger.warn({ err: error, platform, userId: c.userId }, `cannot resolve a ${platform} user to an e-mail`);
      audit.record({ actor: `${platform}:${c.userId}`, platform, text: c.text }, 'denied', 'e-mail unknown');
      await c.answerPrivately(texts.noEmail).catch((e: unknown) => this.#failed(e));
      return undefined;
    }
    return runChatRequest(
      this.#deps,
      {
        platform,
        actor: { kind: 'user', email, platformUserId: c.userId },
        userId: c.userId,
        channelId: c.channelId,
        text: c.text,
        confirmed: c.confirmed,
        receivedAt: c.receivedAt,
        onConfirmation: c.onConfirmation,
      },
      c.surface(email),
    );
  }

  /**
   * A confirmation button: only the requester decides, once, before it
   * expires. The answer to the click is given before anything is awaited
   * (Mattermost takes it in the click's HTTP response); a confirmed command
   * then runs as if typed again.
   */
  async decide(d: InboundDecision): Promise<void> {
    const { platform, confirmations, texts, now } = this.#o;
    try {
      const found = confirmations.get(d.confirmationId);
      const result: Decision =
        found?.platform === platform
          ? confirmations.decide(d.confirmationId, d.userId, d.decision, now())
          : { ok: false, reason: 'unknown' };
      if (!result.ok) {
        const owner = result.confirmation;
        const text =
          result.reason === 'other_user' && owner
            ? texts.notYours(this.#o.mention(owner.userId, owner.actor))
            : result.reason === 'already_decided'
              ? texts.alreadyDecided
              : texts.expired;
        this.#o.audit.record(
          { actor: `${platform}:${d.userId}`, platform, text: owner?.text ?? '(confirmation)' },
          'denied',
          `confirmation refused: ${result.reason}`,
        );
        await d.refuse(text);
        return;
      }
      const c = result.confirmation;
      const who = this.#o.mention(d.userId, c.actor);
      const confirmed = d.decision === 'confirmed';
      await d.decided(confirmed ? texts.confirmedBy(who, c.text) : texts.cancelledBy(who, c.text));
      if (!confirmed) return;
      await this.command({
        ...d.rerun(c),
        userId: d.userId,
        channelId: c.channelId,
        text: c.text,
        receivedAt: Date.now(),
        confirmed: true,
      });
    } catch (error) {
      this.#failed(error);
    }
  }

  #failed(error: unknown): void {
    const { platform } = this.#o;
    this.#o.logger.error({ err: error, platform }, `answering a ${platform} command failed`);
  }
}
