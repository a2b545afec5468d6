import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Small Markdown readers for the documentation tests: headings outside fenced code blocks, and
 * the code spans they hold. Enough for the pages we write; not a Markdown parser.
 */

export const DOCS = join(import.meta.dirname, '..', '..', 'docs');
export const LANGUAGES = ['en', 'fr'] as const;

export interface Heading {
  level: number;
  text: string;
  line: number;
}

export function pages(language: string): string[] {
  return readdirSync(join(DOCS, language))
    .filter((file) => file.endsWith('.md'))
    .sort();
}

export function readPage(language: string, page: string): string {
  return readFileSync(join(DOCS, language, page), 'utf8');
}

/** ATX headings (`## Title`), skipping fenced code blocks (``` or ~~~). */
export function headings(markdown: string): Heading[] {
  const found: Heading[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((line, index) => {
    const opening = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (opening) {
      const marker = opening[1]!;
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) found.push({ level: heading[1]!.length, text: heading[2]!, line: index + 1 });
  });
  return found;
}

/** The code spans of a line of Markdown (`backup run`), in order. */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/(`+)(.+?)\1/g)].map((match) => match[2]!.trim());
}
