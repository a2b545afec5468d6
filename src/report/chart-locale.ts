import type { NumberLocale, TimeLocale } from 'vega';
import type { Locale } from '../core/i18n.js';

/**
 * What the report's charts say in each locale: the number and time formats handed to vega (the
 * d3 definitions, given per chart in the spec's `config.locale`, so a French render never leaks
 * into an English one), the axis date format, the titles and the byte units.
 */
export interface ChartLocale {
  number: NumberLocale;
  time: TimeLocale;
  /** d3 time format of a day on the x axis (and in the points' descriptions). */
  dayFormat: string;
  diskTitle: string;
  backupTitle: string;
  day: string;
  used: string;
  disk: string;
  size: string;
  repository: string;
  /** Byte units, 1024^0 to 1024^4. */
  units: [string, string, string, string, string];
}

export const chartLocales: Record<Locale, ChartLocale> = {
  en: {
    number: { decimal: '.', thousands: ',', grouping: [3], currency: ['$', ''] },
    time: {
      dateTime: '%x, %X',
      date: '%-m/%-d/%Y',
      time: '%-I:%M:%S %p',
      periods: ['AM', 'PM'],
      days: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
      shortDays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
      months: [
        'January',
        'February',
        'March',
        'April',
        'May',
        'June',
        'July',
        'August',
        'September',
        'October',
        'November',
        'December',
      ],
      shortMonths: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
    },
    dayFormat: '%b %-d',
    diskTitle: 'Disk use, {month}',
    backupTitle: 'Backup repository sizes, {month}',
    day: 'Day',
    used: 'Used (daily peak)',
    disk: 'Disk',
    size: 'Size ({unit})',
    repository: 'Repository',
    units: ['B', 'KiB', 'MiB', 'GiB', 'TiB'],
  },
  fr: {
    number: { decimal: ',', thousands: '\u00a0', grouping: [3], currency: ['', '\u00a0€'], percent: '\u202f%' },
    time: {
      dateTime: '%A %e %B %Y à %X',
      date: '%d/%m/%Y',
      time: '%H:%M:%S',
      periods: ['AM', 'PM'],
      days: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],
      shortDays: ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'],
      months: [
        'janvier',
        'février',
        'mars',
        'avril',
        'mai',
        'juin',
        'juillet',
        'août',
        'septembre',
        'octobre',
        'novembre',
        'décembre',
      ],
      shortMonths: ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'],
    },
    dayFormat: '%-d %b',
    diskTitle: 'Occupation des disques, {month}',
    backupTitle: 'Taille des dépôts de sauvegarde, {month}',
    day: 'Jour',
    used: 'Occupation (pic du jour)',
    disk: 'Disque',
    size: 'Taille ({unit})',
    repository: 'Dépôt',
    units: ['o', 'Kio', 'Mio', 'Gio', 'Tio'],
  },
};
