import type { Locale } from './i18n.js';

/** Months as the monthly report names them: `YYYY-MM`. */

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Whether `text` is a month: YYYY-MM. */
export function isMonth(text: string): boolean {
  return MONTH.test(text);
}

/** The month `delta` months after (or before, when negative) `month`. */
export function shiftMonth(month: string, delta: number): string {
  const match = MONTH.exec(month);
  if (!match) throw new Error(`"${month}" is not a month (YYYY-MM)`);
  const index = Number(match[1]) * 12 + Number(match[2]) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** "November 2026", "novembre 2026". */
export function monthName(month: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${month}-15T12:00:00Z`));
}
