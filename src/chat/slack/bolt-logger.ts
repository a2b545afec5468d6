import type { Logger as BoltLogger, LogLevel as BoltLogLevel } from '@slack/bolt';
import { requireCjs } from '../../require-cjs.js';

const { LogLevel } = requireCjs('@slack/bolt') as { LogLevel: typeof BoltLogLevel };

import type { Logger } from '../../core/logger.js';

/** Bolt's logger interface on top of ours, so Slack's library logs go to the same structured log. */
export function boltLogger(logger: Logger, debug = process.env.DETOUR_LOG_LEVEL === 'debug'): BoltLogger {
  const fmt = (msgs: unknown[]) => msgs.map((m) => (typeof m === 'string' ? m : String(m))).join(' ');
  return {
    // Bolt logs several debug lines per request: format them only when someone reads them.
    debug: debug ? (...m: unknown[]) => logger.debug({}, fmt(m)) : () => {},
    info: (...m: unknown[]) => logger.info({}, fmt(m)),
    warn: (...m: unknown[]) => logger.warn({}, fmt(m)),
    error: (...m: unknown[]) => logger.error({}, fmt(m)),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
