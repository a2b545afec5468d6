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
}

/** A reply's text as a message: its first line as the title when there are several. */
export function messageFromText(text: string): ChatMessage {
  const [first, ...rest] = text.split('\n');
  return rest.length > 0 ? { title: first, body: rest.join('\n') } : { body: text };
}

/** Splits text into pieces of at most `max` characters, at line ends where possible. */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (candidate.length <= max) {
      current = candidate;
      continue;
    }
    if (current !== '') pieces.push(current);
    // A single line longer than the limit is cut where it must be.
    let rest = line;
    while (rest.length > max) {
      pieces.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    current = rest;
  }
  if (current !== '' || pieces.length === 0) pieces.push(current);
  return pieces;
}
