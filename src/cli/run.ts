import { userInfo } from 'node:os';
import { readSecret } from '../chat/console/read-secret.js';
import type { Actor } from '../core/actor.js';
import type { Outcome } from '../core/pipeline.js';
import { createLogger } from '../log.js';
import { buildApp, lazyExecaRunner } from '../main.js';
import { type Interrupt, watchInterrupt } from './interrupt.js';
import { loadCliConfig } from './load.js';
import { printable, printableJson, printableLine } from './terminal-text.js';
import type { CliValues } from './values.js';

// `confirm` cannot happen here (no confirmation is asked at the console); 1 would be a bug made visible.
const EXIT_CODES: Record<Outcome, number> = { ok: 0, failed: 1, error: 1, usage: 2, denied: 3, confirm: 1 };
// Longer than the runners' kill-after delay (5 s): a command that honours its signal is stopped by then.
const FORCE_EXIT_AFTER_MS = 15_000;

/** `detour run "<text>"`: one command through the same pipeline as chat, reply on stdout. */
export async function runOnce(text: string, values: CliValues): Promise<number> {
  if (text.trim() === '') {
    process.stderr.write('detour run: give the command to run, e.g. detour run "backup status"\n');
    return 2;
  }
  const interrupt = watchInterrupt({
    forceAfterMs: FORCE_EXIT_AFTER_MS,
    onFirst: (signal) => process.stderr.write(`detour run: ${signal} received, stopping the command…\n`),
  });
  try {
    return await runInterruptible(text, values, interrupt);
  } finally {
    interrupt.dispose();
  }
}

async function runInterruptible(text: string, values: CliValues, interrupt: Interrupt): Promise<number> {
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
      signal: interrupt.signal,
      askSecret: (prompt) => readSecret(process.stdin, prompt, process.stderr),
      progress: (line) => process.stderr.write(`${printableLine(line)}\n`),
    });
    if (interrupt.received !== undefined) {
      // The command saw a cancel and ended as "failed": the row says what really happened.
      app.audit.finish(result.auditId, 'interrupted', `stopped by ${interrupt.received}`);
      process.stderr.write(`detour run: interrupted by ${interrupt.received} (audit #${result.auditId}).\n`);
      return interrupt.exitCode();
    }
    // Replies may repeat chat text (a name typed): no control character reaches the terminal.
    if (values.json) process.stdout.write(`${printableJson(result)}\n`);
    else process.stdout.write(`${printable(result.text)}\n`);
    return EXIT_CODES[result.outcome];
  } finally {
    await app.close();
  }
}
