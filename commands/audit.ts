import { z } from 'zod';
import type { AuditEntry } from '../src/core/audit.js';
import { defineCommand } from '../src/core/command.js';
import { UsageError } from '../src/core/errors.js';
import { alignColumns, formatTime } from '../src/core/format.js';
import { fill, type Locale, t } from '../src/core/i18n.js';
import { sinceOption } from './since-option.js';

const USAGE = 'audit [--since ISO|duration] [--user EMAIL] [--last N]';
const DEFAULT_LAST = 20;
const MAX_LAST = 100;
// Lines stay readable in a chat column; the full text is in the store (`detour audit --json`).
const MAX_TEXT = 48;
const MAX_DETAIL = 40;

const text = {
  header: { en: 'Audit log, newest first:', fr: "Journal d'audit, du plus récent au plus ancien :" },
  none: { en: 'no audit entry matches.', fr: "aucune entrée du journal d'audit ne correspond." },
  badLast: {
    en: '--last "{value}" must be a whole number from 1 to {max}.',
    fr: '--last « {value} » doit être un nombre entier de 1 à {max}.',
  },
} satisfies Record<string, Record<Locale, string>>;

/** Statuses whose detail says what went wrong: worth its short column. */
const EXPLAINED = new Set(['failed', 'denied', 'usage', 'error', 'interrupted']);

export const audit = defineCommand({
  name: 'audit',
  usage: USAGE,
  summary: {
    en: 'recent audit entries: who ran what, when, with what outcome',
    fr: "dernières entrées du journal d'audit : qui a lancé quoi, quand, avec quel résultat",
  },
  options: ['since', 'user', 'last'],
  args: z.object({ since: z.string().optional(), user: z.string().optional(), last: z.string().optional() }),
  changes: false,
  // What everyone typed (hosts, playbooks, failures) is for the people who run the servers.
  adminOnly: true,
  async run(ctx, args) {
    const { locale, timeZone } = ctx;
    const limit = args.last === undefined ? DEFAULT_LAST : lastOption(args.last, locale);
    const since = args.since === undefined ? undefined : sinceOption(args.since, locale, timeZone, USAGE);
    const entries = ctx.services.audit.list({ since, limit, actor: args.user });
    if (entries.length === 0) return { outcome: 'ok', text: text.none[locale], data: [] };
    const rows = entries.map((e) => row(e, timeZone));
    return {
      outcome: 'ok',
      text: [text.header[locale], ...alignColumns(rows)].join('\n'),
      data: entries,
      auditDetail: `${entries.length} entries`,
    };
  },
});

function lastOption(value: string, locale: Locale): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (n >= 1 && n <= MAX_LAST) return n;
  throw new UsageError(
    `${fill(text.badLast[locale], { value, max: MAX_LAST })}\n${t(locale, 'usage', { usage: USAGE })}`,
  );
}

function row(e: AuditEntry, timeZone: string): string[] {
  const detail = EXPLAINED.has(e.status) && e.detail ? clip(oneLine(e.detail), MAX_DETAIL) : '';
  return [`#${e.id}`, formatTime(e.startedAt, timeZone), e.actor, e.status, clip(oneLine(e.text), MAX_TEXT), detail];
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
