import type { ChatPlatform } from '../chat/platform.js';
import type { SchedulerStatus } from '../scheduler/scheduler.js';
import type { Db } from '../store/database.js';
import { type Route, sendJson } from './server.js';

/**
 * Liveness and readiness: the database answers, each platform's connection state, and the
 * scheduler (running or stopped, each job's next time).
 */
export function healthRoute(
  db: Db,
  platforms: () => readonly ChatPlatform[],
  scheduler?: () => SchedulerStatus,
): Route {
  return (_req, res) => {
    let database = 'ok';
    try {
      db.prepare('SELECT 1').get();
    } catch {
      database = 'unavailable';
    }
    const chat = Object.fromEntries(platforms().map((p) => [p.name, p.state()]));
    const ok = database === 'ok';
    const jobs = scheduler?.();
    sendJson(res, ok ? 200 : 503, {
      status: ok ? 'ok' : 'degraded',
      database,
      chat,
      ...(jobs ? { scheduler: jobs.state, jobs: jobs.jobs } : {}),
    });
  };
}
