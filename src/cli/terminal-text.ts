/**
 * Text from chat (a command line, a name echoed in a reply) reaches the
 * operator's terminal through `detour audit` and `detour run`. A terminal
 * obeys control characters: ESC sequences retitle the window, clear the
 * screen or rewrite earlier lines, and the C1 range (U+0080-U+009F) does the
 * same on terminals that read 8-bit controls. They are shown as `\xHH`.
 */

/** C0 (with ESC), DEL and C1. */
export function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function shown(char: string): string {
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

function replaceControls(text: string, keep: (char: string) => string | undefined): string {
  let out = '';
  for (const char of text) out += isControl(char.charCodeAt(0)) ? (keep(char) ?? shown(char)) : char;
  return out;
}

/** Multi-line text (a reply): keeps newlines and tabs, escapes every other control. */
export function printable(text: string): string {
  return replaceControls(text, (char) => (char === '\n' || char === '\t' ? char : undefined));
}

/** One table cell or line: a newline is escaped too, so it cannot start a fake row. */
export function printableLine(text: string): string {
  return replaceControls(text, (char) => (char === '\t' ? ' ' : undefined));
}

/**
 * JSON as a terminal may show it: JSON.stringify escapes C0 controls but not
 * DEL or C1 ones, which may only appear inside strings, where `\u00HH` is
 * the same character to any JSON reader.
 */
export function printableJson(value: unknown): string {
  return replaceControls(JSON.stringify(value, null, 2), (char) =>
    char.charCodeAt(0) >= 0x7f ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : char,
  );
}
