import { DateTime } from 'luxon';
import { buildMorningDigest } from '../../reports/morning-digest.js';
import type { AuditLog } from '../core/audit.js';
import type { Locale } from '../core/i18n.js';
import type { AlertService } from '../core/ports/alerts.js';
import type { BackupService } from '../core/ports/backups.js';
import type { BackupRunSummary, DigestMessage, DigestOptions, DigestService } from '../core/ports/digest.js';
import type { ProbeService } from '../core/ports/probes.js';

/** Audit rows read for one digest: a busy night is summed up, not listed. */
const AUDIT_LIMIT = 500;

export interface DigestServiceDeps {
  locale: Locale;
  timeZone: string;
  now: () => Date;
  backups: BackupService;
  probes: ProbeService;
  audit: Pick<AuditLog, 'list'>;
  /** Absent until the alert engine is wired in: the digest then says alerts are not available yet. */
  alerts?: AlertService;
  /** Backup job runs since a time (`backup run`, pings), once something records them. */
  backupRuns?: (since: string) => readonly BackupRunSummary[] | Promise<readonly BackupRunSummary[]>;
}

/**
 * Gathers what the morning digest shows from the other ports and builds it.
 * No host is probed and no certificate checked: certificates and LUKS states
 * are the latest stored ones. Backups are read as `backup status` reads them
 * (a stale observation is refreshed: in the background when serving, first
 * in a one-shot process).
 */
export function createDigestService(deps: DigestServiceDeps): DigestService {
  return {
    async digest(options: DigestOptions = {}): Promise<DigestMessage> {
      const now = deps.now();
      // One spelling (toISOString's) so it compares as text with the stored times.
      const since = new Date(options.since ?? defaultDigestSince(now, deps.timeZone)).toISOString();
      const signal = new AbortController().signal;
      const [status, certificates, luks, backupRuns] = await Promise.all([
        deps.backups.status(deps.backups.names(), { fresh: false, signal }),
        deps.probes.storedCertificates(),
        deps.probes.storedLuks(),
        deps.backupRuns?.(since),
      ]);
      return buildMorningDigest({
        locale: deps.locale,
        timeZone: deps.timeZone,
        now: now.toISOString(),
        since,
        backups: status.repositories,
        backupRuns,
        alerts: deps.alerts && { active: deps.alerts.active(), events: deps.alerts.eventsSince(since) },
        audit: deps.audit.list({ since, limit: AUDIT_LIMIT }),
        auditLimit: AUDIT_LIMIT,
        certificates,
        luks,
      });
    },
  };
}

/**
 * When no previous digest time is given (the `digest` command): on Mondays
 * the previous Friday 09:00, so the weekend is covered as the scheduled
 * Monday digest would; on other days 24 hours back. In the configured zone.
 */
export function defaultDigestSince(now: Date, timeZone: string): string {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  const since =
    local.weekday === 1
      ? local.minus({ days: 3 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 })
      : local.minus({ hours: 24 });
  return since.toUTC().toISO() ?? new Date(now.getTime() - 86_400_000).toISOString();
}
