import { DetourError } from '../core/errors.js';

/** An argv element cannot be passed through a shell (a NUL byte would silently cut it). */
export class ShellQuoteError extends DetourError {
  readonly index: number;

  constructor(index: number) {
    super('shell_quote_nul', `argument ${index} contains a NUL byte, which no shell can pass on`);
    this.index = index;
  }
}

/**
 * Turns an argv array into one command line that a POSIX shell (the remote
 * login shell of an SSH session) splits back into exactly the same words.
 * Every element is single-quoted, because inside single quotes nothing is
 * special except the closing quote itself; an embedded quote becomes '\''
 * (close, escaped quote, reopen). Quoting even "safe" words keeps the rule
 * simple enough to trust: no word can ever be read as an option of the
 * shell, a glob, an expansion or an assignment.
 */
export function quoteForShell(argv: readonly string[]): string {
  return argv
    .map((arg, index) => {
      if (arg.includes('\0')) throw new ShellQuoteError(index);
      return `'${arg.replaceAll("'", `'\\''`)}'`;
    })
    .join(' ');
}
