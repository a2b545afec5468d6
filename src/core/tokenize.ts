import { UsageError } from './errors.js';
import { ownValue } from './own-key.js';

/**
 * Splits a command line into words, shell-like but without any expansion:
 * double or single quotes group words, a backslash escapes the next character.
 * Chat clients turn quotes into typographic ones, so “ ” and ‘ ’ count too.
 */
export function tokenize(text: string): string[] {
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
  if (quote) throw new UsageError(`unclosed quote ${quote} in "${text}"`);
  if (inWord) words.push(current);
  return words;
}
