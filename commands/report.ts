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
    en: 'The full report, with its charts, is posted to the reports channel on the 1st; on the server: detour report monthly --month {month}',
    fr: 'Le rapport complet, avec ses graphiques, est publié sur le canal des rapports le 1er ; sur le serveur : detour report monthly --month {month}',
  },
} satisfies Record<string, Record<Locale, string>>;

/**
 * The monthly IT usage report of a month (default: last month), now: its headline figures.
 * Answered like every reply (privately by default): the scheduled one, with its Markdown and
 * charts, goes to the `reports` channel on the 1st; asking again should not post a second copy.
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
    // Figures only: a chat request draws no chart and writes nothing on the bot's disk.
    const built = await ctx.services.report.monthly({ month: args.month, files: false });
    return {
      outcome: 'ok',
      text: `${built.title}\n${built.body}\n\n${fill(text.files[locale], { month: built.data.month })}`,
      data: { month: built.data.month, figures: built.data },
    };
  },
});
