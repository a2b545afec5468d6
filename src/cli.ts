#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { holdYoungGeneration, wasmBaselineOnly } from './cli/startup-heap.js';
import { type CliValues, cliOptions as options } from './cli/values.js';
import { ConfigError } from './core/errors.js';

/*
 * The `detour` binary. Each subcommand imports only what it needs, so a
 * cached `detour run "backup status"` starts fast (no execa, no HTTP server).
 */

const USAGE = `usage:
  detour serve [--config F]                       run the bot (chat platforms, HTTP server)
  detour run "<text>" [--as EMAIL] [--config F] [--json]
                                                  run one chat command and print the reply
  detour config check [--config F]                validate the configuration
  detour audit [--since ISO] [--limit N] [--json] list audit entries
  detour job run <name> [--config F]              run one scheduled job now (probes, backup-check,
                                                  certs, morning-digest, monthly-report)
  detour report monthly [--month YYYY-MM] [--out DIR]
                                                  write a month's report (default last month)
exit codes: 0 ok, 1 command failed, 2 bad usage or config, 3 denied`;

async function main(argv: string[]): Promise<number> {
  let parsed: { values: CliValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`detour: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  switch (command) {
    case 'serve':
      // Before serve's modules load: they are most of what startup allocates.
      holdYoungGeneration();
      wasmBaselineOnly();
      return (await import('./cli/serve.js')).serve(values);
    case 'run':
      return (await import('./cli/run.js')).runOnce(rest.join(' '), values);
    case 'config':
      if (rest[0] === 'check') return (await import('./cli/config-check.js')).configCheck(values);
      break;
    case 'audit':
      return (await import('./cli/audit.js')).listAudit(values);
    case 'job':
      return (await import('./cli/job.js')).jobCommand(rest, values);
    case 'report':
      return (await import('./cli/report.js')).reportCommand(rest, values);
  }
  process.stderr.write(`detour: unknown command "${positionals.join(' ')}"\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`detour: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`detour: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
