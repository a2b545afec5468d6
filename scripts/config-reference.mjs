#!/usr/bin/env node
// Writes docs/{en,fr}/configuration-reference.md from the zod schema (run by `npm run docs:config`,
// after the build: it imports the compiled module). test/docs/config-reference.test.ts fails when
// the committed pages differ from what this writes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigReference } from '../dist/src/config/reference.js';

const root = join(import.meta.dirname, '..');
for (const locale of ['en', 'fr']) {
  const file = join(root, 'docs', locale, 'configuration-reference.md');
  writeFileSync(file, renderConfigReference(locale));
  process.stdout.write(`wrote ${file}\n`);
}
