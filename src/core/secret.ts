/**
 * A secret value (passphrase, token) that refuses to be shown by accident:
 * string conversion, JSON and util.inspect all give "[secret]". The only way
 * to read it is `reveal()`, which call sites use to put it in a child's
 * environment or stdin, never in argv, logs or messages.
 */
const REDACTED = '[secret]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  /** True when `text` contains this secret (used to scrub tool output). */
  occursIn(text: string): boolean {
    return this.#value.length > 0 && text.includes(this.#value);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/** Replaces every occurrence of the given secrets in `text` by "[secret]". */
export function scrub(text: string, secrets: readonly Secret[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.occursIn(out)) out = out.split(s.reveal()).join(REDACTED);
  }
  return out;
}
