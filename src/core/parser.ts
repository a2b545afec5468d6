import type { AnyCommand } from './command.js';
import { UsageError } from './errors.js';
import { type Locale, t } from './i18n.js';
import { suggest } from './suggest.js';
import { scanWords } from './tokenize.js';

export interface ParsedCommand {
  command: AnyCommand;
  /** Validated arguments, as the command's schema outputs them. */
  args: unknown;
}

/** Finds the command a text names (longest name first) and the words after it. */
export function findCommand(
  words: readonly string[],
  commands: readonly AnyCommand[],
): { command: AnyCommand; rest: string[] } | undefined {
  const byLength = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of byLength) {
    const nameWords = command.name.split(' ');
    const head = words.slice(0, nameWords.length).map((w) => w.toLowerCase());
    if (head.length === nameWords.length && head.every((w, i) => w === nameWords[i])) {
      return { command, rest: words.slice(nameWords.length) };
    }
  }
  return undefined;
}

/** Parses a command line against the declarations; throws UsageError with a helpful message. */
export function parseCommand(text: string, commands: readonly AnyCommand[], locale: Locale): ParsedCommand {
  const { words, openQuote } = scanWords(text);
  const found = findCommand(words, commands);
  if (found?.command.asksSecret && redactUndeclared(found.command, found.rest).redacted) {
    // Before any other check, whose message could repeat the word.
    throw new UsageError(t(locale, 'inlineSecret', { usage: found.command.usage }));
  }
  // The text is not repeated: it may hold what should never be echoed.
  if (openQuote) throw new UsageError(`unclosed quote ${openQuote}`);
  if (words.length === 0) throw new UsageError(t(locale, 'emptyCommand'));
  if (!found) {
    const suggestion = suggest(words, commands);
    const typed = words.slice(0, 2).join(' ');
    throw new UsageError(
      suggestion ? t(locale, 'didYouMean', { text: typed, suggestion }) : t(locale, 'unknownCommand', { text: typed }),
    );
  }
  const { command, rest } = found;
  const raw = readArguments(command, rest);
  const result = command.args.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new UsageError(`${where}${issue?.message ?? 'invalid arguments'}`, command.usage);
  }
  return { command, args: result.data };
}

/**
 * The line as it may be stored and shown: for a command that asks for a
 * secret, the words it does not declare become "[redacted]"; any other line
 * is kept as typed.
 */
export function storableText(text: string, commands: readonly AnyCommand[]): string {
  const { words } = scanWords(text);
  const found = findCommand(words, commands);
  if (!found?.command.asksSecret) return text;
  const { kept, redacted } = redactUndeclared(found.command, found.rest);
  return redacted ? [...words.slice(0, words.length - found.rest.length), ...kept].join(' ') : text;
}

/** The words as readArguments would take them, each run of undeclared ones replaced by one "[redacted]". */
function redactUndeclared(command: AnyCommand, words: readonly string[]): { kept: string[]; redacted: boolean } {
  const kept: string[] = [];
  let redacted = false;
  let positionals = command.positionals?.length ?? 0;
  const drop = () => {
    if (kept.at(-1) !== REDACTED) kept.push(REDACTED);
    redacted = true;
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word.startsWith('--') && word.length > 2) {
      const [name, inline] = splitOption(word.slice(2));
      if (command.flags?.includes(name) && inline === undefined) kept.push(word);
      else if (command.options?.includes(name)) {
        kept.push(word);
        if (inline === undefined && i + 1 < words.length) kept.push(words[++i] as string);
      } else drop();
    } else if (positionals > 0) {
      positionals--;
      kept.push(word);
    } else drop();
  }
  return { kept, redacted };
}

const REDACTED = '[redacted]';

/** Sorts words into positionals, flags and options as the command declares them. */
function readArguments(command: AnyCommand, words: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const positionals = command.positionals ?? [];
  let position = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word.startsWith('--') && word.length > 2) {
      const [name, inline] = splitOption(word.slice(2));
      if (command.flags?.includes(name)) {
        if (inline !== undefined) throw new UsageError(`--${name} takes no value`, command.usage);
        out[name] = true;
      } else if (command.options?.includes(name)) {
        const value = inline ?? words[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value`, command.usage);
        out[name] = value;
      } else {
        throw new UsageError(`unknown option --${name}`, command.usage);
      }
    } else {
      const name = positionals[position++];
      if (name === undefined) throw new UsageError(`unexpected argument "${word}"`, command.usage);
      out[name] = word;
    }
  }
  return out;
}

function splitOption(text: string): [string, string | undefined] {
  const eq = text.indexOf('=');
  return eq === -1 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
}
