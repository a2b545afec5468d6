import { z } from 'zod';
import { actorLabel } from '../src/core/actor.js';
import { defineCommand } from '../src/core/command.js';
import { parseDuration } from '../src/core/duration.js';
import { UsageError } from '../src/core/errors.js';
import { alignColumns, formatAge, formatTime } from '../src/core/format.js';
import { fill, type Locale, t } from '../src/core/i18n.js';
import type { AlertSeverity } from '../src/core/ports/alerts.js';

const text = {
  none: { en: 'no active alert.', fr: 'aucune alerte active.' },
  since: { en: 'since {time}', fr: 'depuis {time}' },
  silencedUntil: { en: 'silenced until {time}', fr: "en sourdine jusqu'au {time}" },
  silenced: {
    en: '{key} silenced until {until} ({duration}): its messages are held back until then.',
    fr: "{key} mise en sourdine jusqu'au {until} ({duration}) : ses messages sont retenus jusque-là.",
  },
  unknownKey: { en: 'unknown alert key "{key}".', fr: "clé d'alerte inconnue « {key} »." },
  closest: { en: ' Closest: {keys}.', fr: ' Les plus proches : {keys}.' },
  noneClose: {
    en: ' "alerts" lists the active ones.',
    fr: ' « alerts » liste les alertes actives.',
  },
  badDuration: {
    en: 'invalid duration "{text}": use a whole number and a unit (90s, 15m, 2h, 7d).',
    fr: 'durée invalide « {text} » : un nombre entier et une unité (90s, 15m, 2h, 7d).',
  },
  tooLong: { en: 'a silence lasts at most {max}.', fr: 'une mise en sourdine dure au plus {max}.' },
} satisfies Record<string, Record<Locale, string>>;

const SEVERITY: Record<AlertSeverity, Record<Locale, string>> = {
  warn: { en: 'WARN', fr: 'ATTENTION' },
  crit: { en: 'CRIT', fr: 'CRITIQUE' },
};

export const alerts = defineCommand({
  name: 'alerts',
  usage: 'alerts',
  summary: { en: 'active alerts, most severe first', fr: 'alertes actives, les plus graves en premier' },
  args: z.object({}),
  changes: false,
  async run(ctx) {
    const { locale, timeZone } = ctx;
    const active = ctx.services.alerts.active();
    if (active.length === 0) return { outcome: 'ok', text: text.none[locale], data: active, auditDetail: '0 active' };
    const rows = active.map((a) => [
      SEVERITY[a.severity][locale],
      a.key,
      a.summary,
      fill(text.since[locale], { time: formatTime(a.firedAt, timeZone) }),
      a.silencedUntil ? fill(text.silencedUntil[locale], { time: formatTime(a.silencedUntil, timeZone) }) : '',
    ]);
    return {
      // Like `certs`: a script running `detour run alerts` learns from the exit code that something fires.
      outcome: 'failed',
      text: alignColumns(rows).join('\n'),
      data: active,
      auditDetail: `${active.length} active`,
    };
  },
});

const SILENCE_USAGE = 'alerts silence <key> <duration>';

export const alertsSilence = defineCommand({
  name: 'alerts silence',
  usage: SILENCE_USAGE,
  summary: {
    en: 'hold back the messages of one alert for a while (e.g. 2h)',
    fr: "retient les messages d'une alerte pendant un temps (par ex. 2h)",
  },
  positionals: ['key', 'duration'],
  args: z.object({ key: z.string().min(1), duration: z.string() }),
  changes: true,
  replyIn: 'channel',
  async run(ctx, args) {
    const { locale } = ctx;
    const ms = parseDuration(args.duration);
    if (ms === undefined || ms <= 0) {
      throw usageError(fill(text.badDuration[locale], { text: args.duration }), locale);
    }
    const result = ctx.services.alerts.silence(args.key, ms, actorLabel(ctx.actor));
    if (!result.ok) {
      if (result.reason === 'too_long') {
        throw usageError(fill(text.tooLong[locale], { max: formatAge(result.maxMs, locale) }), locale);
      }
      const close = result.suggestions.length > 0;
      throw usageError(
        fill(text.unknownKey[locale], { key: args.key }) +
          (close ? fill(text.closest[locale], { keys: result.suggestions.join(', ') }) : text.noneClose[locale]),
        locale,
      );
    }
    return {
      outcome: 'ok',
      text: fill(text.silenced[locale], {
        key: result.key,
        until: formatTime(result.until, ctx.timeZone),
        duration: formatAge(ms, locale),
      }),
      data: result,
      auditDetail: `silenced ${result.key} for ${args.duration} until ${result.until}`,
    };
  },
});

/** The pipeline adds the usage line to parse errors only: a refusal from `run` carries its own. */
function usageError(message: string, locale: Locale): UsageError {
  return new UsageError(`${message}\n${t(locale, 'usage', { usage: SILENCE_USAGE })}`);
}
