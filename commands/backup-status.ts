import { z } from 'zod';
import { defineCommand } from '../src/core/command.js';
import { CommandFailedError } from '../src/core/errors.js';
import { alignColumns, formatAge, formatBytes, formatTime } from '../src/core/format.js';
import { fill, type Locale } from '../src/core/i18n.js';
import type { BackupStatusReport, RepositoryStatus } from '../src/core/ports/backups.js';

const text = {
  unknown: {
    en: 'unknown repository "{name}". Known repositories: {known}.',
    fr: 'dépôt inconnu « {name} ». Dépôts connus : {known}.',
  },
  none: {
    en: 'no backup repository is configured (see "backups:" in the configuration).',
    fr: "aucun dépôt de sauvegarde n'est configuré (voir « backups: » dans la configuration).",
  },
  header: { en: 'Backups, observed {age} ago', fr: 'Sauvegardes, observées il y a {age}' },
  refreshing: { en: ' (refreshing now)', fr: ' (actualisation en cours)' },
  last: { en: 'last {time} ({age} ago)', fr: 'dernière {time} (il y a {age})' },
  noArchive: { en: 'no archive yet', fr: 'aucune archive' },
  archives: { en: '{n} archives', fr: '{n} archives' },
  archive: { en: '1 archive', fr: '1 archive' },
  maxAge: { en: 'max age {age}', fr: 'âge max {age}' },
  figuresFrom: { en: 'figures from {age} ago', fr: 'chiffres d’il y a {age}' },
  never: { en: 'never observed', fr: 'jamais observé' },
} satisfies Record<string, Record<Locale, string>>;

export const backupStatus = defineCommand({
  name: 'backup status',
  usage: 'backup status [name] [--fresh]',
  summary: {
    en: 'last archive, age, count and size of each borg and restic repository',
    fr: 'dernière archive, âge, nombre et taille de chaque dépôt borg et restic',
  },
  positionals: ['name'],
  flags: ['fresh'],
  args: z.object({ name: z.string().optional(), fresh: z.boolean().default(false) }),
  changes: false,
  async run(ctx, args) {
    const { locale } = ctx;
    const known = ctx.services.backups.names();
    if (known.length === 0) throw new CommandFailedError('no_repositories', text.none[locale]);
    if (args.name !== undefined && !known.includes(args.name)) {
      throw new CommandFailedError(
        'unknown_repository',
        fill(text.unknown[locale], { name: args.name, known: known.join(', ') }),
      );
    }
    const names = args.name === undefined ? known : [args.name];
    const report = await ctx.services.backups.status(names, { fresh: args.fresh, signal: ctx.signal });
    const allOk = report.repositories.every((r) => r.marker === 'OK');
    return {
      outcome: allOk ? 'ok' : 'failed',
      text: render(report, locale, ctx.timeZone),
      data: report,
      auditDetail: report.repositories.map((r) => `${r.name}=${r.marker}`).join(' '),
    };
  },
});

function render(report: BackupStatusReport, locale: Locale, timeZone: string): string {
  const now = new Date(report.now).getTime();
  const oldest = Math.min(
    ...report.repositories.map((r) => (r.latest ? new Date(r.latest.observedAt).getTime() : now)),
  );
  const header =
    fill(text.header[locale], { age: formatAge(now - oldest, locale) }) +
    (report.refreshing ? text.refreshing[locale] : '');
  const rows = report.repositories.map((r) => row(r, locale, timeZone, now));
  return [header, ...alignColumns(rows)].join('\n');
}

function row(r: RepositoryStatus, locale: Locale, timeZone: string, now: number): string[] {
  const head = [r.marker, r.name, r.type];
  if (!r.latest) return [...head, text.never[locale]];
  const figures = r.latest.outcome === 'ok' ? r.latest : r.lastGood;
  const problem = r.latest.outcome === 'ok' ? [] : [r.latest.detail ?? r.latest.outcome];
  if (!figures) return [...head, ...problem];
  const last = figures.lastArchiveAt
    ? fill(text.last[locale], {
        time: formatTime(figures.lastArchiveAt, timeZone),
        age: formatAge(now - new Date(figures.lastArchiveAt).getTime(), locale),
      })
    : text.noArchive[locale];
  const cells = [
    ...head,
    last,
    figures.archiveCount === 1 ? text.archive[locale] : fill(text.archives[locale], { n: figures.archiveCount ?? 0 }),
    figures.sizeBytes === undefined ? '' : formatBytes(figures.sizeBytes, locale),
    r.marker === 'LATE' ? fill(text.maxAge[locale], { age: formatAge(r.maxAgeMs, locale) }) : '',
  ];
  if (problem.length > 0) {
    cells.push(
      `${problem[0]}; ${fill(text.figuresFrom[locale], { age: formatAge(now - new Date(figures.observedAt).getTime(), locale) })}`,
    );
  }
  return cells;
}
