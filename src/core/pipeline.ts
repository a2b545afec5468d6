import { setMaxListeners } from 'node:events';
import { type AccessRules, authorise, isAdmin } from './access.js';
import { type Actor, actorLabel } from './actor.js';
import type { AuditLog, AuditStatus } from './audit.js';
import { type AnyCommand, changesSomething } from './command.js';
import { AccessDeniedError, CommandFailedError, DetourError, UsageError } from './errors.js';
import { type Locale, t } from './i18n.js';
import type { Logger } from './logger.js';
import { parseCommand, storableText } from './parser.js';
import type { Secret } from './secret.js';
import type { Services } from './services.js';

/** One request, whatever it came from: chat, the scheduler or `detour run`. */
export interface Invocation {
  text: string;
  actor: Actor;
  platform: string;
  signal?: AbortSignal;
  /**
   * Chat platforms ask before running a command that changes something: the
   * first invocation returns outcome `confirm`, the button click invokes again
   * with `confirmed`. The console and the scheduler need no confirmation.
   */
  requireConfirmation?: boolean;
  confirmed?: boolean;
  /** How this platform asks its user for a secret; absent where it cannot. */
  askSecret?: (prompt: string) => Promise<Secret>;
  progress?: (line: string) => void;
}

export type Outcome = Exclude<AuditStatus, 'running' | 'interrupted'>;

export interface PipelineResult {
  outcome: Outcome;
  text: string;
  data?: unknown;
  auditId: number;
  /** The command's name once parsed, and where its result belongs. */
  command?: string;
  replyIn: 'private' | 'channel';
}

export interface PipelineDeps {
  commands: readonly AnyCommand[];
  access: AccessRules;
  audit: AuditLog;
  services: Services;
  locale: Locale;
  timeZone: string;
  logger: Logger;
}

export type Pipeline = (invocation: Invocation) => Promise<PipelineResult>;

/**
 * The signal a command's child processes listen to: one listener per process,
 * and `backup status` alone starts two per repository, past Node's default
 * warning threshold of 10.
 */
function commandSignal(given: AbortSignal | undefined): AbortSignal {
  const signal = given ?? new AbortController().signal;
  setMaxListeners(0, signal);
  return signal;
}

/**
 * The one path every request takes: parse and validate, authorise, audit
 * start (the row exists as `running` before any work), run, audit end. It is
 * also the error boundary: nothing thrown by a command escapes it; typed
 * errors become a short reply, anything else an "internal error" reply
 * pointing at the audit row, with the details in the log only.
 */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const { audit, locale, logger } = deps;

  return async (inv) => {
    const actor = actorLabel(inv.actor);
    // A secret typed inline (`unlock data hunter2`) is refused below and never stored.
    const base = { actor, platform: inv.platform, text: storableText(inv.text, deps.commands) };
    const refuse = (status: Outcome, error: DetourError, command?: string): PipelineResult => {
      const id = audit.record({ ...base, command }, status, error.message);
      logger.info({ auditId: id, actor, command, status }, 'request refused');
      const usage = error instanceof UsageError && error.usage ? `\n${t(locale, 'usage', { usage: error.usage })}` : '';
      return { outcome: status, text: error.message + usage, auditId: id, command, replyIn: 'private' };
    };

    let parsed: ReturnType<typeof parseCommand>;
    try {
      parsed = parseCommand(inv.text, deps.commands, locale);
    } catch (error) {
      if (error instanceof UsageError) return refuse('usage', error);
      throw error;
    }
    const { command, args } = parsed;
    try {
      authorise(inv.actor, command, args, deps.access, locale);
    } catch (error) {
      if (error instanceof AccessDeniedError) return refuse('denied', error, command.name);
      throw error;
    }

    const replyIn = command.replyIn ?? 'private';
    if (inv.requireConfirmation && !inv.confirmed && changesSomething(command, args)) {
      const id = audit.record({ ...base, command: command.name }, 'confirm', 'waiting for confirmation');
      return { outcome: 'confirm', text: inv.text, auditId: id, command: command.name, replyIn };
    }

    const id = audit.start({ ...base, command: command.name });
    const startedAt = Date.now();
    const log = logger.child({ auditId: id, command: command.name, actor });
    log.debug({}, 'command started');
    try {
      const reply = await command.run(
        {
          actor: inv.actor,
          isAdmin: isAdmin(inv.actor, deps.access),
          locale,
          timeZone: deps.timeZone,
          platform: inv.platform,
          services: deps.services,
          commands: deps.commands,
          signal: commandSignal(inv.signal),
          askSecret:
            inv.askSecret ??
            (() => Promise.reject(new CommandFailedError('no_secret_prompt', t(locale, 'noSecretPrompt')))),
          progress: inv.progress ?? (() => {}),
        },
        args,
      );
      audit.finish(id, reply.outcome, reply.auditDetail ?? reply.outcome);
      log.info({ outcome: reply.outcome, durationMs: Date.now() - startedAt }, 'command finished');
      return {
        outcome: reply.outcome,
        text: reply.text,
        data: reply.data,
        auditId: id,
        command: command.name,
        replyIn,
      };
    } catch (error) {
      if (error instanceof DetourError) {
        const status: Outcome =
          error instanceof UsageError ? 'usage' : error instanceof AccessDeniedError ? 'denied' : 'failed';
        audit.finish(id, status, error.message);
        log.warn({ code: error.code, outcome: status }, error.message);
        return { outcome: status, text: error.message, auditId: id, command: command.name, replyIn };
      }
      audit.finish(id, 'error', `internal error: ${(error as Error)?.name ?? 'unknown'}`);
      log.error({ err: error }, 'command crashed');
      return {
        outcome: 'error',
        text: t(locale, 'internalError', { command: command.name, id }),
        auditId: id,
        command: command.name,
        replyIn,
      };
    }
  };
}
