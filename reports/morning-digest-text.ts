import type { Locale } from '../src/core/i18n.js';

/** Every text of the morning digest, in both languages. */
export const text = {
  title: { en: 'Morning digest, {date}', fr: 'Point du matin, {date}' },
  nothing: {
    en: 'Morning digest: nothing to report since {since}{backups}.',
    fr: 'Point du matin : rien à signaler depuis le {since}{backups}.',
  },
  nothingBackups: { en: ' ({n} backups OK)', fr: ' ({n} sauvegardes OK)' },
  nothingBackup: { en: ' (1 backup OK)', fr: ' (1 sauvegarde OK)' },
  alertsUnavailable: { en: 'Alerts: not available yet.', fr: 'Alertes : pas encore disponibles.' },

  backups: { en: 'Backups', fr: 'Sauvegardes' },
  backupLast: { en: 'last {time} ({age} ago)', fr: 'dernière {time} (il y a {age})' },
  backupNoArchive: { en: 'no archive yet', fr: 'aucune archive' },
  backupNever: { en: 'never observed', fr: 'jamais observé' },
  backupMaxAge: { en: 'max age {age}', fr: 'âge max {age}' },

  backupRuns: { en: 'Backup runs since {since}', fr: 'Sauvegardes lancées depuis le {since}' },
  runOk: { en: 'OK', fr: 'OK' },
  runWarning: { en: 'WARNING', fr: 'ATTENTION' },
  runFailed: { en: 'FAILED', fr: 'ÉCHEC' },
  runRunning: { en: 'RUNNING', fr: 'EN COURS' },
  runMissed: { en: 'MISSED', fr: 'MANQUÉE' },

  active: { en: 'Active alerts', fr: 'Alertes en cours' },
  activeSince: { en: 'since {time}', fr: 'depuis le {time}' },
  silencedUntil: { en: 'silenced until {time}', fr: "en sourdine jusqu'au {time}" },
  events: { en: 'Alerts since {since}', fr: 'Alertes depuis le {since}' },
  fired: { en: 'fired', fr: 'déclenchée' },
  resolved: { en: 'resolved', fr: 'résolue' },
  silenced: { en: 'silenced', fr: 'en sourdine' },
  after: { en: 'after {age}', fr: 'après {age}' },
  by: { en: 'by {who}', fr: 'par {who}' },

  commands: { en: 'Commands since {since}', fr: 'Commandes depuis le {since}' },
  refused: { en: 'refused: {list}', fr: 'demandes refusées : {list}' },
  denied: { en: '{n} denied', fr: '{n} non autorisées' },
  deniedOne: { en: '1 denied', fr: '1 non autorisée' },
  badUsage: { en: '{n} malformed', fr: '{n} mal formées' },
  badUsageOne: { en: '1 malformed', fr: '1 mal formée' },
  more: { en: '+{n} more', fr: '+{n} autres' },
  truncated: {
    en: '(only the newest {n} audit entries were read; "audit" lists them all)',
    fr: '(seules les {n} dernières entrées du journal ont été lues ; « audit » les liste toutes)',
  },
  failed: { en: 'failed', fr: 'échec' },
  error: { en: 'error', fr: 'erreur' },
  interrupted: { en: 'interrupted', fr: 'interrompue' },
  running: { en: 'running', fr: 'en cours' },

  certificates: {
    en: 'Certificates expiring within {n} days',
    fr: 'Certificats qui expirent dans les {n} jours',
  },
  daysLeft: { en: '{n} days left', fr: '{n} jours restants' },
  dayLeft: { en: '1 day left', fr: '1 jour restant' },
  expired: { en: 'EXPIRED', fr: 'EXPIRÉ' },
  until: { en: 'until {time}', fr: "jusqu'au {time}" },

  locked: { en: 'Locked partitions', fr: 'Partitions verrouillées' },
  onHost: { en: '{name} on {host}', fr: '{name} sur {host}' },
  isLocked: { en: 'locked', fr: 'verrouillée' },
  notMounted: { en: 'unlocked, not mounted', fr: 'déverrouillée, non montée' },
  stateUnknown: { en: 'state unknown', fr: 'état inconnu' },
  probeFailed: { en: 'LUKS state unknown: {error}', fr: 'état LUKS inconnu : {error}' },
  seen: { en: 'seen {time} ({age} ago)', fr: 'vu le {time} (il y a {age})' },
} satisfies Record<string, Record<Locale, string>>;
