import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, codeSpans, DOCS, headings, LANGUAGES, links, pages, readPage } from './markdown.js';

/*
 * docs/en and docs/fr hold the same pages, kept in step: a page written in one language only, or
 * a section added to one and not the other, fails here. The heading texts differ by language, so
 * what must match is their structure (levels, in order) and their code spans (command names,
 * config keys), which are never translated.
 */

describe('docs/en and docs/fr are kept in step', () => {
  it('have the same pages', () => {
    const [en, fr] = LANGUAGES.map(pages);
    expect(en?.length).toBeGreaterThan(0);
    expect(fr, 'pages present in one language only').toEqual(en);
  });

  for (const page of pages('en').filter((p) => pages('fr').includes(p))) {
    it(`${page}: the same headings at the same levels, with the same code spans`, () => {
      const [en, fr] = LANGUAGES.map((language) => headings(readPage(language, page)));
      const outline = (list: typeof en) =>
        list!.map((h) =>
          `${'#'.repeat(h.level)} ${codeSpans(h.text)
            .map((s) => `\`${s}\``)
            .join(' ')}`.trim(),
        );
      expect(en!.length, `${page} has no heading`).toBeGreaterThan(0);
      expect(outline(fr), `docs/fr/${page} against docs/en/${page}`).toEqual(outline(en));
    });
  }

  for (const language of LANGUAGES) {
    it(`docs/${language}: every link between pages reaches an existing page and heading`, () => {
      const broken: string[] = [];
      for (const page of pages(language)) {
        for (const target of links(readPage(language, page))) {
          if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
          const [file, anchor] = target.split('#') as [string, string | undefined];
          const path = file === '' ? join(DOCS, language, page) : join(DOCS, language, file);
          if (!existsSync(path)) {
            broken.push(`${page}: ${target}`);
          } else if (anchor !== undefined && path.endsWith('.md')) {
            const text = file === '' ? readPage(language, page) : readPage(language, file);
            if (!anchors(text).has(decodeURIComponent(anchor))) broken.push(`${page}: ${target} (no such heading)`);
          }
        }
      }
      expect(broken).toEqual([]);
    });
  }
});
