import { createRequire } from 'node:module';

/**
 * Loads a CommonJS package with require, as `detour serve` does for those it loads at start
 * (Bolt, better-sqlite3; pino in log.ts). An `import` of a CommonJS package makes Node find its
 * named exports with a lexer built from WebAssembly, which V8 then optimises in a background
 * thread: up to ~36 MB of compiler memory that this thread's malloc arena keeps about every other
 * start, 10 MB of idle RSS (bench:idle). With require the lexer is never loaded. Type imports are
 * free: write `import type` for the types and take the values from here.
 */
export const requireCjs = createRequire(import.meta.url);
