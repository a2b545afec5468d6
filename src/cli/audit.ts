import { alignColumns, formatTime } from '../core/format.js';
import { silentLogger } from '../core/logger.js';
import { AuditStore } from '../store/audit-store.js';
import { openDatabase } from '../store/database.js';
import { loadCliConfig } from './load.js';
import { printableJson, printableLine } from './terminal-text.js';
import type { CliValues } from './values.js';

/** `detour audit`: what was run, by whom, when, how long it took and how it ended. */
export async function listAudit(values: CliValues): Promise<number> {
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit <= 0) {
    process.stderr.write(`detour audit: --limit must be a positive whole number, got "${values.limit}"\n`);
    return 2;
  }
  let since: string | undefined;
  if (values.since !== undefined) {
    const date = new Date(values.since);
    if (Number.isNaN(date.getTime())) {
      process.stderr.write(
        `detour audit: --since must be an ISO date or time (2026-11-01, 2026-11-01T09:00), got "${values.since}"\n`,
      );
      return 2;
    }
    since = date.toISOString();
  }
  const { config } = await loadCliConfig(values, silentLogger);
  const db = openDatabase(config.database);
  try {
    const entries = new AuditStore(db).list({ since, limit }).reverse();
    if (values.json) {
      process.stdout.write(`${printableJson(entries)}\n`);
      return 0;
    }
    // Actor, text and detail come from chat: no cell may hold a control character or a newline.
    const rows = entries.map((e) =>
      [
        `#${e.id}`,
        formatTime(e.startedAt, config.timezone),
        e.actor,
        e.platform,
        e.status,
        e.durationMs === undefined ? '' : `${e.durationMs} ms`,
        e.text,
        e.detail && e.detail !== e.status ? `— ${e.detail}` : '',
      ].map(printableLine),
    );
    process.stdout.write(rows.length ? `${alignColumns(rows).join('\n')}\n` : 'no audit entries\n');
    return 0;
  } finally {
    db.close();
  }
}
