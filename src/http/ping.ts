import type { IncomingMessage } from 'node:http';
import type { BackupChecks, PingKind } from '../backups/backup-checks.js';
import type { RejectedRequests } from '../chat/rejected-request.js';
import type { Metrics } from './metrics.js';
import { BodyTooLargeError, type Routes, readBody, sendJson } from './server.js';

/** The longest log tail a ping may carry (Healthchecks' limit too). */
export const PING_BODY_LIMIT = 100 * 1024;
const PLATFORM = 'ping';

/**
 * `POST /ping/<check>` (success), `/ping/<check>/start`, `/ping/<check>/fail`, and
 * `/ping/<check>/<exit code>` (0 is a success, anything else a failure), as borgmatic and cron
 * jobs speak Healthchecks. Each check has its own token, sent as `Authorization: Bearer <token>`.
 * An unknown check (404) or a wrong token (401) is counted and audited within bounds; the body (a
 * log tail) is read only once the token is right, and refused past 100 kB without being read (an
 * announced length over it is refused at once; a chunked body is read up to the limit).
 */
export function pingRoutes(deps: { checks: BackupChecks; rejected: RejectedRequests; metrics: Metrics }): Routes {
  const { checks, rejected, metrics } = deps;
  return {
    'POST /ping/*': async (req, res) => {
      const parts = (req.url ?? '').split('?')[0]?.split('/').slice(2) ?? [];
      const name = decodeURIComponent(parts[0] ?? '');
      const kind = parts.length === 1 ? 'success' : parts.length === 2 ? kindOf(parts[1] ?? '') : undefined;
      if (!checks.has(name) || kind === undefined) {
        rejected.record(PLATFORM, req, 404, 'unknown_check');
        return sendJson(res, 404, { error: 'not_found' });
      }
      if (!checks.tokenMatches(name, bearer(req))) {
        rejected.record(PLATFORM, req, 401, 'bad_token');
        return sendJson(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
      }
      // The sender is known by now: a body too large is its mistake (413), not a forged request to audit.
      if (Number(req.headers['content-length'] ?? 0) > PING_BODY_LIMIT) throw new BodyTooLargeError(PING_BODY_LIMIT);
      const body = await readBody(req, PING_BODY_LIMIT);
      const { stored } = checks.ping(name, kind, body);
      metrics.backupPings.inc({ kind, stored: String(stored) });
      sendJson(res, 200, { ok: true, stored });
    },
  };
}

/** `start`, `fail`, or an exit code (borgmatic and `curl …/$?` send one). */
function kindOf(segment: string): PingKind | undefined {
  if (segment === 'start') return 'start';
  if (segment === 'fail') return 'fail';
  if (/^\d{1,3}$/.test(segment)) return Number(segment) === 0 ? 'success' : 'fail';
  return undefined;
}

function bearer(req: IncomingMessage): string {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim() ?? '';
}
