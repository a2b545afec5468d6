import type { z } from 'zod';
import type { Actor } from './actor.js';
import type { Locale, Localized } from './i18n.js';
import type { Secret } from './secret.js';
import type { Services } from './services.js';

/** What a command hands back; platforms render it (console prints `text`). */
export interface Reply {
  /** Plain text, already in the caller's locale. */
  text: string;
  /** ok: did what was asked; failed: ran but the answer is bad news or the work failed. */
  outcome: 'ok' | 'failed';
  /** Structured result for `detour run --json` and future renderers. */
  data?: unknown;
  /** One short line for the audit log; defaults to the outcome. */
  auditDetail?: string;
}

/** Everything a command may use while it runs; ports only, no I/O library. */
export interface CommandContext {
  actor: Actor;
  isAdmin: boolean;
  locale: Locale;
  /** IANA zone for times shown to people (config `timezone`). */
  timeZone: string;
  platform: string;
  services: Services;
  /** The declarations, for `help`. */
  commands: readonly AnyCommand[];
  /** Cancelled when the bot stops or a job is cancelled. */
  signal: AbortSignal;
  /** Asks the caller privately for a secret (a passphrase); the platform decides how. */
  askSecret(prompt: string): Promise<Secret>;
  /** Shows how a long run is going (one line; platforms may update a single message). */
  progress(line: string): void;
}

export interface CommandDefinition<Schema extends z.ZodType> {
  /** The words that name it, e.g. "backup status". */
  name: string;
  /** Usage line shown on a usage error, e.g. "backup status [name] [--fresh]". */
  usage: string;
  summary: Localized;
  /** Positional argument names, in order; the schema says which are optional. */
  positionals?: readonly string[];
  /** Flags without a value (`--fresh`). */
  flags?: readonly string[];
  /** Options with a value (`--last 5` or `--last=5`). */
  options?: readonly string[];
  /**
   * The command asks for a secret privately (`unlock`): any word it does not
   * declare is taken for a secret typed inline, refused, and never stored or
   * shown ("[redacted]" in the audit log).
   */
  asksSecret?: boolean;
  /** Where chat platforms post the result: privately to the caller (default) or in the channel. */
  replyIn?: 'private' | 'channel';
  /** Validates and types the parsed arguments. */
  args: Schema;
  /**
   * Commands that change something need an admin (and, on chat, a
   * confirmation). A function decides from the arguments (`ansible run --check`
   * changes nothing).
   */
  changes: boolean | ((args: z.output<Schema>) => boolean);
  /**
   * Reserved for admins although it changes nothing (`audit` shows what
   * everyone did): refused to others, with no confirmation asked of admins.
   */
  adminOnly?: boolean;
  run(ctx: CommandContext, args: z.output<Schema>): Promise<Reply>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds commands of every argument type.
export type AnyCommand = CommandDefinition<any>;

/** Whether this invocation of the command changes something. */
export function changesSomething(command: AnyCommand, args: unknown): boolean {
  return typeof command.changes === 'function' ? command.changes(args) : command.changes;
}

/** Whether a non-admin may run the command with these arguments. */
export function needsAdmin(command: AnyCommand, args: unknown): boolean {
  return command.adminOnly === true || changesSomething(command, args);
}

/** Declares a command; the identity function that gives TypeScript the argument types. */
export function defineCommand<Schema extends z.ZodType>(
  definition: CommandDefinition<Schema>,
): CommandDefinition<Schema> {
  return definition;
}
