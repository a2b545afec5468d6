import { fill, type Locale, type Localized } from '../core/i18n.js';

type Params = Record<string, string | number>;

/** What a job says it did, in both languages (the audit keeps the English one). */
const texts = {
  probes: {
    en: '{hosts} host(s) probed; unreachable: {unreachable}; with a failed probe: {partial}',
    fr: '{hosts} hôte(s) sondé(s) ; injoignable(s) : {unreachable} ; avec une sonde en échec : {partial}',
  },
  noHosts: { en: 'no host configured: nothing to probe', fr: 'aucun hôte configuré : rien à sonder' },
  backupCheck: {
    en: '{count} repository(ies) observed: {markers}',
    fr: '{count} dépôt(s) observé(s) : {markers}',
  },
  noBackups: { en: 'no backup repository configured', fr: 'aucun dépôt de sauvegarde configuré' },
  noBackupsNorChecks: {
    en: 'no backup repository and no push check configured',
    fr: 'aucun dépôt de sauvegarde ni check poussé configuré',
  },
  certs: { en: '{count} certificate(s) checked: {ranks}', fr: '{count} certificat(s) vérifié(s) : {ranks}' },
  noCerts: { en: 'no certificate watched', fr: 'aucun certificat surveillé' },
  noReportsChannel: {
    en: 'no "reports" channel configured (channels.reports)',
    fr: 'aucun canal « reports » configuré (channels.reports)',
  },
  noDigestChannel: {
    en: 'no "digest" channel configured (channels.digest)',
    fr: 'aucun canal « digest » configuré (channels.digest)',
  },
  digestPosted: {
    en: 'digest posted to the "{channel}" channel',
    fr: 'résumé publié sur le canal « {channel} »',
  },
  digestBuilt: {
    en: 'digest built (printed here, not posted)',
    fr: 'résumé construit (affiché ici, pas publié)',
  },
  digestUnavailable: {
    en: 'not available yet: the morning digest is still being built',
    fr: 'pas encore disponible : le résumé du matin est encore en construction',
  },
  monthlyUnavailable: {
    en: 'not available yet: the monthly report is not wired in',
    fr: "pas encore disponible : le rapport mensuel n'est pas branché",
  },
  reportPosted: {
    en: 'monthly report posted to the "{channel}" channel with {files} file(s)',
    fr: 'rapport mensuel publié sur le canal « {channel} » avec {files} fichier(s)',
  },
  reportBuilt: {
    en: 'monthly report built, {files} file(s) written (printed here, not posted)',
    fr: 'rapport mensuel construit, {files} fichier(s) écrit(s) (affiché ici, pas publié)',
  },
  hookFailed: {
    en: '{what}; then {hook} failed: {error}',
    fr: '{what} ; puis {hook} a échoué : {error}',
  },
  none: { en: 'none', fr: 'aucun' },
} satisfies Record<string, Localized>;

export type JobTextKey = keyof typeof texts;

/** A job text in both languages. */
export function jobText(key: JobTextKey, params: Params | ((locale: Locale) => Params) = {}): Localized {
  const at = (locale: Locale) => fill(texts[key][locale], typeof params === 'function' ? params(locale) : params);
  return { en: at('en'), fr: at('fr') };
}

/** A list of names for a job text, "none" when empty. */
export function namesOrNone(names: readonly string[], locale: Locale): string {
  return names.length > 0 ? names.join(', ') : texts.none[locale];
}
