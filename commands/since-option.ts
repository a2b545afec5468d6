import { parseSince } from '../src/core/duration.js';
import { UsageError } from '../src/core/errors.js';
import { fill, type Locale, t } from '../src/core/i18n.js';

const text = {
  bad: {
    en: '--since "{value}" is neither a date (2026-12-04, 2026-12-04T09:00) nor a duration (90s, 15m, 26h, 7d).',
    fr: '--since « {value} » n’est ni une date (2026-12-04, 2026-12-04T09:00) ni une durée (90s, 15m, 26h, 7d).',
  },
  future: { en: '--since "{value}" is in the future.', fr: '--since « {value} » est dans le futur.' },
} satisfies Record<string, Record<Locale, string>>;

/**
 * The `--since` option of `digest` and `audit`, as a UTC ISO string: a date
 * or date-time (read in the configured zone unless it names one) or a
 * duration back from now. Anything else is a usage error that shows the usage.
 */
export function sinceOption(value: string, locale: Locale, timeZone: string, usage: string, now = new Date()): string {
  const since = parseSince(value, now, timeZone);
  const problem = since === undefined ? text.bad : Date.parse(since) > now.getTime() ? text.future : undefined;
  if (problem) throw new UsageError(`${fill(problem[locale], { value })}\n${t(locale, 'usage', { usage })}`);
  return since as string;
}
