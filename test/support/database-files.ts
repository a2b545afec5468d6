import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Every file the store writes next to `detour.db` in `dir`: the database, its
 * WAL and shared memory, and the owner lock files in `detour.db-owners/`.
 */
export async function readDatabaseFiles(dir: string): Promise<{ name: string; content: Buffer }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .filter((path) => relative(dir, path).startsWith('detour.db'));
  return Promise.all(files.map(async (path) => ({ name: relative(dir, path), content: await readFile(path) })));
}
