import { spawnSync } from 'node:child_process';

/**
 * End-to-end tests spawn the built `detour` binary: build it once before any
 * test runs. tsc emits even with type errors; those fail `npm run typecheck`
 * and `npm ci` (prepare), so here they are only shown.
 */
export default function setup(): void {
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    encoding: 'utf8',
  });
  if (tsc.status !== 0)
    process.stderr.write(`warning: tsc reported errors (the build was still written):\n${tsc.stdout}`);
}
