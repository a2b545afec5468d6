import { z } from 'zod';
import { defineCommand } from '../src/core/command.js';
import { UsageError } from '../src/core/errors.js';
import { fill, type Locale } from '../src/core/i18n.js';
import { isMonth } from '../src/core/month.js';

const USAGE = 'report [YYYY-MM]';

const text = {
  badMonth: {
    en: '"{month}" is not a month: give it as YYYY-MM (2026-11), or nothing for last month.',
    fr: '« {month} » n’est pas un mois : donnez-le sous la forme AAAA-MM (2026-11), ou rien pour le mois dernier.',
  },
  files: {
    en: 'The Markdown and the charts are written to {dir}; the report posted on the 1st carries them.',
    fr: 'Le Markdown et les graphiques sont écrits dans {dir} ; le rapport publié le 1er les joint.',
  },
} satisfies Record<string, Record<Locale, string>>;

/**
 * The monthly IT usage report of a month (default: last month), now. Answered like every reply
 * (privately by default): the scheduled one, with its files, goes to the `reports` channel on the
 * 1st; asking for it again should not post a second copy there.
 */
export const report = defineCommand({
  name: 'report',
  usage: USAGE,
  summary: {
    en: 'the monthly IT usage report of a month (default last month), now',
    fr: 'le rapport informatique mensuel d’un mois (par défaut le mois dernier), maintenant',
  },
  positionals: ['month'],
  args: z.object({ month: z.string().optional() }),
  changes: false,
  async run(ctx, args) {
    const { locale } = ctx;
    if (args.month !== undefined && !isMonth(args.month)) {
      throw new UsageError(fill(text.badMonth[locale], { month: args.month }));
    }
    const built = await ctx.services.report.monthly({ month: args.month });
    const dir = built.files[0]?.replace(/\/[^/]*$/, '') ?? '?';
    return {
      outcome: 'ok',
      text: `${built.title}\n${built.body}\n\n${fill(text.files[locale], { dir })}`,
      data: { month: built.data.month, files: built.files },
    };
  },
});
