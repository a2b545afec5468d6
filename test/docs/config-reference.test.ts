import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describe as describeRow, referenceRows, renderConfigReference } from '../../src/config/reference.js';
import { descriptions, placeholders } from '../../src/config/reference-descriptions.js';
import { DOCS, LANGUAGES } from './markdown.js';

/*
 * docs/{en,fr}/configuration-reference.md are generated from the zod schema (`npm run docs:config`).
 * These tests fail when a key is added without its description in both languages, when a
 * description outlives its key, and when the committed pages are not what the schema gives today.
 */

const rows = referenceRows();
const committed = (language: string) => readFileSync(join(DOCS, language, 'configuration-reference.md'), 'utf8');

describe('the configuration reference', () => {
  it('walks the whole schema: nested sections, lists, maps, both forms of a union, defaults and choices', () => {
    const byPath = new Map(rows.map((row) => [row.path, row]));
    expect(byPath.get('backups[].maxAge')).toMatchObject({ defaultValue: '26h', type: { en: 'duration' } });
    expect(byPath.get('backups[].name')).toMatchObject({ required: true });
    expect(byPath.get('backups[].job.playbook')).toBeDefined();
    expect(byPath.get('backups[].job.command')).toBeDefined();
    expect(byPath.get('backups[].passphraseFile')).toMatchObject({ secretFileOf: 'passphrase' });
    expect(byPath.get('chat.slack.mode')).toMatchObject({ defaultValue: 'http', type: { en: '`http` or `socket`' } });
    expect(byPath.get('hosts.<host>.ssh.port')).toMatchObject({
      defaultValue: '22',
      type: { en: 'integer, 1 to 65535' },
    });
    expect(byPath.get('alerts.certificateDays')?.defaultValue).toBe('[21, 7, 1]');
    expect(byPath.get('retention.audit')?.defaultValue).toBe('400d');
    // The bot user's home differs between machines: the page must not depend on it.
    expect(byPath.get('ssh.knownHostsFile')?.defaultValue).toBe('~/.ssh/known_hosts');
    expect(byPath.get('http.publicUrl')).toMatchObject({ optional: true, required: false, defaultValue: undefined });
    expect(new Set(rows.map((row) => row.path)).size).toBe(rows.length);
  });

  it('has a description of every key in English and in French', () => {
    const missing = LANGUAGES.flatMap((language) =>
      rows.filter((row) => !describeRow(row, language)?.trim()).map((row) => `${language}: ${row.path}`),
    );
    expect(missing, 'add them to src/config/reference-descriptions.ts').toEqual([]);
  });

  it('has no description of a key the schema no longer has', () => {
    const paths = new Set(rows.map((row) => row.path));
    expect(Object.keys(descriptions).filter((path) => !paths.has(path))).toEqual([]);
    const maps = rows.filter((row) => row.type.en.startsWith('map:')).map((row) => row.path.replace(/<[^>]+>/g, '<>'));
    expect(Object.keys(placeholders).filter((path) => !maps.includes(path))).toEqual([]);
  });

  it('notices a key added to the schema without a description', () => {
    const grown = z.strictObject({ locale: z.enum(['fr', 'en']).default('fr'), colour: z.string().optional() });
    const added = referenceRows(grown).find((row) => row.path === 'colour')!;
    expect(describeRow(added, 'en')).toBeUndefined();
    expect(() => renderConfigReference('en', [added])).toThrow('no en description for colour');
  });

  for (const language of LANGUAGES) {
    it(`docs/${language}/configuration-reference.md is what the schema gives today (npm run docs:config)`, () => {
      expect(committed(language)).toBe(renderConfigReference(language, rows));
    });

    it(`docs/${language}/configuration-reference.md names every key`, () => {
      const page = committed(language);
      expect(rows.filter((row) => !page.includes(`| \`${row.path}\` |`)).map((row) => row.path)).toEqual([]);
    });
  }
});
