import { UsageError } from './errors.js';
import { ownValue } from './own-key.js';

/**
 * Splits a command line into words, shell-like but without any expansion:
 * double or single quotes group words, a backslash escapes the next character.
 * Chat clients turn quotes into typographic ones, so “ ” and ‘ ’ count too.
 */
export function tokenize(text: string): string[] {
  const { words, openQuote } = scanWords(text);
  // The text is not repeated: it may hold what should never be echoed (a passphrase typed inline).
  if (openQuote) throw new UsageError(`unclosed quote ${openQuote}`);
  return words;
}

/** The words of a line, and the quote left open at its end if any (its last word then runs to the end). */
export function scanWords(text: string): { words: string[]; openQuote: string | undefined } {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: string | undefined;
  const closing: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '«': '»' };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote) {
      if (ch === ownValue(closing, quote)) quote = undefined;
      else current += ch;
      continue;
    }
    if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (ownValue(closing, ch) !== undefined) {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return { words, openQuote: quote };
}
