import { formatAge, formatTime } from '../core/format.js';
import { fill, type Locale } from '../core/i18n.js';
import type { AlertSeverity } from '../core/ports/alerts.js';

/** Every line the alerts post or list, in both languages. */
const text = {
  warn: { en: 'WARN', fr: 'ATTENTION' },
  crit: { en: 'CRIT', fr: 'CRITIQUE' },
  warnLevel: { en: 'warn', fr: 'attention' },
  critLevel: { en: 'crit', fr: 'critique' },
  disk: { en: '{host} {mount} at {value} %', fr: '{host} {mount} à {value} %' },
  inodes: { en: '{host} {mount} inodes at {value} %', fr: '{host} {mount} : inodes à {value} %' },
  memory: { en: '{host} memory at {value} %', fr: '{host} : mémoire à {value} %' },
  load: { en: '{host} load at {value} per core', fr: '{host} : charge à {value} par cœur' },
  limitPercent: { en: ' ({level} {limit} %)', fr: ' ({level} {limit} %)' },
  limit: { en: ' ({level} {limit})', fr: ' ({level} {limit})' },
  unitFailed: { en: '{host}: {unit} failed', fr: '{host} : {unit} en échec' },
  unitRecovered: { en: '{host}: {unit} no longer failed', fr: "{host} : {unit} n'est plus en échec" },
  unreachable: { en: '{host} unreachable: {error}', fr: '{host} injoignable : {error}' },
  reachable: { en: '{host} answers again', fr: '{host} répond à nouveau' },
  locked: { en: '{target} is locked on {host}', fr: '{target} est verrouillée sur {host}' },
  notMounted: {
    en: '{target} is open on {host} but {mount} is not mounted',
    fr: "{target} est ouverte sur {host} mais {mount} n'est pas montée",
  },
  unlocked: { en: '{target} is unlocked and mounted on {host}', fr: '{target} est déverrouillée et montée sur {host}' },
  unlockHint: { en: 'run `{prefix} unlock {target}`', fr: 'lancez `{prefix} unlock {target}`' },
  certExpires: {
    en: 'certificate {name} expires in {days} days ({date})',
    fr: 'le certificat {name} expire dans {days} jours ({date})',
  },
  certExpiresDay: {
    en: 'certificate {name} expires in 1 day ({date})',
    fr: 'le certificat {name} expire dans 1 jour ({date})',
  },
  certExpiresToday: {
    en: 'certificate {name} expires within a day ({date})',
    fr: "le certificat {name} expire dans moins d'un jour ({date})",
  },
  certExpired: { en: 'certificate {name} has expired ({date})', fr: 'le certificat {name} a expiré ({date})' },
  backupLate: {
    en: 'backup {name} is overdue: last archive {time} ({age} ago), max age {max}',
    fr: 'sauvegarde {name} en retard : dernière archive {time} (il y a {age}), âge max {max}',
  },
  backupNone: {
    en: 'backup {name} is overdue: no archive yet',
    fr: 'sauvegarde {name} en retard : aucune archive',
  },
  backupFailed: { en: 'backup {name} cannot be read: {detail}', fr: 'sauvegarde {name} illisible : {detail}' },
  backupOk: { en: 'backup {name} is up to date', fr: 'sauvegarde {name} à jour' },
  checkLate: {
    en: 'backup check {name} is overdue: last success {time} ({age} ago)',
    fr: 'le check de sauvegarde {name} est en retard : dernière réussite {time} (il y a {age})',
  },
  checkNever: {
    en: 'backup check {name} is overdue: no success reported yet',
    fr: "le check de sauvegarde {name} est en retard : aucune réussite signalée pour l'instant",
  },
  checkStuck: {
    en: 'backup check {name} started {time} and has not reported its end',
    fr: "le check de sauvegarde {name} a démarré {time} et n'a pas signalé sa fin",
  },
  checkOk: { en: 'backup check {name} reported in time', fr: 'le check de sauvegarde {name} a répondu à temps' },
  gone: { en: '{key} is no longer reported', fr: "{key} n'est plus signalé" },
  unconfigured: { en: '{key} is no longer in the configuration', fr: "{key} n'est plus dans la configuration" },
  unmounted: { en: '{host} {mount} is no longer mounted', fr: "{host} {mount} n'est plus monté" },
  // Messages.
  fired: { en: '{severity} {summary} since {since}', fr: '{severity} {summary} depuis {since}' },
  escalated: {
    en: '{severity} {summary} (firing since {since})',
    fr: '{severity} {summary} (en alerte depuis {since})',
  },
  reminder: {
    en: 'still {severity}: {summary} (for {lasted})',
    fr: 'toujours {severity} : {summary} (depuis {lasted})',
  },
  resolved: { en: 'RESOLVED {summary} (lasted {lasted})', fr: 'RÉSOLU {summary} (a duré {lasted})' },
  resolvedEarlier: {
    en: 'RESOLVED at {time} {summary} (lasted {lasted})',
    fr: 'RÉSOLU à {time} {summary} (a duré {lasted})',
  },
  key: { en: 'key: {key}', fr: 'clé : {key}' },
  silenceHow: {
    en: 'to silence it: {prefix} alerts silence {key} 2h',
    fr: 'pour la faire taire : {prefix} alerts silence {key} 2h',
  },
} satisfies Record<string, Record<Locale, string>>;

export type TextKey = keyof typeof text;

/** Texts in one locale, times in one zone: what conditions and messages are written with. */
export class AlertTexts {
  readonly locale: Locale;
  readonly timeZone: string;
  readonly commandPrefix: string;

  constructor(locale: Locale, timeZone: string, commandPrefix: string) {
    this.locale = locale;
    this.timeZone = timeZone;
    this.commandPrefix = commandPrefix;
  }

  say(key: TextKey, params: Record<string, string | number> = {}): string {
    return fill(text[key][this.locale], params);
  }

  severity(severity: AlertSeverity): string {
    return text[severity][this.locale];
  }

  /** " (crit 90 %)": the level a value is measured against; warn when it is not breaching. */
  limit(levels: { warn: number; crit: number }, severity: AlertSeverity | null, percent: boolean): string {
    const level = severity === 'crit' ? 'crit' : 'warn';
    return this.say(percent ? 'limitPercent' : 'limit', {
      level: text[`${level}Level`][this.locale],
      limit: this.number(levels[level]),
    });
  }

  /** 91, 1.25 (1,25 in French): at most two decimals. */
  number(value: number): string {
    const rounded = String(Math.round(value * 100) / 100);
    return this.locale === 'fr' ? rounded.replace('.', ',') : rounded;
  }

  percent(value: number): string {
    return this.number(Math.round(value));
  }

  /** "06:12" today (in the configured zone), "2026-12-06 06:12" another day. */
  time(iso: string, nowIso: string): string {
    const time = formatTime(iso, this.timeZone);
    return time.slice(0, 10) === formatTime(nowIso, this.timeZone).slice(0, 10) ? time.slice(11) : time;
  }

  fullTime(iso: string): string {
    return formatTime(iso, this.timeZone);
  }

  age(ms: number): string {
    return formatAge(ms, this.locale);
  }

  /** "12 min", "2 h 05 min", "3 d 4 h" ("3 j 4 h"): finer than an age, for how long an alert lasted. */
  duration(ms: number): string {
    const minutes = Math.max(0, Math.round(ms / 60_000));
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
    return `${Math.floor(hours / 24)} ${this.locale === 'fr' ? 'j' : 'd'} ${hours % 24} h`;
  }
}
