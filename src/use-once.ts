import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';

/**
 * Loads a CommonJS package for one use, then forgets it: its modules leave require's cache, so
 * once `use` has returned nothing holds them and the garbage collector takes them back. For what
 * `detour serve` needs at start only (the YAML parser): a process that runs for months should not
 * carry a library it used once. An `import` cannot be forgotten (ES modules stay loaded), hence
 * require. Only for a package nothing else loads: another user would get a second copy.
 */
export function useOnce<M, R>(specifier: string, use: (module: M) => R): R {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve(`${specifier}/package.json`)) + sep;
  try {
    return use(require(specifier) as M);
  } finally {
    for (const id of Object.keys(require.cache)) if (id.startsWith(root)) delete require.cache[id];
  }
}
