import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { DetourError } from '../../src/core/errors.js';
import { quoteForShell, ShellQuoteError } from '../../src/runners/shell-quote.js';

const NASTY: readonly string[] = [
  'plain',
  'with space',
  '  leading and trailing  ',
  "it's",
  "''",
  "'",
  '"double" quotes',
  '$(touch /tmp/detour-should-not-exist)',
  '`id`',
  '$HOME ${HOME} $0 $@ $*',
  'line one\nline two\n',
  '\n',
  'tab\there',
  '*',
  '/*',
  '?[a-z]',
  '~',
  '~root',
  '-n',
  '--help',
  '-e',
  '',
  'a=b',
  'x;y && z || w | v & u',
  '> /tmp/redirect < in 2>&1',
  '# not a comment',
  '\\backslash\\n',
  '!history',
  '{a,b}',
  'été ünïcødé 日本語 🔐',
  '\r\x1b[31mred\x1b[0m',
  'mix \'single\' "double" `back` $(sub) \\ \n end',
];

/** Runs the quoted command line through a real shell and returns the words it saw. */
async function wordsSeenBy(shell: string, argv: readonly string[]): Promise<string[]> {
  // printf repeats its format for each argument; NUL separators survive every other byte.
  const line = quoteForShell(['printf', '%s\\000', ...argv]);
  const result = await execa(shell, ['-c', line], { stripFinalNewline: false, encoding: 'utf8' });
  const words = result.stdout.split('\0');
  expect(words.pop()).toBe('');
  return words;
}

describe('quoteForShell', () => {
  it('single-quotes every element and joins with spaces', () => {
    expect(quoteForShell(['ls', '-l', 'my dir'])).toBe(`'ls' '-l' 'my dir'`);
  });

  it("escapes embedded single quotes as '\\''", () => {
    expect(quoteForShell(["it's"])).toBe(`'it'\\''s'`);
    expect(quoteForShell(["'"])).toBe(`''\\'''`);
  });

  it('keeps empty strings as a word of their own', () => {
    expect(quoteForShell(['a', '', 'b'])).toBe(`'a' '' 'b'`);
  });

  it('gives an empty line for an empty argv', () => {
    expect(quoteForShell([])).toBe('');
  });

  it('rejects a NUL byte with a typed error naming the position, not the value', () => {
    let caught: unknown;
    try {
      quoteForShell(['ok', 'bad\0secret']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ShellQuoteError);
    expect(caught).toBeInstanceOf(DetourError);
    expect((caught as ShellQuoteError).code).toBe('shell_quote_nul');
    expect((caught as ShellQuoteError).index).toBe(1);
    expect((caught as Error).message).not.toContain('secret');
  });

  for (const shell of ['/bin/sh', '/bin/bash']) {
    it(`round-trips awkward words through ${shell} -c`, async () => {
      expect(await wordsSeenBy(shell, NASTY)).toEqual(NASTY);
    });
  }

  it("prints each word intact with printf '%s\\n' (words without newlines)", async () => {
    const words = NASTY.filter((w) => !w.includes('\n') && !w.includes('\r'));
    const line = quoteForShell(['printf', '%s\\n', ...words]);
    const result = await execa('/bin/sh', ['-c', line], { stripFinalNewline: false });
    expect(result.stdout).toBe(words.map((w) => `${w}\n`).join(''));
  });

  it('does not run substitutions or create files', async () => {
    const marker = `/tmp/detour-quote-${process.pid}-${Date.now()}`;
    const line = quoteForShell(['echo', `$(touch ${marker})`, `\`touch ${marker}\``, `; touch ${marker}`]);
    const result = await execa('/bin/sh', ['-c', line]);
    expect(result.stdout).toBe(`$(touch ${marker}) \`touch ${marker}\` ; touch ${marker}`);
    const check = await execa('test', ['-e', marker], { reject: false });
    expect(check.exitCode).toBe(1);
  });

  it('round-trips many random strings (every byte but NUL, plus non-ASCII)', async () => {
    // A fixed-seed generator keeps failures reproducible.
    let seed = 0x5eed;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const extra = ['é', '日', '🔐', "'", '"', '\\', '$', '`', '\n', ' '];
    const words: string[] = [];
    for (let i = 0; i < 300; i++) {
      let w = '';
      const len = next(12);
      for (let j = 0; j < len; j++) {
        w += next(3) === 0 ? extra[next(extra.length)] : String.fromCharCode(1 + next(127));
      }
      words.push(w);
    }
    expect(await wordsSeenBy('/bin/sh', words)).toEqual(words);
  });
});
