import { createRequire } from 'node:module';
import type { pino as Pino } from 'pino';
import { SECRET_KEYS } from './config/schema.js';
import type { Logger } from './core/logger.js';

// pino's numbers for the levels the Logger port has; "silent" writes nothing.
const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * Structured JSON logs. Secrets are Secret objects that print "[secret]"; the
 * redaction below is the second belt for any plain value under a secret key.
 *
 * pino is loaded on the first line there is to write: a `detour run` that logs
 * nothing (the usual case, at level "error") starts ~30 ms sooner without it.
 */
export function createLogger(options: { level: string; destination: 1 | 2 }): Logger {
  const make = (): Logger => {
    // Synchronous, as a log call is: pino is a CommonJS package.
    const { pino } = createRequire(import.meta.url)('pino') as { pino: typeof Pino };
    const paths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
    return pino(
      { level: options.level, redact: { paths: [...paths, 'password', '*.password', 'env'], censor: '[secret]' } },
      pino.destination({ fd: options.destination, sync: options.destination === 2 }),
    ) as unknown as Logger;
  };
  const threshold = options.level === 'silent' ? Number.POSITIVE_INFINITY : LEVELS[options.level];
  // An unknown level: let pino refuse it now, with its own message.
  if (threshold === undefined) return make();
  return lazy(make, threshold);
}

/** A Logger that asks `real` for the pino logger (once) only when a call reaches the threshold. */
function lazy(real: () => Logger, threshold: number): Logger {
  let made: Logger | undefined;
  const get = (): Logger => {
    made ??= real();
    return made;
  };
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (fields: object, message?: string): void => {
      if ((LEVELS[level] as number) >= threshold) get()[level](fields, message);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => lazy(() => get().child(bindings), threshold),
  };
}
