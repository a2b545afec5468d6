import type { IncomingMessage } from 'node:http';
import type { AuditLog } from '../core/audit.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../http/metrics.js';

/**
 * A request refused before it could reach any command (bad signature or token,
 * stale, malformed, too large): counted, logged and audited, the same way for
 * every platform.
 */
export function recordRejection(
  deps: { metrics: Metrics; logger: Logger; audit: AuditLog },
  platform: string,
  req: IncomingMessage,
  status: number,
  reason: string,
): void {
  deps.metrics.rejectedRequests.inc({ platform, reason });
  deps.logger.warn(
    { platform, status, reason, path: req.url, remote: req.socket.remoteAddress },
    `${platform} request refused`,
  );
  const id = deps.audit.start({ actor: 'unknown', platform, text: `(${req.method} ${req.url})` });
  deps.audit.finish(id, 'denied', `request refused: ${reason}`);
}
