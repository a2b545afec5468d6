import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { codeSpans, headings, LANGUAGES, readPage } from './markdown.js';

/*
 * The reference pages name everything a user can type: every chat command of commands/index.ts
 * in commands.md and every `detour` subcommand of the binary's usage text in cli.md, in both
 * languages, with their options. A command added to the code without its documentation fails here.
 */

/** The words that name a command in a usage line: `backup status [name] [--fresh]` → `backup status`. */
function nameOf(usage: string): string {
  const words: string[] = [];
  for (const word of usage.trim().split(/\s+/)) {
    if (/^[[<"-]/.test(word)) break;
    words.push(word);
  }
  return words.join(' ');
}

/** `--tags`, `--last`… in a usage line. */
const optionsIn = (usage: string): string[] => [...usage.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]);

describe('commands.md documents every chat command', () => {
  for (const language of LANGUAGES) {
    const page = readPage(language, 'commands.md');
    const documented = headings(page).flatMap((h) => codeSpans(h.text).map(nameOf));

    it(`docs/${language}/commands.md has a section for each command of commands/index.ts`, () => {
      expect(commands.length).toBeGreaterThan(10);
      const missing = commands.map((c) => c.name).filter((name) => !documented.includes(name));
      expect(missing, 'add a heading such as ## `backup status [name] [--fresh]`').toEqual([]);
    });

    it(`docs/${language}/commands.md names every option of every command`, () => {
      const missing = commands.flatMap((c) =>
        [...(c.flags ?? []), ...(c.options ?? []), ...optionsIn(c.usage).map((o) => o.slice(2))]
          .filter((option) => !page.includes(`--${option}`))
          .map((option) => `${c.name} --${option}`),
      );
      expect(missing).toEqual([]);
    });
  }
});

describe('cli.md documents every detour subcommand', () => {
  // The binary's own usage text (src/cli.ts), one `detour …` line per subcommand.
  const source = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'cli.ts'), 'utf8');
  const usage = /const USAGE = `([^`]*)`/.exec(source)?.[1] ?? '';
  const lines = [...usage.matchAll(/^[ \t]+detour (.+?)(?:[ \t]{2,}|$)/gm)].map((m) => m[1]!);

  it('reads the subcommands from src/cli.ts', () => {
    expect(lines.map(nameOf)).toEqual(expect.arrayContaining(['serve', 'run', 'config check', 'audit', 'job run']));
  });

  for (const language of LANGUAGES) {
    it(`docs/${language}/cli.md names each subcommand and its options`, () => {
      const page = readPage(language, 'cli.md');
      const spans = codeSpans(page);
      const missing = lines.flatMap((line) => {
        const name = `detour ${nameOf(line)}`;
        const found = spans.some((span) => span === name || span.startsWith(`${name} `));
        return [
          ...(found ? [] : [name]),
          ...optionsIn(line)
            .filter((option) => !page.includes(option))
            .map((option) => `${name} ${option}`),
        ];
      });
      expect(missing).toEqual([]);
    });
  }
});
