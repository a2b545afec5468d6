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

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/** Every anchor of a page, the repeated ones numbered as GitHub does (`usage`, `usage-1`). */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const h of headings(markdown)) {
    const base = slug(h.text);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Links of a page outside code blocks and code spans: `[text](target)`. */
export function links(markdown: string): string[] {
  const found: string[] = [];
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s{0,3}(`{3,}|~{3,})/.test(line)) fence = !fence;
    if (fence) continue;
    const prose = line.replace(/(`+).+?\1/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) found.push(m[1]!);
  }
  return found;
}
