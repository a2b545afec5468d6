/**
 * One error class per failure domain, each with a stable `code` and the
 * context needed to explain it. The pipeline's boundary turns them into an
 * audit row, a log line and a short reply; raw tool output never reaches chat.
 */
export class DetourError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The user typed something the parser or a command's arguments reject. */
export class UsageError extends DetourError {
  readonly usage: string | undefined;

  constructor(message: string, usage?: string) {
    super('usage', message);
    this.usage = usage;
  }
}

/** The actor may not run this command. */
export class AccessDeniedError extends DetourError {
  constructor(message: string) {
    super('denied', message);
  }
}

/** A command ran but could not do what was asked (unknown name, tool failure). */
export class CommandFailedError extends DetourError {}

/** The configuration is invalid; `problems` holds one "path: message" per issue. */
export class ConfigError extends DetourError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], source: string) {
    super('config', `invalid configuration in ${source}:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}
