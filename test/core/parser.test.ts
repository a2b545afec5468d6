import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands } from '../../commands/index.js';
import { defineCommand } from '../../src/core/command.js';
import { UsageError } from '../../src/core/errors.js';
import { parseCommand } from '../../src/core/parser.js';
import { suggest } from '../../src/core/suggest.js';
import { tokenize } from '../../src/core/tokenize.js';

const backupList = defineCommand({
  name: 'backup list',
  usage: 'backup list <name> [--last N]',
  summary: { en: 'list', fr: 'liste' },
  positionals: ['name'],
  options: ['last'],
  args: z.object({ name: z.string(), last: z.coerce.number().int().positive().default(10) }),
  changes: false,
  run: async () => ({ outcome: 'ok', text: '' }),
});
const all = [...commands, backupList];

function usageError(text: string): UsageError {
  try {
    parseCommand(text, all, 'en');
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`"${text}" parsed without error`);
}

describe('tokenize', () => {
  it('groups quoted words, straight or typographic, and keeps escapes', () => {
    expect(tokenize(`ansible run site --limit "b7 srv" 'a b' “c d” x\\ y`)).toEqual([
      'ansible',
      'run',
      'site',
      '--limit',
      'b7 srv',
      'a b',
      'c d',
      'x y',
    ]);
    expect(tokenize('  backup   status  ')).toEqual(['backup', 'status']);
    expect(tokenize('say ""')).toEqual(['say', '']);
  });

  it('refuses an unclosed quote', () => {
    expect(() => tokenize('backup status "b7')).toThrow(/unclosed quote/);
  });
});

describe('parseCommand', () => {
  it('finds the command and types its arguments', () => {
    expect(parseCommand('backup status b7-borg --fresh', all, 'en')).toMatchObject({
      command: { name: 'backup status' },
      args: { name: 'b7-borg', fresh: true },
    });
    expect(parseCommand('Backup STATUS', all, 'en').args).toEqual({ fresh: false });
    expect(parseCommand('backup list b7 --last=3', all, 'en').args).toEqual({ name: 'b7', last: 3 });
    expect(parseCommand('backup list b7 --last 4', all, 'en').args).toEqual({ name: 'b7', last: 4 });
  });

  it('suggests the command a typo meant', () => {
    expect(usageError('bakup status').message).toBe('unknown command "bakup status": did you mean "backup status"?');
    expect(usageError('hlep').message).toBe('unknown command "hlep": did you mean "help"?');
    expect(usageError('reboot everything').message).toBe(
      'unknown command "reboot everything". Type "help" for the list of commands.',
    );
  });

  it('names the problem and gives the usage', () => {
    const extra = usageError('backup status a b');
    expect(extra.message).toBe('unexpected argument "b"');
    expect(extra.usage).toBe('backup status [name] [--fresh]');
    expect(usageError('backup status --frsh').message).toBe('unknown option --frsh');
    expect(usageError('backup status --fresh=yes').message).toBe('--fresh takes no value');
    expect(usageError('backup list b7 --last').message).toBe('--last needs a value');
    expect(usageError('backup list').message).toMatch(/^name: /);
    expect(usageError('backup list b7 --last -2').message).toMatch(/^last: /);
    expect(usageError('').message).toBe('no command given. Type "help".');
  });

  it('answers in French when the locale is fr', () => {
    expect(() => parseCommand('bakup status', all, 'fr')).toThrow(
      'commande inconnue « bakup status » : vouliez-vous dire « backup status » ?',
    );
  });
});

describe('suggest', () => {
  it('prefers the closest name and refuses far ones', () => {
    expect(suggest(['backup', 'statsu'], all)).toBe('backup status');
    expect(suggest(['backup', 'lst'], all)).toBe('backup list');
    expect(suggest(['xyz'], all)).toBeUndefined();
  });
});
