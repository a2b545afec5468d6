import { describe, expect, it } from 'vitest';
import { codeSpans, headings, LANGUAGES, pages, readPage } from './markdown.js';

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
});
