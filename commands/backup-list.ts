import { z } from 'zod';
import { defineCommand } from '../src/core/command.js';
import { UsageError } from '../src/core/errors.js';
import { alignColumns, formatBytes, formatTime } from '../src/core/format.js';
import { fill, type Locale } from '../src/core/i18n.js';

const MAX_LAST = 100;
const LAST_HINT = `a whole number from 1 to ${MAX_LAST} (--last N)`;

const text = {
  unknown: {
    en: 'unknown repository "{name}". Known repositories: {known}.',
    fr: 'dépôt inconnu « {name} ». Dépôts connus : {known}.',
  },
  header: {
    en: '{name} ({type}): the {shown} newest of {total} {unit}',
    fr: '{name} ({type}) : les {shown} plus récents de {total} {unit}',
  },
  all: { en: '{name} ({type}): {total} {unit}', fr: '{name} ({type}) : {total} {unit}' },
  none: { en: '{name} ({type}): none yet', fr: '{name} ({type}) : aucun pour l’instant' },
  borg: { en: 'archives', fr: 'archives' },
  restic: { en: 'snapshots', fr: 'instantanés' },
  files: { en: '{n} files', fr: '{n} fichiers' },
} satisfies Record<string, Record<Locale, string>>;

export const backupList = defineCommand({
  name: 'backup list',
  usage: 'backup list <name> [--last N]',
  summary: {
    en: 'the newest archives or snapshots of one repository (10 by default, at most 100)',
    fr: 'les archives ou instantanés les plus récents d’un dépôt (10 par défaut, 100 au plus)',
  },
  positionals: ['name'],
  options: ['last'],
  args: z.object({
    name: z.string(),
    last: z.coerce
      .number({ error: LAST_HINT })
      .int({ error: LAST_HINT })
      .min(1, { error: LAST_HINT })
      .max(MAX_LAST, { error: LAST_HINT })
      .default(10),
  }),
  changes: false,
  async run(ctx, args) {
    const { locale } = ctx;
    const known = ctx.services.backups.names();
    if (!known.includes(args.name)) {
      throw new UsageError(fill(text.unknown[locale], { name: args.name, known: known.join(', ') || '—' }));
    }
    const list = await ctx.services.backups.list(args.name, { last: args.last, signal: ctx.signal });
    const params = {
      name: list.repo,
      type: list.type,
      total: list.total,
      shown: list.archives.length,
      unit: text[list.type][locale],
    };
    const header =
      list.total === 0
        ? fill(text.none[locale], params)
        : list.archives.length < list.total
          ? fill(text.header[locale], params)
          : fill(text.all[locale], params);
    const rows = list.archives.map((a) => [
      formatTime(a.at, ctx.timeZone),
      a.name,
      a.files === undefined ? '' : fill(text.files[locale], { n: a.files }),
      a.sizeBytes === undefined ? '' : formatBytes(a.sizeBytes, locale),
    ]);
    return {
      outcome: 'ok',
      text: [header, ...alignColumns(rows)].join('\n'),
      data: list,
      auditDetail: `${list.archives.length} of ${list.total}`,
    };
  },
});
