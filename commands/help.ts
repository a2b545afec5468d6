import { z } from 'zod';
import { type AnyCommand, defineCommand } from '../src/core/command.js';
import { UsageError } from '../src/core/errors.js';
import { alignColumns } from '../src/core/format.js';
import { fill } from '../src/core/i18n.js';
import { findCommand } from '../src/core/parser.js';

const text = {
  title: { en: 'Commands you can run:', fr: 'Commandes que vous pouvez lancer :' },
  more: { en: 'Type "help <command>" for its usage.', fr: 'Tapez « help <commande> » pour son usage.' },
  usage: { en: 'usage', fr: 'usage' },
  adminOnly: { en: '(admins only)', fr: '(réservée aux admins)' },
  unknown: {
    en: 'no command "{name}". Type "help" for the list.',
    fr: 'pas de commande « {name} ». Tapez « help » pour la liste.',
  },
};

export const help = defineCommand({
  name: 'help',
  usage: 'help [command]',
  summary: {
    en: 'list the commands you can run, or explain one',
    fr: 'liste les commandes que vous pouvez lancer, ou en explique une',
  },
  positionals: ['first', 'second'],
  args: z.object({ first: z.string().optional(), second: z.string().optional() }),
  changes: false,
  async run(ctx, args) {
    const { locale } = ctx;
    // A command whose effect depends on its arguments (ansible run --check) is listed for everyone.
    const visible = ctx.commands.filter((c) => !adminOnly(c) || ctx.isAdmin);
    if (args.first) {
      const words = [args.first, args.second].filter((w): w is string => w !== undefined);
      const found = findCommand(words, ctx.commands);
      if (!found) throw new UsageError(fill(text.unknown[locale], { name: words.join(' ') }));
      const c = found.command;
      const note = adminOnly(c) && !ctx.isAdmin ? ` ${text.adminOnly[locale]}` : '';
      return { outcome: 'ok', text: `${c.name}: ${c.summary[locale]}${note}\n${text.usage[locale]}: ${c.usage}` };
    }
    const lines = alignColumns(visible.map((c) => [c.usage, c.summary[locale]]));
    return { outcome: 'ok', text: [text.title[locale], ...lines.map((l) => `  ${l}`), text.more[locale]].join('\n') };
  },
});

/** Reserved for admins whatever its arguments. */
function adminOnly(c: AnyCommand): boolean {
  return c.changes === true || c.adminOnly === true;
}
