/**
 * Text from chat (a command line, a name echoed in a reply) reaches the
 * operator's terminal through `detour audit` and `detour run`. A terminal
 * obeys control characters: ESC sequences retitle the window, clear the
 * screen or rewrite earlier lines, and the C1 range (U+0080-U+009F) does the
 * same on terminals that read 8-bit controls. They are shown as `\xHH`.
 */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const CONTROLS_AND_NEWLINES = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

const escape = (char: string): string => {
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
};

/** Multi-line text (a reply): keeps newlines and tabs, escapes every other control. */
export function printable(text: string): string {
  return text.replace(CONTROLS, escape);
}

/** One table cell or line: a newline is escaped too, so it cannot start a fake row. */
export function printableLine(text: string): string {
  return text.replace(CONTROLS_AND_NEWLINES, (char) => (char === '\t' ? ' ' : escape(char)));
}

/**
 * JSON as a terminal may show it: JSON.stringify escapes C0 controls but not
 * DEL or C1 ones, which may only appear inside strings, where `\u00HH` is
 * the same character to any JSON reader.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
