import type { ChatMessage } from '../chat/message.js';
import { backupDetails, backupTitle, statsLine } from '../core/backup-text.js';
import type { Locale } from '../core/i18n.js';
import type { Logger } from '../core/logger.js';
import type { BackupSummary } from '../core/ports/backup-runs.js';
import type { BackupRunSummary } from '../core/ports/digest.js';
import type { BackupSummaryStore } from '../store/backup-summary-store.js';

/** The logical channel finished backups are posted to (config `channels.backups`). */
export const BACKUPS_CHANNEL = 'backups';

export interface BackupReporterDeps {
  store: BackupSummaryStore;
  /** Posts to a logical channel (absent: stored only, the summaries are not posted). */
  post?: (channel: string, message: ChatMessage) => void;
  /** post: every summary now; digest: successes wait for the digest, failures and warnings are posted. */
  mode: 'post' | 'digest';
  locale: Locale;
  logger: Logger;
}

/** Every finished backup, run by the bot or reported by a ping: stored, and posted when it should be. */
export class BackupReporter {
  readonly #d: BackupReporterDeps;

  constructor(deps: BackupReporterDeps) {
    this.#d = deps;
  }

  finished(summary: Omit<BackupSummary, 'posted'>): BackupSummary {
    const due = this.#d.post !== undefined && (summary.outcome !== 'ok' || this.#d.mode === 'post');
    const stored: BackupSummary = { ...summary, posted: due };
    try {
      this.#d.store.add(stored);
    } catch (error) {
      this.#d.logger.error({ err: error, name: summary.name }, 'could not store a backup summary');
    }
    if (!due) return stored;
    try {
      this.#d.post?.(BACKUPS_CHANNEL, summaryMessage(stored, this.#d.locale));
    } catch (error) {
      // No backups channel or no chat platform: the backup still went as it went, and the summary is stored.
      this.#d.logger.warn({ err: error, name: summary.name }, 'could not post a backup summary');
    }
    return stored;
  }

  /** Summaries of backups finished since `iso`. */
  summariesSince(iso: string): BackupSummary[] {
    return this.#d.store.since(iso);
  }

  /** The same, as the digest's "backup runs" lines: one short detail each, in the configured locale. */
  runsSince(iso: string): BackupRunSummary[] {
    return this.summariesSince(iso).map((s) => ({
      name: s.name,
      outcome: s.outcome,
      at: s.finishedAt,
      detail: s.error ?? (statsLine(s.stats, this.#d.locale) || undefined),
    }));
  }
}

/** One line when it went well; the details when it did not. */
export function summaryMessage(s: Omit<BackupSummary, 'posted'>, locale: Locale): ChatMessage {
  const title = backupTitle(s, locale);
  if (s.outcome === 'ok') return { body: [title, statsLine(s.stats, locale)].filter(Boolean).join(' — ') };
  return { title, body: backupDetails(s, locale).join('\n') || title };
}
