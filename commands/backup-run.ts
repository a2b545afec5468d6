import { z } from 'zod';
import { actorLabel } from '../src/core/actor.js';
import { backupDetails, backupTitle } from '../src/core/backup-text.js';
import { defineCommand } from '../src/core/command.js';
import { UsageError } from '../src/core/errors.js';
import { formatAge, formatBytes } from '../src/core/format.js';
import { fill, type Locale } from '../src/core/i18n.js';
import type { BackupProgress } from '../src/core/ports/backup-runs.js';

const text = {
  unknown: {
    en: 'unknown repository "{name}". Known repositories: {known}.',
    fr: 'dépôt inconnu « {name} ». Dépôts connus : {known}.',
  },
  running: { en: 'backup {name} running for {elapsed}', fr: 'sauvegarde {name} en cours depuis {elapsed}' },
  percent: { en: '{n} % done', fr: '{n} % fait' },
  files: { en: '{n} files', fr: '{n} fichiers' },
} satisfies Record<string, Record<Locale, string>>;

export const backupRun = defineCommand({
  name: 'backup run',
  usage: 'backup run <name>',
  summary: {
    en: "run a repository's backup job now; summary with files, sizes and duration at the end",
    fr: 'lance maintenant la sauvegarde d’un dépôt ; résumé avec fichiers, tailles et durée à la fin',
  },
  positionals: ['name'],
  args: z.object({ name: z.string() }),
  changes: true,
  replyIn: 'channel',
  async run(ctx, args) {
    const { locale } = ctx;
    const known = ctx.services.backups.names();
    if (!known.includes(args.name)) {
      throw new UsageError(fill(text.unknown[locale], { name: args.name, known: known.join(', ') || '—' }));
    }
    const result = await ctx.services.backups.run(
      args.name,
      { label: actorLabel(ctx.actor), isAdmin: ctx.isAdmin },
      { signal: ctx.signal, onProgress: (p) => ctx.progress(describeProgress(args.name, p, locale)) },
    );
    const summary = { ...result, name: args.name, source: 'run' as const };
    return {
      outcome: result.outcome === 'failed' ? 'failed' : 'ok',
      text: [backupTitle(summary, locale), ...backupDetails(summary, locale)].join('\n'),
      data: result,
      auditDetail:
        result.outcome === 'warning'
          ? `warning: ${result.warningCount} skipped, archive ${result.stats.archive ?? '?'}`
          : result.outcome === 'ok'
            ? `ok, archive ${result.stats.archive ?? '?'}`
            : `failed: ${result.error ?? 'unknown error'}`,
    };
  },
});

/** "backup b7-borg running for 2 min, 45 % done, 1200 files, 3.2 GiB" for the one updated progress message. */
function describeProgress(name: string, p: BackupProgress, locale: Locale): string {
  const parts = [fill(text.running[locale], { name, elapsed: formatAge(p.elapsedMs, locale) })];
  if (p.fraction !== undefined) parts.push(fill(text.percent[locale], { n: Math.floor(p.fraction * 100) }));
  if (p.filesDone !== undefined) parts.push(fill(text.files[locale], { n: p.filesDone }));
  if (p.bytesDone !== undefined) parts.push(formatBytes(p.bytesDone, locale));
  return parts.join(', ');
}
