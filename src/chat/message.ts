/**
 * What the bot says, before a platform renders it. Replies are mostly aligned
 * tables (backup status, recaps), so the body is kept as preformatted text
 * that platforms show in a monospace block.
 */
export interface ChatMessage {
  /** One line shown in bold above the body, and used as the notification text. */
  title?: string;
  /** Preformatted text (already in the reader's language). */
  body: string;
  /**
   * Files uploaded with the message (the monthly report's Markdown and charts). Named by path so
   * a queued message stays small in the outbox and its files outlive a restart.
   */
  files?: ChatFile[];
}

export interface ChatFile {
  /** Absolute path of the file on the bot's disk (under the data folder's `reports/`). */
  path: string;
  /** The name shown in the chat: `disk-2026-11.png`. */
  name: string;
  /** A title shown with the file (in the reader's language). */
  title?: string;
}

/** A reply's text as a message: its first line as the title when there are several. */
export function messageFromText(text: string): ChatMessage {
  const [first, ...rest] = text.split('\n');
  return rest.length > 0 ? { title: first, body: rest.join('\n') } : { body: text };
}

/**
 * Splits text into pieces of at most `max`, at line ends where possible.
 * `measure` is how a platform counts a piece (its length once escaped, say).
 */
export function splitText(text: string, max: number, measure: (s: string) => number = (s) => s.length): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (measure(candidate) <= max) {
      current = candidate;
      continue;
    }
    if (current !== '') pieces.push(current);
    // A single line longer than the limit is cut where it must be.
    let rest = line;
    while (measure(rest) > max) {
      const cut = longestPrefix(rest, max, measure);
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    current = rest;
  }
  if (current !== '' || pieces.length === 0) pieces.push(current);
  return pieces;
}

/** How many characters of `line` fit in `max` (at least one, so the cutting always advances). */
function longestPrefix(line: string, max: number, measure: (s: string) => number): number {
  let low = 1;
  let high = Math.min(line.length, max);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(line.slice(0, mid)) <= max) low = mid;
    else high = mid - 1;
  }
  return low;
}
