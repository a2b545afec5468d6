import { userInfo } from 'node:os';
import { readSecret } from '../chat/console/read-secret.js';
import type { Actor } from '../core/actor.js';
import type { Outcome } from '../core/pipeline.js';
import { createLogger } from '../log.js';
import { buildApp, lazyExecaRunner } from '../main.js';
import { loadCliConfig } from './load.js';
import { printable, printableJson, printableLine } from './terminal-text.js';
import type { CliValues } from './values.js';

// `confirm` cannot happen here (no confirmation is asked at the console); 1 would be a bug made visible.
const EXIT_CODES: Record<Outcome, number> = { ok: 0, failed: 1, error: 1, usage: 2, denied: 3, confirm: 1 };

/** `detour run "<text>"`: one command through the same pipeline as chat, reply on stdout. */
export async function runOnce(text: string, values: CliValues): Promise<number> {
  if (text.trim() === '') {
    process.stderr.write('detour run: give the command to run, e.g. detour run "backup status"\n');
    return 2;
  }
  const logger = createLogger({ level: process.env.DETOUR_LOG_LEVEL ?? 'error', destination: 2 });
  const { config } = await loadCliConfig(values, logger);
  const app = buildApp({ config, logger, run: lazyExecaRunner, refresh: 'before-answer' });
  try {
    const actor: Actor = values.as
      ? { kind: 'user', email: values.as }
      : { kind: 'local', username: userInfo().username };
    const result = await app.pipeline({
      text,
      actor,
      platform: 'console',
      askSecret: (prompt) => readSecret(process.stdin, prompt, process.stderr),
      progress: (line) => process.stderr.write(`${printableLine(line)}\n`),
    });
    // Replies may repeat chat text (a name typed): no control character reaches the terminal.
    if (values.json) process.stdout.write(`${printableJson(result)}\n`);
    else process.stdout.write(`${printable(result.text)}\n`);
    return EXIT_CODES[result.outcome];
  } finally {
    await app.close();
  }
}
