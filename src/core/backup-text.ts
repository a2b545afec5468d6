import { formatAge, formatBytes } from './format.js';
import { fill, type Locale } from './i18n.js';
import type { BackupRunStats, BackupSummary } from './ports/backup-runs.js';

/*
 * The words of a finished backup, shared by `backup run`'s reply and the summary posted to the
 * backups channel, so both say the same thing the same way.
 */
const text = {
  ok: { en: 'backup {name}: ok in {duration}', fr: 'sauvegarde {name} : ok en {duration}' },
  warning: {
    en: 'backup {name}: done with warnings in {duration}',
    fr: 'sauvegarde {name} : faite avec des avertissements en {duration}',
  },
  failed: { en: 'backup {name}: FAILED', fr: 'sauvegarde {name} : ÉCHEC' },
  okPing: { en: 'backup {name}: ok (reported)', fr: 'sauvegarde {name} : ok (signalée)' },
  failedPing: { en: 'backup {name}: FAILED (reported)', fr: 'sauvegarde {name} : ÉCHEC (signalé)' },
  archive: { en: 'archive {archive}', fr: 'archive {archive}' },
  files: { en: '{n} files', fr: '{n} fichiers' },
  filesDetail: {
    en: '{n} files ({new} new, {changed} changed, {unmodified} unmodified)',
    fr: '{n} fichiers ({new} nouveaux, {changed} modifiés, {unmodified} inchangés)',
  },
  bytes: {
    en: 'original {original}, compressed {compressed}, deduplicated {dedup}',
    fr: 'original {original}, compressé {compressed}, dédupliqué {dedup}',
  },
  bytesRestic: { en: 'processed {original}, added {dedup}', fr: 'traité {original}, ajouté {dedup}' },
  skipped: { en: '{n} skipped:', fr: '{n} ignorés :' },
  more: { en: '  … and {n} more', fr: '  … et {n} de plus' },
  error: { en: 'error: {error}', fr: 'erreur : {error}' },
  log: { en: 'log (last lines):', fr: 'journal (dernières lignes) :' },
} satisfies Record<string, Record<Locale, string>>;

/** The title line: one line that says it all when the backup went well. */
export function backupTitle(
  s: Pick<BackupSummary, 'name' | 'source' | 'outcome' | 'durationMs'>,
  locale: Locale,
): string {
  const duration = formatAge(s.durationMs ?? 0, locale);
  if (s.source === 'ping')
    return fill((s.outcome === 'failed' ? text.failedPing : text.okPing)[locale], { name: s.name });
  return fill(text[s.outcome][locale], { name: s.name, duration });
}

/** One line of figures: archive, files, bytes; empty when the tool printed none. */
export function statsLine(stats: BackupRunStats | undefined, locale: Locale): string {
  if (!stats) return '';
  const parts: string[] = [];
  if (stats.archive) parts.push(fill(text.archive[locale], { archive: stats.archive }));
  if (stats.files !== undefined) {
    parts.push(
      stats.filesNew !== undefined
        ? fill(text.filesDetail[locale], {
            n: stats.files,
            new: stats.filesNew,
            changed: stats.filesChanged ?? 0,
            unmodified: stats.filesUnmodified ?? 0,
          })
        : fill(text.files[locale], { n: stats.files }),
    );
  }
  const bytes = (n: number | undefined) => (n === undefined ? '?' : formatBytes(n, locale));
  if (stats.compressedBytes !== undefined) {
    parts.push(
      fill(text.bytes[locale], {
        original: bytes(stats.originalBytes),
        compressed: bytes(stats.compressedBytes),
        dedup: bytes(stats.deduplicatedBytes),
      }),
    );
  } else if (stats.originalBytes !== undefined || stats.deduplicatedBytes !== undefined) {
    parts.push(
      fill(text.bytesRestic[locale], { original: bytes(stats.originalBytes), dedup: bytes(stats.deduplicatedBytes) }),
    );
  }
  return parts.join(', ');
}

/** The lines under the title: figures, what was skipped, the error, a failed ping's log tail. */
export function backupDetails(s: Omit<BackupSummary, 'posted'>, locale: Locale): string[] {
  const lines: string[] = [];
  const stats = statsLine(s.stats, locale);
  if (stats) lines.push(stats);
  const warnings = s.warnings ?? [];
  if (warnings.length > 0) {
    lines.push(fill(text.skipped[locale], { n: s.warningCount ?? warnings.length }), ...warnings.map((w) => `  ${w}`));
    const more = (s.warningCount ?? warnings.length) - warnings.length;
    if (more > 0) lines.push(fill(text.more[locale], { n: more }));
  }
  if (s.error) lines.push(fill(text.error[locale], { error: s.error }));
  if (s.log) lines.push(text.log[locale], s.log);
  return lines;
}
