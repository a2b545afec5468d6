import { pino } from 'pino';
import { SECRET_KEYS } from './config/schema.js';
import type { Logger } from './core/logger.js';

/**
 * Structured JSON logs. Secrets are Secret objects that print "[secret]"; the
 * redaction below is the second belt for any plain value under a secret key.
 */
export function createLogger(options: { level: string; destination: 1 | 2 }): Logger {
  const paths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  return pino(
    { level: options.level, redact: { paths: [...paths, 'password', '*.password', 'env'], censor: '[secret]' } },
    pino.destination({ fd: options.destination, sync: options.destination === 2 }),
  ) as unknown as Logger;
}
