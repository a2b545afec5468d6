import type { ChatPlatform } from '../chat/platform.js';
import type { Db } from '../store/database.js';
import { type Route, sendJson } from './server.js';

/** Liveness and readiness: the database answers, and each platform's connection state. */
export function healthRoute(db: Db, platforms: () => readonly ChatPlatform[]): Route {
  return (_req, res) => {
    let database = 'ok';
    try {
      db.prepare('SELECT 1').get();
    } catch {
      database = 'unavailable';
    }
    const chat = Object.fromEntries(platforms().map((p) => [p.name, p.state()]));
    const ok = database === 'ok';
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', database, chat });
  };
}
