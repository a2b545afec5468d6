import type { Locale } from '../src/core/i18n.js';

/** Every text of the monthly IT usage report, in both languages. */
export const text = {
  title: { en: 'IT usage report, {month}', fr: 'Rapport informatique, {month}' },
  partial: {
    en: '(month in progress: figures up to {time})',
    fr: "(mois en cours : chiffres jusqu'au {time})",
  },

  headline: { en: '{heading}: {content}', fr: '{heading} : {content}' },
  /** Between the parts of one line (French puts a space before the semicolon). */
  and: { en: '; ', fr: ' ; ' },
  activity: { en: 'Activity', fr: 'Activité' },
  activityLine: {
    en: '{runs} commands by {people} people: {okRate} OK, {failed} failed, {refused} refused',
    fr: '{runs} commandes par {people} personnes : {okRate} réussies, {failed} en échec, {refused} refusées',
  },
  ansibleLine: { en: 'Ansible: {runs} runs, {failed} failed', fr: 'Ansible : {runs} lancements, {failed} en échec' },
  scheduledLine: {
    en: 'scheduled jobs: {runs} runs, {failed} failed',
    fr: 'tâches planifiées : {runs} exécutions, {failed} en échec',
  },
  noActivity: { en: 'No command was run.', fr: "Aucune commande n'a été lancée." },
  perPerson: { en: 'Per person and command', fr: 'Par personne et par commande' },
  failures: { en: 'Latest failures', fr: 'Derniers échecs' },

  backups: { en: 'Backups', fr: 'Sauvegardes' },
  backupLine: {
    en: '{name}: {archives} archives, {missed}, {sizes}',
    fr: '{name} : {archives} archives, {missed}, {sizes}',
  },
  noMissedDay: { en: 'no missed day', fr: 'aucun jour manqué' },
  missedDays: { en: '{n} missed days', fr: '{n} jours manqués' },
  missedDay: { en: '1 missed day', fr: '1 jour manqué' },
  sizes: { en: '{start} → {end} ({growth})', fr: '{start} → {end} ({growth})' },
  noSize: { en: 'size unknown', fr: 'taille inconnue' },
  noBackups: { en: 'No backup repository was observed.', fr: "Aucun dépôt de sauvegarde n'a été observé." },
  lastCheck: { en: 'last check {time}: {outcome}', fr: 'dernière vérification {time} : {outcome}' },

  resources: { en: 'Resources', fr: 'Ressources' },
  diskPeak: {
    en: 'Fullest disk: {mount} at {percent} ({time})',
    fr: 'Disque le plus plein : {mount} à {percent} ({time})',
  },
  noSamples: { en: 'No probe sample was taken.', fr: "Aucune mesure n'a été prise." },

  incidents: { en: 'Incidents', fr: 'Incidents' },
  incidentLine: {
    en: '{fired} alerts fired, {resolved} resolved, {time} in alert',
    fr: '{fired} alertes déclenchées, {resolved} résolues, {time} en alerte',
  },
  longest: { en: 'longest: {key}, {duration}', fr: 'la plus longue : {key}, {duration}' },
  ongoing: { en: 'still firing', fr: 'toujours en cours' },
  unlocks: { en: 'unlocks after reboots: {n}', fr: 'déverrouillages après redémarrage : {n}' },

  certificates: { en: 'Certificates', fr: 'Certificats' },
  renewed: { en: '{n} renewed', fr: '{n} renouvelé(s)' },
  expiring: { en: 'expiring in {month}: {list}', fr: 'expirent en {month} : {list}' },
  noneExpiring: { en: 'none expiring in {month}', fr: "aucun n'expire en {month}" },

  charts: { en: 'Charts', fr: 'Graphiques' },
  diskChart: { en: 'Disk use per host', fr: 'Occupation des disques par hôte' },
  backupChart: { en: 'Backup repository sizes', fr: 'Taille des dépôts de sauvegarde' },

  // Markdown table headers.
  colPerson: { en: 'Person', fr: 'Personne' },
  colCommand: { en: 'Command', fr: 'Commande' },
  colRuns: { en: 'Runs', fr: 'Lancements' },
  colOk: { en: 'OK', fr: 'Réussies' },
  colFailed: { en: 'Failed', fr: 'Échecs' },
  colRefused: { en: 'Refused', fr: 'Refusées' },
  colWhen: { en: 'When', fr: 'Quand' },
  colWhat: { en: 'What', fr: 'Quoi' },
  colWhy: { en: 'Why', fr: 'Pourquoi' },
  colRepository: { en: 'Repository', fr: 'Dépôt' },
  colArchives: { en: 'Archives', fr: 'Archives' },
  colMissed: { en: 'Missed days', fr: 'Jours manqués' },
  colSizeStart: { en: 'Size at start', fr: 'Taille au début' },
  colSizeEnd: { en: 'Size at end', fr: 'Taille à la fin' },
  colGrowth: { en: 'Growth', fr: 'Croissance' },
  colLastCheck: { en: 'Last check', fr: 'Dernière vérification' },
  colHost: { en: 'Host', fr: 'Hôte' },
  colMount: { en: 'Mount', fr: 'Montage' },
  colStart: { en: 'Start', fr: 'Début' },
  colEnd: { en: 'End', fr: 'Fin' },
  colPeak: { en: 'Peak', fr: 'Pic' },
  colSamples: { en: 'Samples', fr: 'Mesures' },
  colMemoryPeak: { en: 'Memory peak', fr: 'Pic mémoire' },
  colLoadPeak: { en: 'Load peak per core', fr: 'Pic de charge par cœur' },
  colFailedSamples: { en: 'Failed probes', fr: 'Sondes en échec' },
  colKind: { en: 'Kind', fr: 'Type' },
  colFired: { en: 'Fired', fr: 'Déclenchées' },
  colTarget: { en: 'Target', fr: 'Cible' },
  colCertificate: { en: 'Certificate', fr: 'Certificat' },
  colRenewedAt: { en: 'Renewed', fr: 'Renouvelé le' },
  colNotAfter: { en: 'Valid until', fr: "Valide jusqu'au" },
  none: { en: 'none', fr: 'aucun' },
} satisfies Record<string, Record<Locale, string>>;
