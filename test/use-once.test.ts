import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { useOnce } from '../src/use-once.js';

describe('useOnce', () => {
  it('hands the package to one use, then leaves none of its modules in require’s cache', () => {
    const parsed = useOnce<typeof import('yaml'), unknown>('yaml', (yaml) => yaml.parse('a: [1, 2]'));
    expect(parsed).toEqual({ a: [1, 2] });
    const cache = createRequire(import.meta.url).cache;
    expect(Object.keys(cache).filter((id) => id.includes('/node_modules/yaml/'))).toEqual([]);
  });

  it('forgets the package when the use throws too', () => {
    expect(() =>
      useOnce<typeof import('yaml'), unknown>('yaml', (yaml) => yaml.parse('a: [', { prettyErrors: true })),
    ).toThrow();
    const cache = createRequire(import.meta.url).cache;
    expect(Object.keys(cache).filter((id) => id.includes('/node_modules/yaml/'))).toEqual([]);
  });
});
